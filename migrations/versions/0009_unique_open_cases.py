"""one open case per person for the processes that say so; idempotency keys bound to their request

``wf_case.one_open_per_person`` is copied from the process at opening, and the
partial unique index ``uq_wf_case_one_open`` on (person_id, process) over the
open cases that carry it makes the database refuse the second of two
simultaneous opens. ``wf_idempotency.fingerprint`` binds a key to the request it
was first used for.

Existing cases of the processes that declare the rule (admission, candidacy,
removal; transfer and exemption when they exist) get the flag, except an open
case that already has an older open sibling of the same process for the same
person (a duplicate made before this constraint): it is left unflagged so the
upgrade never fails, stays visible, and is closed by hand.

Revision ID: 0009_unique_open_cases
Revises: 0008_appeal_reviewing_unit
"""
from alembic import op
import sqlalchemy as sa

revision = "0009_unique_open_cases"
down_revision = "0008_appeal_reviewing_unit"
branch_labels = None
depends_on = None

ONE_OPEN_PER_PERSON = ("admission", "candidacy", "removal", "transfer", "exemption")
WHERE = "closed_at IS NULL AND one_open_per_person"


def upgrade():
    op.add_column("wf_case", sa.Column("one_open_per_person", sa.Boolean(), nullable=False,
                                       server_default=sa.false()))
    op.add_column("wf_idempotency", sa.Column("fingerprint", sa.String(length=64), nullable=True))
    case = sa.table("wf_case", sa.column("id", sa.Integer), sa.column("process", sa.String),
                    sa.column("person_id", sa.Integer), sa.column("closed_at", sa.DateTime),
                    sa.column("one_open_per_person", sa.Boolean))
    older = case.alias("older")
    has_older_open_sibling = sa.exists().where(
        older.c.process == case.c.process, older.c.person_id == case.c.person_id,
        older.c.closed_at.is_(None), older.c.id < case.c.id)
    op.execute(case.update().where(
        case.c.process.in_(ONE_OPEN_PER_PERSON),
        sa.or_(case.c.closed_at.is_not(None), case.c.person_id.is_(None), ~has_older_open_sibling),
    ).values(one_open_per_person=sa.true()))
    op.create_index("uq_wf_case_one_open", "wf_case", ["person_id", "process"], unique=True,
                    sqlite_where=sa.text(WHERE), postgresql_where=sa.text(WHERE))


def downgrade():
    op.drop_index("uq_wf_case_one_open", table_name="wf_case",
                  sqlite_where=sa.text(WHERE), postgresql_where=sa.text(WHERE))
    # Plain ALTER TABLE ... DROP COLUMN (SQLite >= 3.35): a batch copy of wf_case
    # would drop a table that other tables' foreign keys reference.
    op.drop_column("wf_idempotency", "fingerprint")
    op.drop_column("wf_case", "one_open_per_person")
