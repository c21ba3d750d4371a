"""The columns of the member record (phiếu đảng viên, mẫu 1-HSĐV) that the bulk
import reads and the export writes (DOMAIN.md "Setting up an organisation"),
and the readers of their cells: dates, genders, education, statuses, levels,
posts. Headers are matched without case or diacritics, and the canonical code
names (``full_name``...) are accepted too.

A workbook has a people sheet (:data:`PEOPLE_COLUMNS`) and, optionally, a units
sheet (:data:`UNIT_COLUMNS`): a unit is named by the full path of names from
the top of the tree, joined by `` / `` (or, in the people sheet's branch
column, by its id). A CSV file holds one of the two tables.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Any

from core.enums import Education, Gender, Level, PersonStatus
from core.text import fold

PEOPLE_SHEET = "Đảng viên"
UNITS_SHEET = "Tổ chức"
PATH_SEP = " / "

PEOPLE_COLUMNS = [
    ("full_name", "Họ và tên"),
    ("date_of_birth", "Ngày sinh"),
    ("gender", "Giới tính"),
    ("national_id", "Số định danh cá nhân"),
    ("ethnicity", "Dân tộc"),
    ("education", "Trình độ giáo dục phổ thông"),
    ("residence", "Nơi cư trú"),
    ("branch", "Chi bộ"),
    ("status", "Trạng thái"),
    ("admission_date", "Ngày vào Đảng"),
    ("official_date", "Ngày chính thức"),
    ("party_card_number", "Số thẻ đảng viên"),
    ("posts", "Chức vụ"),
    ("certificate_number", "Số giấy chứng nhận"),
    ("certificate_date", "Ngày cấp giấy chứng nhận"),
    ("certificate_issuer", "Nơi cấp giấy chứng nhận"),
]
PEOPLE_REQUIRED = ("full_name", "date_of_birth", "gender", "national_id", "education", "branch", "status")

UNIT_COLUMNS = [
    ("path", "Tổ chức đảng"),
    ("level", "Cấp"),
    ("grassroots_branch", "Chi bộ cơ sở"),
    ("hardship_area", "Vùng khó khăn"),
    ("may_admit", "Được ủy quyền kết nạp"),
    ("may_expel", "Được ủy quyền khai trừ"),
]
UNIT_REQUIRED = ("path", "level")
HEADERS = dict(PEOPLE_COLUMNS + UNIT_COLUMNS)

GENDER_WORDS = {"male": Gender.male, "nam": Gender.male, "female": Gender.female, "nu": Gender.female}
GENDER_OUT = {Gender.male: "Nam", Gender.female: "Nữ"}
EDUCATION_WORDS = {
    "none": Education.none, "khong": Education.none, "chua di hoc": Education.none, "0/12": Education.none,
    "primary": Education.primary, "tieu hoc": Education.primary, "5/12": Education.primary,
    "lower_secondary": Education.lower_secondary, "trung hoc co so": Education.lower_secondary,
    "thcs": Education.lower_secondary, "9/12": Education.lower_secondary,
    "upper_secondary": Education.upper_secondary, "trung hoc pho thong": Education.upper_secondary,
    "thpt": Education.upper_secondary, "12/12": Education.upper_secondary,
}
EDUCATION_OUT = {Education.none: "Chưa đi học", Education.primary: "Tiểu học",
                 Education.lower_secondary: "Trung học cơ sở", Education.upper_secondary: "Trung học phổ thông"}
STATUS_OUT = {
    PersonStatus.candidate: "Quần chúng ưu tú", PersonStatus.probationary: "Đảng viên dự bị",
    PersonStatus.official: "Đảng viên chính thức", PersonStatus.removed: "Xóa tên",
    PersonStatus.expelled: "Khai trừ", PersonStatus.left: "Ra khỏi Đảng", PersonStatus.deceased: "Từ trần",
}
STATUS_WORDS = {**{s.value: s for s in PersonStatus}, **{fold(v): k for k, v in STATUS_OUT.items()},
                "quan chung": PersonStatus.candidate, "du bi": PersonStatus.probationary,
                "chinh thuc": PersonStatus.official}
LEVEL_OUT = {Level.central: "Trung ương", Level.province: "Tỉnh ủy", Level.superior: "Cấp trên cơ sở",
             Level.grassroots: "Cơ sở", Level.sub_committee: "Đảng bộ bộ phận", Level.branch: "Chi bộ"}
LEVEL_WORDS = {**{lv.value: lv for lv in Level}, **{fold(v): k for k, v in LEVEL_OUT.items()},
               "thanh uy": Level.province, "huyen uy": Level.superior, "dang uy xa": Level.superior,
               "dang uy phuong": Level.superior}
YES = {"x", "co", "yes", "true", "1"}
SEAT_WORD = "cấp ủy"

_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?$")


class CellError(ValueError):
    """A cell that cannot be read (the message, translated, says what was expected)."""


def text(value: Any) -> str:
    """A cell as text (numbers without a trailing ``.0``)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return read_date(value).isoformat()
    return " ".join(str(value).split())


