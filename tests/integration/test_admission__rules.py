"""Each admission rule refusing with its message (Vietnamese), on both databases."""

import datetime as dt
import io

import pytest

from tests.admission_flow import PDF, Flow, vote
from workflow.errors import GuardFailed


@pytest.fixture
def flow(app, demo, clock_file):
    with app.test_request_context("/"):  # Vietnamese, the default locale
        f = Flow(app, demo, clock_file).at("2026-11-20")
        yield f


def refusal(exc_info) -> str:
    return " ".join(exc_info.value.reasons)


def test_rule__admission__age_at_least_18_full_years__17_years_11_months_refused(flow):
    case_id = flow.open(flow.new_candidate("2008-12-15"))  # on 20/11/2026: 17 years 11 months
    with pytest.raises(GuardFailed) as exc:
        flow.submit(case_id)
    assert "Ngày 20/11/2026 quần chúng mới 17 tuổi 11 tháng; phải đủ 18 tuổi." in refusal(exc)
    assert flow.case(case_id).state == "draft"


def test_rule__admission__age_at_least_18_full_years__exactly_18_passes(flow):
    case_id = flow.open(flow.new_candidate("2008-11-20"))
    flow.submit(case_id)
    assert flow.case(case_id).state == "background_check"


def test_rule__admission__over_60_needs_the_province_consent(flow, app):
    person = flow.new_candidate("1965-06-01")
    case_id = flow.open(person)
    with pytest.raises(GuardFailed) as exc:
        flow.submit(case_id)
    assert "61 tuổi 5 tháng, quá 60 tuổi: cần văn bản đồng ý của tỉnh ủy" in refusal(exc)
    from app.extensions import db
    from cases import documents

    documents.add_document(db.session, flow.user("bithu.trung"), flow.case(case_id), kind="consent",
                           filename="dong-y.pdf", stream=io.BytesIO(PDF), issued_on=dt.date(2026, 11, 1),
                           upload_dir=app.config["UPLOAD_DIR"], max_bytes=10 * 1024 * 1024)
    db.session.commit()
    flow.submit(case_id)
    assert flow.case(case_id).state == "background_check"


def test_rule__admission__certificate_within_60_months_before_the_vote__61_months_refused(flow):
    case_id = flow.open(flow.new_candidate("1998-01-01", certificate_on="2021-10-15"))
    with pytest.raises(GuardFailed) as exc:
        flow.submit(case_id)
    assert "Giấy chứng nhận số" in refusal(exc)
    assert "cấp ngày 15/10/2021, đã 61 tháng tính đến 20/11/2026; chỉ có giá trị 60 tháng." in refusal(exc)


def test_rule__admission__certificate_within_60_months_before_the_vote__60_months_and_1_day_refused(flow):
    case_id = flow.open(flow.new_candidate("1998-01-01", certificate_on="2021-11-19"))
    with pytest.raises(GuardFailed) as exc:
        flow.submit(case_id)
    assert "chỉ có giá trị 60 tháng" in refusal(exc)


def test_rule__admission__two_official_introducers__one_only_refused(flow):
    case_id = flow.open(flow.new_candidate("1998-01-01"), documents=("1-KNĐ", "2-KNĐ", "3-KNĐ", "5-KNĐ"))
    with pytest.raises(GuardFailed) as exc:
        flow.submit(case_id, introducers=[flow.officials()[2]])
    assert "Cần 2 đảng viên chính thức giới thiệu; hiện chỉ có 1 người hợp lệ." in refusal(exc)


def test_rule__admission__youth_union_resolution_and_one_member(flow):
    person = flow.new_candidate("2002-03-01", youth_union_member=True)
    case_id = flow.open(person, documents=("1-KNĐ", "2-KNĐ", "3-KNĐ", "4-KNĐ", "5-KNĐ"))
    flow.submit(case_id, introducers=[flow.officials()[2]], union="youth_union")
    assert flow.case(case_id).state == "background_check"


def test_rule__admission__two_official_introducers__probationary_refused(flow, demo):
    probationary = [p for p in demo.people["trung"] if p.status.value == "probationary"][0]
    case_id = flow.open(flow.new_candidate("1998-01-01"))
    with pytest.raises(GuardFailed) as exc:
        flow.submit(case_id, introducers=[flow.officials()[2], probationary.id])
    assert f"{probationary.full_name} không phải là đảng viên chính thức nên không được giới thiệu." in refusal(exc)


