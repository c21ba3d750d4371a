"""Lists never load rows one by one: a page of the case list, the people list and
the inbox (API and pages) takes the same number of SQL statements for 5 rows as
for 50 (issue 16, "Lists and inbox without N+1")."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from tests.admission_flow import Pages

QUERIES = ("/cases", "/cases?type=admission&state=draft", "/cases?q=kiem dem", "/cases?overdue=false")


def add_cases(app, demo, n: int, start: int) -> None:
    """``n`` candidates of thôn Trung named "Kiểm Đếm <i>", each with an admission
    case in draft opened by its branch secretary (through the engine)."""
    from app.extensions import db
    from core.enums import Education, Gender, PersonStatus
    from core.models import Person, Unit, User
    from workflow import engine

    with app.app_context():
        session = db.session
        unit = session.get(Unit, demo.units["trung"].id)
        secretary = session.get(User, demo.users["bithu.trung"].id)
        for i in range(start, start + n):
            person = Person(full_name=f"Kiểm Đếm {i:03d}", date_of_birth=dt.date(2000, 1, 1), gender=Gender.male,
                            national_id=f"0990000{i:05d}", education=Education.upper_secondary, ethnicity="Kinh",
                            residence="", unit_id=unit.id, status=PersonStatus.candidate)
            session.add(person)
            session.flush()
            engine.start(session, "admission", unit=unit, actor=secretary, person=person,
                         payload={"person_id": person.id})
        session.commit()


class Counter:
    """Counts the statements the app's engine runs during a request."""

    def __init__(self, app):
        from app.extensions import db

        with app.app_context():
            self.engine = db.engine
        self.count = 0
        sa.event.listen(self.engine, "before_cursor_execute", self._one)

    def _one(self, *args, **kw):
        self.count += 1

    def of(self, client, path: str, headers=None) -> tuple[int, int]:
        client.get(path, headers=headers)  # caches warmed, session loaded as in steady use
        self.count = 0
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.status_code)
        return self.count, len(response.get_data())


def counts(counter, api, pages, demo) -> dict[str, int]:
    headers = api.as_user("bithu.trung").headers()
    out = {}
    for path in QUERIES + ("/inbox", "/people?q=kiem", "/people?q=dem", "/people"):
        out[f"api {path}"] = counter.of(api.client, "/api/v1" + path, headers)[0]
    pages.as_user("bithu.trung")
    unit = demo.units["trung"].id
    for path in QUERIES + ("/inbox", f"/people/pick?of=candidates_of_branch&unit={unit}&q=dem"):
        out[f"page {path}"] = counter.of(pages.client, path)[0]
    return out


def test_lists__statements_per_page_do_not_grow_with_rows(app, api, client, auth, demo):
    """5 rows, then 50: every list page (API and HTML) runs as many statements."""
    pages = Pages(client, auth)
    counter = Counter(app)
    add_cases(app, demo, 5, 0)
    few = counts(counter, api, pages, demo)
    add_cases(app, demo, 45, 5)
    many = counts(counter, api, pages, demo)
    assert many == few
    assert max(few.values()) <= 12, few  # the page's own statements: the user, their roles, one per list...


@pytest.mark.parametrize("path", ["/cases?q=kiem dem", "/people?q=dem", "/inbox"])
def test_lists__the_rows_are_there(app, api, demo, path):
    """The counted pages do list the rows (a page of 50 where there are 50)."""
    add_cases(app, demo, 50, 0)
    body = api.as_user("bithu.trung").get(path + ("&" if "?" in path else "?") + "limit=50").get_json()
    names = [(i.get("person") or {}).get("full_name") or i.get("full_name") for i in body["items"]]
    assert len([n for n in names if n and n.startswith("Kiểm Đếm")]) == 50


PAIRS = (("/cases", "/cases"), ("/cases?overdue=1", "/cases?overdue=true"), ("/inbox", "/inbox"),
         ("/cases?type=admission&state=draft", "/cases?type=admission&state=draft"))


@pytest.mark.parametrize("username", ["bithu.trung", "thuongvu.nghiahung"])
def test_lists__a_page_costs_a_fixed_few_statements_more_than_its_api_twin(app, api, client, auth, demo, username):
    """The layout's own statements (the roles shown, the bell, the inbox badge) are a fixed
    few on every page: a list page runs at most 4 more than its API twin (which reads a
    token and its user), the inbox page one more (the badge comes from its own first page)."""
    pages = Pages(client, auth)
    counter = Counter(app)
    add_cases(app, demo, 5, 0)
    headers = api.as_user(username).headers()
    pages.as_user(username)
    extra = {}
    for page, twin in PAIRS:
        extra[page] = counter.of(pages.client, page)[0] - counter.of(api.client, "/api/v1" + twin, headers)[0]
    assert all(n <= 4 for n in extra.values()), extra
    assert extra["/inbox"] <= 1, extra
