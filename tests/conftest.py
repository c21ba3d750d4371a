"""Shared fixtures.

Every test gets a database built from the migrations (so a missing migration
fails here): SQLite by default, PostgreSQL when ``TEST_DATABASE_URL`` is set.
The migrated database is made once per run; each test then starts from it
empty (SQLite: a copy of the migrated file; PostgreSQL: every table truncated).
Tests marked ``postgres_only`` are skipped when ``TEST_DATABASE_URL`` is not set.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.schema import load_all_models, upgrade
from tests.admission_flow import Pages
from tests.api_client import Api
from tests.demo_people import NOW

pytest_plugins = ["tests.fixtures_engine", "tests.fixtures_worker"]

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", ROOT / "test-artifacts"))
PG_URL = os.environ.get("TEST_DATABASE_URL", "")


def postgres_url() -> str:
    """``TEST_DATABASE_URL`` as SQLAlchemy wants it (the psycopg 3 driver), or "" for SQLite."""
    for scheme in ("postgresql://", "postgres://"):
        if PG_URL.startswith(scheme):
            return "postgresql+psycopg://" + PG_URL[len(scheme):]
    return PG_URL


def is_postgres() -> bool:
    return bool(PG_URL)


def pytest_collection_modifyitems(config, items):
    if is_postgres():
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set TEST_DATABASE_URL")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)


def _compile_translations() -> None:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in (ROOT / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as fh:
                catalog = read_po(fh)
            with mo.open("wb") as fh:
                write_mo(fh, catalog)


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory):
    """URL of a database migrated to head (the template every test copies)."""
    _compile_translations()
    if PG_URL:
        url = postgres_url()
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        upgrade(engine)
        engine.dispose()
        return url
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = upgrade(f"sqlite:///{path}")
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return str(path)


def _truncate_all(engine) -> None:
    metadata = load_all_models()
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
        conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def db_url(migrated_db, tmp_path):
    """A fresh, empty, migrated database for this test."""
    if PG_URL:
        engine = sa.create_engine(migrated_db)
        _truncate_all(engine)
        engine.dispose()
        return migrated_db
    target = tmp_path / "test.db"
    shutil.copyfile(migrated_db, target)
    return f"sqlite:///{target}"


@pytest.fixture
def db_engine(db_url):
    engine = sa.create_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def dbsession(db_engine):
    """A plain SQLAlchemy session (no Flask), for engine and rule tests."""
    with Session(db_engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def clock_file(tmp_path):
    from core import clock

    path = tmp_path / "clock"
    path.write_text("")
    clock.set_clock_file(str(path))
    yield path
    clock.set_clock_file(None)


@pytest.fixture
def app(db_url, tmp_path, clock_file):
    from app import create_app

    app = create_app({
        "APP_ENV": "testing",
        "DATABASE_URL": db_url,
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "MAIL_FOLDER": str(tmp_path / "mail"),
        "CELERY_BROKER_URL": f"sqla+sqlite:///{tmp_path / 'broker.db'}",
        "CLOCK_FILE": str(clock_file),
        "RATELIMIT_STORAGE_URI": "memory://",
        # Where a real worker started by the test (VAR_DIR=tmp_path/var) finds them too.
        "AUDIT_SIGNING_KEY": str(tmp_path / "var" / "audit-signing-key.pem"),
        "AUDIT_CHECKPOINT_LOG": str(tmp_path / "var" / "audit-checkpoints.jsonl"),
    })
    yield app
    from app.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def demo(app):
    """The demo district (units, people, accounts) loaded into the app's db."""
    from app.extensions import db
    from core.demo import load_demo

    from types import SimpleNamespace as NS

    with app.app_context():
        data = load_demo(db.session)
        db.session.commit()
        return NS(
            units={k: NS(id=u.id, name=u.name, path=u.path) for k, u in data.units.items()},
            users={k: NS(id=u.id, username=u.username) for k, u in data.users.items()},
            people={k: [NS(id=p.id, full_name=p.full_name, status=p.status) for p in ps]
                    for k, ps in data.people.items()},
        )


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def api(client, demo, clock_file):
    """The JSON API as the demo accounts (``api.as_user(name)``), the clock at ``NOW``."""
    clock_file.write_text(NOW)
    return Api(client)


@pytest.fixture
def pages(client, auth, demo, clock_file):
    """The case pages as the demo accounts (``pages.as_user(name)``), the clock at ``NOW``."""
    clock_file.write_text(NOW)
    return Pages(client, auth)


class AuthActions:
    def __init__(self, client):
        self._client = client

    def csrf_token(self, path="/login") -> str:
        import re

        html = self._client.get(path).get_data(as_text=True)
        tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', html)
        assert tag, f"no CSRF token on {path}"
        return re.search(r'value="([^"]+)"', tag.group(0)).group(1)

    def login(self, username="bithu.trung", password="demo"):
        token = self.csrf_token()
        return self._client.post("/login", data={"username": username, "password": password, "csrf_token": token})

    def logout(self):
        token = self.csrf_token("/")
        return self._client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture(scope="session")
def artifacts_dir():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
