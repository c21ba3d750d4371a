"""Mermaid diagrams of definitions; engine messages through the pluggable translator."""

from __future__ import annotations

import pytest

from tests.fixtures_engine import Review, open_review
from workflow import engine, i18n
from workflow.diagram import case_diagram, mermaid
from workflow.errors import ActionNotAvailable


def test_mermaid_lists_every_transition_and_marks_the_current_state():
    text = mermaid(Review, current="vote")
    lines = text.splitlines()
    assert lines[0] == "stateDiagram-v2"
    assert "    [*] --> draft" in lines and "    [*] --> submitted" in lines
    assert "    vote --> decision: record_vote (branch_secretary @ branch)" in lines
    assert "    vote --> rejected: record_vote (branch_secretary @ branch)" in lines
    assert "    approved --> expired: expire (system)" in lines
    assert "    confirmed --> [*]" in lines
    assert lines[-1] == "    class vote current"
    assert "class" not in mermaid(Review)
    with pytest.raises(ValueError):
        mermaid(Review, current="nowhere")


def test_case_diagram_uses_the_case_state(dbsession, org):
    case = open_review(dbsession, org)
    assert case_diagram(case).splitlines()[-1] == "    class draft current"


def test_messages_go_through_the_plugged_translator(dbsession, org):
    catalog = {"The action %(action)s is not available in the state %(state)s.":
               "Không thể thực hiện %(action)s ở bước %(state)s."}
    i18n.set_translator(lambda msgid, **kw: catalog.get(msgid, msgid) % kw if kw else catalog.get(msgid, msgid))
    try:
        case = open_review(dbsession, org)
        with pytest.raises(ActionNotAvailable) as exc:
            engine.act(dbsession, case.id, "decide", org.standing)
        assert exc.value.message == "Không thể thực hiện decide ở bước draft."
    finally:
        i18n.set_translator(None)
    assert i18n.gettext("%(n)s days", n=3) == "3 days"
