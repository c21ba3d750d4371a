"""Dossier uploads: checked by content, size and name; stored content-addressed;
refusals leave nothing on disk; downloads only in scope, and audited."""

import hashlib
from pathlib import Path

import pytest

from tests.admission_flow import PDF, PNG, audit_count, latest_case_id
from tests.demo_people import candidate


@pytest.fixture
def case_id(app, pages, demo):
    """An admission opened by bithu.trung, who stays logged in."""
    pages.as_user("bithu.trung")
    assert pages.open_admission(candidate(demo).id).status_code == 302
    return latest_case_id(app)


def stored_files(app) -> list[Path]:
    root = Path(app.config["UPLOAD_DIR"])
    return [p for p in root.rglob("*") if p.is_file()]


def test_upload__pdf_is_stored_by_its_sha256_and_audited(app, pages, case_id):
    before = audit_count(app, case_id)
    response = pages.upload(case_id, "1-KNĐ", PDF, "Đơn xin vào Đảng.pdf", issued_on="2026-11-01")
    assert response.status_code == 302
    digest = hashlib.sha256(PDF).hexdigest()
    files = stored_files(app)
    assert [f.name for f in files] == [digest]
    assert files[0].read_bytes() == PDF
    assert not str(files[0]).startswith(str(Path(app.static_folder)))
    assert audit_count(app, case_id) == before + 1
    html = pages.case_page(case_id)
    assert "Đơn xin vào Đảng.pdf" in html and digest[:12] in html
    from app.extensions import db
    from workflow.models import AuditEvent
    import sqlalchemy as sa

    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.case_id == case_id,
                                                              AuditEvent.action == "upload_document"))
        assert event.payload["sha256"] == digest


def test_upload__png_by_content_even_if_named_pdf(app, pages, case_id):
    assert pages.upload(case_id, "2-KNĐ", PNG, "ly-lich.pdf").status_code == 302


@pytest.mark.parametrize("content,filename,message", [
    (b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "don-xin.pdf",
     "Chỉ nhận tài liệu PDF, JPEG hoặc PNG; nội dung tệp này không thuộc loại nào trong số đó."),
    (b"MZ\x90\x00" + b"\x00" * 200, "setup.pdf",
     "Chỉ nhận tài liệu PDF, JPEG hoặc PNG; nội dung tệp này không thuộc loại nào trong số đó."),
    (b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024), "lon-qua.pdf", "Tệp lớn hơn 10 MB."),
    (PDF, "../../etc/passwd.pdf", "Tên tệp “../../etc/passwd.pdf” không hợp lệ: không được chứa “/”, “\\” hoặc “..”."),
    (PDF, "..\\boot.pdf", "không được chứa"),
])
def test_upload__refused_with_message_and_nothing_on_disk(app, pages, case_id, content, filename, message):
    before = audit_count(app, case_id)
    response = pages.upload(case_id, "1-KNĐ", content, filename)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert stored_files(app) == []
    assert audit_count(app, case_id) == before
    from app.extensions import db
    from cases.models import Document
    import sqlalchemy as sa

    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0


def test_upload__download_in_scope_only_and_audited(app, client, auth, pages, case_id):
    pages.upload(case_id, "1-KNĐ", PDF, "don.pdf")
    from app.extensions import db
    from cases.models import Document
    import sqlalchemy as sa

    with app.app_context():
        doc_id = db.session.scalar(sa.select(Document.id))
    before = audit_count(app, case_id)
    response = client.get(f"/cases/{case_id}/documents/{doc_id}")
    assert response.status_code == 200 and response.data == PDF
    assert audit_count(app, case_id) == before + 1
    client.post("/logout", data={"csrf_token": auth.csrf_token("/")})
    auth.login("bithu.tdp4")
    assert client.get(f"/cases/{case_id}/documents/{doc_id}").status_code == 404
    assert audit_count(app, case_id) == before + 1
    # an auditor of the province may read it
    client.post("/logout", data={"csrf_token": auth.csrf_token("/")})
    auth.login("thanhtra.tinh")
    assert client.get(f"/cases/{case_id}/documents/{doc_id}").status_code == 200
