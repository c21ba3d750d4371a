"""What the default ``flask audit verify`` (from the last signed checkpoint)
sees of each tampering of tests/integration/test_audit__tamper.py.

The quick check reads only what came after the last checkpoint, every case
that changed since, and the count of the events it covers; an edit to a case
that nothing touched since the checkpoint is left to ``--full`` (which the
tamper tests run on every scenario). This test pins the division, so that the
list in docs/DECISIONS.md ("Verification that scales (issue 16)") stays true:
each scenario is either detected by the quick check with the same first bad
event as the full check, or listed in FULL_ONLY and then not reported by it.
"""

from __future__ import annotations

import pytest

from tests.integration.test_audit__tamper import (  # noqa: F401  (history is a fixture)
    NAMES, history, scenarios, tamper)

# Detected by `flask audit verify --full` only: they change cases (or their rows)
# that no event after the checkpoint touched, so the quick check does not read them.
FULL_ONLY = {
    "edit an event field",
    "edit an event and recompute its hash",
    "edit an event, recompute the rest of its chain and the case head",
    "reorder two events of a case",
    "swap two events' places in the global sequence",
    "change a case's state column",
    "change a case's head hash",
    "change an event's timestamp",
    "change the actor",
    "change the payload of a vote",
    "swap events between cases",
    "rewrite a chain with MACs under the attacker's own key",
    "rewrite a chain and strip its MACs",
    "add a case row with no events",
}
# Events deleted from the checkpoint's range: the quick check counts them (the full
# check names the place of the first one instead).
COUNTED = "the checkpoint covers events 1..13 but "
QUICK_FIRST = {
    "delete the last event of a case and roll back its head": COUNTED + "12 of them remain",
    "delete a middle event": COUNTED + "12 of them remain",
    "truncate a case's chain": COUNTED + "11 of them remain",
    "delete a whole case with its events": COUNTED + "9 of them remain",
    "delete an event and renumber the later ones to close the gap": COUNTED + "12 of them remain",
    "delete the newest events of the history and roll back the heads": COUNTED + "11 of them remain",
}


@pytest.mark.parametrize("name", NAMES)
def test_the_quick_check_detects_or_leaves_to_full(history, name):
    statements, expected = scenarios(history)[name]
    tamper(history, *statements)
    result = history.app.test_cli_runner().invoke(args=["audit", "verify"])
    if name in FULL_ONLY:
        assert result.exit_code == 0, result.output
        assert "OK (0 events since the checkpoint" in result.output
    else:
        assert result.exit_code == 1, result.output
        first = result.output.split("first bad event: ", 1)[1]
        assert QUICK_FIRST.get(name, expected) in first.splitlines()[0], result.output


def test_the_division_covers_every_scenario():
    assert FULL_ONLY | set(QUICK_FIRST) <= set(NAMES) and not FULL_ONLY & set(QUICK_FIRST)
    assert len(NAMES) == 23
