"""Demo data: the named tree, branch populations, accounts, and the scaled district."""

import sqlalchemy as sa

from core.demo import ACCOUNTS, load_demo, scale_district
from core.enums import Level, PersonStatus
from core.models import Person, Unit, User


def test_demo__named_tree_and_accounts(dbsession):
    data = load_demo(dbsession)
    dbsession.commit()
    names = {u.name: u for u in dbsession.scalars(sa.select(Unit))}
    assert names["Chi bộ thôn Trung"].parent.name == "Đảng ủy xã Phúc Thắng"
    assert names["Đảng ủy xã Phúc Thắng"].parent.name == "Huyện ủy Nghĩa Hưng"
    assert names["Huyện ủy Nghĩa Hưng"].parent.name == "Tỉnh ủy Nam Định"
    assert names["Chi bộ tổ dân phố số 4"].path.startswith(names["Thành ủy Nam Định"].path)
    assert names["Đảng ủy phường Lộc Vượng"].level is Level.grassroots
    users = {u.username: u for u in dbsession.scalars(sa.select(User))}
    assert set(users) == {a[0] for a in ACCOUNTS}
    for username, _, role, unit_key in ACCOUNTS:
        (ra,) = users[username].roles
        assert ra.role is role and ra.unit_id == data.units[unit_key].id
        assert users[username].check_password("demo")
        assert not users[username].check_password("Demo")
    # Issue 12: the grassroots committee that resolves appeals against a branch's decision.
    for username, role in (("kiemtra.phucthang", "inspection_officer"), ("thuongvu.phucthang", "standing_member")):
        (ra,) = users[username].roles
        assert ra.role.value == role and ra.unit.name == "Đảng ủy xã Phúc Thắng"


def test_demo__each_branch_can_hold_every_vote(dbsession):
    data = load_demo(dbsession)
    for key in ("trung", "dong", "tdp4"):
        counts = dict(dbsession.execute(
            sa.select(Person.status, sa.func.count()).where(Person.unit_id == data.units[key].id).group_by(Person.status)
        ).all())
        assert counts[PersonStatus.official] >= 9
        assert counts[PersonStatus.probationary] >= 2
        assert counts[PersonStatus.candidate] >= 3


def test_demo__deterministic(db_engine, dbsession):
    load_demo(dbsession)
    dbsession.commit()
    first = dbsession.execute(sa.select(Person.full_name, Person.national_id).order_by(Person.id)).all()
    from core.demo import NameMaker

    again = NameMaker()
    assert again.name(again.rng.choice([None]) or __import__("core.enums").enums.Gender.male)  # generator works
    # a second load refuses rather than duplicating
    try:
        load_demo(dbsession)
    except RuntimeError as exc:
        assert "already" in str(exc)
    else:
        raise AssertionError("load_demo ran twice")
    assert len(first) == 48
    assert len({nid for _, nid in first}) == 48


def test_demo__scale_builds_nghia_hung_sized_district(dbsession):
    load_demo(dbsession)
    result = scale_district(dbsession)
    dbsession.commit()
    district = dbsession.scalar(sa.select(Unit).where(Unit.name == "Huyện ủy Nghĩa Hưng"))
    grassroots = dbsession.scalars(
        sa.select(Unit).where(Unit.parent_id == district.id, Unit.level == Level.grassroots)).all()
    assert len(grassroots) == 71
    assert sum(1 for u in grassroots if u.grassroots_branch) == 42
    committees = [u for u in grassroots if not u.grassroots_branch]
    assert len(committees) == 29
    for c in committees:
        assert dbsession.scalar(sa.select(sa.func.count()).select_from(Unit).where(Unit.parent_id == c.id)) >= 2
    members = dbsession.scalar(
        sa.select(sa.func.count()).select_from(Person).join(Unit, Unit.id == Person.unit_id)
        .where(Unit.path.startswith(district.path), Person.status.in_([PersonStatus.official, PersonStatus.probationary])))
    assert members == 8741 == result["members"]
    # every unit's path is its parent's path plus its id
    for unit in dbsession.scalars(sa.select(Unit).where(Unit.path.startswith(district.path))):
        assert unit.path == f"{unit.parent.path}{unit.id}/"
