"""Counters, agents' assignments, assisted sessions, the audit log of assisted actions.

Reviewed by hand. One open session per agent is a partial UNIQUE index (rows without
an end). Proposals, supports, comments and participations gain the channel and, when
entered at a counter, the agent and the counter; existing rows are "online" through the
server default. Accounts may now lack an e-mail and a password (residents registered at
a counter) and carry a civil name, birth date and phone used only to find them there.
Downgrading fails while such accounts exist: e-mail and password become required again.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 04:46:35.479404

"""
from alembic import op
import sqlalchemy as sa

# Written out here rather than imported, so that this migration never changes with the code.
APPEND_ONLY_SQLITE = (
    "CREATE TRIGGER assisted_action_append_only BEFORE UPDATE ON assisted_action "
    "BEGIN SELECT RAISE(ABORT, 'assisted_action is append-only'); END")
APPEND_ONLY_POSTGRESQL = (
    "CREATE OR REPLACE FUNCTION civic_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'this table is append-only'; END $$; "
    "CREATE TRIGGER assisted_action_append_only BEFORE UPDATE ON assisted_action "
    "FOR EACH ROW EXECUTE FUNCTION civic_append_only()")


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('counter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('opening_hours', sa.Text(), nullable=False),
    sa.Column('receipt_layout', sa.Enum('a4', 'ticket', name='receiptlayout', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counter')),
    sa.UniqueConstraint('name', name=op.f('uq_counter_name'))
    )
    op.create_table('assisted_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('counter_id', sa.Integer(), nullable=False),
    sa.Column('identity_check', sa.Enum('document', 'personally_known', 'none', name='identitycheck', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('consent_version', sa.String(length=20), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_activity_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sa.Enum('button', 'logout', 'timeout', name='sessionend', native_enum=False, create_constraint=True, length=24), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['user_account.id'], name=op.f('fk_assisted_session_agent_id_user_account')),
    sa.ForeignKeyConstraint(['counter_id'], ['counter.id'], name=op.f('fk_assisted_session_counter_id_counter')),
    sa.ForeignKeyConstraint(['resident_id'], ['user_account.id'], name=op.f('fk_assisted_session_resident_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assisted_session'))
    )
    with op.batch_alter_table('assisted_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assisted_session_counter_id'), ['counter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assisted_session_resident_id'), ['resident_id'], unique=False)
        batch_op.create_index('uq_assisted_session_open_agent', ['agent_id'], unique=True, sqlite_where=sa.text('ended_at IS NULL'), postgresql_where=sa.text('ended_at IS NULL'))

    op.create_table('counter_assignment',
    sa.Column('counter_id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['user_account.id'], name=op.f('fk_counter_assignment_agent_id_user_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['counter_id'], ['counter.id'], name=op.f('fk_counter_assignment_counter_id_counter'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('counter_id', 'agent_id', name=op.f('pk_counter_assignment'))
    )
    op.create_table('assisted_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.Enum('resident_registered', 'session_opened', 'session_ended', 'proposal_created', 'comment_created', 'support_added', 'support_withdrawn', 'vote_cast', 'contributions_attached', name='assistedactionkind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('counter_id', sa.Integer(), nullable=True),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('object_type', sa.String(length=20), nullable=True),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('follow_up_code', sa.String(length=12), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['user_account.id'], name=op.f('fk_assisted_action_agent_id_user_account')),
    sa.ForeignKeyConstraint(['counter_id'], ['counter.id'], name=op.f('fk_assisted_action_counter_id_counter')),
    sa.ForeignKeyConstraint(['resident_id'], ['user_account.id'], name=op.f('fk_assisted_action_resident_id_user_account')),
    sa.ForeignKeyConstraint(['session_id'], ['assisted_session.id'], name=op.f('fk_assisted_action_session_id_assisted_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assisted_action')),
    sa.UniqueConstraint('follow_up_code', name=op.f('uq_assisted_action_follow_up_code'))
    )
    # Append-only below the application too (the same DDL as counters/models.py gives create_all).
    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_ONLY_POSTGRESQL)
    else:
        op.execute(APPEND_ONLY_SQLITE)
    with op.batch_alter_table('assisted_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assisted_action_agent_id'), ['agent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assisted_action_counter_id'), ['counter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assisted_action_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_assisted_action_resident_id'), ['resident_id'], unique=False)

    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.Enum('online', 'counter', name='channel', native_enum=False, create_constraint=True, length=24), server_default='online', nullable=False))
        batch_op.add_column(sa.Column('assisted_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('counter_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_comment_assisted_by_id_user_account'), 'user_account', ['assisted_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_comment_counter_id_counter'), 'counter', ['counter_id'], ['id'])

    with op.batch_alter_table('participation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assisted_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('counter_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_participation_assisted_by_id_user_account'), 'user_account', ['assisted_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_participation_counter_id_counter'), 'counter', ['counter_id'], ['id'])

    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.Enum('online', 'counter', name='channel', native_enum=False, create_constraint=True, length=24), server_default='online', nullable=False))
        batch_op.add_column(sa.Column('assisted_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('counter_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_proposal_assisted_by_id_user_account'), 'user_account', ['assisted_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_proposal_counter_id_counter'), 'counter', ['counter_id'], ['id'])

    with op.batch_alter_table('support', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.Enum('online', 'counter', name='channel', native_enum=False, create_constraint=True, length=24), server_default='online', nullable=False))
        batch_op.add_column(sa.Column('assisted_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('counter_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_support_counter_id_counter'), 'counter', ['counter_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_support_assisted_by_id_user_account'), 'user_account', ['assisted_by_id'], ['id'])

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('full_name', sa.String(length=160), nullable=True))
        batch_op.add_column(sa.Column('full_name_search', sa.String(length=160), nullable=True))
        batch_op.add_column(sa.Column('birth_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('phone', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('phone_normalized', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.alter_column('email',
               existing_type=sa.VARCHAR(length=254),
               nullable=True)
        batch_op.alter_column('email_normalized',
               existing_type=sa.VARCHAR(length=254),
               nullable=True)
        batch_op.alter_column('password_hash',
               existing_type=sa.VARCHAR(length=255),
               nullable=True)
        batch_op.create_index(batch_op.f('ix_user_account_full_name_search'), ['full_name_search'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_account_phone_normalized'), ['phone_normalized'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_user_account_merged_into_id_user_account'), 'user_account', ['merged_into_id'], ['id'])



def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_user_account_merged_into_id_user_account'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_user_account_phone_normalized'))
        batch_op.drop_index(batch_op.f('ix_user_account_full_name_search'))
        batch_op.alter_column('password_hash',
               existing_type=sa.VARCHAR(length=255),
               nullable=False)
        batch_op.alter_column('email_normalized',
               existing_type=sa.VARCHAR(length=254),
               nullable=False)
        batch_op.alter_column('email',
               existing_type=sa.VARCHAR(length=254),
               nullable=False)
        batch_op.drop_column('merged_into_id')
        batch_op.drop_column('phone_normalized')
        batch_op.drop_column('phone')
        batch_op.drop_column('birth_date')
        batch_op.drop_column('full_name_search')
        batch_op.drop_column('full_name')

    with op.batch_alter_table('support', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_support_channel'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_support_assisted_by_id_user_account'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_support_counter_id_counter'), type_='foreignkey')
        batch_op.drop_column('counter_id')
        batch_op.drop_column('assisted_by_id')
        batch_op.drop_column('channel')

    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_proposal_channel'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_proposal_counter_id_counter'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_proposal_assisted_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('counter_id')
        batch_op.drop_column('assisted_by_id')
        batch_op.drop_column('channel')

    with op.batch_alter_table('participation', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_participation_counter_id_counter'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_participation_assisted_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('counter_id')
        batch_op.drop_column('assisted_by_id')

    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_comment_channel'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_comment_counter_id_counter'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_comment_assisted_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('counter_id')
        batch_op.drop_column('assisted_by_id')
        batch_op.drop_column('channel')

    with op.batch_alter_table('assisted_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assisted_action_resident_id'))
        batch_op.drop_index(batch_op.f('ix_assisted_action_created_at'))
        batch_op.drop_index(batch_op.f('ix_assisted_action_counter_id'))
        batch_op.drop_index(batch_op.f('ix_assisted_action_agent_id'))

    op.drop_table('assisted_action')  # its trigger goes with it
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS civic_append_only()")
    op.drop_table('counter_assignment')
    with op.batch_alter_table('assisted_session', schema=None) as batch_op:
        batch_op.drop_index('uq_assisted_session_open_agent', sqlite_where=sa.text('ended_at IS NULL'), postgresql_where=sa.text('ended_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_assisted_session_resident_id'))
        batch_op.drop_index(batch_op.f('ix_assisted_session_counter_id'))

    op.drop_table('assisted_session')
    op.drop_table('counter')
