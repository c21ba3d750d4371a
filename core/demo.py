"""Deterministic demo data: a small named tree of Nam Định, people and accounts.

``load_demo`` builds the named tree, ≥ 9 official members, 2 probationary
members and 4 candidates per branch (3 with a valid training certificate), and the demo accounts (password ``demo``).
``scale_district`` completes Huyện ủy Nghĩa Hưng to the size the seeds report:
71 grassroots organisations (29 đảng bộ with branches under them, 42 chi bộ cơ
sở) and 8,741 members, with bulk inserts.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .enums import Education, Gender, Level, PersonStatus, Role
from .models import Certificate, Person, Post, RoleAssignment, Unit, User
from .passwords import hash_password
from .text import fold

DEMO_PASSWORD = "demo"
SEED = 20261122

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương",
          "Phan", "Trịnh", "Đinh", "Mai", "Lương", "Đoàn"]
MIDDLE_M = ["Văn", "Đức", "Minh", "Hữu", "Quang", "Xuân", "Thanh", "Công", "Duy", "Ngọc"]
MIDDLE_F = ["Thị", "Thu", "Ngọc", "Thanh", "Hồng", "Minh", "Phương", "Kim", "Mai", "Diệu"]
GIVEN_M = ["An", "Bình", "Cường", "Dũng", "Giang", "Hải", "Hiếu", "Hùng", "Khánh", "Long", "Nam",
           "Phong", "Phúc", "Quân", "Sơn", "Thắng", "Trung", "Tuấn", "Việt", "Vinh", "Toàn", "Đạt"]
GIVEN_F = ["Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai", "Nga", "Ngọc", "Phương", "Tâm",
           "Thảo", "Thủy", "Trang", "Yến", "Huyền", "Loan", "Nhung"]

# The accounts of the demo: (username, display name, role, unit key).
ACCOUNTS = [
    ("admin", "Quản trị hệ thống", Role.admin, "tinh"),
    ("bithu.trung", "Trần Văn Trung", Role.branch_secretary, "trung"),
    ("bithu.dong", "Phạm Thị Đông", Role.branch_secretary, "dong"),
    ("danguy.phucthang", "Lê Văn Thắng", Role.committee_member, "phucthang"),
    ("kiemtra.phucthang", "Trịnh Thị Kiểm", Role.inspection_officer, "phucthang"),
    ("thuongvu.phucthang", "Đinh Văn Thường", Role.standing_member, "phucthang"),
    ("tochuc.nghiahung", "Nguyễn Thị Hưng", Role.organisation_officer, "nghiahung"),
    ("thuongvu.nghiahung", "Vũ Đức Nghĩa", Role.standing_member, "nghiahung"),
    ("kiemtra.nghiahung", "Đỗ Minh Kiểm", Role.inspection_officer, "nghiahung"),
    ("bithu.tdp4", "Hoàng Văn Tư", Role.branch_secretary, "tdp4"),
    ("danguy.locvuong", "Bùi Thị Vượng", Role.committee_member, "locvuong"),
    ("thuongvu.thanhpho", "Đặng Văn Thành", Role.standing_member, "thanhpho"),
    ("kiemtra.tinh", "Ngô Thị Tra", Role.inspection_officer, "tinh"),
    ("kiemtra.thanhpho", "Dương Văn Phố", Role.inspection_officer, "thanhpho"),
    ("thuongvu.tinh", "Phan Văn Định", Role.standing_member, "tinh"),
    ("thanhtra.tinh", "Mai Thị Thanh", Role.auditor, "tinh"),
]

# key, name, level, parent key, flags
TREE = [
    ("tinh", "Tỉnh ủy Nam Định", Level.province, None, {}),
    ("nghiahung", "Huyện ủy Nghĩa Hưng", Level.superior, "tinh", {}),
    ("phucthang", "Đảng ủy xã Phúc Thắng", Level.grassroots, "nghiahung", {}),
    ("trung", "Chi bộ thôn Trung", Level.branch, "phucthang", {}),
    ("dong", "Chi bộ thôn Đông", Level.branch, "phucthang", {"hardship_area": True}),
    ("thanhpho", "Thành ủy Nam Định", Level.superior, "tinh", {}),
    ("locvuong", "Đảng ủy phường Lộc Vượng", Level.grassroots, "thanhpho", {"may_admit": True}),
    ("tdp4", "Chi bộ tổ dân phố số 4", Level.branch, "locvuong", {}),
]

BRANCHES = ("trung", "dong", "tdp4")
RESIDENCE = {
    "trung": "Thôn Trung, xã Phúc Thắng, huyện Nghĩa Hưng, Nam Định",
    "dong": "Thôn Đông, xã Phúc Thắng, huyện Nghĩa Hưng, Nam Định",
    "tdp4": "Tổ dân phố số 4, phường Lộc Vượng, thành phố Nam Định",
}


@dataclass
class DemoData:
    units: dict[str, Unit] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    people: dict[str, list[Person]] = field(default_factory=dict)


class NameMaker:
    """Deterministic realistic Vietnamese names and national ids."""

    def __init__(self, seed: int = SEED, id_prefix: str = "036"):
        self.rng = random.Random(seed)
        self.serial = 0
        self.id_prefix = id_prefix

    def name(self, gender: Gender) -> str:
        r = self.rng
        if gender is Gender.male:
            return f"{r.choice(FAMILY)} {r.choice(MIDDLE_M)} {r.choice(GIVEN_M)}"
        return f"{r.choice(FAMILY)} {r.choice(MIDDLE_F)} {r.choice(GIVEN_F)}"

    def national_id(self, gender: Gender, born: dt.date) -> str:
        # 3 digits province (036 Nam Định), century+gender, 2 digits year, 6 serial.
        self.serial += 1
        century = 0 if born.year < 2000 else 2
        code = century + (1 if gender is Gender.female else 0)
        return f"{self.id_prefix}{code}{born.year % 100:02d}{self.serial:06d}"

    def birth(self, age_from: int, age_to: int, ref: dt.date) -> dt.date:
        years = self.rng.randint(age_from, age_to)
        return dt.date(ref.year - years, self.rng.randint(1, 12), self.rng.randint(1, 28))


REFERENCE_DATE = dt.date(2026, 1, 1)


def _person(maker: NameMaker, unit: Unit, status: PersonStatus, *, age=(25, 60), **extra) -> dict:
    gender = Gender.female if maker.rng.random() < 0.4 else Gender.male
    born = maker.birth(age[0], age[1], REFERENCE_DATE)
    full_name = maker.name(gender)
    row = {
        "full_name": full_name,
        "name_folded": fold(full_name),
        "date_of_birth": born,
        "gender": gender,
        "national_id": maker.national_id(gender, born),
        "education": Education.upper_secondary if maker.rng.random() < 0.8 else Education.lower_secondary,
        "ethnicity": "Kinh",
        "residence": "",
        "unit_id": unit.id,
        "status": status,
        "youth_union_member": False,
        "trade_union_member": False,
        "admission_date": None,
        "official_date": None,
        "party_card_number": None,
        "joined_unit_on": None,
    }
    row.update(extra)
    return row


def _official_dates(maker: NameMaker, born: dt.date) -> tuple[dt.date, dt.date]:
    earliest = max(born.year + 19, 1985)
    year = maker.rng.randint(earliest, 2022)
    admitted = dt.date(year, maker.rng.randint(1, 12), maker.rng.randint(1, 28))
    return admitted, admitted + dt.timedelta(days=365)


def load_demo(session: Session, *, password: str = DEMO_PASSWORD) -> DemoData:
    """Create the demo tree, people and accounts. Refuses to run twice."""
    if session.scalar(sa.select(sa.func.count()).select_from(User).where(User.username == "admin")):
        raise RuntimeError("demo data is already loaded")
    data = DemoData()
    for key, name, level, parent_key, flags in TREE:
        unit = Unit(name=name, level=level, parent=data.units.get(parent_key), **flags)
        session.add(unit)
        session.flush()
        unit.path = f"{unit.parent.path if unit.parent else '/'}{unit.id}/"
        data.units[key] = unit
    session.flush()

    maker = NameMaker()
    card = 0
    for key in BRANCHES:
        unit = data.units[key]
        rows = []
        for i in range(10):
            row = _person(maker, unit, PersonStatus.official, residence=RESIDENCE[key])
            admitted, official = _official_dates(maker, row["date_of_birth"])
            card += 1
            row.update(admission_date=admitted, official_date=official, party_card_number=f"36{card:07d}",
                       joined_unit_on=min(admitted, dt.date(2020, 1, 1)))
            rows.append(row)
        for i in range(2):
            admitted = dt.date(2026, 3 + 2 * i, 15)
            rows.append(_person(maker, unit, PersonStatus.probationary, age=(22, 35), residence=RESIDENCE[key],
                                admission_date=admitted, joined_unit_on=admitted))
        for i in range(4):
            rows.append(_person(maker, unit, PersonStatus.candidate, age=(19, 32), residence=RESIDENCE[key],
                                youth_union_member=(i != 2), trade_union_member=(i == 2),
                                education=Education.upper_secondary if i else Education.lower_secondary,
                                joined_unit_on=dt.date(2023, 6, 1)))
        people = [Person(**row) for row in rows]
        session.add_all(people)
        data.people[key] = people
    session.flush()

    # Posts: each branch's secretary; one member of thôn Trung sits on the
    # Phúc Thắng party committee (đảng ủy viên), one of tổ dân phố số 4 on Lộc Vượng's.
    for key, committee in (("trung", "phucthang"), ("dong", None), ("tdp4", "locvuong")):
        officials = [p for p in data.people[key] if p.status is PersonStatus.official]
        session.add(Post(person=officials[0], unit_id=data.units[key].id, title="Bí thư chi bộ",
                         committee_seat=False, started_on=dt.date(2025, 8, 1)))
        if committee:
            session.add(Post(person=officials[1], unit_id=data.units[committee].id,
                             title=f"Đảng ủy viên {data.units[committee].name.replace('Đảng ủy ', '')}",
                             committee_seat=True, started_on=dt.date(2025, 9, 1)))

    # The first three candidates of each branch passed the course on party
    # knowledge (certificate valid 60 months); the fourth has not taken it yet.
    serial = 0
    for key in BRANCHES:
        candidates = [p for p in data.people[key] if p.status is PersonStatus.candidate]
        for person in candidates[:3]:
            serial += 1
            session.add(Certificate(person=person, kind="party_knowledge", number=f"NĐ-{2025}-{serial:04d}",
                                    issued_on=dt.date(2025, 10, 20), issuer="Trung tâm Chính trị huyện Nghĩa Hưng"
                                    if key != "tdp4" else "Trung tâm Chính trị thành phố Nam Định",
                                    course_name="Lớp bồi dưỡng nhận thức về Đảng khóa II/2025", score=8.5))

    hashed = hash_password(password)  # one hash for every demo account: same password
    for username, display, role, unit_key in ACCOUNTS:
        user = User(username=username, display_name=display, password_hash=hashed)
        user.roles.append(RoleAssignment(unit_id=data.units[unit_key].id, role=role))
        session.add(user)
        data.users[username] = user
    session.flush()
    return data


# The seeds' figures for Nghĩa Hưng.
SCALE_GRASSROOTS_COMMITTEES = 29  # đảng bộ cơ sở, with branches under them
SCALE_GRASSROOTS_BRANCHES = 42  # chi bộ cơ sở
SCALE_MEMBERS = 8741

COMMUNES = ["Nghĩa Sơn", "Nghĩa Lạc", "Nghĩa Hồng", "Nghĩa Phong", "Nghĩa Phú", "Nghĩa Bình", "Nghĩa Tân",
            "Nghĩa Thành", "Nghĩa Lâm", "Nghĩa Hùng", "Nghĩa Hải", "Nghĩa Lợi", "Nghĩa Thắng", "Nghĩa Đồng",
            "Nghĩa Thịnh", "Nghĩa Minh", "Nghĩa Thái", "Nghĩa Trung", "Nghĩa Châu", "Nghĩa Hưng", "Hoàng Nam",
            "Phúc Thắng", "Nam Điền", "Liễu Đề", "Rạng Đông", "Quỹ Nhất"]
HAMLETS = ["thôn Bắc", "thôn Nam", "thôn Tây", "thôn Thượng", "thôn Hạ", "xóm 1", "xóm 2", "xóm 3",
           "xóm 4", "xóm 5", "xóm 6", "xóm 7", "xóm 8", "xóm 9", "xóm 10", "xóm 11", "xóm 12"]
AGENCIES = ["Trường THCS", "Trường Tiểu học", "Trường Mầm non", "Trạm Y tế", "Công an", "Ban Chỉ huy Quân sự",
            "Chi cục Thuế", "Kho bạc Nhà nước", "Ngân hàng Nông nghiệp", "Bưu điện", "Điện lực",
            "Trung tâm Y tế", "Viện Kiểm sát", "Tòa án", "Chi cục Thống kê", "Phòng Giáo dục",
            "Hạt Kiểm lâm", "Trung tâm Văn hóa", "Hợp tác xã", "Công ty Cổ phần"]


def scale_district(session: Session, progress: Callable[[int], None] | None = None) -> dict:
    """Complete Huyện ủy Nghĩa Hưng to 71 grassroots organisations and 8,741
    members, in bulk. Needs ``load_demo`` first; refuses to run twice."""
    district = session.scalar(sa.select(Unit).where(Unit.name == "Huyện ủy Nghĩa Hưng"))
    if district is None:
        raise RuntimeError("load the demo data first")
    existing_grassroots = session.scalar(
        sa.select(sa.func.count()).select_from(Unit)
        .where(Unit.parent_id == district.id, Unit.level == Level.grassroots)
    )
    if existing_grassroots > 1:
        raise RuntimeError("the district is already scaled")
    tick = progress or (lambda n: None)
    rng = random.Random(SEED + 1)

    # 1. Units, a level at a time (ids from flush, paths from the parent's).
    committees_needed = SCALE_GRASSROOTS_COMMITTEES - existing_grassroots  # Phúc Thắng is one
    committees = []
    for i in range(committees_needed):
        commune = COMMUNES[i % len(COMMUNES)] + ("" if i < len(COMMUNES) else f" {i // len(COMMUNES) + 1}")
        committees.append(Unit(name=f"Đảng ủy xã {commune}", level=Level.grassroots, parent_id=district.id,
                               hardship_area=rng.random() < 0.15))
    base_branches = [
        Unit(name=f"Chi bộ {AGENCIES[i % len(AGENCIES)]} {('huyện' if i < len(AGENCIES) else 'số ' + str(i // len(AGENCIES) + 1))}",
             level=Level.grassroots, grassroots_branch=True, parent_id=district.id)
        for i in range(SCALE_GRASSROOTS_BRANCHES)
    ]
    session.add_all(committees + base_branches)
    session.flush()
    for u in committees + base_branches:
        u.path = f"{district.path}{u.id}/"
    branches = []
    for c in committees:
        for j in range(rng.randint(6, 11)):
            branches.append(Unit(name=f"Chi bộ {HAMLETS[j % len(HAMLETS)]} ({c.name.replace('Đảng ủy ', '')})",
                                 level=Level.branch, parent_id=c.id))
    session.add_all(branches)
    session.flush()
    by_id = {c.id: c for c in committees}
    for b in branches:
        b.path = f"{by_id[b.parent_id].path}{b.id}/"
    session.flush()
    tick(len(committees) + len(base_branches) + len(branches))

    # 2. Members, bulk-inserted, spread over every branch.
    homes = branches + base_branches
    current = session.scalar(
        sa.select(sa.func.count()).select_from(Person).join(Unit, Unit.id == Person.unit_id)
        .where(Unit.path.startswith(district.path), Person.status.in_([PersonStatus.official, PersonStatus.probationary]))
    )
    to_make = SCALE_MEMBERS - current
    maker = NameMaker(seed=SEED + 2, id_prefix="036")
    maker.serial = 500000  # clear of load_demo's serials
    max_card = session.scalar(sa.select(sa.func.count()).select_from(Person)) or 0
    batch: list[dict] = []
    for n in range(to_make):
        unit = homes[n % len(homes)]
        probationary = rng.random() < 0.04
        row = _person(maker, unit, PersonStatus.probationary if probationary else PersonStatus.official)
        if probationary:
            row["admission_date"] = dt.date(2026, rng.randint(1, 10), rng.randint(1, 28))
        else:
            admitted, official = _official_dates(maker, row["date_of_birth"])
            row.update(admission_date=admitted, official_date=official,
                       party_card_number=f"37{max_card + n:07d}")
        row["joined_unit_on"] = row["admission_date"]
        row["created_at"] = dt.datetime(2026, 1, 1)
        batch.append(row)
        if len(batch) == 1000:
            session.execute(sa.insert(Person), batch)
            tick(len(batch))
            batch = []
    if batch:
        session.execute(sa.insert(Person), batch)
        tick(len(batch))
    session.flush()
    return {"grassroots": existing_grassroots + len(committees) + len(base_branches),
            "branches": len(branches), "members": current + to_make}
