"""notifications: rows, emails, the scan cursor, and each user's email settings

Issue 19: a notification per (case, step, occurrence, kind, recipient), the
emails that carry them (immediate or a day's digest), how far the scan has read
the audit trail, and the user's email address, language and delivery choice.

Revision ID: 0012_notifications
Revises: 0011_documents_posts
"""
from alembic import op
import sqlalchemy as sa

revision = "0012_notifications"
down_revision = "0012_setup_accounts"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE on both databases (SQLite >= 3.35 drops a column in place): a batch
    # copy of user_account would have to drop a table that every other table refers to.
    op.add_column("user_account", sa.Column("email", sa.String(254), nullable=True))
    op.add_column("user_account", sa.Column("language", sa.String(8), nullable=False, server_default="vi"))
    op.add_column("user_account", sa.Column("notify_delivery", sa.String(16), nullable=False,
                                            server_default="immediate"))
    op.create_table(
        "notification_email",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("next_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_notification_email_user_id_user_account"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_email")),
        sa.UniqueConstraint("key", name=op.f("uq_notification_email_key")),
    )
    op.create_index("ix_notification_email_due", "notification_email", ["status", "next_at"])
    op.create_index(op.f("ix_notification_email_user_id"), "notification_email", ["user_id"])
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(64), nullable=False),
        sa.Column("occurrence", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.Column("delivery", sa.String(16), nullable=False),
        sa.Column("email_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["recipient_id"], ["user_account.id"],
                                name=op.f("fk_notification_recipient_id_user_account"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["case_id"], ["wf_case.id"], name=op.f("fk_notification_case_id_wf_case")),
        sa.ForeignKeyConstraint(["email_id"], ["notification_email.id"],
                                name=op.f("fk_notification_email_id_notification_email")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
        sa.UniqueConstraint("case_id", "step", "occurrence", "kind", "recipient_id", name="uq_notification_key"),
    )
    op.create_index("ix_notification_recipient", "notification", ["recipient_id", "id"])
    op.create_index(op.f("ix_notification_case_id"), "notification", ["case_id"])
    op.create_index(op.f("ix_notification_email_id"), "notification", ["email_id"])
    op.create_table(
        "notification_cursor",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_notification_cursor")),
    )
    # An existing installation starts notifying from now on, not about its whole history.
    op.execute("INSERT INTO notification_cursor (name, last_event_id) "
               "SELECT 'audit', COALESCE(MAX(id), 0) FROM audit_event")


def downgrade():
    op.drop_table("notification_cursor")
    op.drop_index(op.f("ix_notification_email_id"), "notification")
    op.drop_index(op.f("ix_notification_case_id"), "notification")
    op.drop_index("ix_notification_recipient", "notification")
    op.drop_table("notification")
    op.drop_index(op.f("ix_notification_email_user_id"), "notification_email")
    op.drop_index("ix_notification_email_due", "notification_email")
    op.drop_table("notification_email")
    for column in ("notify_delivery", "language", "email"):
        op.drop_column("user_account", column)
