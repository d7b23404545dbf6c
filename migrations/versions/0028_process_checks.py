"""The rules of a process and of the technical study, held by the database too (CHECK constraints), and a
process's draft state.

Reviewed by hand. A process's budget is null or not negative, and it starts before it ends; a phase's first day
is not after its last; a study has its public reason, a feasible project its estimated cost, and a proposal is
merged into another one only when its feasibility says merged. The services always wrote rows that pass: a row
that does not stops the upgrade at its constraint.

A process is a draft until an official publishes it (published_at, nullable): the processes that exist were
public, so they are published as of their creation.

A staff log entry may now name a process (its creation and changes are logged): the CHECK on its type column is
widened for 'process' (Alembic does not see it); going back, an entry naming a process stops the downgrade at
the constraint: remove those entries first.

On SQLite a batch copies each table to add its constraints: none of the four has AUTOINCREMENT (0023 gave it to
proposal and comment only) nor triggers, so the copy loses nothing. On PostgreSQL each constraint is added in
place; the staff log's widened one NOT VALID then validated, as in migrations 0011 and 0026.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07 17:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None

CHECKS = {
    'process': {
        'budget_positive': "budget IS NULL OR budget >= 0",
        'starts_before_it_ends': "starts_at < ends_at",
    },
    'process_phase': {
        'starts_before_it_ends': "starts_on <= ends_on",
    },
    'process_proposal': {
        'merged_into_when_merged': "merged_into_id IS NULL OR (feasibility = 'merged' AND merged_into_id <> proposal_id)",
        'feasible_with_cost': "feasibility IS NULL OR feasibility <> 'feasible' OR estimated_cost IS NOT NULL",
        'studied_with_reason': "feasibility IS NULL OR (study_reason IS NOT NULL AND study_reason <> '')",
        'cost_estimate_positive': "cost_estimate IS NULL OR cost_estimate >= 0",
        'estimated_cost_positive': "estimated_cost IS NULL OR estimated_cost >= 0",
    },
}

STAFF_LOGGED = ('proposal', 'comment', 'decision', 'user', 'counter', 'setting', 'implementation')
ADDED = 'process'


def _staff_log_types(widened):
    name = 'ck_staff_log_object_type'
    allowed = ", ".join(f"'{value}'" for value in STAFF_LOGGED + ((ADDED,) if widened else ()))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f"ALTER TABLE staff_log DROP CONSTRAINT {name}")
        op.execute(f"ALTER TABLE staff_log ADD CONSTRAINT {name} CHECK (object_type IN ({allowed})) NOT VALID")
        op.execute(f"ALTER TABLE staff_log VALIDATE CONSTRAINT {name}")
        return
    with op.batch_alter_table('staff_log', schema=None) as batch_op:
        batch_op.drop_constraint(op.f(name), type_='check')
        batch_op.create_check_constraint(op.f(name), sa.text(f"object_type IN ({allowed})"))


def upgrade():
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            if table == 'process':
                batch_op.add_column(sa.Column('published_at', sa.DateTime(timezone=True), nullable=True))
            for name, condition in checks.items():
                batch_op.create_check_constraint(op.f(f'ck_{table}_{name}'), sa.text(condition))
    op.execute("UPDATE process SET published_at = created_at")
    _staff_log_types(widened=True)


def downgrade():
    _staff_log_types(widened=False)
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in checks:
                batch_op.drop_constraint(op.f(f'ck_{table}_{name}'), type_='check')
            if table == 'process':
                batch_op.drop_column('published_at')
