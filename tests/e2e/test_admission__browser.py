"""Headless Chromium: a candidate from a new dossier to probation, turn by turn
as bithu.trung, danguy.phucthang, tochuc.nghiahung and thuongvu.nghiahung; then
the clock moves past 12 months, the probation timer fires in a real Celery
worker, and the same users take the member to official. Screenshots of every
step are saved as artifacts."""

import re

import pytest
import sqlalchemy as sa

from tests.admission_flow import vote
from tests.fixtures_worker import wait_until

from .browser import Browser
from .conftest import login

pytestmark = pytest.mark.e2e


def test_browser__admission_from_dossier_to_official(app, live_server, page, artifacts_dir, demo, clock_file,
                                                      celery_worker, db_engine):
    clock_file.write_text("2026-11-20T03:00:00Z")
    b = Browser(page, live_server, artifacts_dir, "admission")
    candidate = [p for p in demo.people["trung"] if p.status.value == "candidate"][0]
    officials = [p for p in demo.people["trung"] if p.status.value == "official"]

    # bithu.trung opens the dossier, uploads the documents, checks eligibility, submits.
    b.as_user("bithu.trung")
    page.goto(f"{live_server}/cases/new/admission")
    b.pick(page.locator("[data-testid=new-case-form]"), "person_id", candidate.full_name.lower(), candidate.full_name)
    b.shot("new-dossier")
    page.click("[data-testid=new-case-form] button[type=submit]")
    page.wait_for_selector("[data-testid=case-state]")
    case_id = int(re.search(r"/cases/(\d+)", page.url).group(1))
    assert b.state() == "draft"
    for n, kind in enumerate(("1-KNĐ", "2-KNĐ", "3-KNĐ", "3-KNĐ", "5-KNĐ")):
        b.upload(case_id, kind, f"{kind}-{n}.pdf", "2026-11-02")
    checklist = page.locator("[data-testid=eligibility]")
    assert checklist.locator("li[data-passed=no]").count() == 1  # only the introducers, chosen at submission
    assert checklist.locator("li[data-rule=introducers][data-passed=no]").count() == 1
    b.shot("eligibility-checklist")
    b.act(case_id, "submit", {"introducer_1_since": "2020-01-01", "introducer_2_since": "2021-03-01"},
          {"introducer_1": officials[2].id, "introducer_2": officials[3].id})
    assert b.state() == "background_check"

    b.as_user("danguy.phucthang")
    page.goto(f"{live_server}/inbox")
    assert page.locator(f"[data-testid=inbox] a[href='/cases/{case_id}']").count() == 1
    b.shot("inbox-grassroots")
    b.act(case_id, "certify_background", {"findings": "Đã thẩm tra lý lịch quần chúng và gia đình: rõ ràng."})

    b.as_user("bithu.trung")
    b.act(case_id, "record_opinions", {"summary": "Chi đoàn và chi bộ nơi cư trú nhất trí đề nghị kết nạp."})
    b.act(case_id, "record_branch_vote", vote("2026-11-10", 10, 10, 9, 1))
    assert b.state() == "grassroots_vote"

    b.as_user("danguy.phucthang")
    b.act(case_id, "record_grassroots_vote", vote("2026-11-12", 9, 9, 8, 1))

    b.as_user("tochuc.nghiahung")
    b.act(case_id, "appraise", {"appraisal": "Hồ sơ đầy đủ, đúng quy định."})

    b.as_user("thuongvu.nghiahung")
    b.act(case_id, "decide_admit", dict(vote("2026-11-18", 15, 14, 13, 1), decision_number="456-QĐ/HU",
                                        decision_date="2026-11-18"))
    assert b.state() == "awaiting_ceremony"

    b.as_user("bithu.trung")
    b.act(case_id, "hold_ceremony", {"ceremony_date": "2026-11-20"}, {"mentor_id": officials[4].id})
    assert b.state() == "probation"
    timeline = page.locator("[data-testid=timeline]").inner_text()
    assert "Quyết định số 456-QĐ/HU ngày 18/11/2026" in timeline
    assert "Họp ngày 10/11/2026: 10 có quyền biểu quyết, 10 có mặt, 9 tán thành, 1 không tán thành." in timeline

    # Twelve months later (moved clock, never a sleep) the worker's timer opens the recognition vote.
    clock_file.write_text("2027-11-20T03:00:00Z")

    def state_now():
        with db_engine.connect() as conn:
            return conn.execute(sa.text("SELECT state FROM wf_case WHERE id = :id"), {"id": case_id}).scalar()

    wait_until(lambda: state_now() == "probation_branch_vote", timeout=90, worker=celery_worker)
    b.open_case(case_id)
    assert b.state() == "probation_branch_vote"
    b.shot("probation-ended-by-timer")

    b.act(case_id, "record_probation_branch_vote", vote("2027-11-19", 10, 10, 10, 0))
    b.as_user("danguy.phucthang")
    b.act(case_id, "record_probation_grassroots_vote", vote("2027-11-19", 9, 9, 9, 0))
    b.as_user("thuongvu.nghiahung")
    b.act(case_id, "decide_recognise", dict(vote("2027-11-20", 15, 14, 14, 0), decision_number="789-QĐ/HU",
                                            decision_date="2027-11-20", party_card_number="36123456"))
    assert b.state() == "official"
    page.goto(f"{live_server}/people/{candidate.id}")
    assert "Đảng viên chính thức" in page.locator("[data-testid=person-name] ~ section").first.inner_text()
    b.shot("member-official")
    with db_engine.connect() as conn:
        official_date = conn.execute(sa.text("SELECT official_date FROM person WHERE id = :id"),
                                     {"id": candidate.id}).scalar()
    assert str(official_date) == "2027-11-18"  # the day probation ended, not the decision day


def test_browser__case_page_fits_a_phone(app, live_server, phone_page, artifacts_dir, demo, clock_file):
    from tests.admission_flow import Flow

    clock_file.write_text("2026-11-20T03:00:00Z")
    with app.test_request_context("/"):
        flow = Flow(app, demo, clock_file)
        case_id = flow.open([p for p in demo.people["trung"] if p.status.value == "candidate"][1].id)
    login(phone_page, live_server, "bithu.trung")
    phone_page.wait_for_selector("[data-testid=current-user]")
    for path in (f"/cases/{case_id}", "/inbox", "/cases"):
        phone_page.goto(f"{live_server}{path}")
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        assert width <= 391, f"{path} is {width}px wide on a 390px phone"
    phone_page.goto(f"{live_server}/cases/{case_id}")
    phone_page.screenshot(path=str(artifacts_dir / "admission-phone-case.png"), full_page=True)
