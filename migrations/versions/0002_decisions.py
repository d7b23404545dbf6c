"""Districts, decisions, options, participations, secret ballots, published results.

Reviewed by hand: one participation per (decision, user) is the UNIQUE constraint behind
"one resident, one vote"; ballots have a random primary key, no voter and no time finer
than the day, and on SQLite no rowid (so not even storage order links them to voters);
one result snapshot per decision is UNIQUE, so publishing twice makes one snapshot.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 01:03:32.309481

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('district',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_district')),
    sa.UniqueConstraint('name', name=op.f('uq_district_name'))
    )
    op.create_table('decision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('question', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('method', sa.Enum('yes_no', 'single_choice', 'approval', 'majority_judgment', 'budget', name='method', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('max_choices', sa.Integer(), nullable=True),
    sa.Column('budget', sa.Integer(), nullable=True),
    sa.Column('budget_rule', sa.Enum('greedy', 'equal_shares', name='budgetrule', native_enum=False, create_constraint=True, length=24), nullable=True),
    sa.Column('voter_cost_limit', sa.Integer(), nullable=True),
    sa.Column('opens_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('announced_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_decision_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision'))
    )
    op.create_table('ballot',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('cast_on', sa.Date(), nullable=False),
    sa.Column('channel', sa.Enum('online', 'counter', name='channel', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('tracking_code', sa.String(length=16), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['decision_id'], ['decision.id'], name=op.f('fk_ballot_decision_id_decision'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballot')),
    sa.UniqueConstraint('decision_id', 'tracking_code', name=op.f('uq_ballot_decision_id_tracking_code')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ballot_decision_id'), ['decision_id'], unique=False)

    op.create_table('decision_description_edit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('edited_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('before', sa.Text(), nullable=False),
    sa.Column('after', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['decision_id'], ['decision.id'], name=op.f('fk_decision_description_edit_decision_id_decision'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_decision_description_edit_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_description_edit'))
    )
    with op.batch_alter_table('decision_description_edit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_description_edit_decision_id'), ['decision_id'], unique=False)

    op.create_table('decision_district',
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['decision_id'], ['decision.id'], name=op.f('fk_decision_district_decision_id_decision'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['district_id'], ['district.id'], name=op.f('fk_decision_district_district_id_district')),
    sa.PrimaryKeyConstraint('decision_id', 'district_id', name=op.f('pk_decision_district'))
    )
    op.create_table('decision_option',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=160), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('cost', sa.Integer(), nullable=True),
    sa.Column('proposal_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['decision_id'], ['decision.id'], name=op.f('fk_decision_option_decision_id_decision'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_decision_option_proposal_id_proposal')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_option'))
    )
    with op.batch_alter_table('decision_option', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_option_decision_id'), ['decision_id'], unique=False)

    op.create_table('participation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.Enum('online', 'counter', name='channel', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['decision_id'], ['decision.id'], name=op.f('fk_participation_decision_id_decision'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_participation_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participation')),
    sa.UniqueConstraint('decision_id', 'user_id', name=op.f('uq_participation_decision_id_user_id'))
    )
    with op.batch_alter_table('participation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_participation_user_id'), ['user_id'], unique=False)

    op.create_table('result_snapshot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=False),
    sa.Column('code_version', sa.String(length=40), nullable=False),
    sa.Column('results_json', sa.Text(), nullable=False),
    sa.Column('ballots_csv', sa.Text(), nullable=False),
    sa.Column('ballots_sha256', sa.String(length=64), nullable=False),
    sa.Column('ballots_pb', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['decision_id'], ['decision.id'], name=op.f('fk_result_snapshot_decision_id_decision')),
    sa.ForeignKeyConstraint(['published_by_id'], ['user_account.id'], name=op.f('fk_result_snapshot_published_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_result_snapshot')),
    sa.UniqueConstraint('decision_id', name=op.f('uq_result_snapshot_decision_id'))
    )
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('district_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_user_account_district_id_district'), 'district', ['district_id'], ['id'])



def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_user_account_district_id_district'), type_='foreignkey')
        batch_op.drop_column('district_id')

    op.drop_table('result_snapshot')
    with op.batch_alter_table('participation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participation_user_id'))

    op.drop_table('participation')
    with op.batch_alter_table('decision_option', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_option_decision_id'))

    op.drop_table('decision_option')
    op.drop_table('decision_district')
    with op.batch_alter_table('decision_description_edit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_description_edit_decision_id'))

    op.drop_table('decision_description_edit')
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ballot_decision_id'))

    op.drop_table('ballot')
    op.drop_table('decision')
    op.drop_table('district')
