"""Generated import files for the tests and the benchmark: a district of the
``--scale`` shape (Nghĩa Hưng: 29 đảng bộ xã with 6-11 chi bộ each, 42 chi bộ
cơ sở, 8,741 members) in the member record's columns, and the 20-bad-rows file."""

from __future__ import annotations

import datetime as dt
import random

from cases.record_columns import (EDUCATION_OUT, GENDER_OUT, LEVEL_OUT, PEOPLE_COLUMNS, PEOPLE_SHEET, STATUS_OUT,
                                  UNIT_COLUMNS, UNITS_SHEET, join_path)
from cases.spreadsheet import write_workbook
from core.demo import AGENCIES, COMMUNES, HAMLETS, NameMaker
from core.enums import Education, Gender, Level, PersonStatus

PROVINCE = "Tỉnh ủy Nam Định"
DISTRICT = "Huyện ủy Nghĩa Hưng"


def district_units() -> list[tuple[list[str], Level, bool]]:
    """(path of names, level, grassroots branch) of the district, parents first."""
    rng = random.Random(7)
    units = [([PROVINCE], Level.province, False), ([PROVINCE, DISTRICT], Level.superior, False)]
    for i in range(29):
        commune = [PROVINCE, DISTRICT, f"Đảng ủy xã {COMMUNES[i % len(COMMUNES)]}{'' if i < len(COMMUNES) else ' 2'}"]
        units.append((commune, Level.grassroots, False))
        for j in range(rng.randint(6, 11)):
            units.append((commune + [f"Chi bộ {HAMLETS[j % len(HAMLETS)]}"], Level.branch, False))
    for i in range(42):
        suffix = "huyện" if i < len(AGENCIES) else f"số {i // len(AGENCIES) + 1}"
        units.append(([PROVINCE, DISTRICT, f"Chi bộ {AGENCIES[i % len(AGENCIES)]} {suffix}"], Level.grassroots, True))
    return units


def member_row(maker: NameMaker, branch: str, status: PersonStatus, serial: int, rng: random.Random) -> list:
    """One person's row in the order of PEOPLE_COLUMNS."""
    gender = Gender.female if rng.random() < 0.4 else Gender.male
    born = maker.birth(22 if status is PersonStatus.candidate else 25, 60, dt.date(2026, 1, 1))
    admitted = official = card = None
    if status is not PersonStatus.candidate:
        admitted = dt.date(rng.randint(max(born.year + 19, 1985), 2022), rng.randint(1, 12), rng.randint(1, 28))
        if status is PersonStatus.probationary:
            admitted = dt.date(2026, rng.randint(1, 9), rng.randint(1, 28))
        else:
            official, card = admitted + dt.timedelta(days=365), f"37{serial:07d}"
    return [maker.name(gender), born, GENDER_OUT[gender], maker.national_id(gender, born), "Kinh",
            EDUCATION_OUT[Education.upper_secondary], "", branch, STATUS_OUT[status], admitted, official, card or "",
            "", "", None, ""]


def district_rows(members: int = 8741) -> tuple[list[list], list[list]]:
    """(units rows, people rows) of the district: ``members`` people spread over
    every branch, 4 % probationary; the first member of each branch holds its
    secretary's post; every 25th person is a candidate with a certificate."""
    rng = random.Random(11)
    maker = NameMaker(seed=13, id_prefix="037")
    units = district_units()
    unit_rows = [[join_path(p), LEVEL_OUT[lv], "x" if gb else "", "", "", ""] for p, lv, gb in units]
    branches = [join_path(p) for p, lv, gb in units if lv is Level.branch or gb]
    people, first = [], set()
    for n in range(members):
        branch = branches[n % len(branches)]
        if n % 25 == 24:
            row = member_row(maker, branch, PersonStatus.candidate, n, rng)
            row[13], row[14], row[15] = f"CN-{n:05d}", dt.date(2025, 10, 20), "Trung tâm Chính trị huyện Nghĩa Hưng"
        else:
            status = PersonStatus.probationary if rng.random() < 0.04 else PersonStatus.official
            row = member_row(maker, branch, status, n, rng)
            if branch not in first and status is PersonStatus.official:
                first.add(branch)
                row[12] = f"Bí thư chi bộ | 01/08/2025 | | {branch}"
        people.append(row)
    return unit_rows, people


