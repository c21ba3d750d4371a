"""Real Celery worker fixtures (owned by the workflow engine work).

``celery_worker`` starts ``celery -A tasks.worker worker --pool=solo -B`` as a
subprocess on the test's database and clock file, with a fast beat (timers
polled every half second). The broker is ``CELERY_BROKER_URL`` when set (Redis
in CI), else a Kombu SQLAlchemy broker on a SQLite file in the test's tmp dir.
The worker is always terminated, even when the test fails.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@dataclasses.dataclass
class WorkerHandle:
    process: subprocess.Popen
    broker_url: str
    log_path: Path

    def send(self, task_name: str, *args) -> None:
        """Send a task through the broker, as beat or the web app would."""
        from celery import Celery

        client = Celery("test-client", broker=self.broker_url, set_as_current=False)
        client.conf.broker_connection_retry_on_startup = True
        try:
            client.send_task(task_name, args=list(args))
        finally:
            client.close()

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def alive(self) -> bool:
        return self.process.poll() is None


def wait_until(predicate, timeout: float = 60.0, interval: float = 0.2, worker: WorkerHandle | None = None):
    """Poll ``predicate`` until it returns a truthy value; fail with the worker's log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if worker is not None and not worker.alive():
            pytest.fail(f"the worker exited early:\n{worker.log()}")
        time.sleep(interval)
    pytest.fail(f"condition not met within {timeout}s" + (f"\nworker log:\n{worker.log()}" if worker else ""))


def heartbeat_count(engine) -> int:
    """How many heartbeats the worker's beat has run so far (proof that it is up and ticking)."""
    import sqlalchemy as sa

    from core.models import TaskRun

    with engine.connect() as conn:
        return conn.scalar(sa.select(sa.func.count()).select_from(TaskRun).where(TaskRun.name == "heartbeat"))


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(15)


def _start_worker(db_url, clock_file, tmp_path, extra_env: dict | None = None,
                  log_name: str = "worker.log") -> WorkerHandle:
    broker = os.environ.get("CELERY_BROKER_URL") or f"sqla+sqlite:///{tmp_path / 'broker.db'}"
    log_path = tmp_path / log_name
    env = dict(
        os.environ,
        APP_ENV="development",
        DATABASE_URL=db_url,
        CELERY_BROKER_URL=broker,
        CLOCK_FILE=str(clock_file),
        UPLOAD_DIR=str(tmp_path / "uploads"),
        VAR_DIR=str(tmp_path / "var"),
        HEARTBEAT_SECONDS="0.5",
        TIMER_POLL_SECONDS="0.5",
        PYTHONPATH=str(ROOT),
        # The worker must know the process definitions the tests declare.
        WORKFLOW_PROCESS_MODULES="tests.fixtures_engine",
        **(extra_env or {}),
    )
    cmd = [sys.executable, "-m", "celery", "-A", "tasks.worker", "worker", "--pool=solo", "-B",
           "--loglevel=INFO", "-s", str(tmp_path / "beat-schedule"), "--without-gossip", "--without-mingle"]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    return WorkerHandle(process=process, broker_url=broker, log_path=log_path)


@pytest.fixture
def celery_worker(db_url, clock_file, tmp_path):
    """A running worker (with embedded beat) bound to this test's database."""
    handle = _start_worker(db_url, clock_file, tmp_path)
    try:
        yield handle
    finally:
        _stop(handle.process)


class WorkerFactory:
    """Starts workers on this test's database with extra settings, stops them (a
    restart is :meth:`stop` then :meth:`start`); every one is stopped at the end."""

    def __init__(self, db_url, clock_file, tmp_path):
        self._args = (db_url, clock_file, tmp_path)
        self.started: list[WorkerHandle] = []

    def start(self, **extra_env) -> WorkerHandle:
        handle = _start_worker(*self._args, {k: str(v) for k, v in extra_env.items()},
                               log_name=f"worker-{len(self.started) + 1}.log")
        self.started.append(handle)
        return handle

    def stop(self, handle: WorkerHandle) -> None:
        """Stop one worker as an operator would (SIGTERM, then SIGKILL after 15 s)."""
        _stop(handle.process)

    def stop_all(self) -> None:
        for handle in self.started:
            _stop(handle.process)


@pytest.fixture
def worker_factory(db_url, clock_file, tmp_path):
    """A :class:`WorkerFactory` for tests that restart the worker or give it settings."""
    factory = WorkerFactory(db_url, clock_file, tmp_path)
    try:
        yield factory
    finally:
        factory.stop_all()
