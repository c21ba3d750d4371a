"""Every printed form, generated once from a case driven through the engine: its
text (read back with pypdf) holds the case's facts with their diacritics, the
party header and the signature block; the stored document is the bytes printed
(SHA-256), with a ``print_document`` event; a reprint supersedes (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from tests.admission_flow import Flow, vote

DECIDED = "2026-11-20"
NAME = "Nguyễn Thị Hằng"


@pytest.fixture
def flow(app, demo, clock_file):
    with app.test_request_context("/"):
        yield Flow(app, demo, clock_file).at(DECIDED)


def text_of(content: bytes) -> str:
    """The PDF's text, whitespace folded (a line break in the layout reads as a space)."""
    reader = PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def printed(flow, case_id: int, form: str, username: str, artifacts_dir=None):
    """``username`` prints ``form``; returns (document, its bytes as stored, its text)."""
    from app.extensions import db
    from cases.documents import storage_path
    from cases.printing import print_form
    from workflow.models import Case

    case = db.session.get(Case, case_id)
    doc = print_form(db.session, flow.user(username), case, form, upload_dir=flow.app.config["UPLOAD_DIR"])
    content = storage_path(flow.app.config["UPLOAD_DIR"], doc.sha256).read_bytes()
    if artifacts_dir is not None:
        (artifacts_dir / f"print-{form}.pdf").write_bytes(content)
    return doc, content, text_of(content)


def admitted(flow) -> int:
    case_id = flow.open(flow.new_candidate("2000-03-05", full_name=NAME))
    flow.to_branch_vote(case_id)
    flow.act(case_id, "record_branch_vote", "bithu.trung", **vote("2026-11-16", 10, 10, 9, 1))
    flow.act(case_id, "record_grassroots_vote", "danguy.phucthang", **vote("2026-11-18", 9, 9, 8, 1))
    flow.act(case_id, "appraise", "tochuc.nghiahung", appraisal="Hồ sơ đầy đủ.")
    flow.act(case_id, "decide_admit", "thuongvu.nghiahung", decision_number="12-QĐ/HU", decision_date=DECIDED,
             **vote(DECIDED, 15, 14, 12, 2))
    return case_id


def test_printing__9_knd_holds_the_number_the_name_and_the_issuing_body(flow, artifacts_dir):
    from app.extensions import db
    from cases.models import Document
    from workflow.models import AuditEvent

    case_id = admitted(flow)
    doc, content, text = printed(flow, case_id, "9-KNĐ", "thuongvu.nghiahung", artifacts_dir)
    assert content.startswith(b"%PDF")
    assert "Số 12-QĐ/HU" in text
    assert NAME in text and "sinh ngày 05/03/2000" in text
    assert "HUYỆN ỦY NGHĨA HƯNG" in text and "ĐẢNG BỘ TỈNH NAM ĐỊNH" in text
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text and "Nghĩa Hưng, ngày 20 tháng 11 năm 2026" in text
    assert "QUYẾT ĐỊNH kết nạp đảng viên" in text and "T/M BAN THƯỜNG VỤ" in text and "Nơi nhận:" in text
    assert "Vũ Đức Nghĩa" in text  # who recorded the decision signs it

    # Stored as a document of the case: the bytes printed, its SHA-256, a generated kind, an audit event.
    row = db.session.get(Document, doc.id)
    assert row.case_id == case_id and row.kind == "print:9-KNĐ" and row.content_type == "application/pdf"
    assert row.sha256 == hashlib.sha256(content).hexdigest() and row.size == len(content)
    assert row.issued_on.isoformat() == DECIDED
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.case_id == case_id)
                              .order_by(AuditEvent.seq.desc()).limit(1))
    assert event.action == "print_document" and event.payload["document_id"] == doc.id
    assert event.payload["sha256"] == row.sha256 and event.payload["form"] == "9-KNĐ"
    assert event.from_state == event.to_state == "awaiting_ceremony"  # printing moves nothing


def test_printing__reprint_supersedes_and_keeps_the_older(flow):
    from app.extensions import db
    from cases.documents import documents_of, superseded_by
    from workflow.models import AuditEvent, Case

    case_id = admitted(flow)
    first, _c, _t = printed(flow, case_id, "9-KNĐ", "thuongvu.nghiahung")
    second, _c, _t = printed(flow, case_id, "9-KNĐ", "tochuc.nghiahung")
    assert second.id != first.id
    docs = documents_of(db.session, db.session.get(Case, case_id))
    assert superseded_by(docs)[first.id] == second.id and second.id not in superseded_by(docs)
    last = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.case_id == case_id)
                             .order_by(AuditEvent.seq.desc()).limit(1))
    assert last.payload["supersedes"] == first.id


