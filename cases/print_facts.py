"""What a printed form reads from a case: the facts, and the party's way of writing them.

The wording of the printed forms is the party's own (Hướng dẫn 12-HD/BTCTW, 2022,
for the admission forms; Hướng dẫn 36-HD/VPTW, 2018, for the layout of party
documents), so the words here are Vietnamese, not Babel messages: a decision is
issued in Vietnamese whatever language its reader's pages use.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.enums import LEVEL_RANK, Level
from core.models import Person, Post, Unit, User
from workflow.models import AuditEvent, Case

from .dates import as_date
from .rulebooks import get_rulebook

# The party charter's implementing rules each rulebook stands for (Căn cứ ...).
REGULATIONS = {
    "qd24_2021": "Quy định số 24-QĐ/TW ngày 30/7/2021 của Ban Chấp hành Trung ương về thi hành Điều lệ Đảng",
    "qd294_2025": "Quy định số 294-QĐ/TW ngày 26/5/2025 của Ban Chấp hành Trung ương về thi hành Điều lệ Đảng",
}
DISCIPLINE_REGULATION = ("Quy định số 69-QĐ/TW ngày 06/7/2022 của Bộ Chính trị về kỷ luật tổ chức đảng, "
                         "đảng viên vi phạm")
PENALTIES = {"reprimand": "khiển trách", "warning": "cảnh cáo", "dismissal": "cách chức", "expulsion": "khai trừ"}
REMOVAL_GROUNDS = {
    "missed_activities_or_dues": "bỏ sinh hoạt đảng hoặc không đóng đảng phí ba tháng trong năm mà không có lý do "
                                 "chính đáng",
    "party_card_returned_or_destroyed": "tự ý trả thẻ đảng viên hoặc hủy thẻ đảng viên",
    "no_progress_after_help": "giảm sút ý chí phấn đấu, không làm nhiệm vụ đảng viên, đã được chi bộ giáo dục "
                              "nhưng sau thời gian 12 tháng tiến bộ không có tiến bộ",
    "two_years_violating_standing": "hai năm liền vi phạm tư cách đảng viên",
    "probationary_not_recognised": "đảng viên dự bị không đủ điều kiện công nhận đảng viên chính thức",
    "admitted_in_breach": "kết nạp vào Đảng không đúng tiêu chuẩn, điều kiện, thủ tục quy định",
    "probationary_serious_violation": "đảng viên dự bị vi phạm đến mức phải xử lý kỷ luật bằng hình thức cao hơn "
                                      "cảnh cáo",
}
STATUS_WORDS = {"probationary": "dự bị", "official": "chính thức"}

# Committee names as the party writes the organisation they lead (Tỉnh ủy X → Đảng bộ tỉnh X).
_BODY_OF_COMMITTEE = (("Tỉnh ủy ", "Đảng bộ tỉnh "), ("Thành ủy ", "Đảng bộ thành phố "),
                      ("Huyện ủy ", "Đảng bộ huyện "), ("Thị ủy ", "Đảng bộ thị xã "), ("Quận ủy ", "Đảng bộ quận "),
                      ("Đảng ủy ", "Đảng bộ "))
# Names that carry a place (the place written before the date), and what precedes it.
_PLACE_PREFIXES = ("Tỉnh ủy ", "Thành ủy ", "Huyện ủy ", "Thị ủy ", "Quận ủy ", "Đảng ủy xã ", "Đảng ủy phường ",
                   "Đảng ủy thị trấn ", "Đảng bộ tỉnh ", "Đảng bộ huyện ", "Đảng bộ xã ", "Đảng bộ phường ")
# The short symbol of the issuing body after the slash (Số 12-QĐ/HU).
_SYMBOLS = (("Tỉnh ủy", "TU"), ("Thành ủy", "TU"), ("Huyện ủy", "HU"), ("Thị ủy", "TU"), ("Quận ủy", "QU"),
            ("Đảng ủy", "ĐU"), ("Chi bộ", "CB"))


def party_body(unit: Unit | None) -> str:
    """The organisation a committee leads, as the header's upper line names it
    ("Huyện ủy Nghĩa Hưng" → "Đảng bộ huyện Nghĩa Hưng"); a chi bộ keeps its name."""
    if unit is None:
        return ""
    for prefix, body in _BODY_OF_COMMITTEE:
        if unit.name.startswith(prefix):
            return body + unit.name[len(prefix):]
    return unit.name


def symbol(unit: Unit) -> str:
    """The issuing body's symbol (HU, TU, ĐU, CB), from its name; else its initials."""
    for prefix, short in _SYMBOLS:
        if unit.name.startswith(prefix):
            return short
    return "".join(w[0] for w in unit.name.split() if w[:1].isupper())[:4] or "CB"


def numbered(number: str | None, kind: str, unit: Unit) -> str:
    """"Số 12-QĐ/HU": the recorded number as written when it carries its symbol,
    else completed with ``kind`` (QĐ, NQ, GGT) and the issuing body's symbol; dots
    where no number was recorded (the body numbers it by hand)."""
    number = (number or "").strip()
    if not number:
        return f"Số ......-{kind}/{symbol(unit)}"
    if "/" in number or "-" in number:
        return f"Số {number}"
    return f"Số {number}-{kind}/{symbol(unit)}"


