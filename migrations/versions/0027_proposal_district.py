"""A proposal may name the district it concerns (optional).

Reviewed by hand. A nullable column and its index: existing proposals concern no district in particular. On
SQLite the column is added in place (ADD COLUMN), not by batch mode's copy of the table, which would lose the
AUTOINCREMENT that 0023 gave the proposal table; SQLite cannot add the foreign key that way, which the models
declare and PostgreSQL enforces.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 15:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE proposal ADD COLUMN district_id INTEGER "
                   "CONSTRAINT fk_proposal_district_id_district REFERENCES district (id)")
    else:
        op.add_column('proposal', sa.Column('district_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_proposal_district_id_district'), 'proposal', 'district', ['district_id'],
                              ['id'])
    op.create_index(op.f('ix_proposal_district_id'), 'proposal', ['district_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_proposal_district_id'), table_name='proposal')
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE proposal DROP COLUMN district_id")
    else:
        op.drop_constraint(op.f('fk_proposal_district_id_district'), 'proposal', type_='foreignkey')
        op.drop_column('proposal', 'district_id')
