"""Accounts can be erased, and are erased after long inactivity; an erased voter cannot vote twice.

Reviewed by hand. user_account gains erased_at (the row stays, emptied, for what still names it),
last_active_at (last log-in or assisted session; for the existing accounts, the latest log-in session or
assisted session still recorded, else the upgrade's time: counted from their creation instead, a counter
record helped yesterday but registered over three years ago would be erased at the first purge, and an
account used last week warned; so nobody is erased sooner than the rule's duration after the upgrade)
and inactivity_warned_at (the e-mail sent a month before erasing an inactive account). erased_voter
holds, for a vote still open, the keyed hashes of the identities of someone who voted and erased their
account since. The CHECK on assisted_action.kind is
widened for 'account_erased' (an agent deleted a resident's account at their request): on SQLite the
batch rebuilds the table, which drops its append-only trigger, created again (the statements of
civic.counters.models).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 11:40:00

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

KINDS = ('resident_registered', 'session_opened', 'session_ended', 'proposal_created', 'comment_created',
         'support_added', 'support_withdrawn', 'vote_cast', 'contributions_attached')
APPEND_ONLY_SQLITE = ("CREATE TRIGGER assisted_action_append_only BEFORE UPDATE ON assisted_action "
                      "BEGIN SELECT RAISE(ABORT, 'assisted_action is append-only'); END")


def _kind_check(kinds):
    with op.batch_alter_table('assisted_action', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_assisted_action_assistedactionkind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_assisted_action_assistedactionkind'), sa.text(
            "kind IN (" + ", ".join(f"'{kind}'" for kind in kinds) + ")"))
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("DROP TRIGGER IF EXISTS assisted_action_append_only")
        op.execute(APPEND_ONLY_SQLITE)


def _backfill_last_active():
    """See the module: the latest log-in or assisted session, else now. Portable SQL (SQLite has no GREATEST),
    in three statements over the whole table."""
    op.execute("UPDATE user_account SET last_active_at = (SELECT MAX(login_session.created_at) FROM login_session "
               "WHERE login_session.user_id = user_account.id)")
    op.execute("UPDATE user_account SET last_active_at = (SELECT MAX(assisted_session.started_at) "
               "FROM assisted_session WHERE assisted_session.resident_id = user_account.id) "
               "WHERE EXISTS (SELECT 1 FROM assisted_session WHERE assisted_session.resident_id = user_account.id "
               "AND (user_account.last_active_at IS NULL OR assisted_session.started_at > user_account.last_active_at))")
    # Bound as a DateTime: stored in the format the other dates of the table have (SQLite compares text).
    op.execute(sa.text("UPDATE user_account SET last_active_at = :now WHERE last_active_at IS NULL").bindparams(
        sa.bindparam("now", datetime.now(UTC), type_=sa.DateTime(timezone=True))))


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_active_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('inactivity_warned_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))
    _backfill_last_active()
    op.create_table('erased_voter',
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('identity', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['decision_id'], ['decision.id'], name=op.f('fk_erased_voter_decision_id_decision'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('decision_id', 'identity', name=op.f('pk_erased_voter'))
    )
    _kind_check(KINDS + ('account_erased',))


def downgrade():
    # The older schema has no such action: the rows that name one cannot stay.
    op.execute("DELETE FROM assisted_action WHERE kind = 'account_erased'")
    _kind_check(KINDS)
    op.drop_table('erased_voter')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('erased_at')
        batch_op.drop_column('inactivity_warned_at')
        batch_op.drop_column('last_active_at')