def vdate(day: dt.date | str | None) -> str:
    """A date as the body of a party document writes it: 05/3/2026 (Hướng dẫn 36-HD/VPTW)."""
    day = as_date(day)
    return f"{day.day:02d}/{day.month:02d}/{day.year}" if day else "......"


def long_date(day: dt.date | str | None) -> str:
    """"ngày 05 tháng 3 năm 2026": days under 10 and January, February with a leading zero (HD 36-HD/VPTW)."""
    day = as_date(day)
    if day is None:
        return "ngày ... tháng ... năm ......"
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


@dataclass
class Facts:
    """A case as the forms read it: the case, its person, the units on its path
    (root first), its audit events (oldest first) and the users who acted."""

    case: Case
    person: Person | None
    path: list[Unit]
    events: list[AuditEvent]
    actors: dict[int, User] = field(default_factory=dict)
    units: dict[int, Unit] = field(default_factory=dict)
    post: Post | None = None  # the post a dismissal ends (case data ``post_id``)

    @property
    def data(self) -> dict:
        return dict(self.case.data or {})

    @property
    def unit(self) -> Unit:
        return self.path[-1]

    @property
    def rulebook(self):
        return get_rulebook(self.case.rulebook)

    @property
    def regulation(self) -> str:
        return REGULATIONS.get(self.case.rulebook, "Quy định của Ban Chấp hành Trung ương về thi hành Điều lệ Đảng")

    def last(self, action: str, to_state: str | None = None) -> AuditEvent | None:
        """The latest event of ``action`` (that moved the case to ``to_state``, when given)."""
        for event in reversed(self.events):
            if event.action == action and (to_state is None or event.to_state == to_state):
                return event
        return None

    def unit_of(self, level: Level) -> Unit | None:
        """The unit of ``level`` on the case's path (a chi bộ cơ sở is its own grassroots unit)."""
        for unit in reversed(self.path):
            if unit.level is level or (level is Level.grassroots and unit.grassroots_branch):
                return unit
        return None

    def superior(self) -> Unit:
        """The committee directly above the grassroots: the nearest unit of superior
        level or higher (the province for a grassroots organisation directly under it)."""
        for unit in reversed(self.path):
            if LEVEL_RANK[unit.level] <= LEVEL_RANK[Level.superior]:
                return unit
        return self.path[0]

    def above(self, unit: Unit) -> Unit | None:
        """The unit directly above ``unit`` on the path (None at the root, or off the path)."""
        ids = [u.id for u in self.path]
        if unit.id in ids and ids.index(unit.id) > 0:
            return self.path[ids.index(unit.id) - 1]
        return None

    def place(self, unit: Unit) -> str:
        """The place written before the date: the locality of ``unit`` or of the
        nearest unit above it that names one ("Huyện ủy Nghĩa Hưng" → "Nghĩa Hưng")."""
        ids = [u.id for u in self.path]
        start = ids.index(unit.id) if unit.id in ids else len(self.path) - 1
        for candidate in reversed(self.path[:start + 1]):
            for prefix in _PLACE_PREFIXES:
                if candidate.name.startswith(prefix):
                    return candidate.name[len(prefix):]
        return unit.name

    def actor_name(self, event: AuditEvent | None) -> str:
        """Who recorded ``event`` (the signer the form names), as the audit trail names them."""
        if event is None:
            return ""
        user = self.actors.get(event.actor_id or 0)
        return user.display_name if user is not None else (event.actor_name or "")


def load_facts(session: Session, case: Case, extra_unit_ids=()) -> Facts:
    """The facts of ``case`` in three queries: the units on its path (and
    ``extra_unit_ids``, e.g. a transfer's destination, reachable by :func:`unit_by_id`),
    its events, the users who recorded them."""
    ids = [int(p) for p in (case.unit.path if case.unit else "").strip("/").split("/") if p]
    units = {u.id: u for u in session.scalars(sa.select(Unit).where(Unit.id.in_(set(ids) | set(extra_unit_ids))))}
    events = list(session.scalars(sa.select(AuditEvent).where(AuditEvent.case_id == case.id)
                                  .order_by(AuditEvent.seq)))
    actor_ids = {e.actor_id for e in events if e.actor_id}
    actors = {u.id: u for u in session.scalars(sa.select(User).where(User.id.in_(actor_ids)))} if actor_ids else {}
    post_id = (case.data or {}).get("post_id")
    post = session.get(Post, int(post_id)) if str(post_id or "").isdigit() else None
    return Facts(case=case, person=case.person, path=[units[i] for i in ids if i in units], events=events,
                 actors=actors, units=units, post=post)


def unit_by_id(facts: Facts, unit_id) -> Unit | None:
    """A unit loaded with the facts (on the path or named in ``extra_unit_ids``)."""
    try:
        return facts.units.get(int(unit_id))
    except (TypeError, ValueError):
        return None


def percent(part: int, whole: int) -> str:
    """A share as a Vietnamese percentage with a decimal comma (90% or 88,9%)."""
    if not whole:
        return "0%"
    value = round(100 * part / whole, 1)
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") + "%"
