"""Signed checkpoints, incremental verification, the beat task and offline inclusion proofs."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from tests.integration.test_audit__tamper import (  # noqa: F401  (history is a fixture)
    ATTACKER_KEY, forge_event, history, rechain, scenarios, set_event, tamper)
from workflow import engine as wf
from workflow import signing
from workflow.audit import event_hash

ROOT = Path(__file__).resolve().parents[2]


def cli(h, *args):
    return h.app.test_cli_runner().invoke(args=["audit", *args])


def log_lines(h) -> list[str]:
    return Path(h.app.config["AUDIT_CHECKPOINT_LOG"]).read_text().splitlines()


def add_event(h, name: str = "C") -> None:
    """A legitimate event, appended through the engine."""
    with Session(h.engine) as s:
        wf.record(s, h.case[name], "document_read", None, {"document": "2-KNĐ"})


def test_a_checkpoint_file_edited_by_hand_fails_its_signature(history, tmp_path):
    line = json.loads(log_lines(history)[0])
    # Each edit must change the line: a root that already starts with "f" (one
    # history in sixteen) gets "0" instead.
    root = ("0" if line["root"].startswith("f") else "f") + line["root"][1:]
    assert line["count"] != 12 and line["time"] != "2020-01-01T00:00:00Z"
    for field, value in (("root", root), ("count", 12), ("time", "2020-01-01T00:00:00Z")):
        edited = dict(line, **{field: value})
        if field == "count":
            edited["seq"] = 12
        Path(history.copy).write_text(json.dumps(edited) + "\n")
        result = history.verify()
        assert result.exit_code == 1
        assert "checkpoint #1" in result.output and "invalid signature" in result.output, (field, result.output)
    other = signing.generate(tmp_path / "other.pem")
    forged = dict(line, key_id=other.key_id)
    forged.pop("signature")
    from workflow.checkpoints import Checkpoint

    cp = Checkpoint.from_dict(dict(forged, signature=""))
    Path(history.copy).write_text(json.dumps(dict(cp.as_dict(), signature=other.sign(cp.message()))) + "\n")
    result = history.verify()
    assert result.exit_code == 1 and f"is signed by key {other.key_id}, not by the trusted key" in result.output
    # The same forged line verifies against the attacker's own key only.
    (tmp_path / "other.pub").write_text(other.pem())
    assert history.verify("--public-key", str(tmp_path / "other.pub")).exit_code == 0


def test_verify_checks_from_the_last_checkpoint_by_default(history):
    add_event(history)
    result = cli(history, "verify")
    assert result.exit_code == 0 and "1 events since the checkpoint, 1 cases touched" in result.output, result.output
    result = cli(history, "checkpoint")
    assert result.exit_code == 0 and "14 events" in result.output, result.output
    assert len(log_lines(history)) == 2
    assert "no new events" in cli(history, "checkpoint").output and len(log_lines(history)) == 2
    full = cli(history, "verify", "--full")
    assert full.exit_code == 0 and "OK (3 cases, 14 events; checkpoint #2" in full.output, full.output
    # An event forged after the last checkpoint: the quick check sees it.
    tamper(history, forge_event(history.case["C"], 15))
    result = cli(history, "verify")
    assert result.exit_code == 1
    assert f"first bad event: case {history.case['C']} event seq 6 (id 15): the event has no MAC" in result.output


def test_the_quick_check_reverifies_touched_cases_and_leaves_the_rest_to_full(history):
    A, C = history.case["A"], history.case["C"]
    tamper(history, set_event(A, 2, comment="sửa lén"), rechain(A, 2), set_event(C, 2, comment="sửa lén"),
           rechain(C, 2))
    add_event(history, "C")
    quick = cli(history, "verify")
    assert quick.exit_code == 1
    assert f"first bad event: case {C} event seq 2 (id {history.id('C', 2)}): the MAC does not match" in quick.output
    assert f"case {A} " not in quick.output  # untouched since the checkpoint: only --full looks
    full = cli(history, "verify", "--full")
    assert full.exit_code == 1
    assert f"first bad event: case {A} event seq 2 (id {history.id('A', 2)})" in full.output


def test_a_checkpoint_is_refused_over_a_tampered_increment(history):
    add_event(history)
    tamper(history, ("UPDATE audit_event SET comment = 'x' WHERE id = 14",))
    result = cli(history, "checkpoint")
    assert result.exit_code == 1 and "refused" in result.output
    assert len(log_lines(history)) == 1


def test_the_beat_task_signs_checkpoints_and_records_a_refusal(history):
    from app.extensions import db
    from core.models import TaskRun
    from tasks.jobs import audit_checkpoint

    add_event(history)
    with history.app.app_context():
        assert audit_checkpoint.delay().get() == 14
        assert audit_checkpoint.delay().get() == 14
        assert len(log_lines(history)) == 2
        assert "audit-checkpoint" in history.app.extensions["celery"].conf.beat_schedule
    tamper(history, set_event(history.case["B"], 4, comment="x"), rechain(history.case["B"], 4))
    add_event(history, "B")
    with history.app.app_context():
        assert audit_checkpoint.delay().get() is None
        runs = db.session.scalars(sa.select(TaskRun).where(TaskRun.name == "audit_checkpoint")).all()
        assert len(runs) == 1 and runs[0].detail.startswith(f"refused: case {history.case['B']} event seq 4")
    assert len(log_lines(history)) == 2


def test_the_full_check_gives_the_same_answer_in_a_process_pool(history):
    tamper(history, *scenarios(history)["edit an event, recompute the rest of its chain and the case head"][0])
    serial, pooled = history.verify("--workers", "1"), history.verify("--workers", "2")
    assert serial.exit_code == pooled.exit_code == 1
    first = [r.output.split("first bad event: ")[1] for r in (serial, pooled)]
    assert first[0] == first[1] and first[0].startswith(f"case {history.case['A']} event seq 3")


def run_checker(proof: Path, public: Path | None) -> subprocess.CompletedProcess:
    args = [sys.executable, str(ROOT / "scripts" / "verify_proof.py"), str(proof)]
    if public is not None:
        args += ["--public-key", str(public)]
    return subprocess.run(args, capture_output=True, text=True, timeout=60)


def test_a_proof_verifies_offline_and_a_proof_of_altered_events_does_not(history, tmp_path):
    A = history.case["A"]
    add_event(history, "A")  # after the checkpoint: listed as not yet covered
    proof_file, public = tmp_path / "proof.json", tmp_path / "public.pem"
    result = cli(history, "prove", str(A), "-o", str(proof_file))
    assert result.exit_code == 0, result.output
    public.write_text(cli(history, "public-key").output)
    proof = json.loads(proof_file.read_text())
    assert [e["fields"]["seq"] for e in proof["events"]] == [1, 2, 3, 4, 5]
    assert proof["not_covered"] == [{"seq": 6, "gseq": 14}]
    ok = run_checker(proof_file, public)
    assert ok.returncode == 0 and f"OK: case {A}, events 1..5" in ok.stdout, ok.stderr
    assert cli(history, "check-proof", str(proof_file)).exit_code == 0

    def check(altered: dict, public_key=public) -> str:
        path = tmp_path / "altered.json"
        path.write_text(json.dumps(altered, ensure_ascii=False))
        run = run_checker(path, public_key)
        assert run.returncode == 1, run.stdout
        return run.stderr

    vote = copy.deepcopy(proof)
    vote["events"][3]["fields"]["payload"]["votes_for"] = 9
    assert "event seq 4" in check(vote) and "hash does not match its fields" in check(vote)
    # The same edit with every later hash recomputed: the chain holds, the tree does not.
    prev = vote["events"][2]["hash"]
    for ev in vote["events"][3:]:
        ev["prev_hash"] = prev
        ev["hash"] = prev = event_hash(prev, **ev["fields"])
    assert "its audit path does not lead to the signed root" in check(vote)
    root = copy.deepcopy(proof)
    root["checkpoint"]["root"] = "0" * 64
    assert "signature is invalid" in check(root)
    other = signing.generate(tmp_path / "other.pem")
    (tmp_path / "other.pub").write_text(other.pem())
    assert "the public key is" in check(proof, tmp_path / "other.pub")

    # Once the database is rewritten, it can no longer prove the case against the checkpoint.
    tamper(history, set_event(A, 2, comment="sửa lén"), rechain(A, 2, mac_key=ATTACKER_KEY))
    refused = cli(history, "prove", str(A))
    assert refused.exit_code == 1 and "no longer gives the checkpoint's root" in refused.output


def test_production_refuses_to_start_without_the_signing_key(monkeypatch, tmp_path):
    from app import create_app

    monkeypatch.setenv("SECRET_KEY", "a-real-secret-for-this-test-only")
    base = {"APP_ENV": "production", "DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}",
            "UPLOAD_DIR": str(tmp_path / "u"), "RATELIMIT_STORAGE_URI": "memory://"}
    for missing in ("", str(tmp_path / "absent.pem")):
        with pytest.raises(RuntimeError, match="audit signing key|AUDIT_SIGNING_KEY"):
            create_app(dict(base, AUDIT_SIGNING_KEY=missing))
    assert not (tmp_path / "absent.pem").exists()


def test_development_creates_the_key_once_and_keeps_it(app):
    key_file = Path(app.config["AUDIT_SIGNING_KEY"])
    assert key_file.is_file() and oct(key_file.stat().st_mode & 0o777) == "0o600"
    before = key_file.read_bytes()
    from app import create_app

    again = create_app({"APP_ENV": "development", "DATABASE_URL": app.config["DATABASE_URL"],
                        "AUDIT_SIGNING_KEY": str(key_file), "UPLOAD_DIR": app.config["UPLOAD_DIR"],
                        "CELERY_BROKER_URL": app.config["CELERY_BROKER_URL"]})
    assert key_file.read_bytes() == before
    assert again.extensions["audit_key"].key_id == app.extensions["audit_key"].key_id
