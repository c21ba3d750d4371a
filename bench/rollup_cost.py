"""Benchmark: what the reports' rollup hooks cost the engine (issue 16, "not slower than 10 %").

    python bench/rollup_cost.py --db /tmp/approval8.db [--n 1000] [--rounds 10]
    python bench/rollup_cost.py --db postgresql://postgres@127.0.0.1:5432/bench_rollup --n 600 --rounds 6

Runs :func:`bench.approval8.run` alternately with the rollup's hooks
(:mod:`cases.report_rollup`) off and on, in one process (the fact table's hook on
in both, as in the app), the order swapped every round so that a change of load
falls on both; prints each run and one JSON line: the median and best
transitions per second of each, the median's cost in percent and the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import approval8  # noqa: E402
import cases.report_facts  # noqa: E402,F401  (registers the facts' hook, as the app does)
from cases import report_rollup  # noqa: E402
from workflow import event_hooks  # noqa: E402


_UPGRADE = approval8.upgrade


def _upgrade_without_trigger(url):
    """The schema at head without the rollup's move trigger (PostgreSQL's "off")."""
    engine = _UPGRADE(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            for statement in report_rollup.TRIGGERS_DROP:
                conn.exec_driver_sql(statement)
    return engine


def _hooks(on: bool) -> None:
    """Switch the rollup's hooks (and, on PostgreSQL, its move trigger, dropped after the
    schema is built) off or on."""
    approval8.upgrade = _UPGRADE if on else _upgrade_without_trigger
    event_hooks._HOOKS[:] = [h for h in event_hooks._HOOKS if h is not report_rollup.on_event]
    event_hooks._MOVE_HOOKS[:] = [h for h in event_hooks._MOVE_HOOKS if h is not report_rollup.on_move]
    if on:
        event_hooks.register(report_rollup.on_event)
        event_hooks.register_move(report_rollup.on_move)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="/tmp/approval8.db")
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args(argv)
    runs: dict[str, list[int]] = {"off": [], "on": []}
    for r in range(args.rounds):
        for mode in (("off", "on") if r % 2 == 0 else ("on", "off")):
            _hooks(mode == "on")
            out = approval8.run(args.n, args.db)
            if not out["verified"]:
                print(json.dumps(out), file=sys.stderr)
                return 1
            runs[mode].append(out["transitions_per_s"])
            print(mode, out["transitions_per_s"], os.getloadavg()[0], file=sys.stderr, flush=True)
    _hooks(True)
    result = {m: {"median": statistics.median(v), "best": max(v), "runs": v} for m, v in runs.items()}
    result["cost_pct_median"] = round(100 * (1 - result["on"]["median"] / result["off"]["median"]), 1)
    result["loadavg"] = os.getloadavg()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
