"""Checking the people sheet of a bulk import (:mod:`cases.imports`): every cell,
every row with the pages' form (:class:`forms.people.MemberRecordForm`), then
the rules across rows (a national id or card twice in the file) and against
the database (a person's status and branch change only through a decided case;
a card or certificate number held by someone else). Returns one plan a row."""

from __future__ import annotations

from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.enums import PersonStatus
from core.models import Certificate, Person, Post
from workflow.guards import FormChecker
from workflow.i18n import _

from .import_rows import CHUNK, DETAILS, MEMBERS, Plan, Tree
from .record_columns import (EDUCATION_WORDS, GENDER_WORDS, HEADERS, STATUS_OUT, STATUS_WORDS, CellError, read_date,
                             read_national_id, read_posts, read_word, text)

# Form fields and the file's columns they come from.
FORM_COLUMNS = {"full_name": "full_name", "date_of_birth": "date_of_birth", "gender": "gender",
                "national_id": "national_id", "education": "education", "ethnicity": "ethnicity",
                "residence": "residence", "admission_date": "admission_date", "official_date": "official_date",
                "party_card_number": "party_card_number", "unit_id": "branch"}


def _unknown(key: str, value: str) -> str:
    if key == "gender":
        return _("Unknown gender: %(value)s (write Nam or Nữ).", value=value)
    if key == "education":
        return _("Unknown education level: %(value)s.", value=value)
    return _("Unknown status: %(value)s.", value=value)


def _chunks(keys: list):
    for i in range(0, len(keys), CHUNK):
        yield keys[i:i + CHUNK]


def _existing(session: Session, nids: list[str], cards: list[str], numbers: list[str]):
    people: dict[str, Person] = {}
    for part in _chunks(nids):
        for person in session.scalars(sa.select(Person).where(Person.national_id.in_(part))):
            people[person.national_id] = person
    ids = [p.id for p in people.values()]
    posts: dict[int, list[Post]] = {}
    certs: dict[int, set[str]] = {}
    for part in _chunks(ids):
        for post in session.scalars(sa.select(Post).where(Post.person_id.in_(part))):
            posts.setdefault(post.person_id, []).append(post)
    card_owner: dict[str, str] = {}
    for part in _chunks(cards):
        card_owner.update(session.execute(sa.select(Person.party_card_number, Person.national_id)
                                          .where(Person.party_card_number.in_(part))).all())
    number_owner: dict[str, int] = {}
    for part in _chunks(numbers):
        for number, pid in session.execute(sa.select(Certificate.number, Certificate.person_id)
                                           .where(Certificate.number.in_(part))).all():
            number_owner[number] = pid
            certs.setdefault(pid, set()).add(number)
    return people, posts, certs, card_owner, number_owner


