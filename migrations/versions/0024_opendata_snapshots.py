"""The open data's stored snapshots: each dataset's files, the data package and the ZIP, a chunk at a time.

Reviewed by hand. Two new tables, as the published files of a decision (0014): nothing existing changes, and
the first `flask opendata refresh` (or the daily clock job) fills them.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 14:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('opendata_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('dataset', sa.String(length=40), nullable=True),
    sa.Column('media_type', sa.String(length=60), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=True),
    sa.Column('generated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opendata_file')),
    sa.UniqueConstraint('name', name=op.f('uq_opendata_file_name'))
    )
    op.create_table('opendata_chunk',
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['opendata_file.id'], name=op.f('fk_opendata_chunk_file_id_opendata_file'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('file_id', 'seq', name=op.f('pk_opendata_chunk'))
    )


def downgrade():
    op.drop_table('opendata_chunk')
    op.drop_table('opendata_file')