def test_rule__admission__introducers_known_12_months_in_the_same_grassroots(flow):
    case_id = flow.open(flow.new_candidate("1998-01-01"))
    with pytest.raises(GuardFailed) as exc:
        flow.submit(case_id, since="2026-01-10")
    assert "chưa đủ 12 tháng tính đến 20/11/2026" in refusal(exc)


def test_rule__admission__documents_present_and_under_12_months_at_the_vote(flow):
    case_id = flow.open(flow.new_candidate("1998-01-01"), documents=("1-KNĐ", "3-KNĐ", "3-KNĐ", "5-KNĐ"),
                        docs_dated="2025-10-01")
    with pytest.raises(GuardFailed) as exc:
        flow.submit(case_id)
    text = refusal(exc)
    assert "Còn thiếu: 2-KNĐ." in text
    assert "Quá 12 tháng tính đến 20/11/2026, phải làm lại: 1-KNĐ, 3-KNĐ, 5-KNĐ." in text


def test_rule__admission__branch_vote_two_thirds_of_the_official_members__6_of_10_fails(flow):
    case_id = flow.open(flow.new_candidate("1998-01-01"))
    flow.to_branch_vote(case_id)
    result = flow.act(case_id, "record_branch_vote", "bithu.trung", **vote("2026-11-19", 10, 9, 6, 3))
    assert result.to_state == "rejected" and result.outcome == "failed"
    event = flow.last_event(case_id)
    assert event.payload["vote"]["summary"] == "6/10 đảng viên có quyền biểu quyết tán thành; cần ít nhất 7 (2/3 của 10)."
    assert flow.case(case_id).is_closed


def test_rule__admission__branch_vote_two_thirds_of_the_official_members__7_of_10_passes(flow):
    case_id = flow.open(flow.new_candidate("1998-01-01"))
    flow.to_branch_vote(case_id)
    assert flow.act(case_id, "record_branch_vote", "bithu.trung", **vote("2026-11-19", 10, 9, 7, 2)).to_state == "grassroots_vote"


def test_rule__admission__grassroots_vote_two_thirds_of_the_committee__below_is_rejected(flow):
    case_id = flow.open(flow.new_candidate("1998-01-01"))
    flow.to_branch_vote(case_id)
    flow.act(case_id, "record_branch_vote", "bithu.trung", **vote("2026-11-19", 10, 10, 9, 1))
    result = flow.act(case_id, "record_grassroots_vote", "danguy.phucthang", **vote("2026-11-20", 9, 9, 5, 4))
    assert result.to_state == "rejected"
    assert "5/9" in flow.last_event(case_id).payload["vote"]["summary"]
    assert "cần ít nhất 6" in flow.last_event(case_id).payload["vote"]["summary"]


def test_rule__admission__vote_arithmetic_and_entitled_members_checked(flow):
    from workflow.errors import InvalidPayload

    case_id = flow.open(flow.new_candidate("1998-01-01"))
    flow.to_branch_vote(case_id)
    with pytest.raises(InvalidPayload) as exc:
        flow.act(case_id, "record_branch_vote", "bithu.trung", **vote("2026-11-19", 10, 8, 6, 3))
    assert "votes_for" in exc.value.errors
    with pytest.raises(GuardFailed) as exc:
        flow.act(case_id, "record_branch_vote", "bithu.trung", **vote("2026-11-19", 12, 12, 12, 0))
    assert "nhiều hơn số đảng viên chính thức của chi bộ (10)" in refusal(exc)
    assert flow.case(case_id).state == "branch_vote"


def _to_decision(flow, case_id, vote_date="2026-11-19"):
    flow.to_branch_vote(case_id)
    flow.act(case_id, "record_branch_vote", "bithu.trung", **vote(vote_date, 10, 10, 9, 1))
    flow.act(case_id, "record_grassroots_vote", "danguy.phucthang", **vote(vote_date, 9, 9, 9, 0))
    flow.act(case_id, "appraise", "tochuc.nghiahung", appraisal="Đủ điều kiện.")


def test_rule__admission__decision_deadline_from_the_rulebook(flow, app):
    from app.extensions import db
    from cases import queries

    case_id = flow.open(flow.new_candidate("1998-01-01"))
    _to_decision(flow, case_id)
    case = flow.case(case_id)
    assert case.rulebook == "qd294_2025"
    # 45 working days after 19/11/2026, holidays (Tết 2027) skipped.
    assert case.deadline_kind == "admission_decision"
    assert not queries.is_overdue(case)
    user = flow.user("thuongvu.nghiahung")
    assert case_id not in [c.id for c in queries.list_cases(db.session, user, queries.Filters(overdue=True))[0]]
    flow.at("2027-03-01")
    assert queries.is_overdue(flow.case(case_id))
    overdue = queries.list_cases(db.session, user, queries.Filters(overdue=True))[0]
    assert case_id in [c.id for c in overdue]
    # A late decision is still taken, and recorded.
    flow.act(case_id, "decide_admit", "thuongvu.nghiahung", decision_number="45-QĐ/HU", decision_date="2027-03-01",
             **vote("2027-03-01", 15, 13, 12, 1))
    assert flow.case(case_id).state == "awaiting_ceremony"


