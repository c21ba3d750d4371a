"""Bulk import and export in the member record's columns (DOMAIN.md "Setting up
an organisation"): every bad row named before anything is written, all or
nothing, idempotent by national id, one set-up event with the file's sha256;
the export imports back into a fresh database as the same people, posts and
certificates; formula-safe cells; the CLI, the page and the API."""

from __future__ import annotations

import datetime as dt
import io
import shutil

import openpyxl
import sqlalchemy as sa
from sqlalchemy.orm import Session

from cases.exports import export_unit
from cases.imports import run_import
from core.models import Certificate, Person, Post, Unit
from tests.import_files import COL, district_rows, twenty_bad_rows, workbook
from workflow.models import AuditEvent, Case
from workflow.setup_log import LEDGER_PROCESS


def _counts(session) -> dict:
    return {m.__name__: session.scalar(sa.select(sa.func.count()).select_from(m))
            for m in (Unit, Person, Post, Certificate, AuditEvent)}


def test_rule__setup__import_dry_run_reports_every_bad_row__twenty_kinds(app):
    from app.extensions import db

    data, expected = twenty_bad_rows(200)
    with app.test_request_context():
        before = _counts(db.session)
        for dry in (True, False):
            report = run_import(db.session, None, data, filename="bad.xlsx", dry_run=dry)
            db.session.rollback()
            assert not report.written
            named = {(e["row"], e["column"]) for e in report.errors}
            assert set(expected) <= named, set(expected) - named
            assert {e["row"] for e in report.errors} == {row for row, _c in expected}
            assert len({row for row, _c in expected}) == 20
            assert _counts(db.session) == before == {"Unit": 0, "Person": 0, "Post": 0, "Certificate": 0,
                                                      "AuditEvent": 0}
        by_column = {}
        for e in report.errors:
            by_column.setdefault(e["column"], []).append(e["message"])
        assert "Trạng thái không rõ: Đảng viên danh dự." in by_column["Trạng thái"]
        assert "Ngày chính thức trước ngày vào Đảng." in by_column["Ngày chính thức"]
        assert any(m.startswith("Số định danh này đã có ở dòng") for m in by_column["Số định danh cá nhân"])
        assert "Không có chi bộ: 99999." in by_column["Chi bộ"]


def test_rule__setup__import_all_or_nothing_and_idempotent(app):
    from app.extensions import db

    units, people = district_rows(300)
    data = workbook(units, people)
    with app.test_request_context():
        first = run_import(db.session, None, data, filename="district.xlsx")
        db.session.commit()
        assert first.written and first.created == len(units) + 300 and not first.errors
        after = _counts(db.session)
        assert after["Person"] == 300 and after["AuditEvent"] == 1
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "import"))
        import hashlib

        assert event.payload["after"]["sha256"] == hashlib.sha256(data).hexdigest()
        assert event.payload["target"] == {"kind": "import", "sha256": hashlib.sha256(data).hexdigest()}

        again = run_import(db.session, None, data, filename="district.xlsx")
        db.session.commit()
        assert (again.created, again.updated, again.unchanged) == (0, 0, len(units) + 300)
        assert _counts(db.session) == after  # nothing written, not even an event

        # A changed row updates the person found by national id; a new post is added.
        person_row = next(r for r in people if r[COL["status"]] == "Đảng viên chính thức" and not r[COL["posts"]])
        person_row[COL["residence"]] = "Thôn Bắc, xã Nghĩa Sơn"
        person_row[COL["posts"]] = f"Phó bí thư chi bộ | 01/09/2026 | | {person_row[COL['branch']]}"
        changed = run_import(db.session, None, workbook(units, people))
        db.session.commit()
        assert (changed.created, changed.updated) == (0, 1)
        person = db.session.scalar(sa.select(Person).where(Person.national_id == person_row[COL["national_id"]]))
        assert person.residence == "Thôn Bắc, xã Nghĩa Sơn"
        assert [p.title for p in person.posts] == ["Phó bí thư chi bộ"]

        # A status or branch change is refused (only a decided case changes them): nothing written.
        person_row[COL["status"]] = "Xóa tên"
        person_row[COL["full_name"]] = "Tên Khác Hẳn"
        refused = run_import(db.session, None, workbook(units, people))
        db.session.rollback()
        assert "Trạng thái" in [e["column"] for e in refused.errors] and not refused.written
        assert {e["row"] for e in refused.errors} == {people.index(person_row) + 2}
        db.session.expire_all()
        assert db.session.get(Person, person.id).full_name != "Tên Khác Hẳn"


def _fresh_session(migrated_db, tmp_path, name="fresh.db"):
    """A session on another, empty database built by the migrations (a SQLite file,
    copied from the suite's template when the suite itself runs on SQLite)."""
    target = tmp_path / name
    if str(migrated_db).startswith("postgresql"):
        from core.schema import upgrade

        return Session(upgrade(f"sqlite:///{target}"), expire_on_commit=False)
    shutil.copyfile(migrated_db, target)
    return Session(sa.create_engine(f"sqlite:///{target}"), expire_on_commit=False)


