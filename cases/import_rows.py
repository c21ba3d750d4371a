"""The rows of a bulk import (:mod:`cases.imports`): the org tree as the file
names it (:class:`Tree`), checking each units row and each people row against
the forms, the other rows and the database, and writing the plans in bulk.

Each check appends to the report every problem of the row (row number, the
file's column header, the reason, translated) and returns the row's plan:
``create``, ``update`` or ``unchanged``.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core import clock
from core.enums import LEVEL_RANK, Level, PersonStatus
from core.models import Certificate, Person, Post, Unit
from core.text import fold
from workflow.i18n import _

from .record_columns import HEADERS, LEVEL_WORDS, CellError, join_path, read_flag, read_word, split_path, text

CHUNK = 900  # ids per IN (...) list (SQLite's parameter limit is far above)
FLAGS = ("grassroots_branch", "hardship_area", "may_admit", "may_expel")
DETAILS = ("full_name", "date_of_birth", "gender", "education", "ethnicity", "residence", "admission_date",
           "official_date", "party_card_number")
MEMBERS = (PersonStatus.probationary, PersonStatus.official)


@dataclasses.dataclass
class Plan:
    kind: str  # create | update | unchanged
    row: int
    values: dict = dataclasses.field(default_factory=dict)
    person: Any = None
    posts: list = dataclasses.field(default_factory=list)
    ends: list = dataclasses.field(default_factory=list)
    certificate: dict | None = None


class Tree:
    """Every unit by its full path of names (and the ones the file adds), in one query."""

    def __init__(self, session: Session):
        self.session = session
        rows = session.execute(sa.select(Unit.id, Unit.name, Unit.parent_id, Unit.level, Unit.grassroots_branch,
                                          Unit.path)).all()
        self.units = {r.id: r for r in rows}
        self.by_path: dict[str, Any] = {}
        names: dict[int, str] = {}
        for r in sorted(rows, key=lambda r: len(r.path)):
            names[r.id] = join_path(([names[r.parent_id]] if r.parent_id in names else []) + [r.name])
            self.by_path.setdefault(names[r.id], r.id)
        self.names = names
        self.planned: dict[str, dict] = {}  # path -> {"level", "grassroots_branch", "parent": ref, "id"}

    def resolve(self, value: Any):
        """A unit reference from a cell: an existing id (int) or a planned path (str); None if unknown."""
        raw = text(value)
        if raw.isdigit():
            return int(raw) if int(raw) in self.units else None
        key = join_path(split_path(raw))
        if key in self.planned:
            return key
        return self.by_path.get(key)

    def level(self, ref) -> tuple[Level, bool]:
        if isinstance(ref, int):
            r = self.units[ref]
            return Level(r.level), bool(r.grassroots_branch)
        return self.planned[ref]["level"], self.planned[ref]["grassroots_branch"]

    def is_branch(self, ref) -> bool:
        level, gb = self.level(ref)
        return gb or level is Level.branch

    def id_of(self, ref) -> int:
        return ref if isinstance(ref, int) else self.planned[ref]["id"]

    def path_of(self, unit_id: int) -> str:
        return self.names.get(unit_id, "")

    def top_unit(self) -> Unit | None:
        ids = [i for i, r in self.units.items() if r.parent_id is None]
        planned = [p["id"] for p in self.planned.values() if p.get("id") and p["parent"] is None]
        first = min(ids + planned) if ids + planned else None
        return self.session.get(Unit, first) if first else None


def check_units(tree: Tree, table, report, may: Callable) -> list[Plan]:
    """Check the units sheet (parents before children, whatever the file's order)."""
    sheet, cols, rows = table
    plans = []
    seen: dict[str, int] = {}

    def cell(values, key):
        i = cols.get(key)
        return values[i] if i is not None and i < len(values) else None

    for number, values in sorted(rows, key=lambda r: len(split_path(cell(r[1], "path")))):
        def err(key, message):
            report.error(number, HEADERS[key], message, sheet=sheet)
        parts = split_path(cell(values, "path"))
        path = join_path(parts)
        try:
            level = read_word(cell(values, "level"), LEVEL_WORDS)
        except CellError as exc:
            err("level", _("Unknown level: %(value)s.", value=str(exc)))
            continue
        flags = {f: read_flag(cell(values, f)) for f in FLAGS}
        if not parts or any(len(p) > 200 for p in parts):
            err("path", _("Write the unit's full path of names, from the top, separated by “ / ”."))
            continue
        if level is None:
            err("level", _("This field is required."))
            continue
        if path in seen:
            err("path", _("The same unit is on row %(row)s.", row=seen[path]))
            continue
        seen[path] = number
        existing = tree.by_path.get(path)
        if existing is not None:
            r = tree.units[existing]
            if Level(r.level) is not level:
                err("level", _("The unit exists with another level; a level is not changed by an import."))
                continue
            unit = tree.session.get(Unit, existing)
            if not may(existing):
                err("path", _("You do not administer this unit."))
                continue
            changed = any(bool(getattr(unit, f)) != flags[f] for f in FLAGS)
            plans.append(Plan("update" if changed else "unchanged", number, {"ref": existing, **flags}))
            continue
        parent = tree.resolve(join_path(parts[:-1])) if len(parts) > 1 else None
        if len(parts) > 1 and parent is None:
            err("path", _("The unit above it (%(path)s) is neither in the file nor in the system.",
                          path=join_path(parts[:-1])))
            continue
        if parent is None and tree.units:
            err("path", _("Only the top of an empty system can be created without a unit above it."))
            continue
        if parent is not None:
            parent_level, parent_gb = tree.level(parent)
            if parent_level is Level.branch or parent_gb:
                err("path", _("A party branch has no units under it."))
                continue
            if LEVEL_RANK[level] <= LEVEL_RANK[parent_level]:
                err("level", _("The level must be below the level of the unit above it."))
                continue
            if isinstance(parent, int) and not may(parent):
                err("path", _("You do not administer the unit above it."))
                continue
        if flags["grassroots_branch"] and level is not Level.grassroots:
            err("grassroots_branch", _("Only a grassroots organisation can be a grassroots branch."))
            continue
        tree.planned[path] = {"level": level, "grassroots_branch": flags["grassroots_branch"], "parent": parent,
                              "name": parts[-1]}
        plans.append(Plan("create", number, {"path": path, "level": level, **flags}))
    return plans


def write_units(session: Session, tree: Tree, plans: list[Plan]) -> None:
    """Create the planned units (parents first) and set changed flags."""
    for plan in plans:
        v = plan.values
        if plan.kind == "update":
            unit = session.get(Unit, v["ref"])
            for f in FLAGS:
                setattr(unit, f, v[f])
        elif plan.kind == "create":
            planned = tree.planned[v["path"]]
            parent = session.get(Unit, tree.id_of(planned["parent"])) if planned["parent"] is not None else None
            unit = Unit(name=planned["name"], level=v["level"], parent=parent, **{f: v[f] for f in FLAGS})
            session.add(unit)
            session.flush()
            unit.path = f"{parent.path if parent is not None else '/'}{unit.id}/"
            planned["id"] = unit.id
            tree.names[unit.id] = v["path"]
    session.flush()


def write_people(session: Session, tree: Tree, plans: list[Plan], tick) -> None:
    """Insert the new people in bulk, update the changed ones, add their posts and certificates."""
    now = clock.now()
    new = [p for p in plans if p.kind == "create"]
    for i in range(0, len(new), 1000):
        batch = new[i:i + 1000]
        session.execute(sa.insert(Person), [dict(
            {k: p.values[k] for k in DETAILS}, national_id=p.values["national_id"],
            name_folded=fold(p.values["full_name"]), unit_id=tree.id_of(p.values["branch"]),
            status=p.values["status"], joined_unit_on=p.values["admission_date"], created_at=now)
            for p in batch])
        ids = dict(session.execute(sa.select(Person.national_id, Person.id).where(
            Person.national_id.in_([p.values["national_id"] for p in batch]))).all())
        for p in batch:
            p.values["id"] = ids[p.values["national_id"]]
        tick(len(batch))
    posts, certs = [], []
    for p in plans:
        if p.kind == "unchanged":
            continue
        if p.kind == "update":
            for k in DETAILS:
                if getattr(p.person, k) != p.values[k]:
                    setattr(p.person, k, p.values[k])
            p.values["id"] = p.person.id
            for post_id, end in p.ends:
                session.get(Post, post_id).ended_on = end
            tick(1)
        pid = p.values["id"]
        posts.extend(dict(person_id=pid, unit_id=tree.id_of(x["unit"]), title=x["title"],
                          committee_seat=x["committee_seat"], started_on=x["start"], ended_on=x["end"])
                     for x in p.posts)
        if p.certificate:
            certs.append(dict(person_id=pid, kind="party_knowledge", created_at=now, **p.certificate))
    session.flush()
    for i in range(0, len(posts), 1000):
        session.execute(sa.insert(Post), posts[i:i + 1000])
    for i in range(0, len(certs), 1000):
        session.execute(sa.insert(Certificate), certs[i:i + 1000])
    session.flush()