def test_rule__rulebooks__chosen_by_the_day_the_case_is_opened(flow):
    ids = {}
    for opened_on in ("2025-06-20", "2025-07-10"):  # before and after 294-QĐ/TW took effect
        flow.at(opened_on)
        case_id = flow.open(flow.new_candidate("1990-01-01", certificate_on="2024-05-01"))
        flow.at("2025-07-16")
        _to_decision(flow, case_id, vote_date="2025-07-15")
        ids[opened_on] = case_id
    old, new = flow.case(ids["2025-06-20"]), flow.case(ids["2025-07-10"])
    assert (old.rulebook, new.rulebook) == ("qd24_2021", "qd294_2025")
    from workflow import calendar

    assert old.deadline_at == calendar.deadline_at(dt.date(2025, 7, 15), 60)
    assert new.deadline_at == calendar.deadline_at(dt.date(2025, 7, 15), 45)
    assert old.deadline_at > new.deadline_at


def test_rule__admission__ceremony_within_30_working_days(flow):
    case_id = flow.open(flow.new_candidate("1998-01-01"))
    _to_decision(flow, case_id)
    flow.act(case_id, "decide_admit", "thuongvu.nghiahung", decision_number="9-QĐ/HU", decision_date="2026-11-20",
             **vote("2026-11-20", 15, 13, 12, 1))
    flow.at("2027-02-01")
    with pytest.raises(GuardFailed) as exc:
        flow.act(case_id, "hold_ceremony", "bithu.trung", ceremony_date="2027-02-01", mentor_id=flow.officials()[4])
    assert "Lễ kết nạp phải tổ chức trong 30 ngày làm việc kể từ quyết định ngày 20/11/2026" in refusal(exc)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-12-31"])
def test_admission__dates_outside_the_calendar_window_are_invalid_not_errors(flow, day):
    from workflow.errors import InvalidPayload

    case_id = flow.open(flow.new_candidate("1998-01-01"))
    flow.to_branch_vote(case_id)
    with pytest.raises(InvalidPayload) as exc:
        flow.act(case_id, "record_branch_vote", "bithu.trung", **vote(day, 10, 10, 9, 1))
    assert exc.value.errors["meeting_date"] == ["Hãy nhập ngày trong khoảng từ 1900 đến 2199."]
    assert flow.case(case_id).state == "branch_vote"


def test_rule__admission__vote_figures_named_for_and_against(flow):
    case_id = flow.open(flow.new_candidate("1998-01-01"))
    flow.to_branch_vote(case_id)
    result = flow.act(case_id, "record_branch_vote", "bithu.trung", meeting_date="2026-11-19", entitled=10,
                      present=9, **{"for": 6, "against": 3})
    assert result.to_state == "rejected"
    assert flow.last_event(case_id).payload["votes_for"] == 6


def test_rule__admission__introducers_known_12_months_in_the_same_grassroots__from_the_registry_when_not_stated(flow):
    # The demo candidates joined the branch on 01/06/2023, the introducers earlier.
    case_id = flow.open(flow.new_candidate("1998-01-01", joined_unit_on=dt.date(2023, 6, 1)),
                        documents=("1-KNĐ", "2-KNĐ", "3-KNĐ", "5-KNĐ"))
    o = flow.officials()
    flow.act(case_id, "submit", "bithu.trung", introducer_1=o[2], introducer_2=o[3], union_resolution="")
    assert flow.case(case_id).state == "background_check"


def test_rule__admission__introducers_known_12_months_in_the_same_grassroots__too_recent_in_the_registry(flow):
    case_id = flow.open(flow.new_candidate("1998-01-01", joined_unit_on=dt.date(2026, 3, 1)))
    o = flow.officials()
    with pytest.raises(GuardFailed) as exc:
        flow.act(case_id, "submit", "bithu.trung", introducer_1=o[2], introducer_2=o[3], union_resolution="")
    assert "từ 01/03/2026: chưa đủ 12 tháng tính đến 20/11/2026" in refusal(exc)
