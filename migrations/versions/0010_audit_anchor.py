"""audit anchor: a global event sequence, event MACs

Revision ID: 0010_audit_anchor
Revises: 0009_unique_open_cases

``audit_event.id`` becomes the global sequence number (gseq): assigned by the
application (``workflow.audit.append``) as ``max(id) + 1`` under an append lock
held until commit, so ids follow commit order and a gap means a deletion.
Existing events are renumbered 1..n in id order (no gaps); on PostgreSQL the
SERIAL default is dropped (a sequence hands out numbers before commit and
loses them on rollback) and ``audit_next_gseq()`` takes a transaction-level
advisory lock and returns the next number. ``mac`` holds each event's
HMAC-SHA256 (NULL for the events written before this revision).
"""
from alembic import op
import sqlalchemy as sa

revision = "0010_audit_anchor"
down_revision = "0009_unique_open_cases"
branch_labels = None
depends_on = None

# The advisory lock that serialises appends on PostgreSQL (any constant bigint
# that nothing else uses; "audit" in ASCII).
APPEND_LOCK = 0x6175646974

PG_NEXT_GSEQ = f"""
CREATE OR REPLACE FUNCTION audit_next_gseq() RETURNS bigint AS $$
BEGIN
    -- Held until the transaction ends: appends commit in the order of their numbers.
    PERFORM pg_advisory_xact_lock({APPEND_LOCK});
    -- A new statement, hence a new snapshot that sees every committed append.
    RETURN (SELECT coalesce(max(id), 0) + 1 FROM audit_event);
END;
$$ LANGUAGE plpgsql VOLATILE
"""

SQLITE_DROP = ("DROP TRIGGER IF EXISTS audit_event_no_update", "DROP TRIGGER IF EXISTS audit_event_no_delete")
# As created by 0002_workflow.
SQLITE_TRIGGERS = (
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
    BEGIN SELECT RAISE(ABORT, 'audit_event is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
    BEGIN SELECT RAISE(ABORT, 'audit_event is append-only: DELETE refused'); END""",
)
PG_DISABLE = "ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update_delete"
PG_ENABLE = "ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update_delete"


def _renumber(dialect: str) -> None:
    """Make ids 1..n in their current order (a no-op when they already are)."""
    bind = op.get_bind()
    count, low, high = bind.execute(sa.text("SELECT count(*), min(id), max(id) FROM audit_event")).one()
    if count == 0 or (low == 1 and high == count):
        return
    if dialect == "sqlite":
        for ddl in SQLITE_DROP:
            op.execute(ddl)
    else:
        op.execute(PG_DISABLE)
    op.execute("UPDATE audit_event SET id = -r.rn FROM (SELECT id AS old_id, row_number() OVER (ORDER BY id) AS rn "
               "FROM audit_event) AS r WHERE audit_event.id = r.old_id")
    op.execute("UPDATE audit_event SET id = -id")
    if dialect == "sqlite":
        for ddl in SQLITE_TRIGGERS:
            op.execute(ddl)
    else:
        op.execute(PG_ENABLE)


def upgrade():
    dialect = op.get_bind().dialect.name
    op.add_column("audit_event", sa.Column("mac", sa.String(length=64), nullable=True))
    _renumber(dialect)
    if dialect == "postgresql":
        op.execute("ALTER TABLE audit_event ALTER COLUMN id DROP DEFAULT")
        op.execute("DROP SEQUENCE IF EXISTS audit_event_id_seq")
        op.execute(PG_NEXT_GSEQ)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_next_gseq()")
        op.execute("CREATE SEQUENCE audit_event_id_seq OWNED BY audit_event.id")
        op.execute("SELECT setval('audit_event_id_seq', coalesce((SELECT max(id) FROM audit_event), 0) + 1, false)")
        op.execute("ALTER TABLE audit_event ALTER COLUMN id SET DEFAULT nextval('audit_event_id_seq')")
    op.execute("ALTER TABLE audit_event DROP COLUMN mac")