def check(session: Session, tree: Tree, table, report, may: Callable, form_cls, tick) -> list[Plan]:
    """The plans of the people sheet ``table`` (``(name, header map, rows)``)."""
    _sheet, cols, rows = table

    def cell(values, key) -> Any:
        i = cols.get(key)
        return values[i] if i is not None and i < len(values) else None

    nids = [read_national_id(cell(v, "national_id")) for _n, v in rows]
    cards = [text(cell(v, "party_card_number")) for _n, v in rows]
    numbers = [text(cell(v, "certificate_number")) for _n, v in rows]
    people, posts_of, certs_of, card_owner, number_owner = _existing(
        session, sorted(set(nids)), sorted({c for c in cards if c}), sorted({n for n in numbers if n}))
    checker = FormChecker(form_cls)
    seen_nid: dict[str, int] = {}
    seen_card: dict[str, int] = {}
    seen_number: dict[str, int] = {}
    plans: list[Plan] = []
    for index, (number, values) in enumerate(rows):
        bad: dict[str, str] = {}

        def err(key, message):
            if key not in bad:
                bad[key] = message
                report.error(number, HEADERS[key], message)

        parsed: dict[str, Any] = {}
        for key, words in (("gender", GENDER_WORDS), ("education", EDUCATION_WORDS), ("status", STATUS_WORDS)):
            try:
                parsed[key] = read_word(cell(values, key), words)
            except CellError as exc:
                err(key, _unknown(key, str(exc)))
        for key in ("date_of_birth", "admission_date", "official_date", "certificate_date"):
            try:
                parsed[key] = read_date(cell(values, key))
            except CellError as exc:
                err(key, _("Not a date: %(value)s (write dd/mm/yyyy).", value=str(exc)))
        nid = nids[index]
        payload = {"full_name": text(cell(values, "full_name")), "national_id": nid, "unit_id": "1",
                   "ethnicity": text(cell(values, "ethnicity")), "residence": text(cell(values, "residence")),
                   "party_card_number": cards[index],
                   "gender": parsed["gender"].value if parsed.get("gender") else "",
                   "education": parsed["education"].value if parsed.get("education") else ""}
        for key in ("date_of_birth", "admission_date", "official_date"):
            payload[key] = parsed[key].isoformat() if parsed.get(key) else ""
        form_errors, data = checker.check(payload)
        for field, messages in form_errors.items():
            column = FORM_COLUMNS.get(field)
            if column and messages:
                err(column, str(messages[0]))
        status = parsed.get("status")
        if status is None and "status" not in bad:
            err("status", _("This field is required."))
        branch = tree.resolve(cell(values, "branch"))
        if not text(cell(values, "branch")):
            err("branch", _("This field is required."))
        elif branch is None:
            err("branch", _("Unknown branch: %(value)s.", value=text(cell(values, "branch"))))
        elif not tree.is_branch(branch):
            err("branch", _("A person belongs to a branch (chi bộ) or a grassroots branch."))
        elif isinstance(branch, int) and not may(branch):
            err("branch", _("You do not administer this branch."))
        if nid in seen_nid:
            err("national_id", _("The same national id is on row %(row)s.", row=seen_nid[nid]))
        else:
            seen_nid[nid] = number
        if status in MEMBERS and parsed.get("admission_date") is None and "admission_date" not in bad:
            err("admission_date", _("A party member has an admission date."))
        if status is PersonStatus.official and parsed.get("official_date") is None and "official_date" not in bad:
            err("official_date", _("An official member has an official date."))
        if status is PersonStatus.candidate and (parsed.get("admission_date") or parsed.get("official_date")):
            err("admission_date", _("A candidate has no admission or official date."))
        if status is PersonStatus.probationary and parsed.get("official_date"):
            err("official_date", _("A probationary member has no official date yet."))
        card = cards[index]
        if card:
            if status is not PersonStatus.official and status is not None:
                err("party_card_number", _("Only official members hold a party card."))
            elif card in seen_card:
                err("party_card_number", _("The same party card number is on row %(row)s.", row=seen_card[card]))
            elif card_owner.get(card, nid) != nid:
                err("party_card_number", _("This party card number belongs to someone else."))
            seen_card.setdefault(card, number)
        existing = people.get(nid)
        if existing is not None and status is not None and existing.status is not status:
            err("status", _("The status differs from the system's (%(status)s): a status changes only "
                            "through a decided case.", status=STATUS_OUT[existing.status]))
        if existing is not None and branch is not None and (not isinstance(branch, int)
                                                            or branch != existing.unit_id):
            err("branch", _("The person belongs to another branch: a move is a transfer case."))
        try:
            posts = read_posts(cell(values, "posts"))
        except CellError as exc:
            err("posts", _("Cannot read the post “%(entry)s” (write: title | start | end | unit).",
                           entry=str(exc)))
            posts = []
        for post in posts:
            post["unit"] = branch if not post["unit"] else tree.resolve(post["unit"])
            if post["unit"] is None and branch is not None:
                err("posts", _("Unknown unit of the post %(title)s.", title=post["title"]))
        if posts and status not in MEMBERS and status is not None:
            err("posts", _("Only a party member holds a post."))
        cert_number = numbers[index]
        cert = None
        if cert_number or parsed.get("certificate_date"):
            if not cert_number:
                err("certificate_number", _("This field is required."))
            elif parsed.get("certificate_date") is None:
                err("certificate_date", _("This field is required."))
            elif cert_number in seen_number:
                err("certificate_number", _("The same certificate number is on row %(row)s.",
                                            row=seen_number[cert_number]))
            elif number_owner.get(cert_number) not in (None, existing.id if existing is not None else None):
                err("certificate_number", _("This certificate number belongs to someone else."))
            else:
                seen_number[cert_number] = number
                cert = {"number": cert_number[:50], "issued_on": parsed["certificate_date"],
                        "issuer": text(cell(values, "certificate_issuer"))[:200]}
        tick(1)
        if bad:
            continue
        values_out = {k: data.get(k) for k in DETAILS}
        values_out.update(gender=parsed["gender"], education=parsed["education"],
                          ethnicity=data.get("ethnicity") or "Kinh", residence=data.get("residence") or "",
                          party_card_number=card or None, national_id=nid, status=status, branch=branch)
        if existing is None:
            plans.append(Plan("create", number, values_out, None, posts, [], cert))
            continue
        held = {(p.title, p.unit_id, p.started_on): p for p in posts_of.get(existing.id, [])}
        new_posts, ends = [], []
        for post in posts:
            found = held.get((post["title"], tree.id_of(post["unit"]), post["start"]))
            if found is None:
                new_posts.append(post)
            elif post["end"] is not None and found.ended_on != post["end"]:
                ends.append((found.id, post["end"]))
        if cert is not None and cert["number"] in certs_of.get(existing.id, set()):
            cert = None
        changed = any(getattr(existing, k) != values_out[k] for k in DETAILS)
        kind = "update" if changed or new_posts or ends or cert else "unchanged"
        plans.append(Plan(kind, number, values_out, existing, new_posts, ends, cert))
    return plans
