"""Property tests: random small definitions, random actions by random actors.

Whatever happens, a case is only ever in a state of its definition, audit
sequence numbers are never skipped or doubled, the chain always verifies,
every refused action leaves the database unchanged, and ``available_actions``
is exactly what ``act`` accepts on state and permission grounds.
"""

from __future__ import annotations

import enum
import itertools

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.enums import Level, Role
from tests.fixtures_engine import table_counts
from workflow import access, engine
from workflow.verify import verify_case
from workflow.definition import Process, Start, Transition
from workflow.errors import (ActionNotAvailable, GuardFailed, InvalidPayload, NotPermitted, StaleCase,
                             UnknownAction)
from workflow.models import AuditEvent
from workflow.votes import MAJORITY

_names = itertools.count(1)

ROLE_LEVELS = [
    (Role.branch_secretary, Level.branch),
    (Role.committee_member, Level.grassroots),
    (Role.inspection_officer, Level.grassroots),
    (Role.standing_member, Level.superior),
    (Role.organisation_officer, Level.superior),
    (Role.branch_deputy, Level.branch),  # nobody holds it
]
ACTORS = ["secretary", "committee", "inspector", "standing", "organiser", "other_secretary", "nobody"]
VOTE = {"meeting_date": "2025-03-03", "entitled": 5, "present": 4, "votes_for": 3, "votes_against": 1}


@st.composite
def definitions(draw):
    n = draw(st.integers(3, 6))
    states = [f"s{i}" for i in range(n)]
    end = states[-1]
    spec = []  # (action, source, target or (passed, failed), role_level index, vote)
    # A spine keeps every state reachable and every non-end state with a way out.
    for i in range(n - 1):
        spec.append((f"step{i}", states[i], states[i + 1], draw(st.integers(0, len(ROLE_LEVELS) - 1)), False))
    for j in range(draw(st.integers(0, 5))):
        src = draw(st.sampled_from(states[:-1]))
        rl = draw(st.integers(0, len(ROLE_LEVELS) - 1))
        if draw(st.booleans()):
            spec.append((f"vote{j}", src, (draw(st.sampled_from(states)), draw(st.sampled_from(states))), rl, True))
        else:
            spec.append((f"extra{j}", src, draw(st.sampled_from(states)), rl, False))
    State = enum.Enum(f"State{next(_names)}", {s: s for s in states}, type=str)
    transitions = []
    for action, src, dst, rl, is_vote in spec:
        role, level = ROLE_LEVELS[rl]
        if is_vote:
            transitions.append(Transition(action, src, {"passed": dst[0], "failed": dst[1]}, role=role, level=level,
                                          vote=MAJORITY))
        else:
            transitions.append(Transition(action, src, dst, role=role, level=level))
    proc = type("Random", (Process,), {
        "name": f"random_{next(_names)}", "version": 1, "State": State,
        "starts": [Start(states[0], Role.branch_secretary, Level.branch)], "ends": [end],
        "transitions": transitions,
    })
    return proc


steps = st.lists(
    st.tuples(
        st.integers(0, 20),  # which action (modulo the definition's actions + a bogus one)
        st.sampled_from(ACTORS),
        st.sampled_from(["none", "right", "wrong"]),  # expected_version
        st.sampled_from(["good", "bad", "quorum"]),  # vote payload
    ),
    min_size=1, max_size=12,
)


@pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(process=definitions(), plan=steps)
def test_random_runs_keep_every_invariant(dbsession, org, process, plan):
    case = engine.start(dbsession, process, unit=org.branch, actor=org.secretary)
    actions = sorted(process.by_action) + ["bogus"]
    seq = 1
    for pick, who, version_mode, vote_mode in plan:
        action = actions[pick % len(actions)]
        actor = getattr(org, who)
        snap = access.load_snapshot(dbsession, case.id)
        dbsession.rollback()
        available = {t.action for t in access.available_actions(dbsession, case.id, actor)}
        dbsession.rollback()
        expected_version = {"none": None, "right": snap.version, "wrong": snap.version + 7}[version_mode]
        payload = {"good": VOTE, "bad": dict(VOTE, present=9), "quorum": dict(VOTE, present=2, votes_for=1)}[vote_mode]
        before = table_counts(dbsession)
        try:
            result = engine.act(dbsession, case.id, action, actor, payload, expected_version=expected_version)
        except StaleCase:
            assert version_mode == "wrong"
            assert table_counts(dbsession) == before
            continue
        except (NotPermitted, ActionNotAvailable, UnknownAction):
            assert action not in available
            assert table_counts(dbsession) == before
            continue
        except (InvalidPayload, GuardFailed):
            assert action in available and process.compiled[(snap.state, action)].vote is not None
            assert table_counts(dbsession) == before
            continue
        assert action in available
        seq += 1
        assert result.seq == seq and result.version == snap.version + 1
        assert result.to_state in process.states
        assert result.to_state in process.compiled[(snap.state, action)].possible_targets
    seqs = dbsession.scalars(sa.select(AuditEvent.seq).where(AuditEvent.case_id == case.id)
                             .order_by(AuditEvent.seq)).all()
    assert seqs == list(range(1, seq + 1))
    final = access.load_snapshot(dbsession, case.id)
    assert final.state in process.states
    assert verify_case(dbsession, case.id) is None
    dbsession.rollback()
