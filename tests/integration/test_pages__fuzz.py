"""Hostile input to every page form (issue 11, class 8): 0 × 5xx.

The fuzzer discovers the pages from ``app.url_map`` (every rule outside
``/api`` and ``/static``), fills their path parameters with ids of a demo
world (cases in several steps of each process, a course with its class list,
a document), and reads every form each demo user is shown (the HTML itself:
inputs, selects, text areas, files). It then posts hostile values for every
field of every form, with a valid CSRF token (first a fixed sweep: NUL, a huge
number, an over-long text, control characters; then Hypothesis draws forms,
fields and values), and sends hostile query parameters to every page. No
answer may be a 5xx, and an answer of 4xx must leave the case tables as they
were. Every page route that takes POST must have been posted to, those reached
only after a step included: the world opens a grading round (its sheet's steps)
and registers a member with a residence branch (its comment sheet), disables an
account (its "enable"), and the fuzzer uploads an import for a dry run (its
confirmation).
"""

from __future__ import annotations

import io
import json
import re
import time
import uuid
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.admission_flow import PDF
from tests.api_flow import step, to_superior_decision
from tests.demo_people import candidate, officials, opening, plain_member
from tests.discipline_flow import REPORT
from tests.edge_inputs import HOSTILE, HOSTILE_DATES, case_tables
from tests.page_forms import PageForm, forms_of

USERS = ("bithu.trung", "danguy.phucthang", "thuongvu.nghiahung", "kiemtra.nghiahung", "tochuc.nghiahung", "admin")
SWEEP = ["a\x00b", "99999999999999999999", "x\r\n\x1b[0m" + "y" * 25000, "-1", "2147483648", "0001-01-01"]
QUERY_NAMES = ("q", "unit", "person_id", "cursor", "next", "year", "start", "state", "type", "overdue", "zz\x00")
EXAMPLES = 300