def read_date(value: Any) -> dt.date | None:
    """A date cell (an Excel date, ``dd/mm/yyyy`` or ``yyyy-mm-dd``), None when empty; CellError otherwise."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = text(value)
    for pattern, order in ((_DMY, (2, 1, 0)), (_ISO, (0, 1, 2))):
        m = pattern.match(raw)
        if m:
            parts = [int(g) for g in m.groups()]
            try:
                return dt.date(parts[order[0]], parts[order[1]], parts[order[2]])
            except ValueError:
                break
    raise CellError(raw)


def read_word(value: Any, words: dict) -> Any:
    """The canonical value a cell names in ``words`` (folded keys), None when empty; CellError otherwise."""
    raw = text(value)
    if not raw:
        return None
    found = words.get(_folded(raw)) or words.get(raw)
    if found is None:
        raise CellError(raw)
    return found


@functools.lru_cache(maxsize=4096)
def _folded(raw: str) -> str:
    return fold(raw)


def read_flag(value: Any) -> bool:
    """A yes/no cell: ``x``, ``có``, ``yes``, ``true``, ``1`` are yes."""
    return fold(text(value)) in YES


def read_national_id(value: Any) -> str:
    """The national id as text; a number cell (leading zeros lost) is padded back to 12 digits."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        digits = str(int(value))
        return digits.zfill(12) if len(digits) <= 12 else digits
    return text(value)


def split_path(value: Any) -> list[str]:
    """A unit's full path of names as its parts."""
    return [part.strip() for part in text(value).split("/") if part.strip()]


def join_path(names: list[str]) -> str:
    """Names from the top of the tree down, as the file writes them."""
    return PATH_SEP.join(names)


def read_posts(value: Any) -> list[dict]:
    """The posts cell: entries separated by ``;`` or new lines, each
    ``title | start | end | unit | cấp ủy`` (end, unit and the committee-seat mark
    optional; unit: a path or an id, default the person's branch). CellError names the bad entry."""
    raw = "" if value is None else str(value)
    posts = []
    for entry in re.split(r"[;\n]", raw):
        if not entry.strip():
            continue
        parts = [p.strip() for p in entry.split("|")] + ["", "", "", ""]
        title = " ".join(parts[0].split())
        if not title or len(title) > 200:
            raise CellError(entry.strip())
        try:
            start = read_date(parts[1])
            end = read_date(parts[2])
        except CellError:
            raise CellError(entry.strip()) from None
        if start is None or (end is not None and end < start):
            raise CellError(entry.strip())
        posts.append({"title": title, "start": start, "end": end, "unit": parts[3],
                      "committee_seat": bool(parts[4])})
    return posts


def write_posts(posts: list[tuple[str, dt.date, dt.date | None, str, bool]]) -> str:
    """The posts cell from ``(title, start, end, unit path, committee seat)``."""
    def day(d):
        return d.strftime("%d/%m/%Y") if d else ""
    return "; ".join(f"{t} | {day(s)} | {day(e)} | {u} | {SEAT_WORD if seat else ''}".rstrip(" |")
                     if not seat else f"{t} | {day(s)} | {day(e)} | {u} | {SEAT_WORD}"
                     for t, s, e, u, seat in posts)


def header_map(row: list[Any], columns: list[tuple[str, str]]) -> dict[str, int]:
    """``{column key: index}`` for the headers of ``row`` that name one of ``columns``."""
    wanted = {}
    for key, header in columns:
        wanted[fold(header)] = key
        wanted[key] = key
    out: dict[str, int] = {}
    for i, cell in enumerate(row):
        key = wanted.get(fold(text(cell))) or wanted.get(text(cell))
        if key and key not in out:
            out[key] = i
    return out
