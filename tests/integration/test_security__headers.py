"""Security headers (issue 11, class 6): one policy (Flask-Talisman, app/security.py)
on pages and the API — a CSP with no inline script and no framing, nosniff, a
referrer policy, ``Cache-Control: no-store`` on everything but static files, HSTS
and the https redirect in production only — and pages that need no inline script."""

from __future__ import annotations

from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from app import create_app
from tests.api_client import Api


def _csp(response) -> dict[str, str]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in header.split(";"):
        name, _sep, value = part.strip().partition(" ")
        if name:
            directives[name] = value
    return directives


def assert_policy(response) -> None:
    csp = _csp(response)
    assert csp.get("default-src") == "'self'"
    assert csp.get("script-src") == "'self'"
    assert csp.get("style-src") == "'self'"
    assert csp.get("object-src") == "'none'"
    assert csp.get("frame-ancestors") == "'none'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]
    assert response.headers.get("X-Frame-Options") == "DENY"
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy") == "same-origin"
    assert response.headers.get("Cache-Control") == "no-store"
    assert "Strict-Transport-Security" not in response.headers  # not in tests: http, not production


def test_headers__on_the_login_page_and_an_authenticated_page(client, auth, demo):
    assert_policy(client.get("/login"))
    auth.login()
    page = client.get(f"/units/{demo.units['trung'].id}")
    assert page.status_code == 200
    assert_policy(page)
    assert_policy(client.get("/no-such-page"))  # error pages too


def test_headers__on_the_api(client, demo):
    api = Api(client).as_user("bithu.trung")
    me = api.get("/me")
    assert me.status_code == 200
    assert_policy(me)
    people = api.get("/people", query_string={"limit": 5})
    assert people.status_code == 200
    assert_policy(people)
    token = client.post("/api/v1/auth/token", json={"username": "bithu.trung", "password": "demo"})
    assert_policy(token)  # the token itself is never cached
    assert_policy(client.get("/api/v1/me"))  # 401


def test_headers__static_files_stay_cacheable(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert response.headers.get("Cache-Control") != "no-store"
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    response.close()


def test_headers__testing_does_not_force_https(client, demo):
    response = client.get("/login")
    assert response.status_code == 200  # no redirect to https://
    assert "Strict-Transport-Security" not in client.get("/login", base_url="https://localhost").headers


@pytest.fixture
def production_app(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "a-real-secret-for-this-test-only")
    from workflow import signing

    key = tmp_path / "audit.pem"
    signing.generate(key)  # production refuses to start without the audit signing key
    return create_app({"APP_ENV": "production", "DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}",
                       "UPLOAD_DIR": str(tmp_path / "u"), "RATELIMIT_STORAGE_URI": "memory://",
                       "AUDIT_SIGNING_KEY": str(key)})


def test_headers__production_redirects_to_https_and_sends_hsts(production_app):
    client = production_app.test_client()
    plain = client.get("/login")
    assert plain.status_code in (301, 302)
    assert plain.headers["Location"].startswith("https://")
    secure = client.get("/static/css/app.css", base_url="https://party.example")
    hsts = secure.headers.get("Strict-Transport-Security", "")
    assert hsts.startswith("max-age=31536000") and "includeSubDomains" in hsts
    secure.close()
    behind_proxy = client.get("/static/css/app.css", headers={"X-Forwarded-Proto": "https"})
    assert behind_proxy.status_code == 200 and "Strict-Transport-Security" in behind_proxy.headers
    behind_proxy.close()


class _PageScan(HTMLParser):
    """Collects what a no-inline-script CSP would block, and the page's links."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self.links: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...> inline event handler")
            if name == "style":
                self.problems.append(f"<{tag} style=...> inline style")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                    "javascript:"):
                self.problems.append(f"<{tag} {name}=javascript:...>")
        if tag == "script":
            src = attrs.get("src")
            if not src:
                self.problems.append("inline <script>")
            elif urlsplit(src).netloc or not src.startswith("/static/"):
                self.problems.append(f"<script src={src}> not served here")
            self._in_script = True
        if tag == "style":
            self.problems.append("inline <style>")
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.problems.append("<script> with inline content")


def scan(html: str) -> _PageScan:
    parser = _PageScan()
    parser.feed(html)
    parser.close()
    return parser


def test_scan__finds_inline_script_handlers_and_styles():
    found = scan('<script>alert(1)</script><select onchange="x()"></select><p style="color:red"></p>'
                 '<script src="https://cdn.example/x.js"></script><style>p{}</style><a href="javascript:x()">x</a>')
    assert len(found.problems) == 7, found.problems
    assert scan('<script src="/static/js/app.js" defer></script><select data-autosubmit></select>').problems == []


def _open_an_admission(app, demo):
    """An admission case to look at; bithu.trung also becomes secretary of thôn
    Đông, so that the new-case pages offer a choice of unit."""
    from app.extensions import db
    from cases import actions
    from core.enums import Role
    from core.models import RoleAssignment, User

    with app.app_context():
        user = db.session.get(User, demo.users["bithu.trung"].id)
        candidate = next(p for p in demo.people["trung"] if p.status.value == "candidate")
        case = actions.open_case(db.session, user, "admission", candidate.id, {})
        db.session.add(RoleAssignment(user_id=user.id, unit_id=demo.units["dong"].id, role=Role.branch_secretary))
        db.session.commit()
        return case.id


@pytest.mark.parametrize("username", ["bithu.trung", "tochuc.nghiahung", "kiemtra.nghiahung"])
def test_pages__no_inline_script_anywhere(app, client, auth, demo, clock_file, username):
    """Crawl the pages a user reaches by links from home (and the new-case pages)
    and check each against the CSP: no inline script, handler or style."""
    clock_file.write_text("2026-11-20T03:00:00Z")
    case_id = _open_an_admission(app, demo)
    assert auth.login(username).status_code == 302
    start = ["/", f"/cases/{case_id}", "/cases/new/admission", "/cases/new/discipline", "/cases/new/removal",
             "/cases/new/candidacy"]
    queue, seen, checked, problems = deque(start), set(start), 0, []
    while queue and checked < 80:
        path = queue.popleft()
        response = client.get(path)
        if response.status_code != 200 or not response.mimetype == "text/html":
            continue
        checked += 1
        assert_policy(response)
        page = scan(response.get_data(as_text=True))
        problems += [f"{path}: {p}" for p in page.problems]
        for href in page.links:
            target = urljoin(path, href)
            parts = urlsplit(target)
            if parts.netloc or parts.path.startswith(("/static", "/api", "/logout", "/lang")):
                continue
            if "/documents/" in parts.path:
                continue
            link = parts.path + (f"?{parts.query}" if parts.query else "")
            if link not in seen:
                seen.add(link)
                queue.append(link)
    assert checked >= 5
    assert problems == []
