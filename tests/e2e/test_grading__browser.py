"""Headless Chromium: a grading round from its opening to the grassroots decision.

danguy.phucthang opens the 2026 round for every branch of Đảng ủy xã Phúc Thắng;
bithu.trung finds Chi bộ thôn Trung's sheet from the inbox, enters every member's
score (self-assessments), then the branch meeting's proposal; danguy.phucthang
decides, is refused two excellent too many (the cap names the numbers), lowers them
and decides. Screenshots of every step are saved as artifacts."""

import re

import pytest

from tests.grading_flow import DECEMBER

from .browser import Browser

pytestmark = pytest.mark.e2e


def _fill_scores(page, scores: dict):
    for pid, score in scores.items():
        page.locator(f"input[name=score_{pid}]").fill(str(score))


def test_browser__grading_branch_sheet_and_grassroots_decision(app, live_server, page, artifacts_dir, demo,
                                                              clock_file):
    clock_file.write_text(DECEMBER)
    b = Browser(page, live_server, artifacts_dir, "grading")
    members = [p for p in demo.people["trung"] if p.status.value in ("official", "probationary")]

    b.as_user("danguy.phucthang")
    page.goto(f"{live_server}/grading/")
    form = page.locator("[data-testid=open-rounds-form]")
    form.locator("select[name=year]").select_option("2026")
    b.shot("open")
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".flash-success")
    rows = page.locator("[data-testid=round-branch]")
    assert rows.count() == 2
    assert page.locator("[data-testid=round-branch][data-state=self_assessment]").count() == 2
    b.shot("opened")

    b.as_user("bithu.trung")
    page.goto(f"{live_server}/inbox")
    link = page.locator("[data-testid=inbox] a[href^='/cases/']").first
    link.click()
    page.locator("[data-testid=open-sheet]").click()
    page.wait_for_selector("[data-testid=sheet-form]")
    case_id = int(re.search(r"/grading/cases/(\d+)", page.url).group(1))
    assert page.locator("[data-testid=sheet-row]").count() == len(members)
    scores = {p.id: (95 if i < 3 else 80 if i < 10 else 60) for i, p in enumerate(members)}
    _fill_scores(page, scores)
    b.shot("self-assessments")
    page.locator("[data-testid=sheet-submit]").click()
    page.wait_for_selector(".flash-success")
    assert page.locator("[data-testid=case-state]").get_attribute("data-state") == "branch_review"
    # the proposal starts from the self-assessed scores
    assert page.locator(f"input[name=score_{members[0].id}]").input_value() == "95"
    page.locator("input[name=meeting_date]").fill("2026-12-18")
    b.shot("proposal")
    page.locator("[data-testid=sheet-submit]").click()
    page.wait_for_selector(".flash-success")
    assert page.locator("[data-testid=case-state]").get_attribute("data-state") == "grassroots_decision"

    b.as_user("danguy.phucthang")
    page.goto(f"{live_server}/grading/cases/{case_id}")
    page.locator("input[name=decision_number]").fill("25-QĐ/ĐU")
    page.locator("input[name=decision_date]").fill("2026-12-18")
    b.shot("decision")
    page.locator("[data-testid=sheet-submit]").click()
    refusal = page.locator("[data-testid=refusal]").inner_text()
    good = sum(1 for s in scores.values() if s == 80)
    assert "thừa" in refusal and f"tối đa chỉ {good * 20 // 100}" in refusal and members[0].full_name in refusal
    assert page.locator("[data-testid=case-state]").get_attribute("data-state") == "grassroots_decision"
    b.shot("refused")
    # too many excellent: lower two of them to good, decide again (what was typed is kept)
    assert page.locator("input[name=decision_number]").input_value() == "25-QĐ/ĐU"
    page.locator(f"input[name=score_{members[1].id}]").fill("85")
    page.locator(f"input[name=score_{members[2].id}]").fill("85")
    page.locator("[data-testid=sheet-submit]").click()
    page.wait_for_selector(".flash-success")
    assert page.locator("[data-testid=case-state]").get_attribute("data-state") == "graded"
    assert page.locator(f"[data-testid=sheet-row][data-person='{members[0].id}'] td[data-step=final]"
                        ).inner_text().startswith("Hoàn thành xuất sắc")
    b.shot("graded")
    page.goto(f"{live_server}/grading/?unit={demo.units['phucthang'].id}&year=2026")
    assert page.locator("[data-testid=round-figures] dd[data-grade=excellent]").inner_text() == "1"
    assert page.locator("[data-testid=round-figures] dd[data-grade=good]").inner_text() == str(good + 2)
    b.shot("figures")
