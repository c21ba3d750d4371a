"""report_fact: one row per decision or event the reports count (issue 15, issue 16 "Reports from aggregates")

Filled from the existing audit trail by ``cases.report_facts.rebuild`` (set-based
INSERT … SELECT); kept current by the engine's hook from then on.

Revision ID: 0013_reports_facts
Revises: 0012_notifications
"""
from alembic import op
import sqlalchemy as sa

revision = "0013_reports_facts"
down_revision = "0012_notifications"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "report_fact",
        sa.Column("event_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("unit_path", sa.String(255), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("process", sa.String(32), nullable=False),
        sa.Column("detail", sa.String(32), nullable=True),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("event_id", "kind", name=op.f("pk_report_fact")),
    )
    op.create_index("ix_report_fact_kind_path_day", "report_fact", ["kind", "unit_path", "day"])
    op.create_index("ix_report_fact_kind_day", "report_fact", ["kind", "day"])
    op.create_index(op.f("ix_report_fact_case_id"), "report_fact", ["case_id"])
    if op.get_bind().dialect.name == "postgresql":  # a subtree is a prefix: LIKE '/1/4/%' uses this
        op.execute("CREATE INDEX ix_report_fact_kind_path_pattern ON report_fact (kind, unit_path varchar_pattern_ops, day)")
    from sqlalchemy.orm import Session

    from cases.report_facts import rebuild

    session = Session(bind=op.get_bind())
    rebuild(session)
    session.flush()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_report_fact_kind_path_pattern")
    op.drop_index(op.f("ix_report_fact_case_id"), table_name="report_fact")
    op.drop_index("ix_report_fact_kind_day", table_name="report_fact")
    op.drop_index("ix_report_fact_kind_path_day", table_name="report_fact")
    op.drop_table("report_fact")