@pytest.fixture
def world(app, api, demo, clock_file):
    """Cases in several steps of each process, a course with a class list, a document, a
    grading round, a member registered with thôn Trung as their residence branch, a
    disabled account."""
    from app.extensions import db
    from cases import setup_accounts
    from cases.candidacy import courses
    from cases.candidacy.models import Course
    from cases.grading import residence, rounds
    from core.models import Unit, User

    app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash must be a 500 the fuzzer sees, not a test error
    app.config["LOGIN_RATE_LIMIT"] = app.config["LOGIN_ACCOUNT_RATE_LIMIT"] = "100000 per minute"
    cases = {"decision": to_superior_decision(api, demo)}
    api.as_user("bithu.trung")
    with opening():
        cases["draft"] = api.post("/cases", json={"type": "admission",
                                                  "person_id": candidate(demo, index=1).id}).get_json()["id"]
        cases["branch_vote"] = api.post("/cases", json={"type": "discipline", "person_id": plain_member(demo).id,
                                                        **REPORT}).get_json()["id"]
        cases["removal"] = api.post("/cases", json={
            "type": "removal", "person_id": officials(demo)[6].id, "grounds": "missed_activities_or_dues",
            "months_missed": 3, "description": "Không sinh hoạt."}).get_json()["id"]
        cases["nominated"] = api.post("/cases", json={
            "type": "candidacy", "person_id": candidate(demo, index=2).id, "helper_id": officials(demo)[5].id,
            "resolution_number": "1-NQ", "resolution_date": "2026-11-02"}).get_json()["id"]
        training = api.post("/cases", json={
            "type": "candidacy", "person_id": candidate(demo, index=3).id, "helper_id": officials(demo)[5].id,
            "resolution_number": "2-NQ", "resolution_date": "2026-11-02"}).get_json()["id"]
        api.as_user("bithu.dong")
        waiting = api.post("/cases", json={
            "type": "candidacy", "person_id": candidate(demo, "dong", 2).id, "helper_id": officials(demo, "dong")[5].id,
            "resolution_number": "3-NQ", "resolution_date": "2026-11-02"}).get_json()["id"]
        api.as_user("kiemtra.nghiahung")
        cases["reported"] = api.post("/cases", json={"type": "discipline", "person_id": officials(demo)[7].id,
                                                     **REPORT}).get_json()["id"]
    api.as_user("bithu.trung")
    document = api.upload(cases["branch_vote"], "evidence", issued_on="2026-09-02").get_json()["id"]
    step(api, cases["branch_vote"], "bithu.trung", "record_self_review", {"submitted": "yes"}, "branch_vote")
    for trainee in (training, waiting):  # one on the class list, one still to enrol
        step(api, trainee, "danguy.phucthang", "approve_training", {}, "in_training")
    with app.app_context():
        officer = db.session.get(User, demo.users["tochuc.nghiahung"].id)
        course = courses.create_course(db.session, officer, {
            "name": "Lớp bồi dưỡng khóa III/2026", "organiser_unit_id": demo.units["nghiahung"].id,
            "starts_on": __import__("datetime").date(2026, 11, 9), "ends_on": __import__("datetime").date(2026, 11, 13)})
        courses.enrol(db.session, officer, db.session.get(Course, course.id), [training])
        course_id = course.id
        from core.models import Post  # a post the demo's secretary of thôn Trung holds
        post = db.session.scalar(__import__("sqlalchemy").select(Post).order_by(Post.id).limit(1))
        post_id, holder_id = post.id, post.person_id
        # A grading round of each branch of Phúc Thắng: its sheet posts to /grading/cases/<id>/act/<name>.
        committee = db.session.get(User, demo.users["danguy.phucthang"].id)
        opened = rounds.open_rounds(db.session, committee, db.session.get(Unit, demo.units["phucthang"].id), 2026)
        cases["grading"] = opened.opened[demo.units["trung"].id]
        # A member of thôn Đông living in thôn Trung: thôn Trung's residence comment sheet has a line.
        residence.register(db.session, db.session.get(User, demo.users["bithu.dong"].id),
                           officials(demo, "dong")[4].id, demo.units["trung"].id)
        # A disabled account: its page offers "enable".
        admin = db.session.get(User, demo.users["admin"].id)
        disabled = db.session.get(User, demo.users["kiemtra.tinh"].id)
        setup_accounts.set_active(db.session, admin, disabled, False)
        db.session.commit()
        disabled_id = disabled.id
        db.session.remove()
    return {"cases": cases, "document": (cases["branch_vote"], document), "course": course_id,
            "units": [demo.units["phucthang"].id, demo.units["trung"].id], "person": candidate(demo).id,
            "post": (holder_id, post_id), "users": [1, 2, disabled_id], "export_unit": demo.units["trung"].id}


