"""The page import's writing is a Celery task whose progress the admin watches
(issue 14, "What to build": a long import runs in the background with its
progress shown): the job belongs to the admin who checked the file; its state
moves checked → queued → running → done (or failed, nothing written), and the
running state carries the import's progress."""

from __future__ import annotations

import io
import re

import sqlalchemy as sa

from app import import_jobs
from core.models import Person
from tests.import_files import COL, district_rows, workbook


def _check(client, auth, data: bytes, username: str = "admin") -> tuple[str, str]:
    auth.login(username)
    token = auth.csrf_token("/admin/imports")
    checked = client.post("/admin/imports", data={"csrf_token": token, "file": (io.BytesIO(data), "d.xlsx")},
                          content_type="multipart/form-data")
    assert checked.status_code == 200, checked.get_data(as_text=True)
    return token, re.search(r'name="sha256" value="([0-9a-f]{64})"', checked.get_data(as_text=True)).group(1)


def test_import_job_reports_progress_while_it_writes(pages, demo, app, client, auth, monkeypatch):
    units, people = district_rows(40)
    token, sha = _check(client, auth, workbook(units, people))
    with app.test_request_context():
        assert import_jobs.read(sha)["state"] == "checked"
    seen: list[dict] = []
    real_update = import_jobs.update

    def spy(sha_, **changes):
        seen.append(dict(changes))
        return real_update(sha_, **changes)

    monkeypatch.setattr(import_jobs, "update", spy)
    monkeypatch.setattr(import_jobs, "PROGRESS_EVERY_SECONDS", 0.0)
    done = client.post("/admin/imports/confirm", data={"csrf_token": token, "sha256": sha})
    assert done.status_code == 302
    states = [c.get("state") for c in seen]
    assert states[0] == "queued" and states[-1] == "done" and "running" in states
    running = [c["done"] for c in seen if c.get("state") == "running"]
    assert running == sorted(running) and running[-1] > running[0] and max(running) <= seen[-1]["total"]
    final = seen[-1]
    assert final["created"] >= 40 and final["created"] + final["updated"] + final["unchanged"] == len(units) + 40
    from app.extensions import db

    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Person).where(
            Person.national_id.in_([r[COL["national_id"]] for r in people]))) == 40
    # Confirming a done job again queues nothing and writes nothing.
    seen.clear()
    again = client.post("/admin/imports/confirm", data={"csrf_token": token, "sha256": sha})
    assert again.status_code == 302 and seen == []


def test_import_job_is_the_checking_admins_alone(pages, demo, app, client, auth):
    units, people = district_rows(5)
    _token, sha = _check(client, auth, workbook(units, people))
    auth.logout()
    from app.extensions import db
    from core.models import RoleAssignment, Unit, User

    with app.app_context():
        # A second admin of the same tree: may import, but not another admin's checked file.
        admin = db.session.scalar(sa.select(User).where(User.username == "admin"))
        other = User(username="admin2", display_name="Admin 2", active=True)
        other.set_password("demo-password-2")
        db.session.add(other)
        db.session.flush()
        root = db.session.scalar(sa.select(RoleAssignment.unit_id).where(RoleAssignment.user_id == admin.id))
        db.session.add(RoleAssignment(user_id=other.id, unit_id=root, role="admin"))
        db.session.commit()
        assert db.session.get(Unit, root) is not None
    auth.login("admin2", "demo-password-2")
    token = auth.csrf_token("/admin/imports")
    assert client.post("/admin/imports/confirm", data={"csrf_token": token, "sha256": sha}).status_code == 404
    assert client.get(f"/admin/imports/{sha}").status_code == 404
    assert client.get("/admin/imports/" + "0" * 64).status_code == 404
    assert client.get("/admin/imports/not-a-sha").status_code == 404
    with app.test_request_context():
        assert import_jobs.read(sha)["state"] == "checked"


def test_import_job_fails_whole_when_rights_were_lost(pages, demo, app, client, auth):
    units, people = district_rows(5)
    token, sha = _check(client, auth, workbook(units, people))
    from app.extensions import db
    from core.models import RoleAssignment, User

    with app.app_context():
        admin_id = db.session.scalar(sa.select(User.id).where(User.username == "admin"))
        before = db.session.scalar(sa.select(sa.func.count()).select_from(Person))
        db.session.execute(sa.delete(RoleAssignment).where(RoleAssignment.user_id == admin_id))
        db.session.commit()
    # The page refuses a user who is no longer an admin anywhere; the task itself re-checks rights.
    assert client.post("/admin/imports/confirm", data={"csrf_token": token, "sha256": sha}).status_code == 403
    with app.app_context():
        import_jobs.update(sha, state="queued")
        state = import_jobs.run(sha, admin_id)
        assert state["state"] == "failed" and state["errors"]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Person)) == before


def test_import_job_is_written_by_a_real_worker(demo, app, celery_worker):
    """The confirmation's task, sent through the broker, is run by a real Celery worker
    (Redis in CI, the SQLite broker otherwise), which writes the rows and the job's state."""
    from app.extensions import db
    from core.models import User
    from tests.fixtures_worker import wait_until

    units, people = district_rows(12)
    data = workbook(units, people)
    with app.test_request_context():
        from cases.imports import run_import

        admin_id = db.session.scalar(sa.select(User.id).where(User.username == "admin"))
        report = run_import(db.session, db.session.get(User, admin_id), data, dry_run=True)
        db.session.rollback()
        assert not report.errors
        import_jobs.data_path(report.sha256).write_bytes(data)
        import_jobs.write(report.sha256, state="queued", user_id=admin_id, filename="d.xlsx", rows=report.rows)
        sha = report.sha256
    celery_worker.send("tasks.import_registry", sha, admin_id)
    with app.test_request_context():
        state = wait_until(lambda: (import_jobs.read(sha) or {}).get("state") in ("done", "failed")
                           and import_jobs.read(sha), timeout=90, worker=celery_worker)
        assert state["state"] == "done", state
        assert not import_jobs.data_path(sha).exists()
        db.session.remove()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Person).where(
            Person.national_id.in_([r[COL["national_id"]] for r in people]))) == 12
