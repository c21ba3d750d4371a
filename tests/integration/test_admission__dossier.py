"""The admission dossier's rules of DOMAIN.md "Admission" (issue 12): documents
superseded by a newer upload of their kind, the checklist that is the submit
guard, the consent over 720 full months, a certificate dated after the vote.
Each test names the rule it proves (``test_rule__admission__...``)."""

import datetime as dt
import io
import re

import pytest

from tests.admission_flow import PDF, Flow, latest_case_id, vote
from tests.demo_people import candidate, officials
from workflow.errors import GuardFailed


@pytest.fixture
def flow(app, demo, clock_file):
    with app.test_request_context("/"):  # Vietnamese, the default locale
        yield Flow(app, demo, clock_file).at("2026-11-20")


def refusal(exc_info) -> str:
    return " ".join(exc_info.value.reasons)


def upload(flow, case_id, kind, dated):
    from app.extensions import db
    from cases import documents

    doc = documents.add_document(db.session, flow.user("bithu.trung"), flow.case(case_id), kind=kind,
                                 filename=f"{kind}.pdf", stream=io.BytesIO(PDF), issued_on=dt.date.fromisoformat(dated),
                                 upload_dir=flow.app.config["UPLOAD_DIR"], max_bytes=10 * 1024 * 1024)
    db.session.commit()
    return doc.id


def checklist(html: str) -> dict[str, tuple[str, str]]:
    """The case page's eligibility checklist: rule -> (passed yes/no, reason)."""
    import html as h

    items = re.findall(r'data-rule="([a-z_]+)" data-passed="(yes|no)">.*?<span class="[a-z]+">(.*?)</span></li>',
                       html, re.S)
    return {rule: (passed, h.unescape(reason)) for rule, passed, reason in items}


def refusals(html: str) -> list[str]:
    import html as h

    box = re.search(r'data-testid="refusal"><ul class="list">(.*?)</ul>', html, re.S)
    assert box, "no refusal shown"
    return [h.unescape(item) for item in re.findall(r"<li>(.*?)</li>", box.group(1), re.S)]


# ---- documents: a newer upload supersedes, nothing is deleted -------------------------------------

def test_rule__admission__newer_upload_supersedes_the_older__rules_read_the_latest(flow, app):
    case_id = flow.open(flow.new_candidate("1998-01-01"), documents=("2-KNĐ", "3-KNĐ", "5-KNĐ"))
    stale = upload(flow, case_id, "1-KNĐ", "2025-11-19")  # 12 months and 1 day before 20/11/2026
    with pytest.raises(GuardFailed) as exc:
        flow.submit(case_id)
    assert "Quá 12 tháng tính đến 20/11/2026, phải làm lại: 1-KNĐ." in refusal(exc)

    fresh = upload(flow, case_id, "1-KNĐ", "2026-11-02")  # redone
    flow.submit(case_id)
    assert flow.case(case_id).state == "background_check"

    from app.extensions import db
    from cases.documents import documents_of, superseded_by

    docs = documents_of(db.session, flow.case(case_id))
    assert {d.id for d in docs} >= {stale, fresh}  # never deleted: the old one is in the history
    assert superseded_by(docs) == {stale: fresh}


def test_rule__admission__newer_upload_supersedes_the_older__latest_counts_even_if_older_was_fresher(flow):
    case_id = flow.open(flow.new_candidate("1998-01-01"), documents=("1-KNĐ", "2-KNĐ", "3-KNĐ", "5-KNĐ"))
    upload(flow, case_id, "5-KNĐ", "2025-10-01")  # the newer upload is the one the rules read
    with pytest.raises(GuardFailed) as exc:
        flow.submit(case_id)
    assert "phải làm lại: 5-KNĐ." in refusal(exc)


def test_rule__admission__newer_upload_supersedes_the_older__evidence_and_other_accumulate(app, flow):
    from app.extensions import db
    from cases.documents import documents_of, superseded_by

    case_id = flow.open(flow.new_candidate("1998-01-01"), documents=("other", "other", "1-KNĐ", "1-KNĐ"))
    docs = documents_of(db.session, flow.case(case_id))
    first, second = sorted(d.id for d in docs if d.kind == "1-KNĐ")
    assert superseded_by(docs) == {first: second}  # the second "other" supersedes nothing


def test_rule__admission__newer_upload_supersedes_the_older__marked_on_page_and_api(app, pages, api, demo):
    pages.as_user("bithu.trung")
    pages.open_admission(candidate(demo).id)
    case_id = latest_case_id(app)
    assert pages.upload(case_id, "1-KNĐ", issued_on="2025-10-01").status_code == 302
    assert pages.upload(case_id, "1-KNĐ", filename="lam-lai.pdf", issued_on="2026-11-02").status_code == 302
    html = pages.case_page(case_id)
    assert html.count('data-superseded="yes"') == 1 and html.count('data-superseded="no"') == 1
    assert "Đã được thay bằng bản tải lên sau" in html
    docs = api.as_user("bithu.trung").case(case_id)["documents"]
    old, new = sorted(docs, key=lambda d: d["id"])
    assert old["superseded_by"] == new["id"] and new["superseded_by"] is None
    history = api.get(f"/cases/{case_id}/history").get_json()["items"]
    uploads = [e["payload"] for e in history if e["action"] == "upload_document"]
    assert uploads[-1]["supersedes"] == old["id"] and "supersedes" not in uploads[0]


