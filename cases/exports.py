"""Export of a unit in the member record's columns (the import's own format,
:mod:`cases.record_columns`): a units sheet (the unit's ancestors, then its
subtree: enough to rebuild the tree in an empty system) and a people sheet
(everyone in the subtree the user sees, with their posts and their latest
certificate of the course on party knowledge). Importing the export into a
fresh database gives the same people, posts and certificates back.

Three queries whatever the size (units, people, then posts and certificates
per thousand people); cells that would start a formula are written as text
(:mod:`cases.spreadsheet`).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.models import Certificate, Person, Post, Unit
from core.permissions import visible

from .record_columns import (EDUCATION_OUT, GENDER_OUT, LEVEL_OUT, PEOPLE_COLUMNS, PEOPLE_SHEET, STATUS_OUT,
                             UNIT_COLUMNS, UNITS_SHEET, join_path, write_posts)
from .spreadsheet import write_workbook

CHUNK = 900


def _names(session: Session, unit: Unit) -> tuple[list[Unit], dict[int, str]]:
    """The ancestors and the subtree of ``unit`` (by depth) and each one's full path of names."""
    units = list(session.scalars(sa.select(Unit).where(sa.or_(
        Unit.id.in_(unit.ancestor_ids), Unit.path.startswith(unit.path, autoescape=True)))))
    units.sort(key=lambda u: (len(u.ancestor_ids), u.path))
    names: dict[int, str] = {}
    for u in units:
        names[u.id] = join_path(([names[u.parent_id]] if u.parent_id in names else []) + [u.name])
    return units, names


def unit_rows(units: list[Unit], names: dict[int, str]) -> list[list]:
    """The units sheet's rows."""
    return [[names[u.id], LEVEL_OUT[u.level], "x" if u.grassroots_branch else "", "x" if u.hardship_area else "",
             "x" if u.may_admit else "", "x" if u.may_expel else ""] for u in units]


def people_rows(session: Session, user, unit: Unit, names: dict[int, str]) -> list[list]:
    """The people sheet's rows: everyone in ``unit``'s subtree whom ``user`` sees
    (None: the system, everyone), by unit then name."""
    stmt = (sa.select(Person).join(Unit, Unit.id == Person.unit_id)
            .where(Unit.path.startswith(unit.path, autoescape=True)).order_by(Unit.path, Person.name_folded, Person.id))
    if user is not None:
        stmt = stmt.where(visible(user, Unit.path, session, person_column=Person.id))
    people = list(session.scalars(stmt))
    posts: dict[int, list[Post]] = {}
    certs: dict[int, Certificate] = {}
    ids = [p.id for p in people]
    for i in range(0, len(ids), CHUNK):
        part = ids[i:i + CHUNK]
        for post in session.scalars(sa.select(Post).where(Post.person_id.in_(part))
                                    .order_by(Post.started_on, Post.id)):
            posts.setdefault(post.person_id, []).append(post)
        for cert in session.scalars(sa.select(Certificate).where(
                Certificate.person_id.in_(part), Certificate.kind == "party_knowledge")
                .order_by(Certificate.issued_on, Certificate.id)):
            certs[cert.person_id] = cert  # the latest wins
    rows = []
    for p in people:
        cert = certs.get(p.id)
        rows.append([
            p.full_name, p.date_of_birth, GENDER_OUT[p.gender], p.national_id, p.ethnicity, EDUCATION_OUT[p.education],
            p.residence, names.get(p.unit_id, str(p.unit_id)), STATUS_OUT[p.status], p.admission_date,
            p.official_date, p.party_card_number or "",
            write_posts([(x.title, x.started_on, x.ended_on, names.get(x.unit_id, str(x.unit_id)), x.committee_seat)
                         for x in posts.get(p.id, [])]),
            cert.number if cert else "", cert.issued_on if cert else None, cert.issuer if cert else "",
        ])
    return rows


def export_unit(session: Session, user, unit: Unit) -> bytes:
    """The XLSX workbook of ``unit`` (which ``user`` sees; None: the system)."""
    units, names = _names(session, unit)
    return write_workbook([
        (UNITS_SHEET, [h for _k, h in UNIT_COLUMNS], unit_rows(units, names)),
        (PEOPLE_SHEET, [h for _k, h in PEOPLE_COLUMNS], people_rows(session, user, unit, names)),
    ])
