"""Headless Chromium: bithu.trung logs in (Vietnamese), sees their branch, logs out."""

import pytest

from .conftest import login

pytestmark = pytest.mark.e2e


def test_browser__branch_secretary_logs_in_sees_branch_and_logs_out(live_server, page, artifacts_dir):
    page.goto(f"{live_server}/")
    assert "/login" in page.url
    assert page.locator("h1").inner_text() == "Đăng nhập"
    page.screenshot(path=str(artifacts_dir / "login-01-page.png"), full_page=True)

    login(page, live_server, "bithu.trung", "sai-mat-khau")
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in page.content()

    login(page, live_server, "bithu.trung")
    page.wait_for_selector("[data-testid=my-units]")
    assert "Xin chào, Trần Văn Trung" in page.locator("h1").inner_text()
    units = page.locator("[data-testid=my-units]").inner_text()
    assert "Chi bộ thôn Trung" in units and "Bí thư chi bộ" in units
    page.screenshot(path=str(artifacts_dir / "login-02-home.png"), full_page=True)

    page.click("[data-testid=my-units] a:has-text('Chi bộ thôn Trung')")
    assert page.locator("[data-testid=unit-name]").inner_text() == "Chi bộ thôn Trung"
    assert page.locator("[data-testid=unit-people] tbody tr").count() == 16
    page.screenshot(path=str(artifacts_dir / "login-03-branch.png"), full_page=True)

    page.click("button:has-text('Đăng xuất')")
    page.wait_for_url("**/login")
    assert "Bạn đã đăng xuất." in page.content()
    page.goto(f"{live_server}/")
    assert "/login" in page.url
    page.screenshot(path=str(artifacts_dir / "login-04-logged-out.png"), full_page=True)


def test_browser__home_fits_a_phone_screen(live_server, phone_page, artifacts_dir):
    login(phone_page, live_server, "bithu.trung")
    phone_page.wait_for_selector("[data-testid=my-units]")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, f"page is {width}px wide on a 390px phone"
    phone_page.screenshot(path=str(artifacts_dir / "login-05-phone.png"), full_page=True)
