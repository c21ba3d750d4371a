"""report_rollup: the reports' counts per unit subtree and month, kept current (issue 16, branch reports2)

Filled from ``report_fact`` and the cases by ``cases.report_rollup.rebuild``
(set-based INSERT … SELECT over a unit-to-ancestor closure); kept current by the
engine's hooks from then on. Two partial indexes on person serve the reports'
counts of exempted and hosted members; one on wf_case (unit_id, opened_at) the
cases opened in a small subtree (a grassroots report, read without the rollup).

Revision ID: 0016_reports2_rollup
Revises: 0015_inbox_step_deadline
"""
from alembic import op
import sqlalchemy as sa

revision = "0016_reports2_rollup"
down_revision = "0015_inbox_step_deadline"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "report_rollup",
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("unit_path", sa.String(255), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("process", sa.String(32), nullable=False),
        sa.Column("detail", sa.String(80), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("value_sum", sa.Integer(), nullable=False),
        sa.Column("value_n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "unit_path", "month", "process", "detail", name=op.f("pk_report_rollup")),
        sqlite_with_rowid=False,
    )
    for name, columns, where in (("ix_person_exempted", ["unit_id", "exemption"], "exemption IS NOT NULL"),
                                 ("ix_person_hosted_away", ["unit_id"], "host_unit_id IS NOT NULL")):
        op.create_index(name, "person", columns, postgresql_where=sa.text(where), sqlite_where=sa.text(where))
    op.create_index("ix_wf_case_unit_opened", "wf_case", ["unit_id", "opened_at"])
    from sqlalchemy.orm import Session

    from cases.report_rollup import rebuild

    session = Session(bind=op.get_bind())
    rebuild(session)
    session.flush()
    if op.get_bind().dialect.name == "postgresql":
        from cases.report_rollup import FACT_TRIGGER_DDL, MOVE_TRIGGER_DDL

        for statement in MOVE_TRIGGER_DDL + FACT_TRIGGER_DDL:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        from cases.report_rollup import TRIGGERS_DROP

        for statement in TRIGGERS_DROP:
            op.execute(statement)
    op.drop_index("ix_wf_case_unit_opened", table_name="wf_case")
    op.drop_index("ix_person_hosted_away", table_name="person")
    op.drop_index("ix_person_exempted", table_name="person")
    op.drop_table("report_rollup")
