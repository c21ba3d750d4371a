"""The one time source of the whole app (core, engine, cases, pages, worker).

Everything that needs "now" asks :func:`now` (naive UTC) or :func:`today`.
By default it is the system clock. Tests and the demo may point it at a file
(``set_clock_file``) holding either an absolute ISO datetime in UTC or an
offset such as ``+400d`` / ``-2h``; every process that reads the same file (the
web app, a Celery worker) then agrees on the time, and no test ever sleeps.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
_OFFSET_RE = re.compile(r"^([+-])(\d+(?:\.\d+)?)([dhms])$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}

_clock_file: str | None = None
_cache: tuple[float, str] | None = None


def set_clock_file(path: str | None) -> None:
    global _clock_file, _cache
    _clock_file = path or None
    _cache = None


def _read_file() -> str:
    global _cache
    try:
        mtime = os.stat(_clock_file).st_mtime_ns
    except (OSError, TypeError):
        return ""
    if _cache is not None and _cache[0] == mtime:
        return _cache[1]
    with open(_clock_file, encoding="utf-8") as fh:
        text = fh.read().strip()
    _cache = (mtime, text)
    return text


def system_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def now() -> dt.datetime:
    """Current time, naive UTC."""
    real = system_now()
    if not _clock_file:
        return real
    text = _read_file()
    if not text:
        return real
    m = _OFFSET_RE.match(text)
    if m:
        sign, amount, unit = m.groups()
        delta = dt.timedelta(**{_UNITS[unit]: float(amount)})
        return real + delta if sign == "+" else real - delta
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def today() -> dt.date:
    """Today's date in Vietnam (where every deadline is counted)."""
    return local(now()).date()


def local(moment: dt.datetime) -> dt.datetime:
    """A naive UTC datetime as Asia/Ho_Chi_Minh local time."""
    return moment.replace(tzinfo=dt.timezone.utc).astimezone(LOCAL_TZ)


def write_clock_file(path: str, value: str) -> None:
    """Set the shared clock (tests): an ISO datetime or an offset like ``+400d``."""
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(value)
    os.replace(tmp, path)
    global _cache
    _cache = None