def page_paths(app, world) -> dict[str, list[str]]:
    """Every page rule (not /api, not /static) that answers GET, with its path parameters filled in."""
    from cases.registry import all_entries

    values = {"case_id": list(world["cases"].values()), "course_id": [world["course"]],
              "unit_id": world["units"], "person_id": [world["person"], world["post"][0]], "year": [2026],
              "process_name": sorted(all_entries()), "code": ["en"], "user_id": world["users"],
              "notification_id": [1], "form": ["9-KNĐ", "transfer-letter"], "sha": ["0" * 64]}
    out: dict[str, list[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(("/api/", "/static/")):
            continue
        if "doc_id" in rule.arguments:
            case_id, doc_id = world["document"]
            out[rule.rule] = [rule.build({"case_id": case_id, "doc_id": doc_id})[1]]
            continue
        if "post_id" in rule.arguments:
            person_id, post_id = world["post"]
            out[rule.rule] = [rule.build({"person_id": person_id, "post_id": post_id})[1]]
            continue
        if "name" in rule.arguments:
            out[rule.rule] = []  # actions: reached through the forms of the case pages
            continue
        paths = [""]
        for name in sorted(rule.arguments):
            paths = [p + "|" + f"{name}={v}" for p in paths for v in values[name]]
        out[rule.rule] = [rule.build(dict(part.split("=", 1) for part in p.strip("|").split("|") if part))[1]
                          for p in paths]
    return out


class _Crashed:
    """The response of a request whose handling raised (counted as a 500)."""

    status_code = 500
    mimetype = ""

    def get_data(self, as_text=False):
        return "" if as_text else b""


class Fuzzer:
    """The demo users' clients, the forms they see, and what was sent."""

    def __init__(self, app, world):
        self.app, self.world = app, world
        self.clients = {user: self._login(user) for user in USERS}
        self.clients[None] = app.test_client()
        self.paths = page_paths(app, world)
        self.forms: dict[tuple, tuple[str | None, PageForm]] = {}
        self.sent, self.statuses, self.server_errors, self.changed = 0, {}, [], []
        self.posted_rules: set[str] = set()

    def _login(self, user):
        client = self.app.test_client()
        html = client.get("/login").get_data(as_text=True)
        token = forms_of("/login", html)[-1].defaults()["csrf_token"]
        response = client.post("/login", data={"username": user, "password": "demo", "csrf_token": token})
        assert response.status_code == 302, user
        return client

    def discover(self) -> None:
        """GET every page as every user; keep each form once per user."""
        for rule, paths in self.paths.items():
            if "GET" not in self.app.url_map._rules_by_endpoint[self._endpoint(rule)][0].methods:
                continue
            for user, client in self.clients.items():
                for path in paths:
                    response = self.send(client, "GET", path)
                    if response.status_code == 200 and response.mimetype == "text/html":
                        for form in forms_of(path, response.get_data(as_text=True)):
                            self.forms.setdefault((user, *form.key), (user, form))

    def take_steps(self) -> None:
        """The forms only a step shows: the import's confirmation follows a dry run of an
        upload (the export of thôn Trung, which imports back unchanged)."""
        admin = self.clients["admin"]
        export = admin.get(f"/units/{self.world['export_unit']}/export.xlsx")
        assert export.status_code == 200, export.status_code
        page = "/admin/imports"
        token = forms_of(page, admin.get(page).get_data(as_text=True))[-1].defaults()["csrf_token"]
        checked = self.send(admin, "POST", page, data={"csrf_token": token,
                                                       "file": (io.BytesIO(export.get_data()), "trung.xlsx")})
        assert checked.status_code == 200, checked.get_data(as_text=True)[-2000:]
        for form in forms_of(page, checked.get_data(as_text=True)):
            self.forms.setdefault(("admin", *form.key), ("admin", form))

    def _endpoint(self, rule: str) -> str:
        return next(r.endpoint for r in self.app.url_map.iter_rules() if r.rule == rule)

    def send(self, client, method: str, path: str, data=None, query=None):
        """One request; a 5xx is recorded, and a 4xx that changed a case table too."""
        before = case_tables(self.app) if method != "GET" else None
        where = (method, path, {k: (v[:40] if isinstance(v, str) else "<file>") for k, v in (data or {}).items()},
                 query)
        self.sent += 1
        try:
            response = client.open(path, method=method, data=data, query_string=query,
                                   content_type="multipart/form-data" if isinstance(data, dict) and "file" in data
                                   else None)
        except Exception as exc:  # noqa: BLE001 - even the error page failed: a 500 all the same
            self.statuses[500] = self.statuses.get(500, 0) + 1
            self.server_errors.append((f"crash: {type(exc).__name__}", where))
            from app.extensions import db

            with self.app.app_context():
                db.session.rollback()
            return _Crashed()
        self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
        if response.status_code >= 500:
            self.server_errors.append((response.status_code, where))
        elif 400 <= response.status_code < 500 and before is not None and case_tables(self.app) != before:
            self.changed.append((response.status_code, where))
        if method == "POST":
            adapter = self.app.url_map.bind("localhost")
            try:
                self.posted_rules.add(adapter.match(urlsplit(path).path, method="POST", return_rule=True)[0].rule)
            except Exception:  # noqa: BLE001 - a path that matches no rule posts to nothing
                pass
        return response

    def post(self, user, form: PageForm, field: str, value: str):
        """The form with its defaults, a new idempotency key, and ``field`` set to ``value``."""
        data: dict = form.defaults()
        if "idempotency_key" in data:
            data["idempotency_key"] = uuid.uuid4().hex
        if field.startswith("file:"):
            data["file"] = (io.BytesIO(PDF), value)
        else:
            data[field] = value
            for name in form.files:
                data[name] = (io.BytesIO(PDF), "doc.pdf")
        client = self.clients[user] if user is None or "/logout" not in form.action else self._login(user)
        if form.method == "GET":
            return self.send(client, "GET", urlsplit(form.action).path, query=data)
        return self.send(client, "POST", form.action, data=data)

    def replay_foreign(self) -> None:
        """Every POST form a user was shown, sent by a user outside its scope (danguy.locvuong,
        of another district) with their own CSRF token, and sent again by its own user with each
        id in its path replaced by one no row has: a 404 or a refusal, never a 5xx, nothing
        written (a foreign or absent id is normal input)."""
        stranger = self._login("danguy.locvuong")
        html = stranger.get("/inbox").get_data(as_text=True)
        token = next(f.defaults()["csrf_token"] for f in forms_of("/inbox", html) if "csrf_token" in f.defaults())
        for user, form in list(self.forms.values()):
            if form.method != "POST" or "/logout" in form.action or user is None:
                continue
            data: dict = form.defaults()
            if "idempotency_key" in data:
                data["idempotency_key"] = uuid.uuid4().hex

            def files() -> dict:
                return {name: (io.BytesIO(PDF), "doc.pdf") for name in form.files}

            self.send(stranger, "POST", form.action, data=dict(data, csrf_token=token, **files()))
            absent = re.sub(r"/\d+(?=/|$|\?)", "/2147483647", form.action)
            if absent != form.action:
                self.send(self.clients[user], "POST", absent, data=dict(data, **files()))

    def fields(self, form: PageForm) -> list[str]:
        return list(form.fields) + [f"file:{name}" for name in form.files]


def test_pages__hostile_values_in_every_page_form(app, world, artifacts_dir):
    started = time.monotonic()
    fuzz = Fuzzer(app, world)
    fuzz.discover()
    fuzz.take_steps()
    forms = list(fuzz.forms.values())
    assert len(forms) >= 25, [f.action for _u, f in forms]
    fuzz.replay_foreign()
    for user, form in sorted(forms, key=lambda uf: "/logout" in uf[1].action):
        for field in fuzz.fields(form):
            for value in SWEEP:
                fuzz.post(user, form, field, value)
    for rule, paths in fuzz.paths.items():
        if "GET" not in next(r.methods for r in app.url_map.iter_rules() if r.rule == rule):
            continue
        for path in paths[:2]:
            for name in QUERY_NAMES:
                for value in ("a\x00b", "x\r\ny", "99999999999999999999", "y" * 3000):
                    fuzz.send(fuzz.clients["bithu.trung"], "GET", path, query={name: value})
    swept = fuzz.sent

    choices = [(user, form) for user, form in forms if "/logout" not in form.action]
    values = st.one_of(st.sampled_from(HOSTILE + HOSTILE_DATES), st.text(max_size=40),
                       st.integers(-(2 ** 63), 2 ** 63).map(str))

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def hostile_post(data):
        user, form = data.draw(st.sampled_from(choices))
        fresh = [f for f in forms_of(form.page, fuzz.clients[user].get(form.page).get_data(as_text=True))
                 if f.key == form.key]
        form = fresh[0] if fresh else form
        field = data.draw(st.sampled_from(fuzz.fields(form)))
        fuzz.post(user, form, field, data.draw(values))

    hostile_post()
    post_rules = {r.rule for r in app.url_map.iter_rules() if "POST" in r.methods and not r.rule.startswith("/api/")}
    report = {"requests": fuzz.sent, "sweep": swept, "hypothesis_examples": EXAMPLES, "forms": len(forms),
              "statuses": {str(k): v for k, v in sorted(fuzz.statuses.items())},
              "server_errors": len(fuzz.server_errors), "seconds": round(time.monotonic() - started, 1)}
    (artifacts_dir / "fuzz-pages.json").write_text(json.dumps(report, indent=1))
    assert not fuzz.server_errors, fuzz.server_errors[:20]
    assert not fuzz.changed, fuzz.changed[:20]
    assert post_rules <= fuzz.posted_rules, post_rules - fuzz.posted_rules
