"""Member-registry operations shared by the pages and the API: the people
list (accent-insensitive, index-backed name search), registering a candidate,
and recording a certificate earned before the system (posts: :mod:`cases.posts`).

Like :mod:`cases.queries`, functions take a plain session and the acting user,
filter with :mod:`core.permissions`, and raise the engine's typed errors
(``NotPermitted``, ``InvalidPayload``) or :class:`cases.cursor.BadCursor`.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, contains_eager

from core.enums import Education, Gender, PersonStatus
from core.models import Certificate, Person, Unit
from core.permissions import RECORD_PRIOR_CERTIFICATE, REGISTER_PERSON, allows, can_view, scope_paths, visible
from core.text import fold
from forms.people import PriorCertificateForm
from workflow.errors import InvalidPayload, NotPermitted
from workflow.guards import validate_form
from workflow.i18n import _

from .certificates import PARTY_KNOWLEDGE, number_taken
from .cursor import BadCursor, decode_cursor, encode_cursor, is_id

# The highest code point: ``prefix <= x < prefix + TOP`` is a prefix match in binary order.
TOP = "\U0010ffff"


def name_prefix(column, q: str, dialect: str):
    """Names starting with the folded ``q``, in a form each database's index serves.

    PostgreSQL: ``LIKE 'q%'`` uses ``ix_person_name_folded_pattern``
    (varchar_pattern_ops). SQLite's LIKE is case-insensitive and so cannot use a
    BINARY index; the equivalent range ``q <= name < q || U+10FFFF`` can.
    """
    folded = fold(q)
    if dialect == "sqlite":
        return sa.and_(column >= folded, column < folded + TOP)
    return column.startswith(folded, autoescape=True)


def name_matches(column, q: str, dialect: str, id_column=None):
    """Names matching ``q`` (folded: without diacritics, any case) from the start of
    any word: "vu ngoc" and "ngoc dat" both find "Vũ Ngọc Đạt", "van" finds
    "Nguyễn Văn An" and "Lê Thị Vân". The one rule for every name search (the
    people lists and the pages' person pickers).

    The condition is ``name LIKE 'q%' OR name LIKE '% q%'`` on the folded name,
    served by an index on both databases (migration 0013): on PostgreSQL the
    ``pg_trgm`` GIN index ``ix_person_name_trgm`` answers both LIKEs; on SQLite,
    whose LIKE no index serves, ``id_column`` (the person's id) must be given and
    the FTS5 index ``search_name`` first selects the names with the words of ``q``
    as a phrase, its last word a prefix; the LIKEs then check exactly."""
    folded = fold(q)
    exact = sa.or_(name_prefix(column, q, dialect), column.contains(" " + folded, autoescape=True))
    words = re.findall(r"[0-9a-z]+", folded)
    if dialect != "sqlite" or id_column is None or not words:
        return exact
    phrase = '"' + " ".join(words) + '"*'
    found = sa.select(sa.column("rowid")).select_from(sa.table("search_name")).where(
        sa.text("search_name MATCH :phrase").bindparams(phrase=phrase))
    return sa.and_(id_column.in_(found), exact)


def name_rank(column, q: str | None, dialect: str):
    """0 for a name that starts with ``q`` (folded), 1 for one where a later word
    does: a search lists prefix matches first (then by name)."""
    if not q or not fold(q):
        return sa.literal(0)
    return sa.case((name_prefix(column, q, dialect), 0), else_=1)


def people_criteria(session: Session, user, status: str | None = None, unit: Unit | None = None) -> list:
    """The criteria (on ``Person`` joined to its ``Unit``) of the people list without its name
    filter: the people the user may see, of ``status``, in ``unit``'s subtree."""
    criteria = [visible(user, Unit.path, session, person_column=Person.id)]
    if status:
        criteria.append(Person.status == PersonStatus(status))
    if unit is not None:
        criteria.append(Unit.path.startswith(unit.path, autoescape=True))
    return criteria


def people_query(session: Session, user, q: str | None = None, status: str | None = None,
                 unit: Unit | None = None, name_index: bool = True):
    """SELECT of the people the user may see (their unit loaded with them, in the same
    statement), filtered by name (:func:`name_matches`), status and unit subtree;
    ``name_index=False``: the name checked without a name index (:func:`searched_name`)."""
    stmt = (sa.select(Person).join(Unit, Unit.id == Person.unit_id).options(contains_eager(Person.unit))
            .where(*people_criteria(session, user, status, unit)))
    if q and fold(q):
        dialect = session.get_bind().dialect.name
        stmt = stmt.where(name_matches(searched_name(dialect, name_index), q, dialect, Person.id))
    return stmt


def searched_name(dialect: str, name_index: bool = True):
    """The folded name as a name search filters it: the column, or on PostgreSQL without
    ``name_index`` an expression no name index serves (``name_folded || ''``), for a page
    read from a few units' people, where the trigram index of a long query costs more
    (~20 ms) than checking the scope's every name."""
    if name_index or dialect != "postgresql":
        return Person.name_folded
    return Person.name_folded.concat("")


def narrow_search(session: Session, q: str | None, criteria: list, own_units: list[int] | None,
                  after: tuple | None, limit: int, own_person: int | None = None):
    """A condition on ``Person`` that lets a page of a name search be read from an index
    without changing its rows (None: nothing to add). ``criteria`` are the search's own
    (on ``Person`` joined to its ``Unit``); ``own_units`` the ids of the units they admit
    people of when known and few (:func:`units_within`), ``own_person`` someone admitted
    besides. A few units: their people from ``ix_person_unit_status``; else, on
    PostgreSQL, the first ``limit`` of each word's streams (:func:`cases.name_words.candidates`)."""
    if own_units is not None:
        by_unit = Person.unit_id.in_(own_units)
        return by_unit if own_person is None else sa.or_(by_unit, Person.id == own_person)
    if not q or not fold(q) or session.get_bind().dialect.name != "postgresql":
        return None
    from .name_words import byte_ordered, candidates

    return Person.id.in_(candidates(q, criteria, Person.id, after, limit, byte_ordered(session)))


# A name search whose scope holds at most this many units reads their people
# (ix_person_unit_status); a larger one reads the word streams (docs/DECISIONS.md).
SEARCH_UNITS_LIMIT = 500


def units_within(session: Session, paths, limit: int | None = None) -> list[int] | None:
    """The ids of the units under any of ``paths`` (unit paths) when they are at most
    ``limit`` (default :data:`SEARCH_UNITS_LIMIT`), else None; one statement."""
    if not paths:
        return []
    limit = SEARCH_UNITS_LIMIT if limit is None else limit
    ids = list(session.scalars(sa.select(Unit.id).where(
        sa.or_(*[Unit.path.startswith(p, autoescape=True) for p in paths])).limit(limit + 1)))
    return ids if len(ids) <= limit else None


def list_people(session: Session, user, q: str | None = None, status: str | None = None,
                unit: Unit | None = None, cursor: str | None = None, limit: int = 50):
    """A page of the people the user may see, in one statement: names starting with
    ``q`` first, then those where a later word does, each by folded name then id
    (keyset on the three): ``(people, next_cursor)``; :class:`BadCursor` for a malformed cursor.
    A name search first reads which units the scope holds (one more statement) to read
    the page from an index (:func:`narrow_search`)."""
    units = None
    if q and fold(q):
        units = units_within(session, [unit.path] if unit is not None else scope_paths(session, user))
    stmt = people_query(session, user, q, status, unit, name_index=units is None)
    rank = name_rank(Person.name_folded, q, session.get_bind().dialect.name)
    after = decode_cursor(cursor, 3)
    if after:
        after_rank, name, pid = after
        if after_rank not in (0, 1) or not isinstance(name, str) or not is_id(pid):
            raise BadCursor()
        stmt = stmt.where(sa.or_(rank > after_rank, sa.and_(rank == after_rank, sa.or_(
            Person.name_folded > name, sa.and_(Person.name_folded == name, Person.id > pid)))))
    if q and fold(q):
        narrow = narrow_search(session, q, people_criteria(session, user, status, unit), units, tuple(after) if after else None,
                               limit + 1,
                               None if unit is not None else getattr(user, "person_id", None))
        if narrow is not None:
            stmt = stmt.where(narrow)
    stmt = stmt.add_columns(rank.label("rank")).order_by(rank, Person.name_folded, Person.id)
    rows = session.execute(stmt.limit(limit + 1)).all()
    people = [row[0] for row in rows[:limit]]
    if len(rows) <= limit:
        return people, None
    last = rows[limit - 1]
    return people, encode_cursor(int(last[1]), last[0].name_folded, last[0].id)


def register_candidate(session: Session, user, data: dict) -> Person:
    """Add a candidate (quần chúng) from validated form data (see forms/people.py); flushes.

    Raises ``InvalidPayload`` for a unit outside the user's scope (worded as
    an absent one) or not a branch, or a national id already registered
    anywhere (worded the same in and outside the user's units), and
    ``NotPermitted`` where the user may not register people
    (:data:`core.permissions.REGISTER_PERSON`)."""
    unit = session.get(Unit, data["unit_id"])
    if unit is None or not can_view(user, unit, session):
        raise InvalidPayload({"unit_id": [_("No such unit among your units.")]})
    if not unit.grassroots_branch and unit.level.value != "branch":
        raise InvalidPayload({"unit_id": [_("A candidate belongs to a branch (chi bộ) or a grassroots branch.")]})
    if not allows(session, user, REGISTER_PERSON, unit):
        raise NotPermitted(_("You may not register people at this unit."))
    # One answer whether the number is registered in the user's units or elsewhere: it says
    # neither who nor where (docs/DECISIONS.md, "Edge validation").
    taken = _("This national id number cannot be registered here.")
    if session.scalar(sa.select(Person.id).where(Person.national_id == data["national_id"])):
        raise InvalidPayload({"national_id": [taken]})
    person = Person(full_name=data["full_name"], date_of_birth=data["date_of_birth"], gender=Gender(data["gender"]),
                    national_id=data["national_id"], education=Education(data["education"]),
                    ethnicity=data.get("ethnicity") or "Kinh", residence=data.get("residence") or "",
                    unit_id=unit.id, status=PersonStatus.candidate,
                    youth_union_member=bool(data.get("youth_union_member")),
                    trade_union_member=bool(data.get("trade_union_member")),
                    joined_unit_on=data.get("joined_unit_on"))
    session.add(person)
    try:
        session.flush()
    except IntegrityError:  # a concurrent registration with the same number
        session.rollback()
        raise InvalidPayload({"national_id": [taken]}) from None
    return person


def record_certificate(session: Session, user, person: Person, payload: dict) -> Certificate:
    """Record on ``person`` (one the user may see) a certificate of the course on
    party knowledge earned before the system was used: ``payload`` holds the
    fields of :class:`forms.people.PriorCertificateForm` (number, date, issuer).
    The admission's certificate rule reads it like a course's result. Flushes.

    Raises ``NotPermitted`` outside the organisation board
    (:data:`core.permissions.RECORD_PRIOR_CERTIFICATE`), ``InvalidPayload`` for a
    field that fails, or a number already on file (numbers are unique)."""
    if not allows(session, user, RECORD_PRIOR_CERTIFICATE, person.unit):
        raise NotPermitted(_("Only the organisation board records a certificate earned before the system."))
    _data, data = validate_form(PriorCertificateForm, payload)
    if number_taken(session, data["number"]):
        raise InvalidPayload({"number": [_("A certificate numbered %(number)s is already on file.",
                                           number=data["number"])]})
    cert = Certificate(person_id=person.id, kind=PARTY_KNOWLEDGE, number=data["number"], issued_on=data["issued_on"],
                       issuer=data["issuer"], course_name=data.get("course_name") or "", recorded_by_id=user.id)
    session.add(cert)
    session.flush()
    return cert


DETAIL_FIELDS = ("full_name", "date_of_birth", "gender", "national_id", "education", "ethnicity", "residence")


def may_correct(session: Session, user, person: Person) -> bool:
    """The organisation board corrects anyone's details; whoever may register people
    at the unit (a branch secretary...) corrects a candidate's (DOMAIN "Setting up an organisation")."""
    if allows(session, user, RECORD_PRIOR_CERTIFICATE, person.unit):
        return True
    return person.status is PersonStatus.candidate and allows(session, user, REGISTER_PERSON, person.unit)


def details_of(person: Person) -> dict:
    """The correctable details of ``person`` as JSON-safe values (the form's names)."""
    return {"full_name": person.full_name, "date_of_birth": person.date_of_birth.isoformat(),
            "gender": person.gender.value, "national_id": person.national_id, "education": person.education.value,
            "ethnicity": person.ethnicity, "residence": person.residence}


def correct_details(session: Session, user, person: Person, changes: dict) -> Person:
    """Correct ``person``'s details (name, date of birth, gender, national id,
    education, ethnicity, residence; never the status): ``changes`` holds some of
    :data:`DETAIL_FIELDS`, validated with :class:`forms.people.PersonDetailsForm`
    over the current values. Flushes and logs ``person.correct`` (before, after).
    Raises ``NotPermitted`` (see :func:`may_correct`) and ``InvalidPayload``
    (a field, or a national id registered to someone else)."""
    from forms.people import PersonDetailsForm
    from workflow.setup_log import log

    if not may_correct(session, user, person):
        raise NotPermitted(_("You may not correct this person's details."))
    unknown = set(changes) - set(DETAIL_FIELDS)
    if unknown:
        raise InvalidPayload({name: [_("Unknown field.")] for name in sorted(unknown)})
    before = details_of(person)
    _data, data = validate_form(PersonDetailsForm, {**before, **changes})
    if data["national_id"] != person.national_id and session.scalar(
            sa.select(Person.id).where(Person.national_id == data["national_id"], Person.id != person.id)):
        raise InvalidPayload({"national_id": [_("This national id number cannot be registered here.")]})
    person.full_name, person.date_of_birth = data["full_name"], data["date_of_birth"]
    person.gender, person.education = Gender(data["gender"]), Education(data["education"])
    person.national_id = data["national_id"]
    person.ethnicity, person.residence = data.get("ethnicity") or "Kinh", data.get("residence") or ""
    session.flush()
    after = details_of(person)
    if after != before:
        log(session, user, "person.correct", person.unit, target={"kind": "person", "id": person.id},
            before=before, after=after)
    return person
