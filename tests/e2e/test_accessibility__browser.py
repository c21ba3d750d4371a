"""Headless Chromium + axe-core (npm ``axe-core`` 4.10.2, vendored in
tests/e2e/vendor): no serious or critical accessibility violation on the login
page, the inbox, the case list and case pages (an admission at the appraisal with
its forms and person pickers, a discipline case at the branch vote), as the users
who read them. Screenshots of each page are saved as artifacts."""

import hashlib
from pathlib import Path

import pytest

from tests.admission_flow import Flow, vote
from tests.demo_people import NOW, officials

from .browser import Browser

pytestmark = pytest.mark.e2e

AXE = Path(__file__).parent / "vendor" / "axe-core-4.10.2" / "axe.min.js"
AXE_SHA256 = "b511cd9dec01c76f4b2ad1723b66b6db37d4c2eb4ed199076e1829d9ee7b75e3"


def axe_violations(page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now."""
    source = AXE.read_bytes()
    assert hashlib.sha256(source).hexdigest() == AXE_SHA256, "the vendored axe-core changed"
    page.evaluate(source.decode("utf-8"))  # evaluated through the DevTools protocol: the page's CSP stays on
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ["violations"]});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))}));
    }""")
    return [v for v in result if v["impact"] in ("serious", "critical")]


def check(page, b, name):
    b.shot(name)
    bad = axe_violations(page)
    assert bad == [], f"{name}: {bad}"


def test_browser__the_accessibility_check_can_fail(page):
    """The check itself: a field without a label is a critical violation."""
    page.set_content('<!doctype html><html lang="vi"><title>x</title><main><input type="text"></main></html>')
    assert [v["id"] for v in axe_violations(page)] == ["label"]


def test_browser__no_serious_accessibility_violation(app, live_server, page, artifacts_dir, demo, clock_file):
    flow = Flow(app, demo, clock_file)
    flow.at(NOW)
    with app.test_request_context("/"):
        case_id = flow.open(flow.new_candidate("2000-05-01", full_name="Lương Văn Khả"))
        flow.to_branch_vote(case_id)
        flow.act(case_id, "record_branch_vote", "bithu.trung", **vote("2026-11-10", 10, 10, 9, 1))
        flow.act(case_id, "record_grassroots_vote", "danguy.phucthang", **vote("2026-11-12", 9, 9, 8, 1))
    b = Browser(page, live_server, artifacts_dir, "a11y")

    page.goto(f"{live_server}/login")
    check(page, b, "login")

    b.as_user("tochuc.nghiahung")
    page.goto(f"{live_server}/inbox")
    assert page.locator(f"[data-testid=inbox] a[href='/cases/{case_id}']").count() == 1
    assert page.locator("[data-testid=inbox-count]").inner_text() == "1"
    check(page, b, "inbox")
    page.goto(f"{live_server}/cases")
    check(page, b, "list")
    b.open_case(case_id)
    page.locator("details[data-action=return] summary").click()
    check(page, b, "case-appraisal")

    b.as_user("bithu.trung")
    case_id = b.new_case("discipline", selects={"person_id": officials(demo)[3].id, "category": "party_activity"},
                         fields={"violation_date": "2026-09-05", "description": "Không dự sinh hoạt chi bộ."})
    check(page, b, "case-discipline")
    page.goto(f"{live_server}/cases/new/admission")
    page.locator("[data-testid=picker-person_id]").type("lu", delay=20)
    page.locator("[role=option]").first.wait_for()
    check(page, b, "new-case-picker-open")
