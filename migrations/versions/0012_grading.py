"""annual grading: decided grades per member and year; residence-branch registrations and yearly comments

Revision ID: 0012_grading
Revises: 0011_documents_posts
"""
from alembic import op
import sqlalchemy as sa

revision = "0012_grading"
down_revision = "0012_transfers_exemptions"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "grading_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("grassroots_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("grade", sa.String(length=20), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["wf_case.id"], name=op.f("fk_grading_result_case_id_wf_case")),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_grading_result_person_id_person")),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_grading_result_unit_id_unit")),
        sa.ForeignKeyConstraint(["grassroots_id"], ["unit.id"], name=op.f("fk_grading_result_grassroots_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grading_result")),
        sa.UniqueConstraint("person_id", "year", name="uq_grading_result_person_year"),
    )
    op.create_index(op.f("ix_grading_result_case_id"), "grading_result", ["case_id"])
    op.create_index("ix_grading_result_grassroots_year", "grading_result", ["grassroots_id", "year"])
    op.create_index("ix_grading_result_decided", "grading_result", ["decided_on", "unit_id"])
    op.create_table(
        "residence_registration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("residence_unit_id", sa.Integer(), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_residence_registration_person_id_person")),
        sa.ForeignKeyConstraint(["residence_unit_id"], ["unit.id"],
                                name=op.f("fk_residence_registration_residence_unit_id_unit")),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["user_account.id"],
                                name=op.f("fk_residence_registration_recorded_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_residence_registration")),
        sa.UniqueConstraint("person_id", name=op.f("uq_residence_registration_person_id")),
    )
    op.create_index(op.f("ix_residence_registration_residence_unit_id"), "residence_registration",
                    ["residence_unit_id"])
    op.create_table(
        "residence_comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("residence_unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("text", sa.String(length=2000), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_residence_comment_person_id_person")),
        sa.ForeignKeyConstraint(["residence_unit_id"], ["unit.id"],
                                name=op.f("fk_residence_comment_residence_unit_id_unit")),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["user_account.id"],
                                name=op.f("fk_residence_comment_recorded_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_residence_comment")),
        sa.UniqueConstraint("person_id", "year", name="uq_residence_comment_person_year"),
    )
    op.create_index(op.f("ix_residence_comment_residence_unit_id"), "residence_comment", ["residence_unit_id"])


def downgrade():
    op.drop_table("residence_comment")
    op.drop_table("residence_registration")
    op.drop_table("grading_result")
