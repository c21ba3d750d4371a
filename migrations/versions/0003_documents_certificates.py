"""documents on cases, training certificates of people

Revision ID: 0003_documents_certificates
Revises: 0002_workflow
"""
from alembic import op
import sqlalchemy as sa

revision = "0003_documents_certificates"
down_revision = "0002_workflow"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "certificate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("number", sa.String(length=50), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("issuer", sa.String(length=200), nullable=False),
        sa.Column("course_name", sa.String(length=200), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_certificate_person_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate")),
    )
    op.create_index("ix_certificate_person_kind", "certificate", ["person_id", "kind", "issued_on"])
    op.create_table(
        "document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["wf_case.id"], name=op.f("fk_document_case_id_wf_case")),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["user_account.id"],
                                name=op.f("fk_document_uploaded_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document")),
    )
    op.create_index("ix_document_case_kind", "document", ["case_id", "kind"])
    op.create_index(op.f("ix_document_sha256"), "document", ["sha256"])


def downgrade():
    op.drop_table("document")
    op.drop_table("certificate")
