"""A grading sheet: one line per member, checked and put in one shape.

A sheet is the payload of one step of a branch's grading case (self-assessments,
branch proposal, grassroots decision): ``{"rows": [{"person_id", "grade", "score"},
...], ...}``. Every member graded on the case needs exactly one line; under a
rulebook with scores (``qd366_2025``) the score is required and gives the grade
(a grade that disagrees with it is refused). The engine writes the sheet, each
member's line in it, as the step's one audit event.
"""

from __future__ import annotations

import math

from flask_babel import lazy_gettext as _l

from cases.dates import as_date
from cases.rulebooks import GradingRulebook
from workflow.errors import InvalidPayload
from workflow.i18n import _

from .models import GRADES
from .rules import grade_for_score


def _number(value) -> float | None:
    if isinstance(value, bool) or value is None or value == "":
        return None
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _person_id(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 10:
        return int(value.strip())
    return None


def parse_rows(rows, graded: list[int], names: dict[int, str], rulebook: GradingRulebook) -> list[dict]:
    """The sheet's lines as ``[{"person_id", "grade", "score"}]`` in ``graded``'s order.

    ``graded``: the members graded on the case; ``names``: their names for the messages.
    Raises :class:`~workflow.errors.InvalidPayload` (field ``rows``) listing every bad line
    by the member's name: an id not on the sheet (absent or outside the user's scope reads
    the same), a line twice, a member without a line, a missing or unknown grade, a score
    missing or outside 0–100 or disagreeing with the grade."""
    errors: list[str] = []
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise InvalidPayload({"rows": [str(_("Send one line per member: a list of {person_id, grade, score}."))]})
    wanted = set(graded)
    seen: dict[int, dict] = {}
    for index, row in enumerate(rows, start=1):
        pid = _person_id(row.get("person_id"))
        if pid is None or pid not in wanted:
            errors.append(str(_("Line %(n)s: no member with this id is graded on this sheet.", n=index)))
            continue
        name = names.get(pid, f"#{pid}")
        if pid in seen:
            errors.append(str(_("%(name)s has two lines.", name=name)))
            continue
        grade = row.get("grade") or None
        score = None
        if grade is not None and grade not in GRADES:
            errors.append(str(_("%(name)s: choose a grade.", name=name)))
            continue
        if rulebook.score_bands:
            raw = row.get("score")
            score = _number(raw)
            if raw in (None, ""):
                errors.append(str(_("%(name)s: the score is required (out of %(max)s).", name=name,
                                    max=rulebook.max_score)))
                continue
            if score is None or not 0 <= score <= rulebook.max_score:
                errors.append(str(_("%(name)s: the score must be a number from 0 to %(max)s.", name=name,
                                    max=rulebook.max_score)))
                continue
            by_score = grade_for_score(rulebook, score)
            if grade is not None and grade != by_score:
                errors.append(str(_("%(name)s: a score of %(score)s gives the grade %(by_score)s, not %(grade)s.",
                                    name=name, score=f"{score:g}", by_score=grade_label(by_score),
                                    grade=grade_label(grade))))
                continue
            grade = by_score
        elif grade is None:
            errors.append(str(_("%(name)s: choose a grade.", name=name)))
            continue
        seen[pid] = {"person_id": pid, "grade": grade, "score": score}
    missing = [names.get(pid, f"#{pid}") for pid in graded if pid not in seen]
    if missing and not errors:
        errors.append(str(_("No line for: %(names)s.", names=", ".join(missing))))
    if errors:
        raise InvalidPayload({"rows": errors})
    return [seen[pid] for pid in graded]


def required_text(payload: dict, *fields: str) -> dict[str, list[str]]:
    """Errors for each of ``fields`` missing or blank in ``payload`` (a text up to 100 characters)."""
    errors: dict[str, list[str]] = {}
    for name in fields:
        value = payload.get(name)
        if not isinstance(value, str) or not value.strip():
            errors[name] = [str(_("This field is required."))]
        elif len(value) > 100:
            errors[name] = [str(_("At most %(n)s characters.", n=100))]
    return errors


def required_date(payload: dict, *fields: str) -> dict[str, list[str]]:
    """Errors for each of ``fields`` that is not a date ``YYYY-MM-DD``."""
    errors: dict[str, list[str]] = {}
    for name in fields:
        value = payload.get(name)
        if not isinstance(value, str) or as_date(value) is None:
            errors[name] = [str(_("Enter a date (YYYY-MM-DD)."))]
    return errors


def grade_label(grade: str | None) -> str:
    """The words for a grade."""
    return str(GRADE_LABELS.get(grade, grade or ""))


GRADE_LABELS = {
    "excellent": _l("Excellently completed duties"),
    "good": _l("Well completed duties"),
    "complete": _l("Completed duties"),
    "not_complete": _l("Did not complete duties"),
}
