"""One clock (issue 11, class 9): every "today" and "now" comes from
``core/clock.py``, which tests and the demo can move with ``CLOCK_FILE``.

A read of the machine's clock anywhere else (``date.today()``,
``datetime.now()``, ``datetime.utcnow()``, ``datetime.today()``,
``time.time()``...) would disagree with the shared clock, and with Vietnam's day
between 17:00 and 24:00 UTC. Tests are scanned too.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = {ROOT / "core" / "clock.py"}
SKIP_DIRS = {".venv", "venv", "var", "test-artifacts", "node_modules", ".git", "__pycache__"}

# attribute -> the names it is forbidden on (``date.today``, ``dt.datetime.now``, ``time.time``)
FORBIDDEN = {
    "today": {"date", "datetime"},
    "now": {"date", "datetime"},
    "utcnow": {"datetime"},
    "utcfromtimestamp": {"datetime"},
    "time": {"time"},
    "localtime": {"time"},
    "gmtime": {"time"},
}


def _name_of(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _python_files():
    for path in ROOT.rglob("*.py"):
        if SKIP_DIRS.intersection(path.relative_to(ROOT).parts) or path in ALLOWED:
            continue
        yield path


def clock_reads(source: str) -> list[tuple[int, str]]:
    """(line, text) of every read of the machine's clock in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and _name_of(node.value) in FORBIDDEN.get(node.attr, ()):
            found.append((node.lineno, f"{_name_of(node.value)}.{node.attr}"))
        elif isinstance(node, ast.ImportFrom) and node.module in ("datetime", "time"):
            # ``from time import time`` would hide a read behind a bare name
            for alias in node.names:
                if node.module == "time" and alias.name in FORBIDDEN:
                    found.append((node.lineno, f"from time import {alias.name}"))
    return sorted(found)


def test_clock__scanner_finds_every_spelling():
    source = "\n".join([
        "import datetime as dt", "from datetime import date, datetime", "import time",
        "a = dt.date.today()", "b = date.today()", "c = datetime.now()", "d = dt.datetime.now(dt.timezone.utc)",
        "e = datetime.utcnow()", "f = dt.datetime.today()", "g = time.time()", "h = mapped_column(default=date.today)",
        "from time import time as now",
    ])
    assert [text for _, text in clock_reads(source)] == [
        "date.today", "date.today", "datetime.now", "datetime.now", "datetime.utcnow", "datetime.today",
        "time.time", "date.today", "from time import time",
    ]
    assert clock_reads("import time\nt = time.monotonic()\nclock.today()\nclock.now()\n") == []


def test_clock__no_clock_read_outside_core_clock():
    offenders = [f"{path.relative_to(ROOT)}:{line}: {text}"
                 for path in _python_files()
                 for line, text in clock_reads(path.read_text(encoding="utf-8"))]
    assert offenders == [], "read the time through core.clock instead:\n" + "\n".join(offenders)
