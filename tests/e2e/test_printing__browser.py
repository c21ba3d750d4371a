"""Headless Chromium: the district's organisation officer prints the transfer letter from
the case page's "In biểu mẫu" control; the letter appears among the case's documents and
downloads as a PDF. Screenshots are saved."""

import pytest

from tests.demo_people import plain_member
from tests.transfer_flow import to_in_transit

from .browser import Browser

pytestmark = pytest.mark.e2e


def test_browser__print_the_transfer_letter(app, live_server, page, pages, artifacts_dir, demo):
    case_id = to_in_transit(app, pages, demo, plain_member(demo).id)
    b = Browser(page, live_server, artifacts_dir, "printing")
    b.as_user("tochuc.nghiahung")
    b.open_case(case_id)
    control = page.locator("[data-testid=print-forms]")
    assert "In biểu mẫu" in control.inner_text()
    b.shot_of("[data-testid=documents]", "control")
    control.locator("button[data-form=transfer-letter]").click()
    page.wait_for_load_state()
    documents = page.locator("[data-testid=documents]")
    assert "Giấy giới thiệu sinh hoạt đảng (bản in)" in documents.inner_text()
    b.shot_of("[data-testid=documents]", "printed")
    with page.expect_download() as download:
        documents.locator(f"a:has-text('transfer-letter-case-{case_id}.pdf')").click()
    path = download.value.path()
    with open(path, "rb") as fh:
        assert fh.read(5) == b"%PDF-"
