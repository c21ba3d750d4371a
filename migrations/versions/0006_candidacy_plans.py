"""candidate training courses with class lists, annual admission plans, plan groups on people

Revision ID: 0006_candidacy_plans
Revises: 0004_api_tokens
"""
from alembic import op
import sqlalchemy as sa

revision = "0006_candidacy_plans"
down_revision = "0004_api_tokens"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("person", sa.Column("private_enterprise_worker", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    op.add_column("person", sa.Column("village_head", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "course",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("organiser_unit_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("issuer", sa.String(length=200), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["organiser_unit_id"], ["unit.id"], name=op.f("fk_course_organiser_unit_id_unit")),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"],
                                name=op.f("fk_course_created_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course")),
    )
    op.create_index("ix_course_unit_starts", "course", ["organiser_unit_id", "starts_on", "id"])
    op.create_table(
        "course_enrolment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("certificate_number", sa.String(length=50), nullable=True),
        sa.Column("certificate_date", sa.Date(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["course_id"], ["course.id"], name=op.f("fk_course_enrolment_course_id_course"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_course_enrolment_person_id_person")),
        sa.ForeignKeyConstraint(["case_id"], ["wf_case.id"], name=op.f("fk_course_enrolment_case_id_wf_case")),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["user_account.id"],
                                name=op.f("fk_course_enrolment_recorded_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_enrolment")),
        sa.UniqueConstraint("course_id", "case_id", name="uq_course_enrolment_course_case"),
    )
    op.create_index(op.f("ix_course_enrolment_course_id"), "course_enrolment", ["course_id"])
    op.create_index(op.f("ix_course_enrolment_person_id"), "course_enrolment", ["person_id"])
    op.create_index(op.f("ix_course_enrolment_case_id"), "course_enrolment", ["case_id"])
    op.create_table(
        "admission_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("target", sa.Integer(), nullable=False),
        sa.Column("target_youth_union", sa.Integer(), nullable=True),
        sa.Column("target_private_enterprise", sa.Integer(), nullable=True),
        sa.Column("target_village_heads", sa.Integer(), nullable=True),
        sa.Column("target_women", sa.Integer(), nullable=True),
        sa.Column("target_ethnic_minorities", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_admission_plan_unit_id_unit")),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user_account.id"],
                                name=op.f("fk_admission_plan_updated_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admission_plan")),
        sa.UniqueConstraint("unit_id", "year", name="uq_admission_plan_unit_year"),
    )


def downgrade():
    op.drop_table("admission_plan")
    op.drop_index(op.f("ix_course_enrolment_case_id"), table_name="course_enrolment")
    op.drop_index(op.f("ix_course_enrolment_person_id"), table_name="course_enrolment")
    op.drop_index(op.f("ix_course_enrolment_course_id"), table_name="course_enrolment")
    op.drop_table("course_enrolment")
    op.drop_index("ix_course_unit_starts", table_name="course")
    op.drop_table("course")
    with op.batch_alter_table("person") as batch:
        batch.drop_column("village_head")
        batch.drop_column("private_enterprise_worker")
