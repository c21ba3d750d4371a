"""who recorded a certificate earned before the system, and a post, in the registry

The organisation board records a party-knowledge certificate earned before the
system was used, and appoints to posts and ends them (DOMAIN.md "Admission",
"Posts"). The registry keeps the user who recorded each (NULL for rows written
by a course's results, the demo data or before this revision).

Revision ID: 0011_documents_posts
Revises: 0010_audit_anchor
"""
from alembic import op
import sqlalchemy as sa

revision = "0011_documents_posts"
down_revision = "0010_audit_anchor"
branch_labels = None
depends_on = None

TABLES = ("certificate", "post")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("recorded_by_id", sa.Integer(), nullable=True))
            batch.create_foreign_key(op.f(f"fk_{table}_recorded_by_id_user_account"), "user_account",
                                     ["recorded_by_id"], ["id"])


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f"fk_{table}_recorded_by_id_user_account"), type_="foreignkey")
            batch.drop_column("recorded_by_id")
