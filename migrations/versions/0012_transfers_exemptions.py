"""a member's host unit while temporarily transferred, and their exemption

The transfer process (chuyển sinh hoạt đảng tạm thời) records the host unit on
the person while the home branch stays; the exemption process records what
the member is exempted from (DOMAIN.md "Transfer of party activity",
"Exemption from work and activity"). Both are NULL for everyone before this
revision. The status ``transferred_out`` needs no change: statuses are
stored as text without a CHECK constraint.

Revision ID: 0012_transfers_exemptions
Revises: 0011_documents_posts
"""
from alembic import op
import sqlalchemy as sa

revision = "0012_transfers_exemptions"
down_revision = "0011_documents_posts"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("host_unit_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("exemption", sa.String(length=32), nullable=True))
        batch.create_foreign_key(op.f("fk_person_host_unit_id_unit"), "unit", ["host_unit_id"], ["id"])
        batch.create_index(op.f("ix_person_host_unit_id"), ["host_unit_id"], unique=False)


def downgrade():
    with op.batch_alter_table("person") as batch:
        batch.drop_index(op.f("ix_person_host_unit_id"))
        batch.drop_constraint(op.f("fk_person_host_unit_id_unit"), type_="foreignkey")
        batch.drop_column("exemption")
        batch.drop_column("host_unit_id")
