"""Open redirect (issue 11, class 4): a redirect target that comes with a request
(``/login?next=``, the language switch's ``next``) is followed only when it is a
same-origin relative path; anything else goes to the home page, never to a 500."""

from __future__ import annotations

import pytest

from app.redirects import is_safe_target

HOSTILE = [
    "/\t/evil.example/x",            # the issue's /%09/evil.example/x once decoded
    "/\n/evil.example/x",
    "/\r\nSet-Cookie: stolen=1",     # header injection (used to answer 500)
    "/\r/evil.example",
    "//evil.example/x",
    "///evil.example/x",
    "/\\evil.example/x",
    "\\\\evil.example/x",
    "/\\/evil.example/x",
    "/%2F/evil.example/x",           # a path that decodes to //evil.example
    "/%2f%2fevil.example",
    "/%5Cevil.example",
    "/%09/evil.example",
    "https://evil.example/x",
    "http:evil.example",
    "HTTPS:/evil.example",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example/x",
    " /evil.example",
    "/ /evil.example",
    "/\x00/evil.example",
    "\x00//evil.example",
    "/\u3000/evil.example",          # ideographic space
    "/\u200b/evil.example",          # zero-width space
    "/\u2028evil.example",           # line separator
    "/\x7f/evil.example",
    "",
    "/" + "a" * 3000,
]
GOOD = ["/", "/cases?state=draft", "/people/5", "/cases?q=Nguy%E1%BB%85n+V%C4%83n", "/units/3#people"]


@pytest.mark.parametrize("target", HOSTILE, ids=repr)
def test_redirect__hostile_targets_are_refused(target):
    assert not is_safe_target(target)


@pytest.mark.parametrize("target", GOOD)
def test_redirect__same_origin_paths_are_kept(target):
    assert is_safe_target(target)


def _login(client, auth, next_value):
    token = auth.csrf_token()
    return client.post("/login", query_string={"next": next_value},
                       data={"username": "bithu.trung", "password": "demo", "csrf_token": token})


@pytest.mark.parametrize("target", HOSTILE, ids=repr)
def test_login__hostile_next_goes_home(client, auth, demo, target):
    response = _login(client, auth, target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login__the_issues_url_goes_home(client, auth, demo):
    token = auth.csrf_token()
    response = client.post("/login?next=/%09/evil.example/x",
                           data={"username": "bithu.trung", "password": "demo", "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", GOOD)
def test_login__local_next_is_followed(client, auth, demo, target):
    response = _login(client, auth, target)
    assert response.status_code == 302
    assert response.headers["Location"] == target


def _switch_language(client, auth, target: str, where: str):
    """POST /lang/en with ``next`` in the form or in the query string."""
    token = auth.csrf_token()
    if where == "form":
        return client.post("/lang/en", data={"csrf_token": token, "next": target})
    return client.post("/lang/en", query_string={"next": target}, data={"csrf_token": token})


@pytest.mark.parametrize("where", ["form", "query"])
@pytest.mark.parametrize("target", HOSTILE, ids=repr)
def test_language__hostile_next_goes_home(client, auth, target, where):
    response = _switch_language(client, auth, target, where)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("where", ["form", "query"])
@pytest.mark.parametrize("target", GOOD)
def test_language__local_next_is_followed(client, auth, target, where):
    response = _switch_language(client, auth, target, where)
    assert response.status_code == 302
    assert response.headers["Location"] == target
