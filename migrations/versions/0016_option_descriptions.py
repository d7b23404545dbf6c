"""Options of a decision get an optional description, shown on the ballot and the decision page.

Reviewed by hand. An empty text rather than NULL, as the decision's own description: existing options
get '' from the server default. Adding a column with a constant default is a plain ALTER TABLE on both
SQLite and PostgreSQL: the batch does not rebuild the table.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('decision_option', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description', sa.Text(), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('decision_option', schema=None) as batch_op:
        batch_op.drop_column('description')
