"""Every (type, id) pair of columns holds only the types it may name: a CHECK constraint on each
type column (civic.targets.TargetType): reports, moderation decisions, follows, the audit log
of assisted actions and the staff log.

Reviewed by hand. The values allowed are those Civic has always written; a row with another
value stops the upgrade at the constraint (no version of Civic wrote one). On PostgreSQL each
constraint is added NOT VALID, then validated: adding takes a short lock, and the check of the
existing rows lets the site read and write meanwhile (the staff log and the audit log grow
large). On SQLite the batch rebuilds assisted_action, which drops its append-only trigger: it
is created again.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

CHECKS = {
    'report': ('target_type', ('proposal', 'comment')),
    'moderation_action': ('target_type', ('proposal', 'comment')),
    'follow': ('target_type', ('proposal', 'decision')),
    'assisted_action': ('object_type', ('proposal', 'comment', 'support', 'decision', 'user')),
    'staff_log': ('object_type', ('proposal', 'comment', 'decision', 'user', 'counter', 'setting')),
}

# As in migration 0004 (and civic.counters.models): the database refuses to change a row of the audit log.
APPEND_ONLY_SQLITE = (
    "CREATE TRIGGER assisted_action_append_only BEFORE UPDATE ON assisted_action "
    "BEGIN SELECT RAISE(ABORT, 'assisted_action is append-only'); END")


def _append_only_again():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("DROP TRIGGER IF EXISTS assisted_action_append_only")
        op.execute(APPEND_ONLY_SQLITE)


def upgrade():
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for table, (column, values) in CHECKS.items():
        name = f'ck_{table}_{column}'
        allowed = ", ".join(f"'{value}'" for value in values)
        if postgresql:
            op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({column} IN ({allowed})) NOT VALID")
            op.execute(f"ALTER TABLE {table} VALIDATE CONSTRAINT {name}")
            continue
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_check_constraint(op.f(name), sa.text(f"{column} IN ({allowed})"))
    _append_only_again()


def downgrade():
    for table, (column, _values) in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f'ck_{table}_{column}'), type_='check')
    _append_only_again()
