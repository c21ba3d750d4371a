"""Who acts next (workflow.access.next_turns, the engine's own level rule read
backwards) and the process drawn as SVG (workflow.diagram_svg), on the test flow."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tests.fixtures_engine import Review, advance_review, open_review
from workflow import access
from workflow.diagram_svg import svg

SVG = "{http://www.w3.org/2000/svg}"


def test_next_turns_name_the_role_unit_and_holders_of_the_step(dbsession, org):
    case = open_review(dbsession, org)
    turns = access.next_turns(dbsession, case)
    main = [t for t in turns if t.main]
    assert [(t.role, t.unit_id, [n for _i, n in t.holders]) for t in main] == \
        [("branch_secretary", org.branch.id, [org.secretary.display_name])]
    assert [ct.action for ct in main[0].transitions] == ["submit"]
    side = [t for t in turns if not t.main]
    assert [ct.action for t in side for ct in t.transitions] == ["withdraw"]  # offered from several steps
    # Every holder named may act: what available_actions answers for them.
    for t in turns:
        for user_id, _name in t.holders:
            user = next(u for u in (org.secretary, org.committee) if u.id == user_id)
            assert {ct.action for ct in t.transitions} <= {ct.action for ct in
                                                           access.available_actions(dbsession, case, user)}


def test_next_turns_follow_the_case_up_the_levels(dbsession, org):
    case = open_review(dbsession, org)
    advance_review(dbsession, org, case, "submitted")
    main = [t for t in access.next_turns(dbsession, case.id) if t.main]
    assert [(t.role, t.unit_id) for t in main] == [("committee_member", org.grassroots.id)]
    assert [n for _i, n in main[0].holders] == [org.committee.display_name]
    assert org.other_committee.display_name not in str(main)  # another commune's committee is not on the path


def test_next_turns_name_the_unit_when_no_one_holds_the_role(dbsession, org):
    from core.models import RoleAssignment

    dbsession.query(RoleAssignment).filter(RoleAssignment.user_id == org.committee.id).delete()
    dbsession.commit()
    case = open_review(dbsession, org)
    advance_review(dbsession, org, case, "submitted")
    main = [t for t in access.next_turns(dbsession, case.id) if t.main]
    assert [(t.role, t.unit_id, t.holders) for t in main] == [("committee_member", org.grassroots.id, ())]


def test_next_turns_of_a_timer_step_give_its_due_time(dbsession, org):
    case = open_review(dbsession, org)
    advance_review(dbsession, org, case, "approved")
    turns = access.next_turns(dbsession, case.id)
    system = [t for t in turns if t.role is None]
    assert len(system) == 1 and system[0].due_at is not None
    assert [ct.action for ct in system[0].transitions] == ["expire"]


def test_picture_marks_the_current_state_and_the_path_taken():
    out = svg(Review, lambda s: f"Bước {s}", current="vote", visited={"draft", "submitted"},
              taken={("draft", "submitted"), ("submitted", "vote")}, title="Quy trình")
    root = ET.fromstring(out)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img" and root.get("aria-label") == "Quy trình"
    nodes = {g.get("data-state"): g.get("class") for g in root.iter(f"{SVG}g")}
    assert set(nodes) == set(Review.states)
    assert "current" in nodes["vote"] and "visited" in nodes["draft"] and "visited" in nodes["submitted"]
    assert "end" in nodes["confirmed"] and "current" not in nodes["draft"]
    assert "Bước approved" in out  # the caller's words, not the state's code
    taken = [p for p in root.iter(f"{SVG}path") if p.get("class") == "edge taken"]
    assert sorted(p.find(f"{SVG}title").text for p in taken) == ["Review", "Submit"]  # the transitions' labels
    assert "<script" not in out


def test_picture_refuses_an_unknown_state():
    with pytest.raises(ValueError):
        svg(Review, str, current="nowhere")