def test_printing__resolutions_6_and_8_knd_carry_the_votes(flow, artifacts_dir):
    case_id = admitted(flow)
    _doc, _c, six = printed(flow, case_id, "6-KNĐ", "bithu.trung", artifacts_dir)
    assert "CHI BỘ THÔN TRUNG" in six and "ĐẢNG BỘ XÃ PHÚC THẮNG" in six and "Số ......-NQ/CB" in six
    assert "Phúc Thắng, ngày 16 tháng 11 năm 2026" in six
    assert NAME in six and "9/10 đồng chí, đạt 90%" in six and "T/M CHI BỘ" in six and "BÍ THƯ" in six
    _doc, _c, eight = printed(flow, case_id, "8-KNĐ", "danguy.phucthang", artifacts_dir)
    assert "ĐẢNG ỦY XÃ PHÚC THẮNG" in eight and "ĐẢNG BỘ HUYỆN NGHĨA HƯNG" in eight and "-NQ/ĐU" in eight
    assert "8/9 đồng chí, đạt 88,9%" in eight and "T/M ĐẢNG ỦY" in eight
    assert "Ban Thường vụ Huyện ủy Nghĩa Hưng" in eight and NAME in eight


def test_printing__16_knd_recognition(flow, artifacts_dir):
    from app.extensions import db
    from workflow.timers import fire_due_timers

    case_id = admitted(flow)
    flow.act(case_id, "hold_ceremony", "bithu.trung", ceremony_date=DECIDED, mentor_id=flow.officials()[4])
    flow.clock_file.write_text("2027-11-19T17:00:01Z")
    assert fire_due_timers(db.session) == 1
    flow.at("2027-11-22")
    flow.act(case_id, "record_probation_branch_vote", "bithu.trung", **vote("2027-11-22", 10, 10, 9, 1))
    flow.act(case_id, "record_probation_grassroots_vote", "danguy.phucthang", **vote("2027-11-22", 9, 9, 8, 1))
    flow.act(case_id, "decide_recognise", "thuongvu.nghiahung", decision_number="31", decision_date="2027-11-22",
             party_card_number="79012345", **vote("2027-11-22", 15, 14, 12, 2))
    _doc, _c, text = printed(flow, case_id, "16-KNĐ", "thuongvu.nghiahung", artifacts_dir)
    assert "Số 31-QĐ/HU" in text  # a bare number completed with the symbol of the issuing body
    assert "QUYẾT ĐỊNH công nhận đảng viên chính thức" in text and NAME in text
    assert "kể từ ngày 20/11/2027" in text and "Quyết định số 12-QĐ/HU" in text and "79012345" in text


def test_printing__resolution_numbers_recorded_on_the_admission_votes_are_printed(flow, artifacts_dir):
    """Every vote records its resolution number (DOMAIN.md, "Discipline"; optional on an admission
    vote, whose resolution is also the uploaded 6- or 8-KNĐ): given on the vote, it heads the
    printed resolution; over 50 characters it is refused and nothing moves."""
    from workflow.errors import InvalidPayload

    case_id = flow.open(flow.new_candidate("2000-03-05", full_name=NAME))
    flow.to_branch_vote(case_id)
    try:
        flow.act(case_id, "record_branch_vote", "bithu.trung", resolution_number="x" * 51,
                 **vote("2026-11-16", 10, 10, 9, 1))
        raise AssertionError("an over-long resolution number was accepted")
    except InvalidPayload:
        pass
    flow.act(case_id, "record_branch_vote", "bithu.trung", resolution_number="07",
             **vote("2026-11-16", 10, 10, 9, 1))
    flow.act(case_id, "record_grassroots_vote", "danguy.phucthang", resolution_number="15-NQ/ĐU",
             **vote("2026-11-18", 9, 9, 8, 1))
    _doc, _c, six = printed(flow, case_id, "6-KNĐ", "bithu.trung", artifacts_dir)
    assert "Số 07-NQ/CB" in six and "......" not in six.split("NGHỊ QUYẾT")[0]
    _doc, _c, eight = printed(flow, case_id, "8-KNĐ", "danguy.phucthang", artifacts_dir)
    assert "Số 15-NQ/ĐU" in eight
