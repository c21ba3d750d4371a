"""Headless Chromium under the Content-Security-Policy (issue 11, class 6): the
pages run with no inline script — the browser reports no violation, and the
new-case page's unit choice (moved from an inline ``onchange`` to
static/js/app.js) still reloads the form for the chosen unit."""

import pytest

from .conftest import login

pytestmark = pytest.mark.e2e


def test_browser__pages_work_under_the_csp(app, live_server, page, artifacts_dir, demo):
    from app.extensions import db
    from core.enums import Role
    from core.models import RoleAssignment

    with app.app_context():  # secretary of two branches: the new-case page offers a choice of unit
        db.session.add(RoleAssignment(user_id=demo.users["bithu.trung"].id, unit_id=demo.units["dong"].id,
                                      role=Role.branch_secretary))
        db.session.commit()
    violations = []
    page.on("console", lambda msg: violations.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text else None)

    login(page, live_server, "bithu.trung")
    page.wait_for_selector("[data-testid=my-units]")
    headers = page.request.get(f"{live_server}/").headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["cache-control"] == "no-store"

    page.goto(f"{live_server}/cases/new/admission?unit={demo.units['trung'].id}")
    assert page.locator("[data-testid=new-case-form] input[name=unit]").get_attribute("value") == str(
        demo.units["trung"].id)
    page.select_option("select#unit", str(demo.units["dong"].id))
    page.wait_for_url(f"**/cases/new/admission?unit={demo.units['dong'].id}")
    assert page.locator("[data-testid=new-case-form] input[name=unit]").get_attribute("value") == str(
        demo.units["dong"].id)
    page.screenshot(path=str(artifacts_dir / "security-01-unit-choice.png"), full_page=True)

    for path in ("/", f"/units/{demo.units['trung'].id}", "/cases", "/inbox",
                 f"/people/{demo.people['trung'][0].id}"):
        page.goto(f"{live_server}{path}")
    page.click("button:has-text('English')")
    page.wait_for_selector("button:has-text('Tiếng Việt')")
    assert violations == []
