"""A temporary transfer's return by its timer in a real Celery worker (with beat): at the
planned end date the case leaves ``hosted`` and enters the home branch's inbox; the home
branch records the return and the host unit is cleared."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from tests.admission_flow import case_state
from tests.demo_people import plain_member
from tests.fixtures_worker import heartbeat_count, wait_until
from tests.transfer_flow import ok, to_in_transit, working_day_after
from workflow.models import AuditEvent

pytestmark = pytest.mark.worker


def host_unit(app, person_id: int):
    from app.extensions import db
    from core.models import Person

    with app.app_context():
        db.session.expire_all()
        return db.session.execute(sa.select(Person.host_unit_id, Person.unit_id).where(Person.id == person_id)).one()


def test_rule__transfer__temporary_returns_by_its_timer(app, pages, demo, clock_file, db_engine, celery_worker):
    member = plain_member(demo)
    case_id = to_in_transit(app, pages, demo, member.id, kind="temporary", letter=False,
                            planned_until="2027-03-10")
    pages.as_user("bithu.tdp4")
    ok(pages.act(case_id, "receive", received_on=working_day_after("2026-09-15", 5)))
    assert case_state(app, case_id) == "hosted"
    assert host_unit(app, member.id) == (demo.units["tdp4"].id, demo.units["trung"].id)
    pages.as_user("bithu.trung")
    assert f"/cases/{case_id}" not in pages.client.get("/inbox").get_data(as_text=True)

    # The worker is up; a day before the planned end nothing fires.
    wait_until(lambda: heartbeat_count(db_engine) >= 2, timeout=90, worker=celery_worker)
    clock_file.write_text("2027-03-09T03:00:00Z")
    seen = heartbeat_count(db_engine)
    wait_until(lambda: heartbeat_count(db_engine) >= seen + 3, timeout=60, worker=celery_worker)
    assert case_state(app, case_id) == "hosted"

    # The planned end date: the timer moves the case into the home branch's inbox.
    clock_file.write_text("2027-03-10T03:00:00Z")
    wait_until(lambda: case_state(app, case_id) == "return_due", timeout=60, worker=celery_worker)
    with Session(db_engine) as s:
        events = s.scalars(sa.select(AuditEvent).where(AuditEvent.case_id == case_id,
                                                       AuditEvent.action == "end_hosting")).all()
        assert len(events) == 1 and events[0].actor_id is None
    assert f"/cases/{case_id}" in pages.client.get("/inbox").get_data(as_text=True)
    ok(pages.act(case_id, "return", returned_on="2027-03-10",
                 host_comment="Hoàn thành tốt nhiệm vụ đảng viên nơi sinh hoạt tạm thời."))
    assert case_state(app, case_id) == "returned"
    assert host_unit(app, member.id) == (None, demo.units["trung"].id)
