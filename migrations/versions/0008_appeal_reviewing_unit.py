"""discipline appeals under review name their reviewing unit: one level above the deciding body

``resolve_appeal`` used to compute its level (the parent of the deciding unit)
on every check; it now uses the case's reviewing unit, which ``file_appeal``
sets. Cases already in ``appeal_review`` get the same unit here, so the same
people may resolve them.

Revision ID: 0008_appeal_reviewing_unit
Revises: 0006_candidacy_plans
"""
from alembic import op
import sqlalchemy as sa

revision = "0008_appeal_reviewing_unit"
down_revision = "0007_user_session_version"
branch_labels = None
depends_on = None

wf_case = sa.table("wf_case", sa.column("id", sa.Integer), sa.column("process", sa.String),
                   sa.column("state", sa.String), sa.column("unit_id", sa.Integer),
                   sa.column("reviewing_unit_id", sa.Integer), sa.column("data", sa.JSON))
unit = sa.table("unit", sa.column("id", sa.Integer), sa.column("parent_id", sa.Integer))


def upgrade():
    conn = op.get_bind()
    appeals = conn.execute(sa.select(wf_case.c.id, wf_case.c.unit_id, wf_case.c.data).where(
        wf_case.c.process == "discipline", wf_case.c.state == "appeal_review")).all()
    for case_id, unit_id, data in appeals:
        deciding = int((data or {}).get("deciding_unit_id") or unit_id)
        parent = conn.scalar(sa.select(unit.c.parent_id).where(unit.c.id == deciding))
        conn.execute(wf_case.update().where(wf_case.c.id == case_id).values(reviewing_unit_id=parent))


def downgrade():
    # The computed level never read the reviewing unit of a case under appeal.
    pass
