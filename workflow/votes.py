"""Votes: arithmetic, quorum and threshold in exact integer arithmetic.

A vote payload has ``meeting_date``, ``entitled`` (members entitled to vote),
``present``, ``votes_for`` and ``votes_against``. The arithmetic must hold
(0 <= for + against <= present <= entitled, entitled >= 1); the quorum
(default: more than half of the entitled present) must be met; the outcome is
``passed`` when ``votes_for`` reaches the rule's fraction of the base
(``entitled`` or ``present``), ``>=`` or ``>`` (``strict``). A rule counts the
members of a body (``voters="members"``, a branch meeting) or of a committee
(``voters="committee"``, e.g. a standing committee), and its message says which
(:func:`of_committee`).
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction

from wtforms import Form
from wtforms.fields import DateField, IntegerField
from wtforms.validators import InputRequired, NumberRange

from .i18n import _

VOTE_FIELDS = ("meeting_date", "entitled", "present", "votes_for", "votes_against")
# DOMAIN.md names the figures "for" and "against"; both spellings are accepted.
VOTE_ALIASES = {"for": "votes_for", "against": "votes_against"}


def normalise_vote_keys(payload: dict | None) -> dict:
    """The payload with ``for``/``against`` renamed to ``votes_for``/``votes_against``."""
    payload = dict(payload or {})
    for alias, name in VOTE_ALIASES.items():
        if alias in payload and name not in payload:
            payload[name] = payload.pop(alias)
    return payload


def _need(count: int, fraction: Fraction, strict: bool) -> int:
    """Smallest integer n with n >= fraction*count (or > when strict)."""
    num, den = fraction.numerator, fraction.denominator
    if strict:
        return num * count // den + 1
    return -(-num * count // den)


def _describe(fraction: Fraction, strict: bool) -> str:
    if fraction == Fraction(1, 2) and strict:
        return _("more than half")
    if strict:
        return _("more than %(num)s/%(den)s", num=fraction.numerator, den=fraction.denominator)
    return "%s/%s" % (fraction.numerator, fraction.denominator)


@dataclasses.dataclass(frozen=True)
class VoteResult:
    passed: bool
    needed: int
    quorum_needed: int
    message: str

    @property
    def outcome(self) -> str:
        return "passed" if self.passed else "failed"

    def as_payload(self) -> dict:
        return {"outcome": self.outcome, "needed": self.needed, "summary": self.message}


@dataclasses.dataclass(frozen=True)
class VoteRule:
    """Passes when votes_for >= numerator/denominator of base (> when strict)."""

    numerator: int = 1
    denominator: int = 2
    strict: bool = True
    base: str = "entitled"  # or "present"
    quorum_numerator: int = 1
    quorum_denominator: int = 2
    quorum_strict: bool = True
    voters: str = "members"  # or "committee": its members (ủy viên) vote

    def __post_init__(self):
        if self.denominator <= 0 or self.numerator < 0 or self.quorum_denominator <= 0:
            raise ValueError("vote fractions need a positive denominator")
        if self.base not in ("entitled", "present"):
            raise ValueError("base is 'entitled' or 'present'")
        if self.voters not in ("members", "committee"):
            raise ValueError("voters is 'members' or 'committee'")

    @property
    def fraction(self) -> Fraction:
        return Fraction(self.numerator, self.denominator)

    def check_arithmetic(self, v: dict) -> dict[str, list[str]]:
        """Field errors of an inconsistent vote (empty when consistent)."""
        errors: dict[str, list[str]] = {}
        for f in ("entitled", "present", "votes_for", "votes_against"):
            value = v.get(f)
            if not isinstance(value, int) or isinstance(value, bool):
                errors.setdefault(f, []).append(_("A whole number is required."))
            elif value < 0:
                errors.setdefault(f, []).append(_("Must not be negative."))
        if errors:
            return errors
        entitled, present, vfor, vagainst = v["entitled"], v["present"], v["votes_for"], v["votes_against"]
        if entitled < 1:
            errors.setdefault("entitled", []).append(_("At least one member must be entitled to vote."))
        if present > entitled:
            errors.setdefault("present", []).append(
                _("%(present)s present is more than the %(entitled)s entitled to vote.",
                  present=present, entitled=entitled))
        if vfor + vagainst > present:
            errors.setdefault("votes_for", []).append(
                _("%(for)s for and %(against)s against make %(total)s votes, more than the %(present)s present.",
                  **{"for": vfor, "against": vagainst, "total": vfor + vagainst, "present": present}))
        return errors

    def quorum_needed(self, entitled: int) -> int:
        return _need(entitled, Fraction(self.quorum_numerator, self.quorum_denominator), self.quorum_strict)

    def quorum_reason(self, v: dict) -> str | None:
        need = self.quorum_needed(v["entitled"])
        if v["present"] >= need:
            return None
        return _("Only %(present)s of %(entitled)s entitled were present; at least %(need)s are needed for a quorum.",
                 present=v["present"], entitled=v["entitled"], need=need)

    def evaluate(self, v: dict) -> VoteResult:
        """Outcome of a consistent vote (call :meth:`check_arithmetic` first)."""
        base = v[self.base]
        need = _need(base, self.fraction, self.strict)
        passed = v["votes_for"] >= need
        figures = {"for": v["votes_for"], "base": base, "need": need, "rule": _describe(self.fraction, self.strict)}
        if self.voters == "committee":
            if self.base == "entitled":
                text = _("%(for)s of %(base)s committee members entitled voted for; at least %(need)s (%(rule)s of "
                         "%(base)s) are needed.", **figures)
            else:
                text = _("%(for)s of %(base)s committee members present voted for; at least %(need)s (%(rule)s of "
                         "%(base)s) are needed.", **figures)
        elif self.base == "entitled":
            text = _("%(for)s of %(base)s entitled voted for; at least %(need)s (%(rule)s of %(base)s) are needed.",
                     **figures)
        else:
            text = _("%(for)s of %(base)s present voted for; at least %(need)s (%(rule)s of %(base)s) are needed.",
                     **figures)
        return VoteResult(passed=passed, needed=need, quorum_needed=self.quorum_needed(v["entitled"]), message=text)


TWO_THIRDS = VoteRule(2, 3, strict=False)
MAJORITY = VoteRule(1, 2, strict=True)


def of_committee(rule: VoteRule) -> VoteRule:
    """The same rule, voted by a committee's members (ủy viên) rather than a meeting's members."""
    return dataclasses.replace(rule, voters="committee")


COMMITTEE_TWO_THIRDS = of_committee(TWO_THIRDS)
COMMITTEE_MAJORITY = of_committee(MAJORITY)


class VoteForm(Form):
    """The vote fields; subclass it to add a transition's own fields."""

    meeting_date = DateField(validators=[InputRequired()])
    entitled = IntegerField(validators=[InputRequired(), NumberRange(min=1)])
    present = IntegerField(validators=[InputRequired(), NumberRange(min=0)])
    votes_for = IntegerField(validators=[InputRequired(), NumberRange(min=0)])
    votes_against = IntegerField(validators=[InputRequired(), NumberRange(min=0)])
