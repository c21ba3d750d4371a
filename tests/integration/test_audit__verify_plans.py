"""The one-pass plan of ``verify --full`` gives the reference plan's answers.

Every tampering scenario of ``test_audit__tamper.py`` is run with ranges of
two events (each case's chain crosses several ranges, so every link between
ranges goes through the merge), in a pool of two processes, with
``--plan range`` and with the reference ``--plan cases``: the problems,
their order and their wording must be the same, line for line.
"""

from __future__ import annotations

import re

import pytest

from tests.integration.test_audit__tamper import NAMES, history, scenarios, tamper  # noqa: F401 (fixture)
from workflow import verify


@pytest.fixture
def tiny_ranges(monkeypatch):
    """Merkle blocks of 2 leaves and one block a task: a range of ids is 2 events."""
    monkeypatch.setattr(verify, "BLOCK", 2)
    monkeypatch.setattr(verify, "LEAF_BLOCKS_PER_TASK", 1)
    monkeypatch.setattr(verify, "CASES_PER_TASK", 1)
    monkeypatch.setattr(verify, "MIN_CASES_PER_TASK", 1)


def _answer(h, plan: str) -> tuple[int, str]:
    result = h.verify("--plan", plan, "--workers", "2")
    return result.exit_code, re.sub(r"; \d+\.\d s", "", result.output)


def test_both_plans_pass_a_clean_history(history, tiny_ranges):  # noqa: F811
    code, out = _answer(history, "range")
    assert code == 0 and "OK (3 cases, 13 events;" in out, out
    assert (code, out) == _answer(history, "cases")


@pytest.mark.parametrize("name", NAMES)
def test_the_one_pass_plan_names_the_same_problems(history, tiny_ranges, name):  # noqa: F811
    statements, expected = scenarios(history)[name]
    tamper(history, *statements)
    code, out = _answer(history, "range")
    assert code == 1 and expected in out.split("first bad event: ", 1)[1], out
    assert (code, out) == _answer(history, "cases")
