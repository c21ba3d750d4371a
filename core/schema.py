"""Building a database from the migrations, with or without Flask."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def load_all_models():
    """Import every model module so the metadata is complete; return it."""
    import core.models  # noqa: F401
    from core.db import Base

    for name in ("workflow.models", "cases.models", "api.models", "cases.candidacy.models", "cases.grading.models",
                 "cases.report_facts", "notifications.models"):
        __import__(name)
    return Base.metadata


def alembic_config(connection=None):
    from alembic.config import Config

    cfg = Config(str(MIGRATIONS_DIR / "alembic.ini"))
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(url_or_engine, revision: str = "head") -> sa.Engine:
    """Run the migrations up to ``revision`` on a database; returns the engine."""
    from alembic import command

    engine = sa.create_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), revision)
    return engine
