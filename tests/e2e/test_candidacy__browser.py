"""Headless Chromium: candidate training to an admission dossier.

bithu.trung nominates a candidate, danguy.phucthang sends them to the course,
tochuc.nghiahung creates the course, puts three candidates in training on its
class list and records the results at once (two pass, one fails), and
bithu.trung opens the admission dossier from the certificate and finds it in
draft with the certificate on file; tochuc.nghiahung then sets Phúc Thắng's
plan for the year and reads the pipeline. (The two other candidates in training are
prepared through the same service calls the pages make.) Screenshots of every
step are saved as artifacts."""

import re

import pytest

from tests.candidacy_flow import CandidacyFlow

from .browser import Browser

pytestmark = pytest.mark.e2e


def test_browser__candidacy_from_nomination_to_admission_dossier(app, live_server, page, artifacts_dir, demo,
                                                                  clock_file):
    clock_file.write_text("2026-11-20T03:00:00Z")
    flow = CandidacyFlow(app, demo, clock_file)
    with app.app_context():
        others = [flow.new_candidate("1998-03-14", certificate_on=None, full_name="Lương Thị Hoa"),
                  flow.new_candidate("2000-07-02", certificate_on=None, full_name="Đinh Văn Khánh")]
        for person_id in others:
            flow.to_training(person_id)
    candidate = [p for p in demo.people["trung"] if p.status.value == "candidate"][3]  # no certificate yet
    helper = [p for p in demo.people["trung"] if p.status.value == "official"][5]
    b = Browser(page, live_server, artifacts_dir, "candidacy")

    # bithu.trung nominates the candidate, with the branch resolution and the helper.
    b.as_user("bithu.trung")
    page.goto(f"{live_server}/cases/new/candidacy")
    form = page.locator("[data-testid=new-case-form]")
    b.fill(form, selects={"person_id": candidate.id, "helper_id": helper.id})
    form.locator("input[name=resolution_number]").fill("15-NQ/CB")
    form.locator("input[name=resolution_date]").fill("2026-11-05")
    b.shot("nominate")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=case-state]")
    case_id = int(re.search(r"/cases/(\d+)", page.url).group(1))
    assert b.state() == "nominated"
    assert "Nghị quyết chi bộ số 15-NQ/CB ngày 05/11/2026" in page.locator("[data-testid=timeline]").inner_text()
    b.shot("nominated")

    # danguy.phucthang sends them to the course.
    b.as_user("danguy.phucthang")
    page.goto(f"{live_server}/inbox")
    assert page.locator(f"[data-testid=inbox] a[href='/cases/{case_id}']").count() == 1
    b.act(case_id, "approve_training", {"notes": "Cử đi học lớp khóa III/2026."})
    assert b.state() == "in_training"

    # tochuc.nghiahung creates the course, fills its class list and records three results at once.
    b.as_user("tochuc.nghiahung")
    page.goto(f"{live_server}/candidacy/courses")
    form = page.locator("[data-testid=new-course-form]")
    form.locator("input[name=name]").fill("Lớp bồi dưỡng nhận thức về Đảng khóa III/2026")
    form.locator("input[name=starts_on]").fill("2026-11-09")
    form.locator("input[name=ends_on]").fill("2026-11-13")
    form.locator("input[name=issuer]").fill("Trung tâm Chính trị huyện Nghĩa Hưng")
    b.shot("new-course")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("[data-testid=course-name]")
    enrol = page.locator("[data-testid=enrol-form]")
    for person_id in [candidate.id, *others]:
        enrol.locator(f"input[data-person='{person_id}']").check()
    b.shot("class-list-choose")
    enrol.locator("button[type=submit]").click()
    page.wait_for_selector(".flash-success")
    assert page.locator("[data-testid=class-row]").count() == 3
    results = {candidate.id: ("8.5", "passed", "NH-2026-0301"), others[0]: ("9", "passed", "NH-2026-0302"),
               others[1]: ("4", "failed", "")}
    for person_id, (score, result, number) in results.items():
        row = page.locator(f"tr[data-person='{person_id}']")
        row.locator("input[name^=score_]").fill(score)
        row.locator("select[name^=result_]").select_option(result)
        if number:
            row.locator("input[name^=certificate_number_]").fill(number)
            row.locator("input[name^=certificate_date_]").fill("2026-11-16")
    b.shot("results-sheet")
    page.locator("[data-testid=results-form] button[type=submit]").click()
    page.wait_for_selector(".flash-success")
    assert page.locator("[data-testid=class-row][data-recorded=yes]").count() == 3
    b.shot("results-recorded")

    with app.app_context():
        from app.extensions import db
        from workflow.models import Case

        states = {c.person_id: c.state for c in db.session.query(Case).filter(Case.process == "candidacy")}
    assert [states[candidate.id], states[others[0]], states[others[1]]] == ["certified", "certified", "nominated"]

    # bithu.trung sees the certificate on the person page and opens the admission dossier from it.
    b.as_user("bithu.trung")
    page.goto(f"{live_server}/people/{candidate.id}")
    cert = page.locator("[data-testid=certificate][data-number='NH-2026-0301']")
    assert cert.get_attribute("data-expired") == "no"
    b.shot("person-certificate")
    b.act(case_id, "open_admission")
    assert b.state() == "admission_opened"
    assert "NH-2026-0301" in page.locator("[data-testid=certificate-on-file]").inner_text()
    page.locator("[data-testid=linked-case]").click()  # candidacy → admission
    page.wait_for_selector("[data-testid=case-state]")
    assert b.state() == "draft"
    admission_id = int(re.search(r"/cases/(\d+)", page.url).group(1))
    assert admission_id != case_id
    assert "NH-2026-0301" in page.locator("[data-testid=admission-facts] [data-testid=certificate-on-file]").inner_text()
    assert page.locator("[data-testid=linked-case]").get_attribute("href") == f"/cases/{case_id}"  # and back
    assert page.locator("[data-testid=eligibility] li[data-rule=certificate][data-passed=yes]").count() == 1
    assert "NH-2026-0301" in page.locator("[data-testid=eligibility] li[data-rule=certificate]").inner_text()
    b.shot("admission-draft-with-certificate")

    # tochuc.nghiahung sets the year's plan for Phúc Thắng and reads the pipeline: nothing admitted yet.
    b.as_user("tochuc.nghiahung")
    page.goto(f"{live_server}/candidacy/plans?unit={demo.units['nghiahung'].id}&year=2026")
    page.locator(f"[data-testid=plan-row][data-unit='{demo.units['phucthang'].id}'] a").click()
    form = page.locator("[data-testid=plan-form]")
    form.locator("input[name=target]").fill("4")
    form.locator("input[name=target_youth_union]").fill("2")
    form.locator("input[name=target_women]").fill("1")
    b.shot("plan-form")
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".flash-success")
    row = page.locator(f"[data-testid=plan-row][data-unit='{demo.units['phucthang'].id}']")
    assert row.get_attribute("data-target") == "4" and row.get_attribute("data-admitted") == "0"
    assert row.locator("[data-stage=nominated]").inner_text() == "1"  # the candidate who failed
    assert row.locator("[data-stage=certified]").inner_text() == "1"
    assert row.locator("[data-stage=dossier]").inner_text() == "1"
    assert "Đảng ủy xã Phúc Thắng" in page.locator("[data-testid=admitted-no-one]").inner_text()
    b.shot("plans-report")