def workbook(unit_rows: list[list], people_rows: list[list]) -> bytes:
    """An XLSX import file of these rows."""
    return write_workbook([(UNITS_SHEET, [h for _k, h in UNIT_COLUMNS], unit_rows),
                           (PEOPLE_SHEET, [h for _k, h in PEOPLE_COLUMNS], people_rows)])


def district_workbook(members: int = 8741) -> bytes:
    """The district's import file."""
    return workbook(*district_rows(members))


COL = {key: i for i, (key, _h) in enumerate(PEOPLE_COLUMNS)}


def twenty_bad_rows(members: int = 200) -> tuple[bytes, list[tuple[int, str]]]:
    """A district file of ``members`` people with 20 bad rows of different kinds
    (bad national id, date of birth in the future, unknown branch, a national id
    already on another row, official date before admission date, unknown status),
    and the (row, column header) each must be reported at (people sheet rows: the
    header is row 1)."""
    unit_rows, people = district_rows(members)
    header = dict(PEOPLE_COLUMNS)
    expected = []
    officials = [i for i, r in enumerate(people) if r[COL["status"]] == STATUS_OUT[PersonStatus.official]]
    kinds = [
        ("national_id", lambda r: r.__setitem__(COL["national_id"], "12345")),
        ("national_id", lambda r: r.__setitem__(COL["national_id"], "03619000000X")),
        ("national_id", lambda r: r.__setitem__(COL["national_id"], "")),
        ("date_of_birth", lambda r: r.__setitem__(COL["date_of_birth"], dt.date(2099, 1, 1))),
        ("date_of_birth", lambda r: r.__setitem__(COL["date_of_birth"], "31/02/1980")),
        ("date_of_birth", lambda r: r.__setitem__(COL["date_of_birth"], dt.date(2030, 5, 5))),
        ("branch", lambda r: r.__setitem__(COL["branch"], "Tỉnh ủy Nam Định / Không có / Chi bộ ma")),
        ("branch", lambda r: r.__setitem__(COL["branch"], "99999")),
        ("branch", lambda r: r.__setitem__(COL["branch"], join_path([PROVINCE, DISTRICT]))),
        ("national_id", None),  # duplicate of the row before
        ("national_id", None),
        ("national_id", None),
        ("official_date", lambda r: r.__setitem__(COL["official_date"], r[COL["admission_date"]] - dt.timedelta(days=3))),
        ("official_date", lambda r: r.__setitem__(COL["official_date"], dt.date(1990, 1, 1))),
        ("official_date", lambda r: r.__setitem__(COL["official_date"], r[COL["admission_date"]] - dt.timedelta(days=400))),
        ("status", lambda r: r.__setitem__(COL["status"], "Đảng viên danh dự")),
        ("status", lambda r: r.__setitem__(COL["status"], "member")),
        ("status", lambda r: r.__setitem__(COL["status"], "???")),
        ("gender", lambda r: r.__setitem__(COL["gender"], "Khác")),
        ("education", lambda r: r.__setitem__(COL["education"], "Đại học")),
    ]
    for n, (column, change) in enumerate(kinds):
        index = officials[3 + 5 * n]
        row = people[index]
        if change is None:  # the national id of an earlier row
            row[COL["national_id"]] = people[officials[0]][COL["national_id"]]
        else:
            if column == "official_date" and row[COL["admission_date"]] and \
                    row[COL["admission_date"]] < dt.date(1991, 1, 1):
                row[COL["admission_date"]] = dt.date(1995, 1, 1)
            change(row)
        expected.append((index + 2, header[column]))
    return workbook(unit_rows, people), expected
