"""Where a discipline vote goes follows from the rules and the case's facts
(DOMAIN.md, "Discipline": the authority of the branch and of the grassroots
committee); the user records the vote and never chooses the route. Through the
pages and the API, on SQLite and PostgreSQL."""

from tests.admission_flow import case_state, vote
from tests.demo_people import committee_member, plain_member
from tests.discipline_flow import at_branch_vote, branch_vote, case_data


def _grassroots_vote(pages, case_id, form, tally=(11, 11, 9, 2), **extra):
    pages.as_user("danguy.phucthang")
    return pages.act(case_id, "record_grassroots_vote", proposed_form=form, resolution_number="7-NQ/ĐU", **vote("2026-11-20", *tally), **extra)


def test_rule__discipline__branch_decides_a_reprimand_or_warning_for_its_own_member(app, pages, demo):
    case_id = at_branch_vote(app, pages, plain_member(demo).id)
    html = pages.case_page(case_id)
    assert 'name="resolution"' not in html  # no choice of route on the page
    assert "do quy định" in html  # the form says where the vote goes comes from the rules
    assert branch_vote(pages, case_id, "warning").status_code == 302
    assert case_state(app, case_id) == "decided"
    data = case_data(app, case_id)
    assert data["final_form"] == "warning" and data["deciding_unit_id"] == demo.units["trung"].id
    assert data["proposals"][-1]["resolution"] == "decide" and data["decided_by"] == "branch"


def test_rule__discipline__failed_vote_where_the_branch_decides_ends_not_disciplined(app, pages, demo):
    case_id = at_branch_vote(app, pages, plain_member(demo).id)
    assert branch_vote(pages, case_id, "reprimand", tally=(10, 10, 5, 5)).status_code == 302
    assert case_state(app, case_id) == "not_disciplined"


def test_rule__discipline__failed_vote_without_authority_goes_up_all_the_same(app, pages, demo):
    case_id = at_branch_vote(app, pages, plain_member(demo).id, category="assigned_task")
    assert branch_vote(pages, case_id, "reprimand", tally=(10, 10, 4, 6)).status_code == 302
    assert case_state(app, case_id) == "upper_review"
    proposal = case_data(app, case_id)["proposals"][-1]
    assert proposal["passed"] is False and proposal["resolution"] == "propose"


def test_rule__discipline__branch_only_proposes_for_a_member_managed_by_a_higher_level(app, pages, demo):
    case_id = at_branch_vote(app, pages, plain_member(demo).id, managed_by_higher_level="y")
    assert branch_vote(pages, case_id, "reprimand").status_code == 302
    assert case_state(app, case_id) == "upper_review"


def test_rule__discipline__branch_only_proposes_a_dismissal_or_an_expulsion(app, pages, demo):
    case_id = at_branch_vote(app, pages, plain_member(demo).id)
    assert branch_vote(pages, case_id, "expulsion", tally=(10, 10, 7, 3)).status_code == 302
    assert case_state(app, case_id) == "upper_review"
    assert case_data(app, case_id)["proposals"][-1]["passed"] is True  # 7 of 10 is 2/3


def test_rule__discipline__grassroots_decides_what_it_has_authority_for(app, pages, demo):
    case_id = at_branch_vote(app, pages, plain_member(demo).id, category="assigned_task")
    assert branch_vote(pages, case_id, "warning").status_code == 302
    assert _grassroots_vote(pages, case_id, "warning").status_code == 302
    assert case_state(app, case_id) == "decided"
    data = case_data(app, case_id)
    assert data["deciding_unit_id"] == demo.units["phucthang"].id and data["decided_by"] == "grassroots"
    # A failed vote where it decides ends the case.
    other = at_branch_vote(app, pages, plain_member(demo, 4).id, category="assigned_task")
    assert branch_vote(pages, other, "warning").status_code == 302
    assert _grassroots_vote(pages, other, "warning", tally=(11, 11, 5, 6)).status_code == 302
    assert case_state(app, other) == "not_disciplined"


def test_rule__discipline__dismissal_and_expulsion_decided_by_the_superior_standing_committee(app, pages, demo):
    case_id = at_branch_vote(app, pages, plain_member(demo).id)
    assert branch_vote(pages, case_id, "expulsion", tally=(10, 10, 8, 2)).status_code == 302
    assert _grassroots_vote(pages, case_id, "expulsion").status_code == 302
    assert case_state(app, case_id) == "superior_decision"
    assert "final_form" not in case_data(app, case_id)


def test_rule__discipline__grassroots_authorised_to_expel_decides_an_expulsion(app, pages, demo):
    from app.extensions import db
    from core.models import Unit

    with app.app_context():
        db.session.get(Unit, demo.units["phucthang"].id).may_expel = True
        db.session.commit()
    case_id = at_branch_vote(app, pages, plain_member(demo).id)
    assert branch_vote(pages, case_id, "expulsion", tally=(10, 10, 8, 2)).status_code == 302
    # Deciding takes more than half of the committee (6 of 11), not the 2/3 a proposal needs.
    assert _grassroots_vote(pages, case_id, "expulsion", tally=(11, 11, 6, 5)).status_code == 302
    assert case_state(app, case_id) == "decided"
    assert case_data(app, case_id)["final_form"] == "expulsion"
    # Even so, a member who sits on the committee goes up to the superior level.
    seated = at_branch_vote(app, pages, committee_member(demo).id)
    assert branch_vote(pages, seated, "expulsion", tally=(10, 10, 8, 2)).status_code == 302
    assert _grassroots_vote(pages, seated, "expulsion").status_code == 302
    assert case_state(app, seated) == "superior_decision"


def test_rule__discipline__route_follows_from_the_rules_not_the_user(api, demo):
    from tests.discipline_flow import REPORT

    api.as_user("bithu.trung")
    case_id = api.post("/cases", json={"type": "discipline", "person_id": plain_member(demo).id, **REPORT}
                       ).get_json()["id"]
    assert api.upload(case_id, "evidence", issued_on="2026-09-02").status_code == 201
    assert api.act(case_id, "record_self_review", {"submitted": "yes", "self_criticism": "Nhận khuyết điểm."}
                   ).status_code == 200
    action = next(a for a in api.case(case_id)["available_actions"] if a["name"] == "record_branch_vote")
    assert "resolution" not in action["form_schema"]["properties"]
    # An old client still sending the route is told the field is gone, and nothing changes.
    response = api.act(case_id, "record_branch_vote",
                       {"resolution_number": "12-NQ/CB", "proposed_form": "reprimand", "resolution": "propose", **vote("2026-11-20", 10, 10, 9, 1)})
    assert response.status_code == 422 and "resolution" in response.get_json()["errors"]
    assert api.case(case_id)["state"] == "branch_vote"
    response = api.act(case_id, "record_branch_vote", {"resolution_number": "12-NQ/CB", "proposed_form": "reprimand", **vote("2026-11-20", 10, 10, 9, 1)})
    assert response.status_code == 200 and response.get_json()["state"] == "decided"
