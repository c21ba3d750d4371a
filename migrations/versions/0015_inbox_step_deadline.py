"""The inbox at national scale (issue 16): ``ix_wf_case_open_step_deadline``
(process, state, deadline_at, id) over open cases. The inbox and its badge read, for
each step (process, state) a user may act at, the open cases at that step in
deadline order (no deadline last, ties by id) and stop after a page of the user's
scope (:func:`cases.queries._inbox_ids`); PostgreSQL merges the scans.

Revision ID: 0015_inbox_step_deadline
Revises: 0014_lists_name_words
"""
from alembic import op

revision = "0015_inbox_step_deadline"
down_revision = "0014_lists_name_words"
branch_labels = None
depends_on = None

OPEN = "closed_at IS NULL"


def upgrade():
    import sqlalchemy as sa

    op.create_index("ix_wf_case_open_step_deadline", "wf_case", ["process", "state", "deadline_at", "id"],
                    sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))


def downgrade():
    op.drop_index("ix_wf_case_open_step_deadline", table_name="wf_case")