# ---- the checklist is the guard -------------------------------------------------------------------

def test_rule__admission__checklist_and_guard_are_the_same_rules(app, pages, demo):
    pages.as_user("bithu.trung")
    pages.open_admission(candidate(demo).id)
    case_id = latest_case_id(app)
    for kind in ("1-KNĐ", "2-KNĐ", "5-KNĐ"):  # no introduction (3-KNĐ)
        assert pages.upload(case_id, kind, issued_on="2026-10-01").status_code == 302
    shown = checklist(pages.case_page(case_id))
    assert shown["documents"] == ("no", "Còn thiếu: 3-KNĐ.")

    o = officials(demo)
    response = pages.act(case_id, "submit", introducer_1=o[2].id, introducer_1_since="2020-01-01",
                         introducer_2=o[3].id, introducer_2_since="2020-01-01", union_resolution="")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    failing = [reason for passed, reason in checklist(html).values() if passed == "no"]
    assert refusals(html) == ["Còn thiếu: 3-KNĐ."] == failing  # the page shows the very check that refused


def test_rule__admission__checklist_and_guard_are_the_same_rules__after_a_refused_submit(app, pages, demo):
    from tests.admission_flow import case_state

    pages.as_user("bithu.trung")
    pages.open_admission(candidate(demo).id)
    case_id = latest_case_id(app)
    for kind in ("1-KNĐ", "2-KNĐ", "3-KNĐ", "5-KNĐ"):
        assert pages.upload(case_id, kind, issued_on="2026-10-01").status_code == 302
    o = officials(demo)
    # A Youth Union resolution introduces: its 4-KNĐ is missing (and one member is enough).
    response = pages.act(case_id, "submit", introducer_1=o[2].id, introducer_1_since="2020-01-01",
                         union_resolution="youth_union")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and case_state(app, case_id) == "draft"
    shown = checklist(html)
    failing = [reason for passed, reason in shown.values() if passed == "no"]
    assert refusals(html) == [" ".join(failing)]  # the refusal is the failing checks' reasons, in order
    assert "Còn thiếu: 4-KNĐ." in failing


# ---- over 60 ---------------------------------------------------------------------------------------

def test_rule__admission__over_60_needs_the_province_consent__more_than_720_months(flow, app):
    case_id = flow.open(flow.new_candidate("1966-10-20"))  # on 20/11/2026: 60 years 1 month (721 months)
    with pytest.raises(GuardFailed) as exc:
        flow.submit(case_id)
    assert "60 tuổi 1 tháng, quá 60 tuổi: cần văn bản đồng ý của tỉnh ủy" in refusal(exc)
    upload(flow, case_id, "consent", "2026-11-01")
    flow.submit(case_id)
    assert flow.case(case_id).state == "background_check"


def test_rule__admission__over_60_needs_the_province_consent__exactly_720_months_needs_none(flow):
    case_id = flow.open(flow.new_candidate("1966-11-20"))  # exactly 60 years: 720 full months
    flow.submit(case_id)
    assert flow.case(case_id).state == "background_check"


# ---- the certificate at the branch vote ----------------------------------------------------------------

def test_rule__admission__certificate_not_after_the_vote__dated_after_refused(flow):
    flow.at("2026-11-02")
    case_id = flow.open(flow.new_candidate("1998-01-01", certificate_on="2026-11-15"))
    flow.at("2026-11-16")
    flow.to_branch_vote(case_id)  # on the day of submission the certificate was issued already
    flow.at("2026-11-20")
    with pytest.raises(GuardFailed) as exc:
        flow.act(case_id, "record_branch_vote", "bithu.trung", **vote("2026-11-12", 10, 10, 9, 1))
    assert "cấp ngày 15/11/2026, sau ngày 12/11/2026: giấy chứng nhận phải được cấp" in refusal(exc)
    assert flow.case(case_id).state == "branch_vote"


def test_rule__admission__certificate_not_after_the_vote__issued_on_the_vote_day_passes(flow):
    flow.at("2026-11-02")
    case_id = flow.open(flow.new_candidate("1998-01-01", certificate_on="2026-11-12"))
    flow.at("2026-11-16")
    flow.to_branch_vote(case_id)
    flow.act(case_id, "record_branch_vote", "bithu.trung", **vote("2026-11-12", 10, 10, 9, 1))
    assert flow.case(case_id).state == "grassroots_vote"


def test_rule__admission__certificate_not_after_the_vote__older_valid_one_counts(flow, app):
    from app.extensions import db
    from core.models import Certificate

    flow.at("2026-11-02")
    person_id = flow.new_candidate("1998-01-01", certificate_on="2024-03-01")
    case_id = flow.open(person_id)
    flow.at("2026-11-16")
    db.session.add(Certificate(person_id=person_id, number="CN-NEW", issued_on=dt.date(2026, 11, 15),
                               issuer="Trung tâm Chính trị"))
    db.session.commit()
    flow.to_branch_vote(case_id)
    flow.act(case_id, "record_branch_vote", "bithu.trung", **vote("2026-11-12", 10, 10, 9, 1))
    assert flow.case(case_id).state == "grassroots_vote"
