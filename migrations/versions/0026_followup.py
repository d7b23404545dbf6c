"""The follow-up of what was decided: implementation records, their milestones and their public history.

Reviewed by hand. Three new tables (civic.followup.models); nothing existing is filled in: records open when
results are published or a proposal accepted from now on. implementation_change is append-only below the
application (the triggers civic.followup.models creates with the table). A follow and a staff log entry may now
name an implementation record: the CHECK on their type column is widened for 'implementation' (Alembic does not
see it). On PostgreSQL the widened constraint is added NOT VALID then validated, as in migration 0011; on SQLite
the batch rebuilds follow and staff_log, which have no trigger to create again.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None

CHECKS = {
    'follow': ('target_type', ('proposal', 'decision')),
    'staff_log': ('object_type', ('proposal', 'comment', 'decision', 'user', 'counter', 'setting')),
}
ADDED = 'implementation'

# As civic.followup.models creates them with the table.
APPEND_ONLY_SQLITE = tuple(
    f"CREATE TRIGGER implementation_change_no_{change.lower()} BEFORE {change} ON implementation_change "
    "BEGIN SELECT RAISE(ABORT, 'implementation_change is append-only'); END" for change in ("UPDATE", "DELETE"))
APPEND_ONLY_POSTGRESQL = (
    "CREATE OR REPLACE FUNCTION civic_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'this table is append-only'; END $$; "
    "CREATE TRIGGER implementation_change_append_only BEFORE UPDATE OR DELETE ON implementation_change "
    "FOR EACH ROW EXECUTE FUNCTION civic_append_only()")


def _type_checks(widened):
    """Each type column's CHECK allowing its values, with 'implementation' when ``widened``. Going back, a row
    naming a record stops the downgrade at the constraint: remove those follows and entries first."""
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for table, (column, values) in CHECKS.items():
        name = f'ck_{table}_{column}'
        allowed = ", ".join(f"'{value}'" for value in values + ((ADDED,) if widened else ()))
        if postgresql:
            op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
            op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({column} IN ({allowed})) NOT VALID")
            op.execute(f"ALTER TABLE {table} VALIDATE CONSTRAINT {name}")
            continue
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(name), type_='check')
            batch_op.create_check_constraint(op.f(name), sa.text(f"{column} IN ({allowed})"))


def upgrade():
    op.create_table('implementation_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=True),
    sa.Column('option_id', sa.Integer(), nullable=True),
    sa.Column('proposal_id', sa.Integer(), nullable=True),
    sa.Column('theme_id', sa.Integer(), nullable=True),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('to_do', 'under_way', 'done', 'abandoned', name='implementationstatus', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('progress', sa.Integer(), server_default='0', nullable=False),
    sa.Column('voted_cost', sa.Integer(), nullable=True),
    sa.Column('actual_cost', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), server_default='', nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status <> 'abandoned' OR reason <> ''", name=op.f('ck_implementation_record_abandoned_with_reason')),
    sa.CheckConstraint('actual_cost IS NULL OR actual_cost >= 0', name=op.f('ck_implementation_record_actual_cost_positive')),
    sa.CheckConstraint('progress BETWEEN 0 AND 100', name=op.f('ck_implementation_record_progress_percent')),
    sa.ForeignKeyConstraint(['decision_id'], ['decision.id'], name=op.f('fk_implementation_record_decision_id_decision')),
    sa.ForeignKeyConstraint(['district_id'], ['district.id'], name=op.f('fk_implementation_record_district_id_district')),
    sa.ForeignKeyConstraint(['option_id'], ['decision_option.id'], name=op.f('fk_implementation_record_option_id_decision_option')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_implementation_record_proposal_id_proposal'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], name=op.f('fk_implementation_record_theme_id_theme')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_implementation_record')),
    sa.UniqueConstraint('option_id', name=op.f('uq_implementation_record_option_id'))
    )
    with op.batch_alter_table('implementation_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_implementation_record_decision_id'), ['decision_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_implementation_record_district_id'), ['district_id'], unique=False)
        batch_op.create_index('ix_implementation_record_newest', ['opened_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_implementation_record_proposal_id'), ['proposal_id'], unique=False)
        batch_op.create_index('ix_implementation_record_status_newest', ['status', 'opened_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_implementation_record_theme_id'), ['theme_id'], unique=False)
        batch_op.create_index('uq_implementation_record_answered_proposal', ['proposal_id'], unique=True, sqlite_where=sa.text('option_id IS NULL'), postgresql_where=sa.text('option_id IS NULL'))

    op.create_table('implementation_milestone',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['implementation_record.id'], name=op.f('fk_implementation_milestone_record_id_implementation_record')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_implementation_milestone'))
    )
    with op.batch_alter_table('implementation_milestone', schema=None) as batch_op:
        batch_op.create_index('ix_implementation_milestone_record_day', ['record_id', 'day', 'id'], unique=False)

    op.create_table('implementation_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('field', sa.Enum('opened', 'status', 'progress', 'actual_cost', 'reason', 'milestone', name='changedfield', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('before', sa.Text(), nullable=True),
    sa.Column('after', sa.Text(), nullable=True),
    sa.Column('milestone_id', sa.Integer(), nullable=True),
    sa.Column('author_role', sa.Enum('resident', 'counter_agent', 'moderator', 'elected', 'admin', name='role', native_enum=False, create_constraint=True, length=24), nullable=True),
    sa.ForeignKeyConstraint(['milestone_id'], ['implementation_milestone.id'], name=op.f('fk_implementation_change_milestone_id_implementation_milestone')),
    sa.ForeignKeyConstraint(['record_id'], ['implementation_record.id'], name=op.f('fk_implementation_change_record_id_implementation_record')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_implementation_change'))
    )
    with op.batch_alter_table('implementation_change', schema=None) as batch_op:
        batch_op.create_index('ix_implementation_change_record_time', ['record_id', 'changed_at', 'id'], unique=False)

    if op.get_bind().dialect.name == 'postgresql':
        op.execute(APPEND_ONLY_POSTGRESQL)
    else:
        for statement in APPEND_ONLY_SQLITE:
            op.execute(statement)
    _type_checks(widened=True)


def downgrade():
    _type_checks(widened=False)
    with op.batch_alter_table('implementation_change', schema=None) as batch_op:
        batch_op.drop_index('ix_implementation_change_record_time')

    op.drop_table('implementation_change')
    with op.batch_alter_table('implementation_milestone', schema=None) as batch_op:
        batch_op.drop_index('ix_implementation_milestone_record_day')

    op.drop_table('implementation_milestone')
    with op.batch_alter_table('implementation_record', schema=None) as batch_op:
        batch_op.drop_index('uq_implementation_record_answered_proposal', sqlite_where=sa.text('option_id IS NULL'), postgresql_where=sa.text('option_id IS NULL'))
        batch_op.drop_index(batch_op.f('ix_implementation_record_theme_id'))
        batch_op.drop_index('ix_implementation_record_status_newest')
        batch_op.drop_index(batch_op.f('ix_implementation_record_proposal_id'))
        batch_op.drop_index('ix_implementation_record_newest')
        batch_op.drop_index(batch_op.f('ix_implementation_record_district_id'))
        batch_op.drop_index(batch_op.f('ix_implementation_record_decision_id'))

    op.drop_table('implementation_record')
