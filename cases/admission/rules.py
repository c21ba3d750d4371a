"""The admission rules of DOMAIN.md as plain functions.

Each check returns a :class:`~cases.guards.Check` (passed or not, with the
reason in the user's language and the figures behind it), so the same functions
give the engine's guards their refusals and the case page its eligibility
checklist. Periods that change with the regulation come from the case's
rulebook (:mod:`cases.rulebooks`); the certificate rule is
:func:`cases.certificates.certificate_check`.

Source: Điều lệ Đảng, Điều 1 and Điều 4; Quy định 24-QĐ/TW (2021) and
Hướng dẫn 01-HD/TW (2021) on them (294-QĐ/TW and 06-HD/TW since 2025).
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from cases.dates import MONTHS_PER_YEAR, add_months, d, full_months
from cases.guards import Check
from core.enums import EDUCATION_RANK, Education, Level, PersonStatus
from core.models import Person, Unit
from workflow.i18n import _

MIN_AGE_MONTHS = 216  # 18 full years
MAX_AGE_MONTHS = 720  # 60 full years; more than this only with the province's written consent
INTRODUCER_MONTHS_ALONGSIDE = 12  # an introducer has worked or lived with the candidate this long
# Every dossier: the application, the personal history, an introduction by a member
# (3-KNĐ: both introducers, or the one beside a union resolution) and the opinions.
REQUIRED_DOCUMENTS = ("1-KNĐ", "2-KNĐ", "3-KNĐ", "5-KNĐ")
UNION_RESOLUTION_DOCUMENT = "4-KNĐ"  # when the Youth Union's (trade union's) resolution introduces


def age_check(person: Person, on: dt.date, has_consent: bool) -> Check:
    """Age on ``on`` (the branch vote), in full months: at least 216; more than
    720 (60 years and 1 month or more) only with ``has_consent`` (the latest
    document of kind ``consent``)."""
    months = full_months(person.date_of_birth, on)
    years, rest = divmod(months, MONTHS_PER_YEAR)
    title = _("Age from 18 to 60 on the day of the branch vote")
    if months < MIN_AGE_MONTHS:
        return Check("age", title, False, _(
            "On %(day)s the candidate is %(years)s years %(months)s months old; at least 18 full years are needed.",
            day=d(on), years=years, months=rest))
    if months > MAX_AGE_MONTHS and not has_consent:
        return Check("age", title, False, _(
            "On %(day)s the candidate is %(years)s years %(months)s months old, over 60: the province's written "
            "consent (a document of kind “consent”) is required.", day=d(on), years=years, months=rest))
    return Check("age", title, True, _("%(years)s years %(months)s months old on %(day)s.",
                                       years=years, months=rest, day=d(on)))


def education_check(person: Person, unit: Unit) -> Check:
    """Lower-secondary education at least; primary where the unit is a hardship area."""
    title = _("Education: lower secondary (primary in hardship areas)")
    needed = Education.primary if unit.hardship_area else Education.lower_secondary
    if EDUCATION_RANK[person.education] >= EDUCATION_RANK[needed]:
        return Check("education", title, True, _("Education level is sufficient."))
    if unit.hardship_area:
        return Check("education", title, False, _("At least primary education is needed, even in a hardship area."))
    return Check("education", title, False, _(
        "At least lower secondary education is needed; primary is enough only in a hardship area."))


def grassroots_of(session: Session, unit: Unit) -> Unit | None:
    """The grassroots organisation the unit belongs to (itself for a chi bộ cơ sở)."""
    ids = unit.ancestor_ids
    units = {u.id: u for u in session.scalars(sa.select(Unit).where(Unit.id.in_(ids)))}
    for uid in reversed(ids):
        if units[uid].level is Level.grassroots:
            return units[uid]
    return None


def alongside_since(candidate: Person, introducer: Person) -> dt.date | None:
    """When the introducer does not state it, since when the two have been
    together under the grassroots organisation, from the registry: the later of
    the days each joined their unit."""
    if candidate.joined_unit_on is None or introducer.joined_unit_on is None:
        return None
    return max(candidate.joined_unit_on, introducer.joined_unit_on)


def introducers_check(session: Session, candidate: Person, unit: Unit, introducers: Sequence[dict],
                      union_resolution: str | None, on: dt.date) -> Check:
    """``introducers``: ``[{"person_id", "since"}]``; ``union_resolution``:
    ``"youth_union"``, ``"trade_union"`` or None."""
    title = _("Introducers: 2 official members, or the Youth Union's (trade union's) resolution and 1 member")
    problems: list[str] = []
    grassroots = grassroots_of(session, unit)
    valid = 0
    seen: set[int] = set()
    for item in introducers:
        pid = item.get("person_id")
        if not pid or pid in seen:
            continue
        seen.add(pid)
        person = session.get(Person, int(pid))
        if person is None:
            problems.append(_("Introducer no. %(id)s does not exist.", id=pid))
            continue
        if person.id == candidate.id:
            problems.append(_("The candidate cannot introduce themselves."))
            continue
        if person.status is not PersonStatus.official:
            problems.append(_("%(name)s is not an official member and cannot introduce.", name=person.full_name))
            continue
        if grassroots is None or not person.unit.path.startswith(grassroots.path):
            problems.append(_("%(name)s does not belong to a unit of %(org)s.", name=person.full_name,
                              org=grassroots.name if grassroots else "—"))
            continue
        since = item.get("since")
        if isinstance(since, str):
            since = dt.date.fromisoformat(since)
        if since is None:
            since = alongside_since(candidate, person)
        if since is None or add_months(since, INTRODUCER_MONTHS_ALONGSIDE) > on:
            problems.append(_("%(name)s has worked or lived with the candidate since %(since)s: less than 12 months "
                              "before %(day)s.", name=person.full_name, since=d(since), day=d(on)))
            continue
        valid += 1
    if union_resolution == "youth_union" and not candidate.youth_union_member:
        problems.append(_("The candidate is not a Youth Union member, so a Youth Union resolution cannot introduce them."))
        union_resolution = None
    if union_resolution == "trade_union" and (candidate.youth_union_member or not candidate.trade_union_member):
        problems.append(_("A trade union resolution introduces only a trade union member who is not in the Youth Union."))
        union_resolution = None
    needed = 1 if union_resolution else 2
    if valid >= needed and not problems:
        return Check("introducers", title, True, _("%(n)s valid introducer(s).", n=valid))
    if valid < needed:
        if union_resolution:
            problems.append(_("With the union's resolution, 1 official member must also introduce; %(n)s valid.", n=valid))
        else:
            problems.append(_("2 official members must introduce the candidate; only %(n)s valid.", n=valid))
    return Check("introducers", title, False, " ".join(problems))


def documents_checks(documents: Iterable, on: dt.date, union_resolution: str | None,
                     valid_months: int) -> list[Check]:
    """The dossier's documents are present (``documents``: the latest upload of
    each kind, objects with ``kind`` and ``issued_on``), and none is older than
    ``valid_months`` (the rulebook's ``document_valid_months``) on ``on``, the
    branch vote. An introduction by a member (3-KNĐ) is needed whoever
    introduces; the union's resolution (4-KNĐ) when ``union_resolution`` is chosen."""
    docs = list(documents)
    kinds = [doc.kind for doc in docs]
    missing = [k for k in REQUIRED_DOCUMENTS if k not in kinds]
    if union_resolution and UNION_RESOLUTION_DOCUMENT not in kinds:
        missing.append(UNION_RESOLUTION_DOCUMENT)
    present = Check("documents", _("Dossier documents present (1-KNĐ, 2-KNĐ, 3-KNĐ/4-KNĐ, 5-KNĐ)"), not missing,
                    _("Missing: %(kinds)s.", kinds=", ".join(missing)) if missing else _("All present."))
    limit = add_months(on, -valid_months)
    stale = sorted({doc.kind for doc in docs if doc.kind.endswith("-KNĐ") and doc.issued_on < limit})
    title = _("Documents at most %(months)s months old at the branch vote", months=valid_months)
    fresh = Check("documents_fresh", title, not stale,
                  _("Older than %(months)s months on %(day)s, to be redone: %(kinds)s.", months=valid_months, day=d(on),
                    kinds=", ".join(stale)) if stale else _("All fresh."))
    return [present, fresh]
