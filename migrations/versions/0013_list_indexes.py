"""Indexes for lists read a page at a time: the reports still waiting for a moderator (the queue groups
them by what they report), the accounts by name (the administrators' list), the staff by role and
name (the staff log's filter), and the counter records attached to an account ("my data" reads
their rows with the account's).

Reviewed by hand. On PostgreSQL the indexes are built CONCURRENTLY, outside the migration's
transaction: the site keeps reading and writing these tables meanwhile (the accounts table of a
large city is big). A build that failed half-way leaves an INVALID index: drop it and upgrade again.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 16:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

OPEN = sa.text('resolved_at IS NULL')


def upgrade():
    with op.get_context().autocommit_block():
        op.create_index('ix_report_open', 'report', ['target_type', 'target_id', 'created_at'], unique=False,
                        sqlite_where=OPEN, postgresql_where=OPEN, postgresql_concurrently=True)
        op.create_index('ix_user_account_display_name_id', 'user_account', ['display_name', 'id'], unique=False,
                        postgresql_concurrently=True)
        op.create_index('ix_user_account_role_display_name', 'user_account', ['role', 'display_name'], unique=False,
                        postgresql_concurrently=True)
        op.create_index(op.f('ix_user_account_merged_into_id'), 'user_account', ['merged_into_id'], unique=False,
                        postgresql_concurrently=True)


def downgrade():
    op.drop_index(op.f('ix_user_account_merged_into_id'), table_name='user_account')
    op.drop_index('ix_user_account_role_display_name', table_name='user_account')
    op.drop_index('ix_user_account_display_name_id', table_name='user_account')
    op.drop_index('ix_report_open', table_name='report')
