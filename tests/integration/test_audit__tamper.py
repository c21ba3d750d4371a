"""Tampering with the audit trail behind the application's back is detected.

Each test builds the same small history (three cases whose events interleave
in the global sequence), signs a checkpoint, hands a copy of the checkpoint
log to "the auditor", then changes the database directly with SQL, as its
superuser could (the append-only triggers are bypassed), and runs
``flask audit verify --checkpoint <the auditor's copy>``: it must fail and
name the first bad event (or, when the event is gone, its place in the
global sequence).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import os
import shutil

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from tests.fixtures_engine import advance_review, build_org, open_review
from workflow import engine as wf
from workflow.audit import event_hash
from workflow.models import GENESIS_HASH, AuditEvent, Case

EV = AuditEvent.__table__
CASE = Case.__table__
SQLITE_TRIGGERS = ("audit_event_no_update", "audit_event_no_delete")


@dataclasses.dataclass
class History:
    app: object
    engine: sa.Engine
    copy: str                     # the auditor's copy of the checkpoint log
    case: dict[str, int]          # "A", "B", "C" -> case id
    gseq: dict[tuple[str, int], int]
    users: dict[str, int]

    def id(self, name: str, seq: int) -> int:
        return self.gseq[(name, seq)]

    def verify(self, *extra: str):
        return self.app.test_cli_runner().invoke(args=["audit", "verify", "--checkpoint", self.copy, *extra])


@pytest.fixture
def history(app, db_engine, tmp_path) -> History:
    """A: approved (5 events), B: decision (4), C: vote plus a document read (4);
    13 events in the global sequence, A5 and C4 last; one signed checkpoint."""
    with Session(db_engine, expire_on_commit=False) as s:
        org = build_org(s)
        cases = {name: open_review(s, org) for name in "ABC"}
        for target, names in (("submitted", "ABC"), ("vote", "ABC"), ("decision", "AB"), ("approved", "A")):
            for name in names:
                advance_review(s, org, cases[name], target)
        wf.record(s, cases["C"].id, "document_read", org.committee, {"document": "1-KNĐ"})
        ids = {c.id: n for n, c in cases.items()}
        gseq = {(ids[r.case_id], r.seq): r.id for r in s.execute(sa.select(EV.c.id, EV.c.case_id, EV.c.seq))}
        users = {"secretary": org.secretary.id, "committee": org.committee.id}
    assert sorted(gseq.values()) == list(range(1, 14))
    assert (gseq[("A", 5)], gseq[("C", 4)]) == (12, 13)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 0 and "13 events" in result.output, result.output
    copy = tmp_path / "auditor-copy.jsonl"
    shutil.copyfile(app.config["AUDIT_CHECKPOINT_LOG"], copy)
    h = History(app, db_engine, str(copy), {n: c.id for n, c in cases.items()}, gseq, users)
    ok = h.verify()
    assert ok.exit_code == 0 and "OK (3 cases, 13 events;" in ok.output, ok.output
    return h


def tamper(h: History, *statements) -> None:
    """Run SQL (text, params) or callables(conn) on the database with the append-only triggers out of the way."""
    with h.engine.begin() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            for name in SQLITE_TRIGGERS:
                conn.execute(sa.text(f"DROP TRIGGER {name}"))
        else:
            conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
        for st in statements:
            if callable(st):
                st(conn)
            else:
                conn.execute(sa.text(st[0]), st[1] if len(st) > 1 else {})
        if sqlite:
            import importlib

            for ddl in importlib.import_module("migrations.versions.0002_workflow").SQLITE_TRIGGERS:
                conn.execute(sa.text(ddl))


def rechain(case_id: int, from_seq: int = 1, mac_key: bytes | None = None, keep_mac: bool = True):
    """Recompute a case's hashes from ``from_seq`` on and move its head and state
    to its last event, as an attacker who knows the hash rule would."""
    def run(conn):
        rows = conn.execute(sa.select(EV).where(EV.c.case_id == case_id).order_by(EV.c.seq)).all()
        prev = GENESIS_HASH
        for r in rows:
            if r.seq >= from_seq:
                h = event_hash(prev, case_id=r.case_id, seq=r.seq, actor_id=r.actor_id, actor_name=r.actor_name,
                               action=r.action, from_state=r.from_state, to_state=r.to_state, payload=r.payload,
                               comment=r.comment, at=r.at, request_id=r.request_id)
                mac = (hmac.new(mac_key, f"{r.id}:{h}".encode(), hashlib.sha256).hexdigest() if mac_key
                       else (r.mac if keep_mac else None))
                conn.execute(EV.update().where(EV.c.id == r.id).values(prev_hash=prev, hash=h, mac=mac))
                prev = h
            else:
                prev = r.hash
        last = rows[-1]
        conn.execute(CASE.update().where(CASE.c.id == case_id)
                     .values(audit_seq=last.seq, audit_hash=prev, state=last.to_state))
    return run


def set_event(case_id: int, seq: int, /, **values):
    """Change columns of event ``seq`` of a case."""
    def run(conn):
        conn.execute(EV.update().where(EV.c.case_id == case_id, EV.c.seq == seq).values(**values))
    return run


def forge_event(case_id: int, gseq: int, mac_key: bytes | None = None):
    """Append a well-formed next event to a case (hash chained, head moved)."""
    def run(conn):
        last = conn.execute(sa.select(EV).where(EV.c.case_id == case_id).order_by(EV.c.seq.desc())).first()
        fields = dict(case_id=case_id, seq=last.seq + 1, actor_id=last.actor_id, actor_name=last.actor_name,
                      action="decide", from_state=last.to_state, to_state="approved", payload={}, comment=None,
                      at=last.at + dt.timedelta(minutes=5), request_id=None)
        h = event_hash(last.hash, **fields)
        mac = hmac.new(mac_key, f"{gseq}:{h}".encode(), hashlib.sha256).hexdigest() if mac_key else None
        conn.execute(EV.insert().values(id=gseq, prev_hash=last.hash, hash=h, mac=mac, **fields))
        conn.execute(CASE.update().where(CASE.c.id == case_id)
                     .values(audit_seq=last.seq + 1, audit_hash=h, state="approved"))
    return run


def delete_case(case_id: int):
    def run(conn):
        for table in ("wf_timer", "wf_idempotency", "audit_event"):
            conn.execute(sa.text(f"DELETE FROM {table} WHERE case_id = :c"), {"c": case_id})
        conn.execute(sa.text("DELETE FROM wf_case WHERE id = :c"), {"c": case_id})
    return run


def fake_case(template_case: int, events: int, first_gseq: int):
    """A new case (a copy of another's row) with a valid chain of its own."""
    def run(conn):
        row = conn.execute(sa.select(CASE).where(CASE.c.id == template_case)).mappings().one()
        new_id = conn.execute(sa.text("SELECT max(id) + 1 FROM wf_case")).scalar()
        conn.execute(CASE.insert().values(dict(row, id=new_id, state="draft", audit_seq=0, audit_hash=GENESIS_HASH)))
        prev, at = GENESIS_HASH, dt.datetime(2025, 3, 3, 8)
        for seq in range(1, events + 1):
            fields = dict(case_id=new_id, seq=seq, actor_id=None, actor_name="system", action="start" if seq == 1
                          else "note", from_state=None if seq == 1 else "draft", to_state="draft", payload={},
                          comment=None, at=at, request_id=None)
            h = event_hash(prev, **fields)
            conn.execute(EV.insert().values(id=first_gseq + seq - 1, prev_hash=prev, hash=h, mac=None, **fields))
            prev = h
        conn.execute(CASE.update().where(CASE.c.id == new_id).values(audit_seq=events, audit_hash=prev))
    return run


def renumber(from_id: int, by: int):
    """Shift the global sequence numbers from ``from_id`` on down by ``by`` (closing a gap)."""
    def run(conn):
        conn.execute(sa.text("UPDATE audit_event SET id = -(id - :by) WHERE id >= :f"), {"by": by, "f": from_id})
        conn.execute(sa.text("UPDATE audit_event SET id = -id WHERE id < 0"))
    return run


ATTACKER_KEY = os.urandom(32)


def scenarios(h: History):
    """(name, manipulation, expected "first bad event" text)."""
    A, B, C = h.case["A"], h.case["B"], h.case["C"]
    g = h.id
    at2 = dt.datetime(2030, 1, 1, 9)
    return {
        "edit an event field": (
            [("UPDATE audit_event SET comment = 'sửa lén' WHERE id = :i", {"i": g("A", 3)})],
            f"case {A} event seq 3 (id {g('A', 3)}): hash does not match"),
        "edit an event and recompute its hash": (
            [set_event(A, 3, comment="sửa lén"), _rehash_one(A, 3)],
            f"case {A} event seq 3 (id {g('A', 3)}): the MAC does not match"),
        "edit an event, recompute the rest of its chain and the case head": (
            [set_event(A, 3, comment="sửa lén"), rechain(A, 3)],
            f"case {A} event seq 3 (id {g('A', 3)}): the MAC does not match"),
        "delete the last event of a case and roll back its head": (
            [("DELETE FROM audit_event WHERE id = :i", {"i": g("A", 5)}), rechain(A, 5)],
            f"at id {g('A', 5)}: events 12..12 of the global sequence are missing"),
        "delete a middle event": (
            [("DELETE FROM audit_event WHERE id = :i", {"i": g("B", 2)})],
            f"at id {g('B', 2)}: events 5..5 of the global sequence are missing"),
        "reorder two events of a case": (
            [set_event(A, 2, seq=-2), set_event(A, 3, seq=2), set_event(A, -2, seq=3)],
            f"case {A} event seq 2 (id {g('A', 3)}): prev_hash does not match"),
        "swap two events' places in the global sequence": (
            [("UPDATE audit_event SET id = -1 WHERE id = 4", ), ("UPDATE audit_event SET id = 4 WHERE id = 5", ),
             ("UPDATE audit_event SET id = 5 WHERE id = -1", )],
            f"case {B} event seq 2 (id 4): the MAC does not match"),
        "truncate a case's chain": (
            [("DELETE FROM audit_event WHERE case_id = :c AND seq > 2", {"c": B}), rechain(B, 3)],
            f"at id {g('B', 3)}: events 8..8 of the global sequence are missing"),
        "forge an appended event with a recomputed hash": (
            [forge_event(C, 14)], f"case {C} event seq 5 (id 14): the event has no MAC"),
        "forge an appended event with a MAC under another key": (
            [forge_event(C, 14, ATTACKER_KEY)], f"case {C} event seq 5 (id 14): the MAC does not match"),
        "change a case's state column": (
            [("UPDATE wf_case SET state = 'decision' WHERE id = :c", {"c": C})],
            f"case {C}: the case's state 'decision' is not its last event's 'vote'"),
        "change a case's head hash": (
            [("UPDATE wf_case SET audit_hash = :h WHERE id = :c", {"h": "ab" * 32, "c": B})],
            f"case {B}: the case's chain head does not match its last event"),
        "delete a whole case with its events": (
            [delete_case(B)], "at id 2: events 2..2 of the global sequence are missing"),
        "insert a fake case with a valid chain": (
            [fake_case(C, 2, 14)], "event seq 1 (id 14): the event has no MAC"),
        "change an event's timestamp": (
            [set_event(A, 2, at=at2)], f"case {A} event seq 2 (id {g('A', 2)}): hash does not match"),
        "change the actor": (
            [set_event(A, 2, actor_id=h.users["committee"], actor_name="Committee")],
            f"case {A} event seq 2 (id {g('A', 2)}): hash does not match"),
        "change the payload of a vote": (
            [set_event(A, 4, payload={"meeting_date": "2025-03-03", "entitled": 9, "present": 8, "votes_for": 8,
                                      "votes_against": 0})],
            f"case {A} event seq 4 (id {g('A', 4)}): hash does not match"),
        "swap events between cases": (
            [set_event(A, 2, seq=-2), set_event(B, 2, case_id=A), set_event(A, -2, case_id=B, seq=2)],
            f"case {B} event seq 2 (id {g('A', 2)}): prev_hash does not match"),
        "rewrite a chain with MACs under the attacker's own key": (
            [set_event(A, 3, comment="sửa lén"), rechain(A, 1, mac_key=ATTACKER_KEY)],
            f"case {A} event seq 1 (id {g('A', 1)}): the MAC does not match"),
        "rewrite a chain and strip its MACs": (
            [set_event(A, 3, comment="sửa lén"), rechain(A, 3, keep_mac=False)],
            f"case {A} event seq 3 (id {g('A', 3)}): the event has no MAC"),
        "delete an event and renumber the later ones to close the gap": (
            [("DELETE FROM audit_event WHERE id = :i", {"i": g("B", 4)}), rechain(B, 4), renumber(12, 1)],
            f"case {A} event seq 5 (id 11): the MAC does not match"),
        "delete the newest events of the history and roll back the heads": (
            [("DELETE FROM audit_event WHERE id >= 12", ), rechain(A, 5), rechain(C, 4)],
            "at id 12: checkpoint #1 ("),
        "add a case row with no events": (
            [fake_case(C, 0, 14)], "the case has no events"),
    }


def _rehash_one(case_id: int, seq: int):
    """Recompute one event's hash (not the events after it)."""
    def run(conn):
        prev_row = conn.execute(sa.select(EV).where(EV.c.case_id == case_id, EV.c.seq == seq)).one()
        h = event_hash(prev_row.prev_hash, case_id=case_id, seq=seq, actor_id=prev_row.actor_id,
                       actor_name=prev_row.actor_name, action=prev_row.action, from_state=prev_row.from_state,
                       to_state=prev_row.to_state, payload=prev_row.payload, comment=prev_row.comment,
                       at=prev_row.at, request_id=prev_row.request_id)
        conn.execute(EV.update().where(EV.c.id == prev_row.id).values(hash=h))
    return run


NAMES = [
    "edit an event field",
    "edit an event and recompute its hash",
    "edit an event, recompute the rest of its chain and the case head",
    "delete the last event of a case and roll back its head",
    "delete a middle event",
    "reorder two events of a case",
    "swap two events' places in the global sequence",
    "truncate a case's chain",
    "forge an appended event with a recomputed hash",
    "forge an appended event with a MAC under another key",
    "change a case's state column",
    "change a case's head hash",
    "delete a whole case with its events",
    "insert a fake case with a valid chain",
    "change an event's timestamp",
    "change the actor",
    "change the payload of a vote",
    "swap events between cases",
    "rewrite a chain with MACs under the attacker's own key",
    "rewrite a chain and strip its MACs",
    "delete an event and renumber the later ones to close the gap",
    "delete the newest events of the history and roll back the heads",
    "add a case row with no events",
]


@pytest.mark.parametrize("name", NAMES)
def test_tampering_is_detected_against_the_signed_checkpoint(history, name):
    statements, expected = scenarios(history)[name]
    tamper(history, *statements)
    result = history.verify()
    assert result.exit_code == 1, result.output
    first = result.output.split("first bad event: ", 1)[1]
    assert expected in first.splitlines()[0], result.output
