"""a member's host unit while temporarily transferred, and their exemption

The transfer process (chuyển sinh hoạt đảng tạm thời) records the host unit on
the person while the home branch stays; the exemption process records what
the member is exempted from (DOMAIN.md "Transfer of party activity",
"Exemption from work and activity"). Both are NULL for everyone before this
revision. The status ``transferred_out`` needs no change: statuses are
stored as text without a CHECK constraint.

SQLite adds the columns in place, without the foreign key: altering ``person``
in batch mode would rebuild it, and the DROP TABLE of the rebuild fails on the
rows of other tables that reference people (foreign keys cannot be switched
off inside the migration's transaction, and a deferred check still counts the
dropped parent rows at the commit). A plain column can also be dropped again
in place. PostgreSQL gets the foreign key.

Revision ID: 0012_transfers_exemptions
Revises: 0011_documents_posts
"""
from alembic import op
import sqlalchemy as sa

revision = "0012_transfers_exemptions"
down_revision = "0011_documents_posts"
branch_labels = None
depends_on = None

FK = "fk_person_host_unit_id_unit"
INDEX = "ix_person_host_unit_id"


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade():
    op.add_column("person", sa.Column("host_unit_id", sa.Integer(), nullable=True))
    op.add_column("person", sa.Column("exemption", sa.String(length=32), nullable=True))
    if not _sqlite():
        op.create_foreign_key(FK, "person", "unit", ["host_unit_id"], ["id"])
    op.create_index(INDEX, "person", ["host_unit_id"], unique=False)


def downgrade():
    op.drop_index(INDEX, table_name="person")
    if not _sqlite():
        op.drop_constraint(FK, "person", type_="foreignkey")
    op.drop_column("person", "exemption")
    op.drop_column("person", "host_unit_id")
