"""The demo district as the tests use it: the moment the tests' clock is set
to, and who is who among the people of a branch."""

from __future__ import annotations

from contextlib import contextmanager

TODAY = "2026-11-20"
NOW = "2026-11-20T03:00:00Z"  # a Friday, 10:00 in Hà Nội
# The flows open their cases on this day (a Monday), before the votes and decisions
# they then record: a vote or decision may not precede the case's opening.
OPENED = "2026-11-02T03:00:00Z"


@contextmanager
def opening(at: str = OPENED):
    """While opening a case, the shared clock reads ``at`` when it read a later
    time (then it is set back); an earlier or a running clock is left alone."""
    from core import clock

    path = clock._clock_file
    before = open(path, encoding="utf-8").read().strip() if path else ""
    moved = before[:1].isdigit() and before > at
    if moved:
        clock.write_clock_file(path, at)
    try:
        yield
    finally:
        if moved:
            clock.write_clock_file(path, before)


def members(demo, key="trung", status="official"):
    """The people of a demo branch with this status, in the demo's order."""
    return [p for p in demo.people[key] if p.status.value == status]


def officials(demo, key="trung"):
    return members(demo, key)


def candidate(demo, key="trung", index=0):
    return members(demo, key, "candidate")[index]


def committee_member(demo):
    """The thôn Trung member who sits on the Phúc Thắng committee (official #2)."""
    return members(demo)[1]


def plain_member(demo, index=3):
    """An official member of thôn Trung with no post."""
    return members(demo)[index]
