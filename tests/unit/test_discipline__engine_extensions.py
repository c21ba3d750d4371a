"""The engine features the discipline process needed, on a tiny flow declared here:
a vote rule chosen per act, conditional timers, closing transitions, Start
effects, and a linked case opened in the acting transaction."""

from __future__ import annotations

import datetime as dt
import enum

import pytest
import sqlalchemy as sa
from wtforms import Form
from wtforms.fields import SelectField, StringField
from wtforms.fields.choices import SelectChoice

from core.enums import Level, Role
from tests.fixtures_engine import table_counts
from core import clock
from workflow import engine
from workflow.definition import Process, Start, TimerSpec, Transition
from workflow.errors import NotPermitted
from workflow.models import Case
from workflow.timers import fire_due_timers, pending_timers
from workflow.votes import MAJORITY, TWO_THIRDS, VoteForm


class KindForm(Form):
    kind = SelectField(choices=[SelectChoice("light", "light"), SelectChoice("heavy", "heavy")])


class KindVoteForm(VoteForm):
    kind = SelectField(choices=[SelectChoice("light", "light"), SelectChoice("heavy", "heavy")])


class NoteForm(Form):
    note = StringField()


def store_kind(ctx):
    ctx.update_data(kind=ctx.payload["kind"])


class Linked(Process):
    name = "ext_linked"

    class State(str, enum.Enum):
        open = "open"
        done = "done"

    starts = [Start(State.open, Role.branch_secretary, Level.branch, form=NoteForm)]
    ends = [State.done]
    transitions = [Transition("finish", State.open, State.done, role=Role.branch_secretary, level=Level.branch)]


def open_linked(ctx):
    other = engine.start_linked(ctx, Linked, payload={"note": "from the parent"}, data={"parent": ctx.snapshot.id})
    ctx.update_data(child=other.id)


class Ext(Process):
    name = "ext_discipline"

    class State(str, enum.Enum):
        voting = "voting"
        held = "held"
        lapsed = "lapsed"
        rejected = "rejected"
        spun_off = "spun_off"

    S = State
    starts = [Start(State.voting, Role.branch_secretary, Level.branch, form=KindForm, effects=[store_kind])]
    ends = [State.lapsed, State.rejected, State.spun_off]
    transitions = [
        Transition("vote", State.voting, {"passed": State.held, "failed": State.rejected}, role=Role.branch_secretary,
                   level=Level.branch, form=KindVoteForm,
                   vote=lambda ctx: TWO_THIRDS if ctx.payload.get("kind") == "heavy" else MAJORITY),
        Transition("spin_off", State.voting, State.spun_off, role=Role.branch_secretary, level=Level.branch,
                   effects=[open_linked]),
        Transition("lapse", State.held, State.lapsed,
                   timer=TimerSpec(delay=dt.timedelta(days=10), when=lambda ctx: ctx.data.get("kind") == "light")),
        Transition("settle", State.held, State.held, closes=True,
                   timer=TimerSpec(delay=dt.timedelta(days=5), when=lambda ctx: ctx.data.get("kind") == "heavy")),
    ]


def tally(kind, votes_for, entitled=10):
    return {"kind": kind, "meeting_date": "2025-03-03", "entitled": entitled, "present": entitled,
            "votes_for": votes_for, "votes_against": entitled - votes_for}


@pytest.fixture
def at(clock_file):
    clock.write_clock_file(str(clock_file), "2025-03-03T02:00:00")
    return clock_file


def test_discipline__engine_start_effects_store_data_and_vote_rule_is_chosen_per_act(dbsession, org, at):
    light = engine.start(dbsession, Ext, unit=org.branch, actor=org.secretary, payload={"kind": "light"})
    heavy = engine.start(dbsession, Ext, unit=org.branch, actor=org.secretary, payload={"kind": "heavy"})
    assert light.data == {"kind": "light"}
    # 6 of 10: a majority passes, two thirds does not.
    assert engine.act(dbsession, light.id, "vote", org.secretary, tally("light", 6)).to_state == "held"
    assert engine.act(dbsession, heavy.id, "vote", org.secretary, tally("heavy", 6)).to_state == "rejected"


def test_discipline__engine_conditional_timers_and_closing_transition(dbsession, org, at):
    light = engine.start(dbsession, Ext, unit=org.branch, actor=org.secretary, payload={"kind": "light"})
    heavy = engine.start(dbsession, Ext, unit=org.branch, actor=org.secretary, payload={"kind": "heavy"})
    engine.act(dbsession, light.id, "vote", org.secretary, tally("light", 6))
    engine.act(dbsession, heavy.id, "vote", org.secretary, tally("heavy", 7))
    assert [t.action for t in pending_timers(dbsession, light.id)] == ["lapse"]
    assert [t.action for t in pending_timers(dbsession, heavy.id)] == ["settle"]
    clock.write_clock_file(str(at), "2025-03-20T00:00:00")
    assert fire_due_timers(dbsession) == 2
    dbsession.expire_all()
    light, heavy = dbsession.get(Case, light.id), dbsession.get(Case, heavy.id)
    assert (light.state, light.closed_at is not None) == ("lapsed", True)
    # A closing self-loop: the state stays, the case is closed.
    assert (heavy.state, heavy.closed_at is not None) == ("held", True)


def test_discipline__engine_linked_case_opens_in_the_same_transaction(dbsession, org, at):
    parent = engine.start(dbsession, Ext, unit=org.branch, actor=org.secretary, payload={"kind": "light"})
    engine.act(dbsession, parent.id, "spin_off", org.secretary)
    dbsession.expire_all()
    parent = dbsession.get(Case, parent.id)
    child = dbsession.get(Case, parent.data["child"])
    assert (parent.state, child.process, child.state) == ("spun_off", "ext_linked", "open")
    assert child.data == {"parent": parent.id} and child.person_id == parent.person_id


def test_discipline__engine_refused_linked_start_rolls_back_both(dbsession, org, at):
    # The secretary of another branch may not open the child here: nothing is written.
    parent = engine.start(dbsession, Ext, unit=org.branch, actor=org.secretary, payload={"kind": "light"})
    before = table_counts(dbsession)
    original = Linked.start_specs["open"]
    Linked.start_specs["open"] = Start(Linked.State.open, Role.standing_member, Level.superior, form=NoteForm)
    try:
        with pytest.raises(NotPermitted):
            engine.act(dbsession, parent.id, "spin_off", org.secretary)
    finally:
        Linked.start_specs["open"] = original
    assert table_counts(dbsession) == before
    assert dbsession.scalar(sa.select(Case.state).where(Case.id == parent.id)) == "voting"
