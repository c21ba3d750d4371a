"""National scale (issue 16): the indexes of the lists' filters and the people search.

* ``ix_wf_case_open_process_state`` (process, state, id) over open cases: the case
  list filtered by type and a step of it (a step that is not an end state is an
  open case's), newest first.
* ``ix_wf_case_open_deadline_id`` (id, deadline_at) over open cases with a
  deadline: the overdue list, newest first, read in id order with the deadline
  compared inside the index.
* ``ix_wf_case_transfer`` (state, reviewing_unit_id, unit_id, person_id) over
  transfers: who sees a transfer in transit and the history of a transferred member
  (:func:`core.permissions.in_transit_cases`, ``transferred_history``), read for
  every list without scanning the closed transfers.
* Extended statistics on (process, state) (PostgreSQL): a state belongs to one process.
* The people search by any word of the folded name: on PostgreSQL a ``pg_trgm``
  GIN index on ``person.name_folded`` (serves ``LIKE 'q%'`` and ``LIKE '% q%'``);
  on SQLite an FTS5 index ``search_name`` over the same column (external content,
  kept current by triggers), queried by word prefix (:func:`cases.people.name_matches`).

Revision ID: 0013_scale_search_indexes
Revises: 0012_notifications
"""
from alembic import op

revision = "0013_scale_search_indexes"
down_revision = "0013_reports_facts"
branch_labels = None
depends_on = None

OPEN = "closed_at IS NULL"
OPEN_DEADLINE = "closed_at IS NULL AND deadline_at IS NOT NULL"
TRANSFER = "process = 'transfer'"

SQLITE_FTS = (
    "CREATE VIRTUAL TABLE search_name USING fts5(name_folded, content='person', content_rowid='id', "
    "tokenize='unicode61')",
    "CREATE TRIGGER search_name_insert AFTER INSERT ON person BEGIN "
    "INSERT INTO search_name(rowid, name_folded) VALUES (new.id, new.name_folded); END",
    "CREATE TRIGGER search_name_delete AFTER DELETE ON person BEGIN "
    "INSERT INTO search_name(search_name, rowid, name_folded) VALUES ('delete', old.id, old.name_folded); END",
    "CREATE TRIGGER search_name_update AFTER UPDATE OF name_folded ON person BEGIN "
    "INSERT INTO search_name(search_name, rowid, name_folded) VALUES ('delete', old.id, old.name_folded); "
    "INSERT INTO search_name(rowid, name_folded) VALUES (new.id, new.name_folded); END",
    "INSERT INTO search_name(search_name) VALUES ('rebuild')",
)


def upgrade():
    import sqlalchemy as sa

    op.create_index("ix_wf_case_open_process_state", "wf_case", ["process", "state", "id"],
                    sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))
    op.create_index("ix_wf_case_open_deadline_id", "wf_case", ["id", "deadline_at"],
                    sqlite_where=sa.text(OPEN_DEADLINE), postgresql_where=sa.text(OPEN_DEADLINE))
    op.create_index("ix_wf_case_transfer", "wf_case", ["state", "reviewing_unit_id", "unit_id", "person_id"],
                    sqlite_where=sa.text(TRANSFER), postgresql_where=sa.text(TRANSFER))
    if op.get_bind().dialect.name == "postgresql":
        # The planner's estimate of (process, state) pairs: states belong to one process.
        op.execute("CREATE STATISTICS IF NOT EXISTS st_wf_case_process_state (mcv, dependencies) "
                   "ON process, state FROM wf_case")
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_person_name_trgm ON person USING gin (name_folded gin_trgm_ops)")
    else:
        for statement in SQLITE_FTS:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_person_name_trgm")
        op.execute("DROP STATISTICS IF EXISTS st_wf_case_process_state")
    else:
        for name in ("search_name_insert", "search_name_delete", "search_name_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS search_name")
    op.drop_index("ix_wf_case_transfer", table_name="wf_case")
    op.drop_index("ix_wf_case_open_deadline_id", table_name="wf_case")
    op.drop_index("ix_wf_case_open_process_state", table_name="wf_case")
