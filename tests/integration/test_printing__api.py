"""Printed forms through the JSON API and the case page: the discipline and removal
decisions and the transfer letter from cases driven through the engine, the
errors (unknown form, wrong type, not yet, not permitted, out of scope), the
stored bytes and the audit event, the "Print a form" control (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
from urllib.parse import quote

from tests.admission_flow import case_state, latest_case_id, vote
from tests.api_flow import open_ready_case, step, to_superior_decision
from tests.demo_people import plain_member
from tests.discipline_flow import announce, decided_by_branch, new_case
from tests.integration.test_printing__forms import text_of
from tests.transfer_flow import to_in_transit


def print_(api, case_id: int, form: str):
    return api.post(f"/cases/{case_id}/print/{quote(form)}")


def download(api, case_id: int, doc_id: int) -> bytes:
    """The document's bytes as the API serves them (also kept under test-artifacts/ to look at)."""
    from tests.conftest import ARTIFACTS

    response = api.get(f"/cases/{case_id}/documents/{doc_id}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / response.headers["Content-Disposition"].split("filename=")[-1].strip('"')).write_bytes(response.data)
    return response.data


def test_printing__api_prints_stores_and_serves_the_9_knd(api, demo):
    case_id = to_superior_decision(api, demo)
    api.as_user("thuongvu.nghiahung")
    early = print_(api, case_id, "9-KNĐ")  # before the decision: 409 saying what is missing
    assert early.status_code == 409 and early.mimetype == "application/problem+json"
    assert "quyết định kết nạp" in early.get_json()["detail"]
    step(api, case_id, "thuongvu.nghiahung", "decide_admit",
         dict(decision_number="123-QĐ/HU", decision_date="2026-11-18", **vote("2026-11-18", 15, 13, 12, 1)),
         "awaiting_ceremony")
    response = print_(api, case_id, "9-KND")  # the ASCII spelling names the same form
    assert response.status_code == 201, response.get_data(as_text=True)
    doc = response.get_json()
    assert doc["kind"] == "print:9-KNĐ" and doc["content_type"] == "application/pdf"
    assert response.headers["Location"].endswith(f"/cases/{case_id}/documents/{doc['id']}")
    content = download(api, case_id, doc["id"])
    assert hashlib.sha256(content).hexdigest() == doc["sha256"] and len(content) == doc["size"]
    text = text_of(content)
    assert "Số 123-QĐ/HU" in text and "HUYỆN ỦY NGHĨA HƯNG" in text
    history = api.get(f"/cases/{case_id}/history").get_json()["items"]
    printed = [e for e in history if e["action"] == "print_document"]
    assert len(printed) == 1 and printed[0]["payload"]["sha256"] == doc["sha256"]
    assert printed[0]["payload"]["document_id"] == doc["id"]
    assert api.get(f"/audit/verify?case_id={case_id}").get_json() == {"ok": True}


def test_printing__api_errors(api, demo):
    case_id = open_ready_case(api, demo)
    api.as_user("bithu.trung")
    unknown = print_(api, case_id, "99-KNĐ")
    assert unknown.status_code == 404 and unknown.mimetype == "application/problem+json"
    wrong_type = print_(api, case_id, "transfer-letter")
    assert wrong_type.status_code == 422 and "không dùng cho loại hồ sơ này" in wrong_type.get_json()["detail"]
    not_yet = print_(api, case_id, "6-KNĐ")
    assert not_yet.status_code == 409 and "6-KNĐ" in not_yet.get_json()["detail"]
    # A case outside the caller's scope reads as absent, whatever the form.
    api.as_user("bithu.tdp4")
    assert print_(api, case_id, "6-KNĐ").status_code == 404
    assert print_(api, 987654, "9-KNĐ").status_code == 404
    # Nothing was stored by any of these.
    api.as_user("bithu.trung")
    history = api.get(f"/cases/{case_id}/history").get_json()["items"]
    assert not [e for e in history if e["action"] == "print_document"]


def test_printing__who_may_print(api, demo):
    case_id = to_superior_decision(api, demo)
    step(api, case_id, "thuongvu.nghiahung", "decide_admit",
         dict(decision_number="7-QĐ/HU", decision_date="2026-11-18", **vote("2026-11-18", 15, 13, 12, 1)),
         "awaiting_ceremony")
    # The branch secretary sees the case but sits below the district committee that issued the 9-KNĐ.
    api.as_user("bithu.trung")
    refused = print_(api, case_id, "9-KNĐ")
    assert refused.status_code == 403 and "9-KNĐ" in refused.get_json()["detail"]
    # ... and prints the branch's own resolution (6-KNĐ), which they recorded; a body names nothing
    # (the form is filled from the case): a field in it is refused, and nothing is printed.
    extra = api.post(f"/cases/{case_id}/print/6-KNĐ", json={"number": "99"})
    assert extra.status_code == 422 and "number" in extra.get_json()["errors"]
    assert api.post(f"/cases/{case_id}/print/6-KNĐ", json=[]).status_code == 400
    assert print_(api, case_id, "6-KNĐ").status_code == 201
    assert api.post(f"/cases/{case_id}/print/6-KNĐ", json={}).status_code == 201
    printed = [e for e in api.get(f"/cases/{case_id}/history").get_json()["items"] if e["action"] == "print_document"]
    assert len(printed) == 2
    # The organisation board of the district holds a role at the issuing body.
    api.as_user("tochuc.nghiahung")
    assert print_(api, case_id, "9-KNĐ").status_code == 201
    # An auditor reads but does not print.
    api.as_user("thanhtra.tinh")
    assert print_(api, case_id, "9-KNĐ").status_code == 403


def test_printing__discipline_and_removal_decisions(app, api, pages, demo):
    member = plain_member(demo)
    case_id = decided_by_branch(app, pages, member.id, form="warning")
    announce(pages, case_id)
    api.as_user("bithu.trung")
    response = print_(api, case_id, "discipline-decision")
    assert response.status_code == 201, response.get_data(as_text=True)
    text = text_of(download(api, case_id, response.get_json()["id"]))
    assert "Số 12-NQ/CB" in text and "CHI BỘ THÔN TRUNG" in text and "CẢNH CÁO" in text
    assert "NGHỊ QUYẾT về việc thi hành kỷ luật đảng viên" in text and "QUYẾT NGHỊ" in text  # the branch's resolution
    assert member.full_name in text and "T/M CHI BỘ" in text and "69-QĐ/TW" in text
    assert print_(api, case_id, "removal-decision").status_code == 422

    other = plain_member(demo, index=4)
    pages.as_user("bithu.trung")
    assert new_case(pages, "removal", other.id, opened="2026-10-01T03:00:00Z",
                    grounds="party_card_returned_or_destroyed",
                    description="Tự ý trả thẻ đảng viên ngày 15/9/2026.").status_code == 302
    removal = latest_case_id(app)
    assert pages.act(removal, "record_self_review", submitted="yes",
                     self_criticism="Tôi xin ra khỏi Đảng.").status_code == 302
    assert pages.upload(removal, "evidence", issued_on="2026-11-01").status_code == 302
    assert pages.act(removal, "record_branch_vote", **vote("2026-11-20", 10, 10, 9, 1)).status_code == 302
    api.as_user("tochuc.nghiahung")
    assert print_(api, removal, "removal-decision").status_code == 409
    pages.as_user("danguy.phucthang")
    assert pages.act(removal, "record_grassroots_vote", **vote("2026-11-20", 9, 9, 8, 1)).status_code == 302
    pages.as_user("thuongvu.nghiahung")
    assert pages.act(removal, "decide_remove", decision_number="50", decision_date="2026-11-20",
                     **vote("2026-11-20", 16, 15, 12, 3)).status_code == 302
    assert case_state(app, removal) == "removed"
    response = print_(api, removal, "removal-decision")
    assert response.status_code == 201, response.get_data(as_text=True)
    text = text_of(download(api, removal, response.get_json()["id"]))
    assert "Số 50-QĐ/HU" in text and "về việc xóa tên đảng viên" in text and other.full_name in text
    assert "tự ý trả thẻ đảng viên" in text and "Nghĩa Hưng, ngày 20 tháng 11 năm 2026" in text


def test_rule__transfer__transfer_letter_printed(app, api, pages, demo):
    """DOMAIN "Transfer": the transfer letter (giấy giới thiệu sinh hoạt đảng) as a printed PDF,
    from the superior's letter (number, date, destination, the 30 working days to present it)."""
    member = plain_member(demo)
    case_id = to_in_transit(app, pages, demo, member.id)
    api.as_user("tochuc.nghiahung")
    response = print_(api, case_id, "transfer-letter")
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["kind"] == "print:transfer-letter"
    text = text_of(download(api, case_id, response.get_json()["id"]))
    assert "GIẤY GIỚI THIỆU SINH HOẠT ĐẢNG" in text and "chính thức" in text
    assert "Số 45-GGT/HU" in text and "HUYỆN ỦY NGHĨA HƯNG" in text and "ngày 16 tháng 9 năm 2026" in text
    assert member.full_name in text and "Kính gửi: Chi bộ tổ dân phố số 4" in text
    assert "30 ngày làm việc" in text and "T/L BAN THƯỜNG VỤ" in text and "08/2026" not in text
    assert "09/2026" in text  # dues paid up to September 2026
    # Before any letter the transfer has nothing to print.
    other = plain_member(demo, index=4)
    pages.as_user("bithu.trung")
    assert new_case(pages, "transfer", other.id, opened="2026-09-14T03:00:00Z", kind="official",
                    grounds="Chuyển đến nơi ở mới.", moved_on="2026-09-10", dues_paid_to="2026-09-01",
                    destination_unit_id=demo.units["tdp4"].id).status_code == 302
    assert print_(api, latest_case_id(app), "transfer-letter").status_code == 409


def test_printing__case_page_lists_the_forms_and_prints(app, pages, demo):
    member = plain_member(demo)
    case_id = to_in_transit(app, pages, demo, member.id)
    pages.as_user("tochuc.nghiahung")
    html = pages.case_page(case_id)
    assert 'data-testid="print-forms"' in html and "In biểu mẫu" in html and 'data-form="transfer-letter"' in html
    response = pages.client.post(f"/cases/{case_id}/print/transfer-letter",
                                 data={"csrf_token": pages.token(f"/cases/{case_id}")})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/cases/{case_id}#documents")
    html = pages.case_page(case_id)
    assert "Giấy giới thiệu sinh hoạt đảng (bản in)" in html and "Đã in biểu mẫu" in html
    import re
    link = re.search(rf'href="(/cases/{case_id}/documents/\d+)">transfer-letter-case-{case_id}.pdf', html)
    assert link, "the printed letter is not among the documents"
    got = pages.client.get(link.group(1))
    assert got.status_code == 200 and got.data.startswith(b"%PDF")
    # An unknown form is a 404 page; a form not ready comes back as a message on the case page.
    token = pages.token(f"/cases/{case_id}")
    assert pages.client.post(f"/cases/{case_id}/print/nope", data={"csrf_token": token}).status_code == 404
    refused = pages.client.post(f"/cases/{case_id}/print/9-KNĐ", data={"csrf_token": token},
                                follow_redirects=True)
    assert refused.status_code == 200 and "không dùng cho loại hồ sơ này" in refused.get_data(as_text=True)
    # A case outside the user's scope, or none at all, is the 404 page (never a 500), and prints nothing.
    pages.as_user("bithu.dong")
    token = pages.token("/inbox")
    for missing in (case_id, 999999):
        answer = pages.client.post(f"/cases/{missing}/print/transfer-letter", data={"csrf_token": token})
        assert answer.status_code == 404, answer.status_code


def test_printing__discipline_decided_by_the_superior(app, api, pages, demo):
    from tests.integration.test_discipline__rules import _expulsion_at_superior

    case_id, member = _expulsion_at_superior(app, pages, demo, (10, 10, 8, 2))
    api.as_user("thuongvu.nghiahung")
    assert print_(api, case_id, "discipline-decision").status_code == 409  # not decided yet
    pages.as_user("thuongvu.nghiahung")
    assert pages.act(case_id, "decide", final_form="expulsion", decision_number="47-QĐ/HU",
                     decision_date="2026-11-20", **vote("2026-11-20", 15, 14, 12, 2)).status_code == 302
    response = print_(api, case_id, "discipline-decision")
    assert response.status_code == 201, response.get_data(as_text=True)
    text = text_of(download(api, case_id, response.get_json()["id"]))
    assert "QUYẾT ĐỊNH về việc thi hành kỷ luật đảng viên" in text and "Số 47-QĐ/HU" in text
    assert "KHAI TRỪ" in text and "BAN THƯỜNG VỤ HUYỆN ỦY NGHĨA HƯNG" in text and "T/M BAN THƯỜNG VỤ" in text
    assert member.full_name in text and "Nghĩa Hưng, ngày 20 tháng 11 năm 2026" in text
