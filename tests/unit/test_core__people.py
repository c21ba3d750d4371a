"""People: national id, date of birth, name folding."""

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from core.enums import Education, Gender, Level, PersonStatus
from core.models import Person, Unit
from core.text import fold
from core import clock


def _unit(session):
    unit = Unit(name="Chi bộ A", level=Level.branch)
    session.add(unit)
    session.flush()
    unit.path = f"/{unit.id}/"
    return unit


def _person(unit, **kw):
    values = dict(full_name="Nguyễn Văn An", date_of_birth=dt.date(1990, 5, 1), gender=Gender.male,
                  national_id="036090000001", education=Education.upper_secondary, unit_id=unit.id,
                  status=PersonStatus.candidate)
    values.update(kw)
    return Person(**values)


def test_fold__strips_vietnamese_diacritics():
    assert fold("Nguyễn Văn Ân") == "nguyen van an"
    assert fold("  ĐẶNG   Thị  Đào ") == "dang thi dao"
    assert fold("Lê Hữu Phước") == "le huu phuoc"


@pytest.mark.parametrize("bad", ["12345678901", "1234567890123", "03609000000a", "", None])
def test_rule__people__national_id_is_12_digits(dbsession, bad):
    unit = _unit(dbsession)
    with pytest.raises(ValueError, match="12 digits"):
        _person(unit, national_id=bad)


def test_rule__people__national_id_is_unique(dbsession):
    unit = _unit(dbsession)
    dbsession.add(_person(unit))
    dbsession.flush()
    dbsession.add(_person(unit, full_name="Trần Thị Bình"))
    with pytest.raises(IntegrityError):
        dbsession.flush()


def test_person__birth_date_not_in_future(dbsession):
    unit = _unit(dbsession)
    with pytest.raises(ValueError, match="future"):
        _person(unit, date_of_birth=clock.today() + dt.timedelta(days=1))


@pytest.mark.parametrize("now,vn_today", [("2026-11-30T18:00:00Z", dt.date(2026, 12, 1)),
                                           ("2040-06-15T17:30:00Z", dt.date(2040, 6, 16))])
def test_person__birth_date_is_checked_against_vietnams_day(dbsession, clock_file, now, vn_today):
    # 18:00 UTC on 30/11/2026 is 01:00 on 1/12/2026 in Vietnam: someone born that
    # day is not born in the future, even though the UTC date is still 30/11.
    clock_file.write_text(now)
    unit = _unit(dbsession)
    assert _person(unit, date_of_birth=vn_today).date_of_birth == vn_today
    with pytest.raises(ValueError, match="future"):
        _person(unit, national_id="001090000999", date_of_birth=vn_today + dt.timedelta(days=1))


def test_person__folded_name_is_stored_for_search(dbsession):
    unit = _unit(dbsession)
    dbsession.add(_person(unit, full_name="Nguyễn  Văn   Ân"))
    dbsession.flush()
    row = dbsession.scalar(sa.select(Person).where(Person.name_folded.startswith("nguyen van")))
    assert row.full_name == "Nguyễn Văn Ân"
