"""Benchmark: ``flask audit verify`` on PostgreSQL at national scale.

    python bench/audit_verify.py [--events 2000000] [--per-case 10] [--new 10000]
                                 [--url postgresql://postgres@127.0.0.1:5432/bench_verify] [--reuse]

Creates the database afresh (never ``test``), builds it from the migrations,
bulk-loads ``--events`` events with real hash chains and MACs
(:func:`bench.audit_load.copy_audit_events`, ``--per-case`` events a case,
interleaved in the global sequence as concurrent work is) and their cases,
signs a first checkpoint (``flask audit checkpoint``, a full check), then
times ``flask audit verify --full``; appends a day of ``--new`` events (to
existing and new cases) and times the default ``flask audit verify`` (from
the last signed checkpoint). Prints one JSON document with the figures and
the machine's load average before each timing (the machine may be shared).
Exits non-zero when a verification fails. ``--reuse`` keeps a database
already loaded with at least ``--events`` events, with its checkpoint log (each
run then adds another day). ``--plans range,cases`` times the full check with
each plan of :func:`workflow.verify.verify_all`.

``--existing`` works on a database loaded by someone else (``bench/scale.py``'s
``bench_scale``) and never bulk-writes to it: it times ``verify --full``; with
``--engine-day`` it also signs a checkpoint into its own log under /tmp, appends
``--new`` events through ``workflow.engine.record`` to existing cases (one
commit each, as the application does) and times the default ``verify``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

STATES = ("submitted", "vote", "decision", "approved", "closed")
ACTIONS = ("submit", "record_vote", "decide", "approve", "close", "document_read", "comment")
NAMES = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng Cường", "Phạm Thu Dung", "system")
TAG = "audit_verify_bench"
UNIT_SQL = ("INSERT INTO unit (id, name, level, path, grassroots_branch, hardship_area, may_admit, may_expel) "
            "VALUES (1, 'Tỉnh ủy Bến Tre', 'province', '1/', false, false, true, true)")


def events_of(rng: random.Random, case_id: int, n: int, start_at, first: int = 0) -> list[tuple]:
    """``n`` plausible events of one case (the fields copy_audit_events takes)."""
    import datetime as dt

    out = []
    state = "draft" if first == 0 else STATES[min(first, len(STATES)) - 1]
    for i in range(first, first + n):
        to_state = STATES[min(i, len(STATES) - 1)]
        action = ACTIONS[i % len(ACTIONS)]
        payload = {"document": f"{case_id}-QĐ/TU", "votes": {"for": rng.randint(5, 9), "against": rng.randint(0, 2)},
                   "decided_on": "2026-03-01"} if i % 3 == 1 else {"note": "Đã kiểm tra hồ sơ"}
        comment = "Đồng ý, chuyển cấp trên xem xét." if i % 4 == 2 else None
        at = start_at + dt.timedelta(minutes=37 * i, microseconds=rng.randint(0, 999_999))
        actor = rng.randrange(len(NAMES))
        out.append((None, NAMES[actor], action, state, to_state, payload, comment, at, f"req-{case_id}-{i}"))
        state = to_state
    return out


def load(url: str, events: int, per_case: int, mac_key: bytes, seed: int = 16) -> dict:
    """Create and fill the database; returns the counts and seconds."""
    import datetime as dt

    import psycopg
    import sqlalchemy as sa

    from bench.audit_load import copy_audit_events
    from core.schema import upgrade

    base = sa.make_url(url)
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{base.database}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{base.database}"'))
    admin.dispose()
    upgrade(url).dispose()
    started = time.perf_counter()
    rng = random.Random(seed)
    cases = events // per_case
    t0 = dt.datetime(2024, 1, 1, 8, 0)
    con = psycopg.connect(_libpq(url))
    cur = con.cursor()
    cur.execute(UNIT_SQL)
    # Indexes are built after the load (what a bulk import does).
    cur.execute("ALTER TABLE audit_event DROP CONSTRAINT IF EXISTS uq_audit_event_case_seq")
    cur.execute("DROP INDEX IF EXISTS ix_audit_event_at")
    heads_buf = []

    def on_head(case_id, seq, h, state):
        heads_buf.append(f"{case_id}\tadmission\t1\t2021\t{state}\t1\t1\t{t0.isoformat()}\t{t0.date()}\tf\tf\t{{}}"
                         f"\t{seq}\t{h}\n")
        if len(heads_buf) >= 50_000:
            flush_cases()

    def flush_cases():
        with cur.copy("COPY wf_case (id, process, process_version, rulebook, state, version, unit_id, "
                      "opened_at, opened_on, one_open_per_person, deadline_extended, data, audit_seq, audit_hash) "
                      "FROM STDIN") as cp:
            cp.write("".join(heads_buf))
        heads_buf.clear()

    chains = ((c, events_of(rng, c, per_case, t0 + dt.timedelta(minutes=c // 50))) for c in range(1, cases + 1))
    # Each case row is written after its events (its head is known then): the load skips the
    # foreign-key triggers (replica role), the rows being consistent by construction.
    cur.execute("SET session_replication_role = replica")
    next_id = copy_audit_events(cur, chains, first_gseq=1, mac_key=mac_key, on_head=on_head)
    flush_cases()
    cur.execute("SET session_replication_role = DEFAULT")
    t_copy = time.perf_counter() - started
    cur.execute("ALTER TABLE audit_event ADD CONSTRAINT uq_audit_event_case_seq UNIQUE (case_id, seq)")
    cur.execute("CREATE INDEX ix_audit_event_at ON audit_event (at)")
    cur.execute(f"SELECT setval(pg_get_serial_sequence('wf_case', 'id'), {cases})")
    con.commit()
    con.autocommit = True
    cur.execute("VACUUM ANALYZE audit_event")
    cur.execute("VACUUM ANALYZE wf_case")
    con.close()
    return {"events": next_id - 1, "cases": cases, "load_s": round(time.perf_counter() - started, 1),
            "copy_s": round(t_copy, 1)}


def add_day(url: str, new: int, mac_key: bytes, seed: int = 17) -> dict:
    """Append a day of ``new`` events: three quarters continue existing cases, the rest open new ones."""
    import datetime as dt

    import psycopg

    from bench.audit_load import copy_audit_events

    rng = random.Random(seed)
    con = psycopg.connect(_libpq(url))
    cur = con.cursor()
    cur.execute("SELECT max(id) FROM audit_event")
    top = cur.fetchone()[0]
    cur.execute("SELECT max(id) FROM wf_case")
    last_case = cur.fetchone()[0]
    old = rng.sample(range(1, last_case + 1), new * 3 // 8)  # two events each
    cur.execute(f"SELECT id, audit_seq, audit_hash FROM wf_case WHERE id IN ({', '.join(map(str, old))})")
    heads = {r[0]: (r[1], r[2]) for r in cur.fetchall()}
    day = dt.datetime(2026, 11, 30, 7, 0)
    fresh = range(last_case + 1, last_case + 1 + (new - 2 * len(old)) // 4)
    chains = [(c, events_of(rng, c, 2, day, first=heads[c][0])) for c in old]
    chains += [(c, events_of(rng, c, 4, day)) for c in fresh]
    moved = []
    cur.execute("SET session_replication_role = replica")
    for c in fresh:
        cur.execute("INSERT INTO wf_case (id, process, process_version, rulebook, state, version, unit_id, opened_at, "
                    "opened_on, one_open_per_person, deadline_extended, data, audit_seq, audit_hash) VALUES "
                    f"({c}, 'admission', 1, '2021', 'draft', 1, 1, %s, %s, false, false, '{{}}', 0, %s)",
                    (day, day.date(), "0" * 64))
    next_id = copy_audit_events(cur, chains, first_gseq=top + 1, mac_key=mac_key, heads=heads,
                                on_head=lambda c, s, h, st: moved.append((c, s, h, st)))
    cur.execute("CREATE TEMP TABLE heads (id int, seq int, hash text, state text)")
    with cur.copy("COPY heads FROM STDIN") as cp:
        cp.write("".join(f"{c}\t{s}\t{h}\t{st}\n" for c, s, h, st in moved))
    cur.execute("UPDATE wf_case SET audit_seq = heads.seq, audit_hash = heads.hash, state = heads.state "
                "FROM heads WHERE wf_case.id = heads.id")
    cur.execute("SET session_replication_role = DEFAULT")
    con.commit()
    con.close()
    return {"new_events": next_id - 1 - top, "cases_touched": len(moved)}


class BackendCpu:
    """CPU seconds used by the PostgreSQL backends of the verifier's own
    connections (those whose ``application_name`` is ``tag``), sampled from
    /proc while a command runs: other sessions on the same database are not counted."""

    def __init__(self, url: str, tag: str):
        import threading

        self.url, self.tag, self.seen, self.stop = _libpq(url), tag, {}, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.tick = os.sysconf("SC_CLK_TCK")

    def _run(self):
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as con:
            while not self.stop.is_set():
                pids = [r[0] for r in con.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s",
                                                  (self.tag,))]
                for pid in pids:
                    try:
                        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                        self.seen[pid] = (int(fields[11]) + int(fields[12])) / self.tick
                    except OSError:
                        continue
                self.stop.wait(0.05)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()

    @property
    def seconds(self) -> float:
        """The CPU seconds seen."""
        return sum(self.seen.values())


def timed(app, args: list[str], url: str) -> dict:
    """Run a flask CLI command in this process: wall seconds, CPU seconds of this
    process, its worker processes and the database backends, the 1-minute load
    average before it, exit code and output."""
    load_avg = os.getloadavg()[0]
    before = os.times()
    started = time.perf_counter()
    with BackendCpu(url, TAG) as backends:
        result = app.test_cli_runner().invoke(args=args)
    seconds = time.perf_counter() - started
    after = os.times()
    cpu = sum(after[:4]) - sum(before[:4])
    return {"s": round(seconds, 2), "cpu_s_python": round(cpu, 2), "cpu_s_postgres": round(backends.seconds, 2),
            "load_avg_1min": round(load_avg, 2), "exit": result.exit_code, "output": result.output.strip()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--per-case", type=int, default=10)
    parser.add_argument("--new", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=0, help="verifier processes (default: one per CPU)")
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/bench_verify")
    parser.add_argument("--reuse", action="store_true", help="keep the database and key if already loaded")
    parser.add_argument("--plans", default="range", help="full-check plans to time, comma-separated (range,cases)")
    parser.add_argument("--existing", action="store_true", help="a database loaded elsewhere: no load, no bulk write")
    parser.add_argument("--engine-day", action="store_true",
                        help="with --existing: sign a checkpoint, append --new events through the engine, verify")
    args = parser.parse_args()
    if args.url.rstrip("/").endswith("/test"):
        parser.error("never the shared database `test`")
    args.url = _sa_url(args.url)

    from app import create_app
    from workflow import signing

    work = Path(tempfile.gettempdir()) / f"audit-verify-bench-{Path(args.url).name}"
    work.mkdir(exist_ok=True)
    key_path, log = work / "signing-key.pem", work / "checkpoints.jsonl"
    out: dict = {"machine": {"cpus": os.cpu_count(), "note": "shared by 5 engineers; load average per figure"}}
    key = signing.load_or_generate(str(key_path))
    mac_key = key.mac_key
    loaded = args.existing
    if args.reuse and not loaded:
        loaded = _count(args.url) >= args.events
    if not loaded:
        log.unlink(missing_ok=True)
        out["load"] = load(args.url, args.events, args.per_case, mac_key)
    app = create_app({"APP_ENV": "testing", "DATABASE_URL": _tagged(args.url), "AUDIT_SIGNING_KEY": str(key_path),
                      "AUDIT_CHECKPOINT_LOG": str(log), "AUDIT_VERIFY_WORKERS": args.workers,
                      "UPLOAD_DIR": str(work / "uploads"), "CLOCK_FILE": ""})
    if (not args.existing or args.engine_day) and (not log.exists() or not log.read_text().strip()):
        out["first_checkpoint"] = timed(app, ["audit", "checkpoint"], args.url)
    events = _count(args.url)
    for i, plan in enumerate(p for p in args.plans.split(",") if p):
        name = f"verify_full_{plan}" if f"verify_full_{plan}" not in out else f"verify_full_{plan}_{i + 1}"
        full = out[name] = {"events": events, **timed(
            app, ["audit", "verify", "--full", "--plan", plan], args.url)}
        full["events_per_s"] = round(events / full["s"])
        # What the same work gives on two otherwise idle cores (CPU seconds, both sides, spread over 2).
        full["events_per_s_on_2_idle_cores"] = round(events / ((full["cpu_s_python"] + full["cpu_s_postgres"]) / 2))
    if not args.existing:
        out["day"] = add_day(args.url, args.new, mac_key)
    elif args.engine_day:
        out["day"] = engine_day(app, args.new)
    if not args.existing or args.engine_day:
        out["verify_since_checkpoint"] = timed(app, ["audit", "verify"], args.url)
    status = max(v["exit"] for k, v in out.items() if k.startswith("verify_"))
    status = max(status, out.get("first_checkpoint", {}).get("exit", 0))
    print(json.dumps(out, ensure_ascii=False, indent=1))
    return 1 if status else 0


def engine_day(app, new: int, seed: int = 18) -> dict:
    """Append ``new`` document-read events through ``workflow.engine.record``
    (MAC'd, one commit each) to existing cases picked at random; seconds taken."""
    import sqlalchemy as sa

    from workflow import engine

    rng = random.Random(seed)
    started = time.perf_counter()
    with app.app_context():
        session = app.extensions["sqlalchemy"].session
        last_case = session.execute(sa.text("SELECT max(id) FROM wf_case")).scalar()
        cases = [rng.randint(1, last_case) for _ in range(new)]
        for case_id in cases:
            engine.record(session, case_id, "download_document", None, {"kind": "1-KNĐ"})
        session.remove()
    return {"new_events": new, "cases_touched": len(set(cases)), "s": round(time.perf_counter() - started, 1)}


def _libpq(url: str) -> str:
    import sqlalchemy as sa

    return sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _tagged(url: str) -> str:
    """``url`` with the application name the CPU sampler looks for (the verifier's workers inherit it)."""
    import sqlalchemy as sa

    return sa.make_url(url).update_query_dict({"application_name": TAG}).render_as_string(hide_password=False)


def _sa_url(url: str) -> str:
    import sqlalchemy as sa

    return sa.make_url(url).set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def _count(url: str) -> int:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT coalesce(max(id), 0) FROM audit_event")).scalar()
    except sa.exc.OperationalError:
        return -1
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
