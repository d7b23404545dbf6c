"""Ballots lose their channel and day; districts remember when they were stated.

Reviewed by hand. The ballot table is rebuilt rather than altered: its rows are copied
back in random order, so the upgrade itself leaves no trace of the order they were cast
in, and SQLite's table is again WITHOUT ROWID (batch mode would rebuild it with a rowid).
A channel on each ballot would single out the ballots of the few residents who vote at a
counter; turnout per channel comes from the participation records instead.
Existing districts count as stated when the account was created (the best date known).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 09:20:00

"""
import datetime
import random

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def _create_ballot_table(with_day_and_channel):
    columns = [
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('decision_id', sa.Integer(), nullable=False),
    ]
    if with_day_and_channel:
        columns += [
            sa.Column('cast_on', sa.Date(), nullable=False),
            sa.Column('channel', sa.Enum('online', 'counter', name='channel', native_enum=False,
                                         create_constraint=True, length=24), nullable=False),
        ]
    columns += [
        sa.Column('tracking_code', sa.String(length=16), nullable=False),
        sa.Column('content', sa.Text(), nullable=False),
    ]
    return op.create_table(
        'ballot', *columns,
        sa.ForeignKeyConstraint(['decision_id'], ['decision.id'], name=op.f('fk_ballot_decision_id_decision'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ballot')),
        sa.UniqueConstraint('decision_id', 'tracking_code', name=op.f('uq_ballot_decision_id_tracking_code')),
        sqlite_with_rowid=False,
    )


def _rebuild_ballots(with_day_and_channel):
    connection = op.get_bind()
    rows = [dict(r._mapping) for r in connection.execute(
        sa.text('SELECT id, decision_id, tracking_code, content FROM ballot'))]
    op.drop_table('ballot')
    table = _create_ballot_table(with_day_and_channel)
    random.SystemRandom().shuffle(rows)
    if with_day_and_channel:
        # The day and channel were dropped on upgrade; a downgrade can only fill placeholders.
        for row in rows:
            row.update(cast_on=datetime.date.today(), channel='online')
    if rows:
        op.bulk_insert(table, rows)
    return table


def upgrade():
    _rebuild_ballots(with_day_and_channel=False)
    op.create_index('ix_ballot_decision_id_id', 'ballot', ['decision_id', 'id'], unique=False)

    with op.batch_alter_table('decision_option', schema=None) as batch_op:
        batch_op.drop_column('description')

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('district_since', sa.DateTime(timezone=True), nullable=True))
    op.execute('UPDATE user_account SET district_since = created_at WHERE district_id IS NOT NULL')


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('district_since')

    with op.batch_alter_table('decision_option', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description', sa.Text(), nullable=True))

    op.drop_index('ix_ballot_decision_id_id', table_name='ballot')
    _rebuild_ballots(with_day_and_channel=True)
    op.create_index(op.f('ix_ballot_decision_id'), 'ballot', ['decision_id'], unique=False)