def _snapshot(session, root_name: str) -> dict:
    """People, posts and certificates by national id, units named by their paths."""
    names: dict[int, str] = {}
    for u in sorted(session.scalars(sa.select(Unit)), key=lambda u: len(u.path)):
        names[u.id] = (names.get(u.parent_id, "") + "/" + u.name)
    people = {p.national_id: (p.full_name, p.date_of_birth, p.gender, p.education, p.ethnicity, p.residence,
                              names[p.unit_id], p.status, p.admission_date, p.official_date, p.party_card_number)
              for p in session.scalars(sa.select(Person)) if root_name in names[p.unit_id]}
    nid = dict(session.execute(sa.select(Person.id, Person.national_id)).all())
    posts = sorted((nid[p.person_id], p.title, names[p.unit_id], p.started_on, p.ended_on, p.committee_seat)
                   for p in session.scalars(sa.select(Post)) if nid[p.person_id] in people)
    certs = sorted((nid[c.person_id], c.number, c.issued_on, c.issuer)
                   for c in session.scalars(sa.select(Certificate)) if nid[c.person_id] in people)
    return {"people": people, "posts": posts, "certificates": certs}


def test_rule__setup__the_same_columns_export_back__round_trip(app, demo, migrated_db, tmp_path):
    from app.extensions import db

    with app.test_request_context():
        phucthang = db.session.get(Unit, demo.units["phucthang"].id)
        # An ended post and a certificate earned before the system, on top of the demo's.
        member = db.session.get(Person, demo.people["dong"][1].id)
        db.session.add(Post(person_id=member.id, unit_id=demo.units["dong"].id, title="Phó bí thư chi bộ",
                            started_on=dt.date(2020, 1, 1), ended_on=dt.date(2024, 12, 31)))
        db.session.add(Certificate(person_id=member.id, number="ĐV-2019-0007", issued_on=dt.date(2019, 5, 2),
                                   issuer="Trung tâm Chính trị huyện Nghĩa Hưng"))
        db.session.commit()
        data = export_unit(db.session, None, phucthang)
        original = _snapshot(db.session, "Đảng ủy xã Phúc Thắng")
        fresh = _fresh_session(migrated_db, tmp_path)
        report = run_import(fresh, None, data, filename="phucthang.xlsx")
        fresh.commit()
        assert not report.errors and report.written
        copy = _snapshot(fresh, "Đảng ủy xã Phúc Thắng")
        fresh.close()
    assert len(original["people"]) == 32 and len(original["posts"]) == 4 and len(original["certificates"]) == 7
    assert copy == original


def test_export_cells_never_formulas_and_read_back_as_text(app, demo, migrated_db, tmp_path):
    from app.extensions import db

    risky = ["=HYPERLINK(\"http://x\",\"y\")", "+1+2", "-3", "@SUM(A1)"]
    with app.test_request_context():
        people = [db.session.get(Person, p.id) for p in demo.people["trung"][:4]]
        for person, value in zip(people, risky):
            person.residence = value
        db.session.commit()
        data = export_unit(db.session, None, db.session.get(Unit, demo.units["trung"].id))
        sheet = openpyxl.load_workbook(io.BytesIO(data))["Đảng viên"]
        cells = [c for row in sheet.iter_rows(min_row=2) for c in row if c.value in risky]
        assert len(cells) == 4 and all(c.data_type == "s" for c in cells)
        fresh = _fresh_session(migrated_db, tmp_path)
        assert not run_import(fresh, None, data).errors
        fresh.commit()
        assert sorted(fresh.scalars(sa.select(Person.residence).where(Person.residence.in_(risky)))) == sorted(risky)
        fresh.close()


