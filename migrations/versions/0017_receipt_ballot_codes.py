"""Counter receipts' ballot codes kept server-side while their session is open.

Reviewed by hand. Until now the tracking code of a ballot cast at a counter rode in the session
cookie (signed, not encrypted) until the session ended; it now stays in receipt_ballot_code,
deleted when the session ends. Nothing to move: the codes in cookies of sessions open during the
upgrade are no longer read, and their receipts print without them.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('receipt_ballot_code',
    sa.Column('assisted_action_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['assisted_action_id'], ['assisted_action.id'],
                            name=op.f('fk_receipt_ballot_code_assisted_action_id_assisted_action')),
    sa.ForeignKeyConstraint(['session_id'], ['assisted_session.id'],
                            name=op.f('fk_receipt_ballot_code_session_id_assisted_session')),
    sa.PrimaryKeyConstraint('assisted_action_id', name=op.f('pk_receipt_ballot_code'))
    )
    with op.batch_alter_table('receipt_ballot_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_receipt_ballot_code_session_id'), ['session_id'], unique=False)


def downgrade():
    with op.batch_alter_table('receipt_ballot_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_receipt_ballot_code_session_id'))
    op.drop_table('receipt_ballot_code')
