"""Benchmark: a synthetic province at national scale on PostgreSQL, measured through HTTP.

    python bench/scale.py [--cases 200000] [--people 100000] [--runs 30]
                          [--database-url postgresql://postgres@127.0.0.1:5432/bench_scale] [--reuse]

Builds the database from the migrations and bulk-loads it (:mod:`bench.scale_load`:
COPY, real hash chains; ``--reuse`` skips both and measures what is there), starts
the app with gunicorn on a free port against it, signs in a user of each level
(branch, grassroots, district, province), and times ``--runs`` requests of each
list, inbox, search and case page (API and HTML) after one warm-up, then prints
one JSON document: the load's counts and seconds, the load average, and p50/p95
in milliseconds per level and endpoint (with the statuses seen; every one must be 200).

Never run it against a database you care about: it empties it. Post-load steps
(e.g. rebuilding the reports' rollup set-based) go in :data:`POST_LOAD`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/bench_scale"
# Steps run on the loaded database before it is measured: callables taking a psycopg
# connection (autocommit) that rebuild, set-based, what the engine and triggers keep current
# and the COPY bypassed.
@contextlib.contextmanager
def _engine_on(conn):
    """A SQLAlchemy engine on the database of the psycopg connection ``conn``, disposed after."""
    import psycopg
    import sqlalchemy as sa

    engine = sa.create_engine("postgresql+psycopg://", creator=lambda: psycopg.connect(conn.info.dsn))
    try:
        yield engine
    finally:
        engine.dispose()


def rebuild_report_facts(conn) -> None:
    """Refill ``report_fact`` from the loaded audit trail (:func:`cases.report_facts.rebuild`,
    set-based: one INSERT … SELECT per kind), as a migration or a bulk import would."""
    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    from cases.report_facts import rebuild

    with _engine_on(conn) as engine, Session(engine) as session:
        count = rebuild(session)
        session.commit()
        # The loader's ANALYZE ran before the facts existed: without statistics the planner
        # takes the (kind, day) index and filters the unit's path row by row.
        session.execute(sa.text("ANALYZE report_fact"))
        session.commit()
    print(f"report facts rebuilt: {count}", file=sys.stderr)


def rebuild_name_words(conn) -> None:
    """Refill the people search's word table (:func:`cases.name_words.rebuild`, set-based): the
    loader's ``COPY`` runs with triggers off, so the trigger that keeps it current did not."""
    import sqlalchemy as sa

    from cases.name_words import rebuild

    with _engine_on(conn) as engine:
        with engine.begin() as sa_conn:
            sa_conn.execute(sa.text("SET LOCAL maintenance_work_mem = '256MB'"))
            count = rebuild(sa_conn)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as sa_conn:
            # The index-only scans of the word streams need the visibility map set.
            sa_conn.execute(sa.text("VACUUM ANALYZE person_word"))
            sa_conn.execute(sa.text("ANALYZE name_word"))
    print(f"name words rebuilt: {count}", file=sys.stderr)


def rebuild_report_rollup(conn) -> None:
    """Refill ``report_rollup`` from the facts and the cases (:func:`cases.report_rollup.rebuild`,
    set-based over a unit-to-ancestor closure); after :func:`rebuild_report_facts`."""
    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    from cases.report_rollup import rebuild

    with _engine_on(conn) as engine, Session(engine) as session:
        count = rebuild(session)
        session.commit()
        session.execute(sa.text("ANALYZE report_rollup"))
        session.commit()
    print(f"report rollup rebuilt: {count} rows", file=sys.stderr)


POST_LOAD: list = [rebuild_report_facts, rebuild_report_rollup, rebuild_name_words]
# Who is measured at each level: the sample accounts of bench/scale_load.py.
USERS = {"branch": "branch.branch_secretary", "grassroots": "grassroots.committee_member",
         "district": "district.standing_member", "province": "province.standing_member"}
