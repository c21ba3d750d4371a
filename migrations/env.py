"""Alembic environment.

Works inside a Flask app context (``flask db upgrade``) and without Flask, when
:func:`core.schema.upgrade` passes a connection in ``config.attributes``
(the engine's tests and the benchmark build their databases that way).
"""

import logging
from logging.config import fileConfig

from alembic import context

from core.schema import load_all_models

config = context.config
if config.config_file_name and not config.attributes.get("connection"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_metadata = load_all_models()


def _run(connection):
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from flask import current_app

    engine = current_app.extensions["migrate"].db.engine
    with engine.connect() as conn:
        _run(conn)


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported")
run_migrations_online()
