"""The declarative base every model uses.

It is plain SQLAlchemy 2 (no Flask) so that the workflow engine and the
benchmark can use it with an ordinary ``Session``; Flask-SQLAlchemy is wired to
the same base in :mod:`app.extensions`.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

# Every integer column (ids, counts) is 32-bit on both databases: a larger
# number names nothing and must not reach a query (PostgreSQL refuses it).
INT_MIN, INT_MAX = -(2 ** 31), 2 ** 31 - 1

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):  # pragma: no cover - trivial
    """WAL, foreign keys and a busy timeout for every SQLite connection."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    # Checkpoint (and fsync) every ~40 MB of WAL rather than every 4 MB: fewer
    # stalls on a busy workflow; readers stay consistent either way.
    cur.execute("PRAGMA wal_autocheckpoint=10000")
    cur.execute("PRAGMA cache_size=-32000")
    cur.close()
