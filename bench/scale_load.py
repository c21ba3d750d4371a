"""Bulk loader of :mod:`bench.scale`: a synthetic province written with COPY.

The tree (province → districts → grassroots organisations → ~15,000 branches,
shaped like ``core/demo.py``'s), ``people`` members and candidates, user
accounts for every role at a sample unit of each level, and ``cases`` cases of
every process in a realistic mix of states with their audit events (real hash
chains, computed by :mod:`workflow.audit`'s own functions in
:func:`event_lines`, the one place this bench writes events), their deadlines
and timers. Cases and events are generated and copied by ``workers`` processes
in parallel, each in chunks of whole cases with precomputed global sequence
numbers, so the chains are gapless exactly as the engine writes them.

Secondary indexes of the big tables are dropped before the COPY and rebuilt
after (what a restore does); foreign keys are not checked during the COPY
(``session_replication_role = replica``): the generator makes them right.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import random
import time

import psycopg

from workflow.audit import canonical, chain_hash
from workflow.models import GENESIS_HASH

SEED = 20261201
NOW = dt.datetime(2026, 12, 1, 0, 0)  # loads are deterministic; the clock of the app is the real one
LOCAL = dt.timedelta(hours=7)  # a case's opened_on is its Vietnamese day (UTC+7), as the engine writes it
BIG_TABLES = ("person", "wf_case", "audit_event", "wf_timer")
CHUNK = 20_000
READS = (1, 6)  # documents read a case, uniform: 3.5 on average besides its transitions
DOCUMENT_KINDS = ("1-KNĐ", "2-KNĐ", "3-KNĐ", "4-KNĐ", "5-KNĐ")
NUL = "\\N"  # COPY's NULL

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương",
          "Phan", "Trịnh", "Đinh", "Mai", "Lương", "Đoàn"]
MIDDLE = ["Văn", "Đức", "Minh", "Hữu", "Quang", "Xuân", "Thanh", "Công", "Duy", "Ngọc", "Thị", "Thu", "Hồng",
          "Phương", "Kim", "Diệu"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hải", "Hiếu", "Hùng", "Khánh", "Long", "Nam", "Phong", "Phúc",
         "Quân", "Sơn", "Thắng", "Trung", "Tuấn", "Việt", "Vinh", "Toàn", "Đạt", "Hà", "Hạnh", "Hoa", "Hương",
         "Lan", "Linh", "Nga", "Thảo", "Thủy", "Trang", "Yến", "Huyền", "Loan", "Nhung"]
# Share of the cases by process, and of each process's cases still open.
MIX = {"admission": (0.33, 0.25), "grading": (0.25, 0.08), "transfer": (0.14, 0.15), "discipline": (0.09, 0.2),
       "candidacy": (0.09, 0.3), "removal": (0.05, 0.25), "exemption": (0.05, 0.3)}
ROLES = ("branch_secretary", "branch_deputy", "committee_member", "standing_member", "organisation_officer",
         "inspection_officer", "auditor", "admin")
LEVELS = ("branch", "grassroots", "district", "province")


def _fold(text: str) -> str:
    from core.text import fold

    return fold(text)


# ---- the processes' paths -----------------------------------------------------------------------------

def main_paths() -> dict[str, list[tuple[str, str | None, str, bool]]]:
    """Each registered process's way forward, from its start state to an end state:
    ``[(action, from_state, to_state, by_system)]``, the first being ``start``. A case
    in the k-th state of the path has the k+1 first events."""
    from cases.registry import load_all
    from workflow.definition import registered

    load_all()
    out = {}
    for (name, _version), proc in sorted(registered().items()):
        start = next(iter(proc.start_specs))
        ends = {getattr(s, "value", s) for s in proc.end_states}
        path, seen, state = [("start", None, start, False)], {start}, start
        while state not in ends:
            cts = list(proc.from_state.get(state, ()))
            step = next(((ct, t) for ct in cts for t in ct.possible_targets if t not in seen and t not in ends),
                        None) or next(((ct, t) for ct in cts for t in ct.possible_targets
                                       if t in ends and not ct.is_system), None)
            if step is None:
                break
            path.append((step[0].action, state, step[1], step[0].is_system))
            seen.add(step[1])
            state = step[1]
        timers = {s for cts in proc.by_action.values() for ct in cts if ct.is_system for s in ct.sources}
        out[name] = (proc.version, path, timers, bool(getattr(proc, "one_open_per_person", False)))
    return out


# ---- tree, people, accounts ---------------------------------------------------------------------------

def build_tree(branches: int) -> tuple[list[tuple], list[int], dict[str, int]]:
    """Units as COPY rows ``(id, name, level, parent_id, path, grassroots_branch, ...)``, the
    ids of the home units of members (branches and grassroots branches), and a sample
    unit id per level (``branch``, ``grassroots``, ``district``, ``province``)."""
    rows, homes = [], []
    rows.append((1, "Tỉnh ủy Nam Định", "province", None, "/1/", False))
    districts, per_district_committees, per_district_gb = 12, 32, 8
    per_committee = max(1, round(branches / (districts * per_district_committees)))
    next_id = 2
    sample = {"province": 1}
    for d in range(districts):
        did, next_id = next_id, next_id + 1
        dpath = f"/1/{did}/"
        rows.append((did, f"Huyện ủy số {d + 1}", "superior", 1, dpath, False))
        sample.setdefault("district", did)
        for g in range(per_district_committees + per_district_gb):
            gid, next_id = next_id, next_id + 1
            gpath = f"{dpath}{gid}/"
            if g >= per_district_committees:  # a chi bộ cơ sở: grassroots and branch at once
                rows.append((gid, f"Chi bộ cơ quan số {g + 1} ({d + 1})", "grassroots", did, gpath, True))
                homes.append(gid)
                continue
            rows.append((gid, f"Đảng ủy xã số {g + 1} ({d + 1})", "grassroots", did, gpath, False))
            sample.setdefault("grassroots", gid)
            for b in range(per_committee):
                bid, next_id = next_id, next_id + 1
                rows.append((bid, f"Chi bộ thôn {b + 1} (xã {g + 1}, huyện {d + 1})", "branch", gid,
                             f"{gpath}{bid}/", False))
                sample.setdefault("branch", bid)
                homes.append(bid)
    return rows, homes, sample


def person_lines(first: int, last: int, homes: list[int]) -> str:
    """COPY text of the people ``first..last`` (ids), ``homes[(id - 1) % len(homes)]`` their unit."""
    rng = random.Random(SEED + first)
    folded = {w: _fold(w) for w in FAMILY + MIDDLE + GIVEN}
    out = []
    for pid in range(first, last + 1):
        f, m, g = rng.choice(FAMILY), rng.choice(MIDDLE), rng.choice(GIVEN)
        r = rng.random()
        status = "official" if r < 0.85 else "probationary" if r < 0.9 else "candidate"
        born = dt.date(1950 + rng.randrange(55), rng.randint(1, 12), rng.randint(1, 28))
        admitted = "\\N" if status == "candidate" else dt.date(born.year + 25, 3, 1).isoformat()
        official = dt.date(born.year + 26, 3, 1).isoformat() if status == "official" else "\\N"
        card = f"{pid:09d}" if status == "official" else "\\N"
        out.append(f"{pid}\t{f} {m} {g}\t{folded[f]} {folded[m]} {folded[g]}\t{born.isoformat()}\t"
                   f"{'female' if m in ('Thị', 'Thu', 'Hồng', 'Kim', 'Diệu') else 'male'}\t036{pid:09d}\t"
                   f"upper_secondary\tKinh\t\t{homes[(pid - 1) % len(homes)]}\t{status}\tf\tf\t{admitted}\t"
                   f"{official}\t{card}\t\\N\t2026-01-01 00:00:00\tf\tf\t\\N\t\\N\n")
    return "".join(out)


PERSON_COLUMNS = ("id, full_name, name_folded, date_of_birth, gender, national_id, education, ethnicity, residence, "
                  "unit_id, status, youth_union_member, trade_union_member, admission_date, official_date, "
                  "party_card_number, joined_unit_on, created_at, private_enterprise_worker, village_head, "
                  "host_unit_id, exemption")


def accounts(sample: dict[str, int], password_hash: str) -> tuple[list[tuple], list[tuple]]:
    """``(users, role assignments)``: ``<level>.<role>`` holds ``role`` at the sample unit of ``level``."""
    users, grants = [], []
    for level in LEVELS:
        for role in ROLES:
            uid = len(users) + 1
            users.append((uid, f"{level}.{role}", f"Cán bộ {role} ({level})", password_hash))
            grants.append((uid, uid, sample[level], role))
    return users, grants


# ---- cases and their events ---------------------------------------------------------------------------

def plan_cases(cases: int, people: int, homes: list[int], paths: dict) -> list[list[tuple]]:
    """Chunks of ``(case id, process, path index, person id or None, unit id, first gseq,
    reviewing unit id or None, reads)``: the mix of :data:`MIX`, at most one open case of a
    one-open process per person; a transfer's reviewing unit is its destination; ``reads``
    documents read (``download_document`` events) besides the transitions, about
    :data:`READS` a case, which brings the mix to the 10.6 events a case of the issue."""
    rng = random.Random(SEED)
    names = list(MIX)
    weights = [MIX[n][0] for n in names]
    open_pairs: set = set()
    chunks, chunk, gseq = [], [], 1
    for cid in range(1, cases + 1):
        name = rng.choices(names, weights)[0]
        _version, path, _timers, one_open = paths[name]
        closed = rng.random() >= MIX[name][1]
        k = len(path) - 1 if closed else rng.randrange(len(path) - 1)
        if name == "grading":
            person, unit = None, homes[rng.randrange(len(homes))]
        else:
            person = rng.randrange(people) + 1
            while not closed and one_open and (person, name) in open_pairs:
                person = rng.randrange(people) + 1
            if not closed and one_open:
                open_pairs.add((person, name))
            unit = homes[(person - 1) % len(homes)]
        reviewing = homes[rng.randrange(len(homes))] if name == "transfer" else None
        reads = rng.randint(READS[0], READS[1])
        chunk.append((cid, name, k, person, unit, gseq, reviewing, reads))
        gseq += k + 1 + reads
        if len(chunk) == CHUNK:
            chunks.append(chunk)
            chunk = []
    if chunk:
        chunks.append(chunk)
    return chunks


def event_lines(case_id: int, events: list[tuple], first_gseq: int) -> tuple[list[str], str]:
    """The audit events of one case as COPY text lines of ``audit_event``, and the chain's head hash.

    ``events``: ``(actor_id, actor_name, action, from_state, to_state, payload, comment, at)``
    in order; their hashes are :func:`workflow.audit.chain_hash` over
    :func:`workflow.audit.canonical`, exactly as :func:`workflow.audit.append` computes
    them, chained from :data:`GENESIS_HASH`; the ``n``-th takes the global sequence
    number ``first_gseq + n``. No MAC (as events written without a key). The one
    function of this bench that writes events (shared with the verification bench)."""
    prev, lines = GENESIS_HASH, []
    for n, (actor_id, actor_name, action, from_state, to_state, payload, comment, at) in enumerate(events):
        body = canonical(case_id, n + 1, actor_id, actor_name, action, from_state, to_state, payload, comment, at,
                         None)
        new = chain_hash(prev, body)
        payload_text = "{}" if not payload else body_json(payload)
        lines.append(f"{first_gseq + n}\t{case_id}\t{n + 1}\t{NUL if actor_id is None else actor_id}\t"
                     f"{actor_name}\t{action}\t{NUL if from_state is None else from_state}\t{to_state}\t"
                     f"{payload_text}\t{NUL if comment is None else comment}\t{at.isoformat(sep=' ')}\t\\N\t"
                     f"{prev}\t{new}\t\\N\n")
        prev = new
    return lines, prev


def body_json(payload: dict) -> str:
    """``payload`` as COPY text (JSON, backslashes doubled)."""
    import json

    return json.dumps(payload, ensure_ascii=False).replace("\\", "\\\\")


EVENT_COLUMNS = ("id, case_id, seq, actor_id, actor_name, action, from_state, to_state, payload, comment, at, "
                 "request_id, prev_hash, hash, mac")
CASE_COLUMNS = ("id, process, process_version, rulebook, state, version, unit_id, person_id, reviewing_unit_id, "
                "opened_by_id, opened_at, opened_on, closed_at, deadline_at, deadline_kind, deadline_label, "
                "deadline_extended, data, audit_seq, audit_hash, one_open_per_person")
TIMER_COLUMNS = "id, case_id, state, action, due_at, created_at, fired_at, cancelled_at, outcome"


def load_chunk(args) -> tuple[int, int, float]:
    """Generate and COPY one chunk of cases (a worker's task): ``(cases, events, seconds)``."""
    url, chunk, paths, actors = args
    started = time.perf_counter()
    rng = random.Random(SEED + chunk[0][0])
    cases, events, timers = [], [], []
    for cid, name, k, person, unit, gseq, reviewing, reads in chunk:
        version, path, timer_states, one_open = paths[name]
        closed = k == len(path) - 1
        span = rng.randint(30, 3 * 365) if closed else rng.randint(k + 1, 400)
        opened = NOW - dt.timedelta(days=span, seconds=rng.randrange(86400))
        step = dt.timedelta(days=span) / (k + 1)
        evs, at = [], opened
        for j, (action, from_state, to_state, by_system) in enumerate(path[:k + 1]):
            actor = (None, "system") if by_system else actors[rng.randrange(len(actors))]
            evs.append((actor[0], actor[1], action, from_state, to_state, {}, None, at))
            # The documents read in this state: spread over the states the case went through.
            for _ in range(reads // (k + 1) + (j < reads % (k + 1))):
                reader = actors[rng.randrange(len(actors))]
                at = at + dt.timedelta(minutes=rng.randint(1, max(1, int(step.total_seconds()) // 60 // (reads + 1))))
                evs.append((reader[0], reader[1], "download_document", to_state, to_state,
                            {"kind": DOCUMENT_KINDS[rng.randrange(len(DOCUMENT_KINDS))]}, None, at))
            at = at + step
        lines, head = event_lines(cid, evs, gseq)
        events.extend(lines)
        last = evs[-1][7]
        state = path[k][2]
        deadline = NUL
        if not closed:
            if rng.random() < 0.03:  # overdue
                deadline = (NOW - dt.timedelta(days=rng.randint(1, 40))).isoformat(sep=" ")
            elif rng.random() < 0.8:
                deadline = (NOW + dt.timedelta(days=rng.randint(1, 90))).isoformat(sep=" ")
            if state in timer_states:
                due = (NOW + dt.timedelta(days=rng.randint(1, 365))).isoformat(sep=" ")
                action = next(a for a, f, _t, s in path if s and f == state) if any(
                    s and f == state for _a, f, _t, s in path) else "lapse"
                timers.append(f"{cid}\t{cid}\t{state}\t{action}\t{due}\t{last.isoformat(sep=' ')}\t\\N\t\\N\t\\N\n")
        rulebook = ("qd366_2025" if opened.year >= 2025 else "hd21_2019") if name == "grading" else (
            "qd294_2025" if opened.date() >= dt.date(2025, 7, 1) else "qd24_2021")
        cases.append(f"{cid}\t{name}\t{version}\t{rulebook}\t{state}\t{k + 1}\t{unit}\t"
                     f"{NUL if person is None else person}\t{NUL if reviewing is None else reviewing}\t"
                     f"{actors[0][0]}\t{opened.isoformat(sep=' ')}\t"
                     f"{(opened + LOCAL).date().isoformat()}\t{last.isoformat(sep=' ') if closed else NUL}\t{deadline}\t"
                     f"{NUL if deadline == NUL else 'step'}\t\\N\tf\t{{}}\t{len(evs)}\t{head}\t"
                     f"{'t' if one_open else 'f'}\n")
    with psycopg.connect(url) as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute("SET synchronous_commit = off")
        with conn.cursor() as cur:
            for table, columns, rows in (("wf_case", CASE_COLUMNS, cases), ("audit_event", EVENT_COLUMNS, events),
                                         ("wf_timer", TIMER_COLUMNS, timers)):
                with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for i in range(0, len(rows), 5000):
                        copy.write("".join(rows[i:i + 5000]))
    return len(cases), len(events), time.perf_counter() - started


# ---- indexes ------------------------------------------------------------------------------------------

def drop_indexes(conn) -> list[str]:
    """Drop the secondary indexes and unique constraints of :data:`BIG_TABLES` (not the primary
    keys, which foreign keys need); returns the statements that rebuild them."""
    rebuild = []
    rows = conn.execute(
        "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
        "WHERE c.contype = 'u' AND c.conrelid::regclass::text = ANY(%s)", (list(BIG_TABLES),)).fetchall()
    for table, name, definition in rows:
        conn.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        rebuild.append(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
    rows = conn.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE NOT i.indisprimary AND i.indrelid::regclass::text = ANY(%s)", (list(BIG_TABLES),)).fetchall()
    for name, definition in rows:
        conn.execute(f"DROP INDEX {name}")
        rebuild.append(definition)
    return rebuild


def load(url: str, *, cases: int, people: int, branches: int = 15_000, workers: int = 2,
         post_load: list | None = None, log=print) -> dict:
    """Empty the schema's data and load the synthetic province (see the module docstring).

    ``url`` is a libpq URL of a PostgreSQL database already migrated to head.
    ``post_load`` are callables run last with the psycopg connection (the hook for
    rollups that are rebuilt set-based after a bulk load). Returns counts and seconds.
    """
    from core.passwords import hash_password

    t0 = time.perf_counter()
    paths = main_paths()
    units, homes, sample = build_tree(branches)
    users, grants = accounts(sample, hash_password("bench"))
    with psycopg.connect(url, autocommit=True) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'")]
        conn.execute("SET session_replication_role = replica")
        conn.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY")
        rebuild = drop_indexes(conn)
        with conn.cursor() as cur:
            with cur.copy("COPY unit (id, name, level, parent_id, path, grassroots_branch, hardship_area, may_admit, "
                          "may_expel) FROM STDIN") as copy:
                for row in units:
                    copy.write_row(row + (False, row[2] == "grassroots", row[2] == "grassroots"))
            with cur.copy("COPY user_account (id, username, display_name, password_hash, active, created_at) "
                          "FROM STDIN") as copy:
                for row in users:
                    copy.write_row(row + (True, NOW))
            with cur.copy("COPY role_assignment (id, user_id, unit_id, role) FROM STDIN") as copy:
                for row in grants:
                    copy.write_row(row)
    log(f"tree: {len(units)} units, {len(homes)} home units; {len(users)} accounts")
    actors = [(u[0], u[2]) for u in users]
    person_ranges = [(a, min(a + 99_999, people)) for a in range(1, people + 1, 100_000)]
    chunks = plan_cases(cases, people, homes, paths)
    t1 = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pool.map(_copy_people, [(url, a, b, homes) for a, b in person_ranges])
        t2 = time.perf_counter()
        log(f"people: {people} in {t2 - t1:.1f} s")
        done_cases = done_events = 0
        for n_cases, n_events, _s in pool.imap_unordered(load_chunk, [(url, c, paths, actors) for c in chunks]):
            done_cases, done_events = done_cases + n_cases, done_events + n_events
            if done_cases % 200_000 < CHUNK:
                log(f"cases: {done_cases}, events: {done_events}, {time.perf_counter() - t2:.0f} s")
    t3 = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '512MB'")
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            pool.map(_execute, [(url, sql) for sql in sorted(rebuild, key=lambda s: "audit_event" not in s)])
        for table, column in (("unit", "id"), ("person", "id"), ("wf_case", "id"), ("user_account", "id"),
                              ("role_assignment", "id"), ("wf_timer", "id")):
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                         f"coalesce((SELECT max({column}) FROM {table}), 0) + 1, false)")
        t4 = time.perf_counter()
        log(f"indexes rebuilt in {t4 - t3:.0f} s")
        conn.execute("ANALYZE")
        for step in post_load or []:
            step(conn)
    t5 = time.perf_counter()
    return {"units": len(units), "people": people, "cases": done_cases, "events": done_events,
            "seconds": {"people": round(t2 - t1, 1), "cases_and_events": round(t3 - t2, 1),
                        "indexes": round(t4 - t3, 1), "analyze_and_post_load": round(t5 - t4, 1),
                        "total": round(t5 - t0, 1)},
            "sample_units": sample}


def _copy_people(args) -> None:
    url, first, last, homes = args
    with psycopg.connect(url) as conn:
        conn.execute("SET session_replication_role = replica")
        with conn.cursor() as cur, cur.copy(f"COPY person ({PERSON_COLUMNS}) FROM STDIN") as copy:
            copy.write(person_lines(first, last, homes))


def _execute(args) -> None:
    url, sql = args
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '512MB'")
        conn.execute(sql)
