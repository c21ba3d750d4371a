"""user session version: logout, a password change or disabling ends every session

Revision ID: 0007_user_session_version
Revises: 0006_candidacy_plans
"""
from alembic import op
import sqlalchemy as sa

revision = "0007_user_session_version"
down_revision = "0006_candidacy_plans"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("user_account", sa.Column("session_version", sa.Integer(), nullable=False, server_default="0"))


def downgrade():
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("session_version")
