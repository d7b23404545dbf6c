"""A setting's value may be long: the collectivité's legal pages and its SVG logo are settings.

Reviewed by hand. String(200) becomes Text: on PostgreSQL a plain ALTER COLUMN TYPE (varchar to text
needs no rewrite); on SQLite the batch rebuilds the small table (no trigger on it). Going down cuts
nothing silently: a value longer than 200 characters makes the downgrade fail on PostgreSQL, and
SQLite does not enforce the length.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 11:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('setting', schema=None) as batch_op:
        batch_op.alter_column('value', existing_type=sa.String(length=200), type_=sa.Text(), existing_nullable=False)


def downgrade():
    with op.batch_alter_table('setting', schema=None) as batch_op:
        batch_op.alter_column('value', existing_type=sa.Text(), type_=sa.String(length=200), existing_nullable=False)
