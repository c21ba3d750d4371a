"""The keyset cursor of every paginated list (pages and API).

A cursor is the sort key of the last row of a page, as a JSON list in
URL-safe base64 without padding: opaque to clients, typed for the server
(an id stays an int, a name a str). Each list checks the types of the values
it reads back; anything malformed raises :class:`BadCursor`, which the pages
answer with 400 and the API with a 400 problem document.
"""

from __future__ import annotations

import base64
import json
from typing import Callable

from sqlalchemy.orm import Session

from core.db import INT_MAX as ID_MAX  # ids live in 32-bit columns on both databases
MAX_LENGTH = 500


class BadCursor(ValueError):
    """A cursor this app did not make, or made for another list."""

    def __init__(self) -> None:
        super().__init__("bad cursor")


def encode_cursor(*values) -> str:
    """``values`` (JSON-serialisable) as an opaque cursor string."""
    return base64.urlsafe_b64encode(json.dumps(values, ensure_ascii=False).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, n: int) -> list | None:
    """The ``n`` values of a cursor made by :func:`encode_cursor`; None for no cursor.

    Raises :class:`BadCursor` if it is longer than 500 characters, is not such a
    cursor, holds another number of values, or a value no cursor holds (a bool, a
    float, a list or object, a huge int, a string with NUL or a lone surrogate).
    """
    if not cursor:
        return None
    if len(cursor) > MAX_LENGTH:
        raise BadCursor()
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode())
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise BadCursor() from None
    if not isinstance(values, list) or len(values) != n or not all(_plain(v) for v in values):
        raise BadCursor()
    return values


def _plain(value) -> bool:
    """Can ``value`` be in a cursor this app made: None, an int of 64 bits (not a bool), or a str
    a database column can hold (no NUL, no lone surrogate)?"""
    if value is None:
        return True
    if type(value) is int:
        return -(2 ** 63) <= value < 2 ** 63
    if type(value) is str:
        if "\x00" in value:
            return False
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    return False


def is_id(value) -> bool:
    """Is ``value`` an int (not a bool) that fits an id column (0 to 2**31 - 1)?"""
    return type(value) is int and 0 <= value <= ID_MAX


def decode_ids(cursor: str | None, n: int) -> list[int] | None:
    """Like :func:`decode_cursor` for a key of ``n`` ids; :class:`BadCursor` if any is not one."""
    values = decode_cursor(cursor, n)
    if values is not None and not all(is_id(v) for v in values):
        raise BadCursor()
    return values


def keyset_page(session: Session, stmt, limit: int, key: Callable[[object], tuple]) -> tuple[list, str | None]:
    """One page of ``stmt`` (already ordered, and filtered to the rows after the cursor).

    Returns ``(rows, next_cursor)``: at most ``limit`` rows, and the cursor of
    ``key(last row)`` when another page follows, else None.
    """
    rows = list(session.scalars(stmt.limit(limit + 1)))
    if len(rows) <= limit:
        return rows, None
    return rows[:limit], encode_cursor(*key(rows[limit - 1]))
