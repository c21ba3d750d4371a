"""The people search reads a page from an index in the list's order (issue 16, branch
lists): the word table of PostgreSQL kept current with the people, and every way of
reading a page (a few units' people, the word streams) giving exactly the rows and
the order of the plain search, page after page, on both databases."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from tests.conftest import is_postgres

# Names sharing words at every position: "van" first, later, twice, as a prefix of a
# longer word ("vang", "vanh"), and names it does not match ("an van" matches, "savan" not).
NAMES = ["Văn An", "Nguyễn Văn An", "Nguyễn Văn Bình", "Lê Thị Vân", "Trần Vang", "Vanh Lê", "Văn Văn",
         "Hoàng Ngọc Văn", "Savan Lê", "Phạm An Văn", "Nguyễn Văn Anh", "Đỗ Vân Anh", "Nguyễn Thị Văn An",
         "Nguyễn Văn", "Văn Nguyễn"] * 3


def add_people(session, unit_ids, names=NAMES):
    """``names`` as candidates spread over ``unit_ids``, through the ORM; returns them."""
    from core.enums import Education, Gender, PersonStatus
    from core.models import Person

    people = [Person(full_name=name, date_of_birth=dt.date(1990, 1, 1), gender=Gender.female,
                     national_id=f"0770000{i:05d}", education=Education.upper_secondary, ethnicity="Kinh",
                     residence="", unit_id=unit_ids[i % len(unit_ids)], status=PersonStatus.candidate)
              for i, name in enumerate(names)]
    session.add_all(people)
    session.flush()
    return people


def expected(session, user, q):
    """The search's rows by the rule itself, computed in Python over the people the user sees."""
    from cases.people import people_criteria
    from core.models import Person, Unit
    from core.text import fold

    folded = fold(q)
    seen = session.scalars(sa.select(Person).join(Unit, Unit.id == Person.unit_id)
                           .where(*people_criteria(session, user))).all()
    rows = [(0 if p.name_folded.startswith(folded) else 1, p.name_folded, p.id) for p in seen
            if p.name_folded.startswith(folded) or " " + folded in p.name_folded]
    return [pid for _r, _n, pid in sorted(rows)]


def all_pages(session, user, q, limit):
    from cases.people import list_people

    ids, cursor = [], None
    while True:
        people, cursor = list_people(session, user, q, cursor=cursor, limit=limit)
        ids += [p.id for p in people]
        if cursor is None:
            return ids


@pytest.mark.parametrize("units_limit", [500, 0, -1], ids=["by-units", "by-words", "by-words-no-range"])
@pytest.mark.parametrize("q", ["van", "Văn", "van an", "nguyen van", "nguyen van an", "v", "an", "vanh le", "zz",
                               "van zz", "nguyen van zz", "thi van an"])
def test_lists__name_search_pages_are_the_rule_in_its_order(app, demo, monkeypatch, q, units_limit):
    """Page after page (3 a page), the search lists exactly the people the rule admits in
    its order, whether it reads the scope's units or (on PostgreSQL) the word streams."""
    import cases.people
    from app.extensions import db
    from core.models import User

    import cases.name_words

    monkeypatch.setattr(cases.people, "SEARCH_UNITS_LIMIT", max(units_limit, 0))
    if units_limit < 0:  # a database not in byte order: no prefix range in the word index
        monkeypatch.setattr(cases.name_words, "byte_ordered", lambda session: False)
    with app.app_context():
        add_people(db.session, [demo.units["trung"].id, demo.units["dong"].id])
        db.session.commit()
        user = db.session.scalar(sa.select(User).where(User.username == "thuongvu.tinh"))
        want = expected(db.session, user, q)
        assert all_pages(db.session, user, q, 3) == want
        assert all_pages(db.session, user, q, 50) == want
        if q == "van":
            assert len(want) > 30  # a real paging: many pages of 3, on both ranks


def test_lists__picker_search_is_the_rule_by_words_too(app, demo, monkeypatch):
    """The person picker over a unit's subtree gives the same first page by units and by words."""
    import cases.people
    from app.extensions import db
    from cases.choices import search_people
    from core.models import Unit

    with app.app_context():
        add_people(db.session, [demo.units["trung"].id, demo.units["dong"].id])
        db.session.commit()
        top = db.session.scalar(sa.select(Unit).where(Unit.parent_id.is_(None)))
        by_units = search_people(db.session, "members_of_unit", top, "van", limit=7)
        monkeypatch.setattr(cases.people, "SEARCH_UNITS_LIMIT", 0)
        by_words = search_people(db.session, "members_of_unit", top, "van", limit=7)
    assert by_words == by_units


