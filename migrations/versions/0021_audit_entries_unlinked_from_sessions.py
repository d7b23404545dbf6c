"""The audit log of assisted actions accepts one change: an entry unlinked from its assisted session.

Reviewed by hand. The retention of counter sessions (civic.counters.retention) removes ended
sessions after a year while the audit log keeps its entries longer (they carry the receipt codes
that attach a counter record to an account): their session_id is set to NULL first. The
append-only trigger is made again to allow exactly that, and nothing else. The trigger keeps its
name; on PostgreSQL the function it runs (civic_append_only) is unchanged.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 11:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = "0020"
branch_labels = None
depends_on = None

# Written out here rather than imported, so that this migration never changes with the code.
KEPT_COLUMNS = ("id", "created_at", "kind", "agent_id", "counter_id", "resident_id", "object_type", "object_id",
                "follow_up_code")
UNLINKABLE_SQLITE = (
    "CREATE TRIGGER assisted_action_append_only BEFORE UPDATE ON assisted_action "
    "WHEN OLD.session_id IS NULL OR NEW.session_id IS NOT NULL OR NOT ("
    + " AND ".join(f"NEW.{column} IS OLD.{column}" for column in KEPT_COLUMNS) + ") "
    "BEGIN SELECT RAISE(ABORT, 'assisted_action is append-only'); END")
UNLINKABLE_POSTGRESQL = (
    "CREATE TRIGGER assisted_action_append_only BEFORE UPDATE ON assisted_action FOR EACH ROW "
    "WHEN (OLD.session_id IS NULL OR NEW.session_id IS NOT NULL "
    "OR to_jsonb(NEW) - 'session_id' IS DISTINCT FROM to_jsonb(OLD) - 'session_id') "
    "EXECUTE FUNCTION civic_append_only()")
APPEND_ONLY_SQLITE = (
    "CREATE TRIGGER assisted_action_append_only BEFORE UPDATE ON assisted_action "
    "BEGIN SELECT RAISE(ABORT, 'assisted_action is append-only'); END")
APPEND_ONLY_POSTGRESQL = (
    "CREATE TRIGGER assisted_action_append_only BEFORE UPDATE ON assisted_action "
    "FOR EACH ROW EXECUTE FUNCTION civic_append_only()")


def _replace_trigger(sqlite, postgresql):
    postgres = op.get_bind().dialect.name == 'postgresql'
    op.execute("DROP TRIGGER IF EXISTS assisted_action_append_only" + (" ON assisted_action" if postgres else ""))
    op.execute(postgresql if postgres else sqlite)


def upgrade():
    _replace_trigger(UNLINKABLE_SQLITE, UNLINKABLE_POSTGRESQL)


def downgrade():
    # Entries already unlinked stay so: the sessions they named are gone.
    _replace_trigger(APPEND_ONLY_SQLITE, APPEND_ONLY_POSTGRESQL)
