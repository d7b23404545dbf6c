"""Accounts can be erased, and are erased after long inactivity; an erased voter cannot vote twice.

Reviewed by hand. user_account gains erased_at (the row stays, emptied, for what still names it),
last_active_at (last log-in or assisted session; left empty for existing accounts, which then count
from their creation, as the model reads it) and inactivity_warned_at (the e-mail sent a month before
erasing an inactive account). erased_voter holds, for a vote still open, the keyed hash of the
identity of someone who voted and erased their account since.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 11:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_active_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('inactivity_warned_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table('erased_voter',
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('identity', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['decision_id'], ['decision.id'], name=op.f('fk_erased_voter_decision_id_decision'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('decision_id', 'identity', name=op.f('pk_erased_voter'))
    )


def downgrade():
    op.drop_table('erased_voter')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('erased_at')
        batch_op.drop_column('inactivity_warned_at')
        batch_op.drop_column('last_active_at')