@pytest.mark.skipif(not is_postgres(), reason="the word table is PostgreSQL's (SQLite: FTS5, migration 0013)")
def test_lists__word_table_follows_the_people(app, demo):
    """Inserted (ORM and bulk insert), renamed, deleted: the word rows follow in the same
    transaction; the rebuild gives the same rows."""
    from app.extensions import db
    from cases.name_words import rebuild
    from core.models import Person

    def words(pid):
        return sorted(db.session.execute(sa.text(
            "SELECT word, later, name_folded FROM person_word WHERE person_id = :p"), {"p": pid}).all())

    with app.app_context():
        person = add_people(db.session, [demo.units["trung"].id], ["Nguyễn Văn Văn An"])[0]
        assert words(person.id) == [("an", True, "nguyen van van an"), ("nguyen", False, "nguyen van van an"),
                                    ("van", True, "nguyen van van an")]
        person.full_name = "Lê Thị Hoa"
        db.session.flush()
        assert [w for w, _l, _n in words(person.id)] == ["hoa", "le", "thi"]
        db.session.execute(sa.insert(Person), [dict(
            full_name="Đinh Bulk", name_folded="dinh bulk", date_of_birth=dt.date(1990, 1, 1), gender="male",
            national_id="077999999999", education="upper_secondary", ethnicity="Kinh", residence="",
            unit_id=demo.units["trung"].id, status="candidate", youth_union_member=False,
            trade_union_member=False, created_at=dt.datetime(2026, 1, 1))])
        bulk = db.session.scalar(sa.select(Person.id).where(Person.national_id == "077999999999"))
        assert words(bulk) == [("bulk", True, "dinh bulk"), ("dinh", False, "dinh bulk")]
        assert db.session.scalar(sa.text("SELECT count(*) FROM name_word WHERE word IN ('bulk', 'hoa')")) == 2
        before = db.session.execute(sa.text("SELECT * FROM person_word ORDER BY 1, 2, 3, 4")).all()
        assert rebuild(db.session) == len(before)
        assert db.session.execute(sa.text("SELECT * FROM person_word ORDER BY 1, 2, 3, 4")).all() == before
        db.session.delete(db.session.get(Person, bulk))
        db.session.flush()
        assert words(bulk) == []
        db.session.rollback()


@pytest.mark.parametrize("q", ["van", "nguyen van an", "oang"])
def test_lists__case_list_by_name_is_the_same_read_by_units_or_by_paths(app, demo, monkeypatch, q):
    """The case list ``q=`` a name gives the same cases whether the scope is read by its
    units' ids (a few units) or by its path with the matching people named once (a wide
    scope, a CTE), and they are exactly the visible cases whose person's name contains ``q``."""
    import cases.queries
    from app.extensions import db
    from cases.queries import Filters, list_cases, visible_cases
    from core.models import User
    from core.text import fold
    from workflow import engine

    with app.app_context():
        secretary = db.session.scalar(sa.select(User).where(User.username == "bithu.trung"))
        from core.models import Unit

        unit = db.session.get(Unit, demo.units["trung"].id)
        for person in add_people(db.session, [unit.id])[:20]:
            engine.start(db.session, "admission", unit=unit, actor=secretary, person=person,
                         payload={"person_id": person.id})
        db.session.commit()
        user = db.session.scalar(sa.select(User).where(User.username == "thuongvu.tinh"))
        want = sorted((c.id for c in db.session.scalars(visible_cases(db.session, user))
                       if c.person is not None and fold(q) in c.person.name_folded), reverse=True)
        by_units, _ = list_cases(db.session, user, Filters(q=q), limit=200)
        monkeypatch.setattr(cases.queries, "SCOPE_UNITS_LIMIT", 0)
        user = db.session.scalar(sa.select(User).where(User.username == "thuongvu.tinh"))
        user._scope_units = False  # read the scope again under the new limit
        by_paths, _ = list_cases(db.session, user, Filters(q=q), limit=200)
    assert [c.id for c in by_units] == [c.id for c in by_paths] == want
    if q == "van":
        assert len(want) >= 10
