"""Headless Chromium: the committee member sees the bell's count, opens the list, opens the case."""

import pytest

from tests.api_flow import open_ready_case, step, submit_payload
from tests.notify_flow import scan

from .conftest import login

pytestmark = pytest.mark.e2e


def test_browser__the_bell_leads_to_the_case_waiting_for_the_committee_member(app, api, demo, live_server, page,
                                                                              artifacts_dir):
    case_id = open_ready_case(api, demo)
    step(api, case_id, "bithu.trung", "submit", submit_payload(demo), "background_check")
    scan(app)
    login(page, live_server, "danguy.phucthang")
    assert page.locator("[data-testid=bell-count]").inner_text() == "1"
    page.screenshot(path=str(artifacts_dir / "notifications-01-bell.png"), full_page=True)
    page.click("[data-testid=bell]")
    item = page.locator("[data-testid=notification]")
    assert item.count() == 1 and "Cần xử lý" in item.inner_text() and f"hồ sơ số {case_id}" in item.inner_text()
    page.screenshot(path=str(artifacts_dir / "notifications-02-list.png"), full_page=True)
    item.locator("button:has-text('Mở hồ sơ')").click()
    page.wait_for_url(f"**/cases/{case_id}")
    assert page.locator("[data-testid=bell-count]").count() == 0
