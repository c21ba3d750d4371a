"""accounts that must change their password, role assignments with a start date

An admin creates an account with a one-time password the user must change at
the next login (``must_change_password``), and grants a role from a day
(``starts_on``; NULL for assignments made before this revision). A revoked
assignment is removed; its dates stay in the audit trail (DOMAIN.md "Setting up
an organisation").

Revision ID: 0012_setup_accounts
Revises: 0011_documents_posts
"""
from alembic import op
import sqlalchemy as sa

revision = "0012_setup_accounts"
down_revision = "0012_grading"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("role_assignment") as batch:
        batch.add_column(sa.Column("starts_on", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("role_assignment") as batch:
        batch.drop_column("starts_on")
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("must_change_password")
