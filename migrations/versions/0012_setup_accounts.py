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
    # Plain ALTER TABLE ... ADD COLUMN: a batch copy of user_account would drop a table
    # that other tables' foreign keys point at, which SQLite refuses once rows exist.
    op.add_column("user_account", sa.Column("must_change_password", sa.Boolean(), nullable=False,
                                            server_default=sa.false()))
    op.add_column("role_assignment", sa.Column("starts_on", sa.Date(), nullable=True))


def downgrade():
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): a batch copy of user_account
    # would drop a table that later tables' foreign keys point at.
    op.drop_column("role_assignment", "starts_on")
    op.drop_column("user_account", "must_change_password")
