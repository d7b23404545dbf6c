"""A decision says how many options win, and keeps its electorate as it was when the vote closed.

Reviewed by hand. ``number_of_winners``: existing decisions elected one option, so the server default
1 keeps their results as published. ``electorate`` is NULL until the vote's closing freezes it
(civic.decisions.services.freeze_electorate); decisions already published keep the electorate their
results.json states, which stays what their pages show. Adding columns with a constant default or
none is a plain ALTER TABLE on SQLite and PostgreSQL: the batch does not rebuild the table.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('number_of_winners', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('electorate', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.drop_column('electorate')
        batch_op.drop_column('number_of_winners')
