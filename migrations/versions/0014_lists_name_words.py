"""The people search's word table (issue 16, PostgreSQL): ``person_word`` (one row per
distinct word of each person's folded name, with the name and the id, indexed in
name order per word), the dictionary ``name_word``, the trigger that keeps both
current, and their first fill (:mod:`cases.name_words`). SQLite keeps its FTS5
index (migration 0013): nothing to do there.

Revision ID: 0014_lists_name_words
Revises: 0013_scale_search_indexes
"""
from alembic import op

revision = "0014_lists_name_words"
down_revision = "0013_scale_search_indexes"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    from cases.name_words import DDL, rebuild

    for statement in DDL:
        op.execute(statement)
    rebuild(op.get_bind())


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    from cases.name_words import DROP

    for statement in DROP:
        op.execute(statement)
