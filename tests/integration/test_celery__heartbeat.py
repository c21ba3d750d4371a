"""The worker path, end to end: a real Celery worker (Redis in CI, the SQLite
broker otherwise) runs beat's heartbeat, which records its run in the database."""

import sqlalchemy as sa

from tests.fixtures_worker import wait_until


def test_worker__heartbeat_is_recorded_by_a_real_worker(db_engine, celery_worker):
    def runs():
        with db_engine.connect() as conn:
            return conn.execute(sa.text("SELECT count(*) FROM task_run WHERE name = 'heartbeat'")).scalar()

    assert runs() == 0
    wait_until(lambda: runs() >= 2, timeout=90, worker=celery_worker)
    celery_worker.send("tasks.heartbeat", "sent by the test")
    wait_until(lambda: _detail_seen(db_engine), timeout=60, worker=celery_worker)


def _detail_seen(engine) -> bool:
    with engine.connect() as conn:
        return bool(conn.execute(sa.text("SELECT count(*) FROM task_run WHERE detail = 'sent by the test'")).scalar())