EXTRA_USERS = {"district_organisation": "district.organisation_officer"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sa_url(url: str) -> str:
    return "postgresql+psycopg://" + url.split("://", 1)[1]


def start_server(url: str, port: int) -> subprocess.Popen:
    env = dict(os.environ, APP_ENV="development", DATABASE_URL=sa_url(url), SECRET_KEY="bench-scale",
               AUDIT_SIGNING_KEY="", CLOCK_FILE="", PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}",
                             "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env, start_new_session=True)
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


def worker_peak_rss_mb(server: subprocess.Popen) -> float:
    """The largest VmHWM (peak resident set) of gunicorn's workers, in MB."""
    peak = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        if re.search(rf"^PPid:\s+{server.pid}$", status, re.M):
            found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
            peak = max(peak, int(found.group(1)) if found else 0)
    return round(peak / 1024, 1)


def sign_in(base: str, username: str):
    """A ``requests`` session signed in on the pages, and an API bearer token."""
    import requests

    web = requests.Session()
    page = web.get(f"{base}/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"', page)
    web.post(f"{base}/login", data={"username": username, "password": "bench",
                                     "csrf_token": token.group(1) if token else ""}, allow_redirects=False)
    api = requests.Session()
    answer = api.post(f"{base}/api/v1/auth/token", json={"username": username, "password": "bench"})
    answer.raise_for_status()
    api.headers["Authorization"] = f"Bearer {answer.json()['token']}"
    return web, api


def targets(url: str, level: str, sample_unit: int) -> dict[str, tuple[str, str]]:
    """What is measured for a user of ``level``: name → (``web`` or ``api``, path)."""
    import psycopg

    with psycopg.connect(url) as conn:
        path = conn.execute("SELECT path FROM unit WHERE id = %s", (sample_unit,)).fetchone()[0]
        case_id, name = conn.execute(
            "SELECT c.id, p.full_name FROM wf_case c JOIN unit u ON u.id = c.unit_id JOIN person p ON p.id = "
            "c.person_id WHERE u.path LIKE %s AND c.process = 'admission' ORDER BY c.id DESC LIMIT 1",
            (path + "%",)).fetchone()
    out = {
        "case list": ("api", "/api/v1/cases"),
        "case list type+state": ("api", "/api/v1/cases?type=removal&state=branch_vote"),
        "case list overdue": ("api", "/api/v1/cases?overdue=true"),
        "case list q=full name": ("api", f"/api/v1/cases?q={name}"),
        "case list q=number": ("api", f"/api/v1/cases?q={case_id}"),
        "case list HTML": ("web", "/cases"),
        "case list HTML type+state": ("web", "/cases?type=removal&state=branch_vote"),
        "case list HTML overdue": ("web", "/cases?overdue=1"),
        "case list HTML q=full name": ("web", f"/cases?q={name}"),
        "inbox": ("api", "/api/v1/inbox"),
        "inbox HTML": ("web", "/inbox"),
        "people q=Nguyễn Văn": ("api", "/api/v1/people?q=Nguyễn Văn"),
        "people q=van (middle word)": ("api", "/api/v1/people?q=van"),
        "people q=full name": ("api", f"/api/v1/people?q={name}"),
        "person picker q=van": ("web", f"/people/pick?of=members_of_unit&unit={sample_unit}&q=van"),
        "case": ("api", f"/api/v1/cases/{case_id}"),
        "case HTML": ("web", f"/cases/{case_id}"),
        "history": ("api", f"/api/v1/cases/{case_id}/history"),
        "history HTML": ("web", f"/cases/{case_id}/history"),
        "summary report (the user's units, this year)": ("api", "/api/v1/reports/summary"),
        "summary report, last year": ("api", "/api/v1/reports/summary?year=2025"),
        "reports page": ("web", "/reports"),
        "dashboard": ("web", "/"),
    }
    return out


def measure(base: str, url: str, runs: int, sample: dict[str, int], server, only: str | None = None) -> dict:
    results = {}
    who = {**{level: (user, level) for level, user in USERS.items()},
           **{name: (user, "district") for name, user in EXTRA_USERS.items()}}
    for label, (username, level) in who.items():
        web, api = sign_in(base, username)
        wanted = targets(url, level, sample[level])
        if label in EXTRA_USERS:
            wanted = {k: v for k, v in wanted.items() if k.startswith("inbox")}
        if only:
            wanted = {k: v for k, v in wanted.items() if re.search(only, k)}
        if not wanted:
            continue
        out = {}
        for name, (kind, path) in wanted.items():
            client = web if kind == "web" else api
            client.get(base + path)  # warm-up
            times, statuses = [], set()
            for _ in range(runs):
                started = time.perf_counter()
                answer = client.get(base + path)
                times.append((time.perf_counter() - started) * 1000)
                statuses.add(answer.status_code)
            times.sort()
            out[name] = {"p50": round(statistics.median(times), 1),
                         "p95": round(times[max(0, int(round(0.95 * len(times))) - 1)], 1),
                         "status": sorted(statuses)}
        results[label] = out
    results["worker_peak_rss_mb"] = worker_peak_rss_mb(server)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--branches", type=int, default=15_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--reuse", action="store_true", help="skip loading: measure the database as it is")
    parser.add_argument("--load-only", action="store_true", help="load, do not measure")
    parser.add_argument("--only", metavar="REGEX", help="measure only the endpoints whose name matches")
    args = parser.parse_args()
    url = args.database_url
    if url.rstrip("/").rsplit("/", 1)[-1] == "test":
        parser.error("the database `test` is shared: use another")
    report: dict = {"loadavg_before": os.getloadavg()}
    from bench.scale_load import build_tree, load

    if not args.reuse:
        from core.schema import upgrade

        upgrade(sa_url(url)).dispose()
        report["load"] = load(url, cases=args.cases, people=args.people, branches=args.branches,
                              workers=args.workers, post_load=POST_LOAD,
                              log=lambda m: print(m, file=sys.stderr, flush=True))
        report["loadavg_after_load"] = os.getloadavg()
    sample = build_tree(args.branches)[2]
    if not args.load_only:
        port = free_port()
        server = start_server(url, port)
        try:
            report["loadavg_before_measure"] = os.getloadavg()
            report["ms"] = measure(f"http://127.0.0.1:{port}", url, args.runs, sample, server, args.only)
            report["loadavg_after_measure"] = os.getloadavg()
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
