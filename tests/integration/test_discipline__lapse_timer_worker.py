"""The lapse timer in a real Celery worker (with beat): a warning lapses when the
shared clock passes 12 months after the announcement; an expulsion never
lapses (its appeal window closes instead); an open appeal holds the lapse."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from tests.admission_flow import case_state, vote
from tests.demo_people import plain_member
from tests.discipline_flow import announce, decided_by_branch, person_status
from tests.fixtures_worker import heartbeat_count, wait_until
from workflow.models import AuditEvent, Case

pytestmark = pytest.mark.worker


def test_rule__discipline__lapses_12_months_after_the_announcement(app, pages, demo, clock_file,
                                                                                    db_engine, celery_worker):
    from tests.integration.test_discipline__rules import _expulsion_at_superior

    warning = decided_by_branch(app, pages, plain_member(demo, 3).id, form="warning")
    announce(pages, warning, "2026-11-20")
    appealed = decided_by_branch(app, pages, plain_member(demo, 4).id, form="reprimand")
    announce(pages, appealed, "2026-11-20")
    assert pages.act(appealed, "file_appeal", filed_on="2026-11-20", grounds="Xin xem xét lại.").status_code == 302
    expulsion, member = _expulsion_at_superior(app, pages, demo, (10, 10, 9, 1))
    pages.as_user("thuongvu.nghiahung")
    assert pages.act(expulsion, "decide", final_form="expulsion", decision_number="45-QĐ/HU",
                     decision_date="2026-11-20", **vote("2026-11-20", 15, 14, 12, 2)).status_code == 302
    announce(pages, expulsion, "2026-11-20")
    assert person_status(app, member.id) == "expelled"

    # The worker and its beat are up; eleven months on, nothing is due.
    wait_until(lambda: heartbeat_count(db_engine) >= 2, timeout=90, worker=celery_worker)
    clock_file.write_text("2027-10-20T03:00:00Z")
    seen = heartbeat_count(db_engine)
    wait_until(lambda: heartbeat_count(db_engine) >= seen + 3, timeout=60, worker=celery_worker)
    assert case_state(app, warning) == "in_force"

    # The clock passes 12 months after the announcement: the warning lapses.
    clock_file.write_text("2027-11-21T03:00:00Z")
    wait_until(lambda: case_state(app, warning) == "lapsed", timeout=60, worker=celery_worker)
    seen = heartbeat_count(db_engine)
    wait_until(lambda: heartbeat_count(db_engine) >= seen + 4, timeout=60, worker=celery_worker)
    with Session(db_engine) as s:
        lapse = s.scalars(sa.select(AuditEvent).where(AuditEvent.case_id == warning, AuditEvent.action == "lapse")).all()
        assert len(lapse) == 1 and lapse[0].actor_id is None
        assert s.get(Case, warning).data["lapsed_on"] == "2027-11-20"
        # The expulsion does not lapse: its appeal window closed and the case with it.
        exp = s.get(Case, expulsion)
        assert exp.state == "in_force" and exp.closed_at is not None
        assert not s.scalars(sa.select(AuditEvent).where(AuditEvent.case_id == expulsion,
                                                         AuditEvent.action == "lapse")).all()
        # The appealed reprimand stays in force while the appeal is open.
        assert s.get(Case, appealed).state == "appeal_review"
    assert person_status(app, member.id) == "expelled"