def test_import_api_dry_run_then_all_or_nothing(api, demo, app):
    units, people = district_rows(60)
    data = workbook(units, people)
    api.as_user("admin")

    def post(body: bytes, dry: bool, name="district.xlsx"):
        return api.client.post(f"/api/v1/imports{'?dry_run=true' if dry else ''}", headers=api.headers(),
                               data={"file": (io.BytesIO(body), name)}, content_type="multipart/form-data")

    dry = post(data, True)
    assert dry.status_code == 200, dry.get_json()
    body = dry.get_json()
    assert set(body) == {"rows", "created", "updated", "unchanged", "errors"} and body["errors"] == []
    assert body["created"] > 60 and body["unchanged"] >= 3  # the demo's province, district and Phúc Thắng
    bad, expected = twenty_bad_rows(200)
    refused = post(bad, False)
    assert refused.status_code == 422 and refused.mimetype == "application/problem+json"
    assert {e["row"] for e in refused.get_json()["errors"]} == {r for r, _c in expected}
    from app.extensions import db

    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count()).select_from(Person))
    done = post(data, False)
    assert done.status_code == 200 and done.get_json()["created"] == body["created"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == before + 60
    assert post(b"\x00\x01 not a spreadsheet", True).get_json()["errors"][0]["row"] == 1
    assert api.as_user("bithu.trung").client.post(
        "/api/v1/imports?dry_run=true", headers=api.headers(), data={"file": (io.BytesIO(data), "x.xlsx")},
        content_type="multipart/form-data").status_code == 403


def test_import_page_checks_then_confirms(pages, demo, app, client, auth):
    units, people = district_rows(30)
    data = workbook(units, people)
    auth.login("admin")
    token = auth.csrf_token("/admin/imports")
    checked = client.post("/admin/imports", data={"csrf_token": token, "file": (io.BytesIO(data), "d.xlsx")},
                          content_type="multipart/form-data")
    html = checked.get_data(as_text=True)
    assert checked.status_code == 200 and 'data-testid="import-confirm"' in html
    import re

    sha = re.search(r'name="sha256" value="([0-9a-f]{64})"', html).group(1)
    done = client.post("/admin/imports/confirm", data={"csrf_token": token, "sha256": sha, "filename": "d.xlsx"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/admin/imports/{sha}")
    job = client.get(f"/admin/imports/{sha}")
    job_html = job.get_data(as_text=True)
    assert job.status_code == 200 and 'data-state="done"' in job_html
    assert re.search(r"Đã nhập: \d+ thêm mới, \d+ cập nhật, \d+ không đổi\.", job_html), job_html
    from app.extensions import db

    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Person).where(
            Person.national_id.in_([r[COL["national_id"]] for r in people]))) == 30
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).join(
            Case, Case.id == AuditEvent.case_id).where(Case.process == LEDGER_PROCESS,
                                                       AuditEvent.action == "import")) == 1
    bad, _expected = twenty_bad_rows(200)
    report = client.post("/admin/imports", data={"csrf_token": token, "file": (io.BytesIO(bad), "bad.xlsx")},
                         content_type="multipart/form-data")
    assert report.status_code == 422 and report.get_data(as_text=True).count("<tr><td>") >= 20


def test_lists_answer_format_xlsx(api, demo):
    api.as_user("bithu.trung")
    for path in ("/people?limit=200", "/cases", "/inbox"):
        json_rows = api.get(path).get_json()["items"]
        response = api.get(path + ("&" if "?" in path else "?") + "format=xlsx")
        assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
        sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
        assert sheet.max_row == len(json_rows) + 1
    people = openpyxl.load_workbook(io.BytesIO(api.get("/people?format=xlsx&limit=200").data)).active
    header = [c.value for c in people[1]]
    assert "full_name" in header and "unit.name" in header
    assert api.get("/people?format=pdf").status_code == 400


def test_docs_sample_and_template_import(app, demo, migrated_db, tmp_path):
    from pathlib import Path

    from app.extensions import db

    docs = Path(__file__).resolve().parents[2] / "docs"
    with app.test_request_context():
        fresh = _fresh_session(migrated_db, tmp_path)
        sample = run_import(fresh, None, (docs / "import-sample-thon-trung.xlsx").read_bytes())
        assert not sample.errors and sample.created == 4 + 16
        fresh.commit()
        template = run_import(fresh, None, (docs / "import-template.xlsx").read_bytes(), dry_run=True)
        assert not template.errors and (template.created, template.unchanged) == (1, 1)
        fresh.close()
        # The CSV template (people only) into the demo, whose thôn Trung exists.
        csv = run_import(db.session, None, (docs / "import-template.csv").read_bytes())
        assert not csv.errors and csv.created == 1
        db.session.commit()
        person = db.session.scalar(sa.select(Person).where(Person.national_id == "036080000001"))
        assert person.unit_id == demo.units["trung"].id and [p.title for p in person.posts] == ["Bí thư chi bộ"]


def test_page_lists_download_as_xlsx(pages, demo, client, auth, api):
    """Every page list as XLSX (issue 15): ``/cases`` and ``/people`` answer ``format=xlsx`` with
    the page's rows (same filters), the table's columns in Vietnamese, formula-safe; a user sees
    only their scope there too; another format is a 400."""
    import re

    from tests.api_flow import open_ready_case

    open_ready_case(api, demo)
    api.as_user("bithu.trung")
    case_ids = [c["id"] for c in api.get("/cases").get_json()["items"]]
    assert case_ids
    auth.login("bithu.trung")
    html = client.get("/cases").get_data(as_text=True)
    assert 'data-testid="list-xlsx"' in html
    book = client.get("/cases?format=xlsx")
    assert book.status_code == 200 and book.mimetype.endswith("spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(book.data)).active
    rows = list(sheet.values)
    assert rows[0][:3] == ("Hồ sơ", "Loại hồ sơ", "Người") and [r[0] for r in rows[1:]] == case_ids
    people = openpyxl.load_workbook(io.BytesIO(client.get(f"/people?unit={demo.units['trung'].id}&status=official"
                                                          "&format=xlsx").data)).active
    names = [r[0] for r in list(people.values)[1:]]
    page = client.get(f"/people?unit={demo.units['trung'].id}&status=official").get_data(as_text=True)
    assert names and names == re.findall(r'<a href="/people/\d+">([^<]+)</a>', page)
    assert all(r[3] == "Đảng viên chính thức" for r in list(people.values)[1:])
    assert client.get("/cases?format=pdf").status_code == 400
    assert client.get(f"/people?unit={demo.units['tdp4'].id}&format=xlsx").status_code == 404
