"""Headless Chromium, issue 14's done-when: ``admin`` creates a branch under Đảng
ủy xã Phúc Thắng and an account for its secretary with the role, logs out; the
new secretary logs in, must change the password, sees the new branch, and
registers a candidate there."""

import pytest

from .conftest import login

pytestmark = pytest.mark.e2e


def test_browser__admin_sets_up_a_branch_and_its_secretary_registers_a_candidate(live_server, page, demo,
                                                                                 artifacts_dir):
    login(page, live_server, "admin")
    page.click("[data-testid=admin-link]")
    assert page.locator("h1").inner_text() == "Thiết lập tổ chức"

    # A new branch under Đảng ủy xã Phúc Thắng.
    page.click("#units summary")
    form = page.locator("[data-testid=unit-form]")
    form.locator("input[name=name]").fill("Chi bộ thôn Nam")
    form.locator("select[name=level]").select_option("branch")
    form.locator("select[name=parent_id]").select_option(str(demo.units["phucthang"].id))
    page.screenshot(path=str(artifacts_dir / "setup-01-unit-form.png"), full_page=True)
    form.locator("button[type=submit]").click()
    assert "Đã thêm tổ chức Chi bộ thôn Nam." in page.content()
    assert "Chi bộ thôn Nam" in page.locator("[data-testid=admin-units]").inner_text()

    # Its secretary's account, with the role.
    page.click("#accounts summary")
    form = page.locator("[data-testid=account-form]")
    form.locator("input[name=username]").fill("bithu.nam")
    form.locator("input[name=display_name]").fill("Nguyễn Thị Nam")
    option = form.locator("select[name=unit_id] option", has_text="Chi bộ thôn Nam")
    form.locator("select[name=unit_id]").select_option(option.get_attribute("value"))
    form.locator("select[name=role]").select_option("branch_secretary")
    form.locator("button[type=submit]").click()
    password = page.locator("[data-testid=one-time-password]").inner_text().strip()
    assert len(password) == 12
    roles = page.locator("[data-testid=account-roles]").inner_text()
    assert "Bí thư chi bộ" in roles and "Chi bộ thôn Nam" in roles
    page.screenshot(path=str(artifacts_dir / "setup-02-account.png"), full_page=True)
    page.click("button:has-text('Đăng xuất')")
    page.wait_for_url("**/login")

    # The secretary logs in with the one-time password and must change it first.
    login(page, live_server, "bithu.nam", password)
    page.wait_for_url("**/password")
    assert page.locator("[data-testid=must-change]").is_visible()
    page.goto(f"{live_server}/")
    assert page.url.endswith("/password")  # no other page before the change
    page.fill("input[name=current_password]", password)
    page.fill("input[name=new_password]", "ThonNam-2026")
    page.fill("input[name=confirm]", "ThonNam-2026")
    page.screenshot(path=str(artifacts_dir / "setup-03-password.png"), full_page=True)
    page.click("[data-testid=password-form] button[type=submit]")
    page.wait_for_selector("[data-testid=my-units]")
    assert "Đã đổi mật khẩu." in page.content()
    units = page.locator("[data-testid=my-units]").inner_text()
    assert "Chi bộ thôn Nam" in units and "Bí thư chi bộ" in units

    # Sees the new branch and registers a candidate.
    page.click("[data-testid=my-units] a:has-text('Chi bộ thôn Nam')")
    assert page.locator("[data-testid=unit-name]").inner_text() == "Chi bộ thôn Nam"
    page.click("[data-testid=register-candidate]")
    form = page.locator("[data-testid=register-form]")
    form.locator("input[name=full_name]").fill("Đỗ Văn Khải")
    form.locator("input[name=date_of_birth]").fill("2001-04-12")
    form.locator("select[name=gender]").select_option("male")
    form.locator("input[name=national_id]").fill("036201000777")
    form.locator("select[name=education]").select_option("upper_secondary")
    form.locator("input[name=residence]").fill("Thôn Nam, xã Phúc Thắng")
    page.screenshot(path=str(artifacts_dir / "setup-04-register.png"), full_page=True)
    form.locator("button[type=submit]").click()
    assert page.locator("[data-testid=person-name]").inner_text() == "Đỗ Văn Khải"
    assert "Đã đăng ký Đỗ Văn Khải là quần chúng ưu tú." in page.content()
    assert "Quần chúng" in page.locator("dl.facts").inner_text()
    page.screenshot(path=str(artifacts_dir / "setup-05-candidate.png"), full_page=True)
    page.goto(f"{live_server}/")
    page.click("[data-testid=my-units] a:has-text('Chi bộ thôn Nam')")
    assert page.locator("[data-testid=unit-people] tbody tr").count() == 1
