"""Prepared statements for hot paths (the engine's act, the role rows of a user).

A Core statement is compiled once per dialect by SQLAlchemy; its SQL text,
parameter order and SQLAlchemy's own bind and result type processors are
cached, and it is then run on the DBAPI connection of the caller's session
(so it is inside the same transaction). This skips SQLAlchemy's per-execution
bookkeeping, which dominated the profile of ``act`` (see the README, "Performance"),
while keeping the SQL and the type handling SQLAlchemy's.

Connection events such as ``before_cursor_execute`` do not see these
statements.
"""

from __future__ import annotations

from typing import Any, Sequence


class _Compiled:
    __slots__ = ("sql", "order", "bind_procs", "named", "bind_idx", "result_idx", "defaults")

    def __init__(self, stmt, dialect):
        compiled = stmt.compile(dialect=dialect)
        self.sql = compiled.string
        self.named = not compiled.positional
        # The statement's own literal values (e.g. a constant in a WHERE): sent with every call.
        self.defaults = {k: v for k, v in compiled.params.items() if v is not None}
        self.order = None if self.named else tuple(compiled.positiontup)
        procs = {}
        for name, bp in compiled.binds.items():
            proc = bp.type._cached_bind_processor(dialect)
            if proc is not None:
                procs[name] = proc
        self.bind_procs = procs
        # Positional: (index, processor) for the parameters that need one.
        self.bind_idx = () if self.named else tuple(
            (i, procs[n]) for i, n in enumerate(self.order) if n in procs)
        results = []
        for i, entry in enumerate(getattr(compiled, "_result_columns", None) or ()):
            proc = entry[3]._cached_result_processor(dialect, None)
            if proc is not None:
                results.append((i, proc))
        self.result_idx = tuple(results)

    def params(self, values: dict) -> Any:
        if self.defaults:
            values = {**self.defaults, **values}
        if not self.named:
            args = [values[n] for n in self.order]
            for i, proc in self.bind_idx:
                v = args[i]
                if v is not None:
                    args[i] = proc(v)
            return args
        procs = self.bind_procs
        if procs:
            values = {k: (procs[k](v) if k in procs and v is not None else v) for k, v in values.items()}
        return values

    def row(self, raw: Sequence | None):
        if raw is None or not self.result_idx:
            return raw
        out = list(raw)
        for i, proc in self.result_idx:
            v = out[i]
            if v is not None:
                out[i] = proc(v)
        return out


class Prepared:
    """A Core statement run directly on the session's DBAPI connection."""

    __slots__ = ("stmt", "_cache")

    def __init__(self, stmt):
        self.stmt = stmt
        self._cache: dict[tuple, _Compiled] = {}

    def _for(self, dialect) -> _Compiled:
        key = (dialect.name, dialect.driver, dialect.paramstyle)
        c = self._cache.get(key)
        if c is None:
            c = self._cache[key] = _Compiled(self.stmt, dialect)
        return c

    def execute(self, conn, values: dict) -> int:
        """Run on ``conn`` (a SQLAlchemy Connection); returns the row count."""
        c = self._for(conn.dialect)
        cursor = conn.connection.driver_connection.cursor()
        try:
            cursor.execute(c.sql, c.params(values))
            return cursor.rowcount
        finally:
            cursor.close()

    def executemany(self, conn, rows: Sequence[dict]) -> None:
        """Run once per dict of ``rows`` on ``conn``, in one ``executemany`` (nothing when empty)."""
        if not rows:
            return
        c = self._for(conn.dialect)
        cursor = conn.connection.driver_connection.cursor()
        try:
            cursor.executemany(c.sql, [c.params(values) for values in rows])
        finally:
            cursor.close()

    def first(self, conn, values: dict):
        """Run on ``conn``; the first row (type-processed), or None."""
        c = self._for(conn.dialect)
        cursor = conn.connection.driver_connection.cursor()
        cursor.execute(c.sql, c.params(values))
        row = cursor.fetchone()
        cursor.close()
        return c.row(row)

    def all(self, conn, values: dict) -> list:
        """Run on ``conn``; every row (type-processed)."""
        c = self._for(conn.dialect)
        cursor = conn.connection.driver_connection.cursor()
        cursor.execute(c.sql, c.params(values))
        rows = cursor.fetchall()
        cursor.close()
        if not c.result_idx:
            return rows
        return [c.row(r) for r in rows]

    rowcount = execute
