"""The moderation queue reads a row per reported item; moderators keep reported content as it is; an
official answer keeps its earlier versions and its author's role.

Reviewed by hand. reported_item holds, for each proposal or comment with reports still open, how
many and since when; it is filled from the open reports, then kept by triggers on report (the
same statements as civic.moderation.models creates), so that the queue reads a page of it through
ix_reported_item_queue instead of grouping every open report. On SQLite a later batch rebuild of
report drops these triggers (see migration 0011). The CHECK on moderation_action.kind is widened
for 'keep' (the reports were unfounded): Alembic does not see enum values.

An official answer keeps the role its author answered in (filled from the author's role now) and the
versions a change replaced (proposal_answer_edit, shown under the answer).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

ITEM = "target_type = {row}.target_type AND target_id = {row}.target_id"
TAKE_OFF = (
    "UPDATE reported_item SET open_reports = open_reports - 1, oldest_open = coalesce("
    "(SELECT min(created_at) FROM report WHERE " + ITEM.format(row="OLD") + " AND resolved_at IS NULL), "
    "oldest_open) WHERE " + ITEM.format(row="OLD") + "; "
    "DELETE FROM reported_item WHERE " + ITEM.format(row="OLD") + " AND open_reports <= 0;")
SQLITE_TRIGGERS = (
    "CREATE TRIGGER reported_item_add AFTER INSERT ON report WHEN NEW.resolved_at IS NULL BEGIN "
    "INSERT OR IGNORE INTO reported_item (target_type, target_id, open_reports, oldest_open) "
    "VALUES (NEW.target_type, NEW.target_id, 0, NEW.created_at); "
    "UPDATE reported_item SET open_reports = open_reports + 1, oldest_open = min(oldest_open, NEW.created_at) "
    "WHERE " + ITEM.format(row="NEW") + "; END",
    "CREATE TRIGGER reported_item_settle AFTER UPDATE OF resolved_at ON report "
    "WHEN OLD.resolved_at IS NULL AND NEW.resolved_at IS NOT NULL BEGIN " + TAKE_OFF + " END",
    "CREATE TRIGGER reported_item_delete AFTER DELETE ON report WHEN OLD.resolved_at IS NULL BEGIN "
    + TAKE_OFF + " END",
)
POSTGRESQL_TRIGGERS = (
    "CREATE OR REPLACE FUNCTION civic_reported_item() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF TG_OP = 'DELETE' AND OLD.resolved_at IS NULL "
    "OR TG_OP = 'UPDATE' AND OLD.resolved_at IS NULL AND NEW.resolved_at IS NOT NULL THEN " + TAKE_OFF + " END IF; "
    "IF TG_OP = 'INSERT' AND NEW.resolved_at IS NULL THEN "
    "INSERT INTO reported_item AS item (target_type, target_id, open_reports, oldest_open) "
    "VALUES (NEW.target_type, NEW.target_id, 1, NEW.created_at) ON CONFLICT (target_type, target_id) DO UPDATE "
    "SET open_reports = item.open_reports + 1, oldest_open = least(item.oldest_open, EXCLUDED.oldest_open); "
    "END IF; RETURN NULL; END $$",
    "CREATE TRIGGER reported_item AFTER INSERT OR DELETE OR UPDATE OF resolved_at ON report "
    "FOR EACH ROW EXECUTE FUNCTION civic_reported_item()",
)
ROLES = sa.Enum('resident', 'counter_agent', 'moderator', 'elected', 'admin', name='role', native_enum=False,
                create_constraint=True, length=24)
STATUSES = sa.Enum('under_study', 'accepted', 'accepted_with_changes', 'rejected', 'done', name='answerstatus',
                   native_enum=False, create_constraint=True, length=24)
KINDS = ('publish', 'request_changes', 'reject', 'hide', 'restore', 'merge', 'held_by_reports')


def _kind_check(kinds):
    with op.batch_alter_table('moderation_action', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_moderation_action_moderationkind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_moderation_action_moderationkind'), sa.text(
            "kind IN (" + ", ".join(f"'{kind}'" for kind in kinds) + ")"))


def upgrade():
    op.create_table('reported_item',
    sa.Column('target_type', sa.String(length=20), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('open_reports', sa.Integer(), nullable=False),
    sa.Column('oldest_open', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("target_type IN ('proposal', 'comment')", name=op.f('ck_reported_item_target_type')),
    sa.PrimaryKeyConstraint('target_type', 'target_id', name=op.f('pk_reported_item'))
    )
    op.create_index('ix_reported_item_queue', 'reported_item', ['oldest_open', 'target_type', 'target_id'],
                    unique=False)
    op.execute("INSERT INTO reported_item (target_type, target_id, open_reports, oldest_open) "
               "SELECT target_type, target_id, count(*), min(created_at) FROM report WHERE resolved_at IS NULL "
               "GROUP BY target_type, target_id")
    for statement in (POSTGRESQL_TRIGGERS if op.get_bind().dialect.name == 'postgresql' else SQLITE_TRIGGERS):
        op.execute(statement)
    _kind_check(KINDS + ('keep',))

    with op.batch_alter_table('proposal_answer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('author_role', ROLES, nullable=True))
    op.execute("UPDATE proposal_answer SET author_role = "
               "(SELECT role FROM user_account WHERE user_account.id = proposal_answer.author_id)")
    with op.batch_alter_table('proposal_answer', schema=None) as batch_op:
        batch_op.alter_column('author_role', existing_type=ROLES, nullable=False)
    op.create_table('proposal_answer_edit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('edited_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', STATUSES, nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('author_role', ROLES, nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['proposal_answer.id'],
                            name=op.f('fk_proposal_answer_edit_answer_id_proposal_answer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'],
                            name=op.f('fk_proposal_answer_edit_author_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_answer_edit'))
    )
    op.create_index(op.f('ix_proposal_answer_edit_answer_id'), 'proposal_answer_edit', ['answer_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_proposal_answer_edit_answer_id'), table_name='proposal_answer_edit')
    op.drop_table('proposal_answer_edit')
    with op.batch_alter_table('proposal_answer', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_proposal_answer_role'), type_='check')
        batch_op.drop_column('author_role')
    # The older schema has no such decision: the nearest is content restored as it was.
    op.execute("UPDATE moderation_action SET kind = 'restore' WHERE kind = 'keep'")
    _kind_check(KINDS)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER reported_item ON report")
        op.execute("DROP FUNCTION civic_reported_item()")
    else:
        for trigger in ('reported_item_add', 'reported_item_settle', 'reported_item_delete'):
            op.execute(f"DROP TRIGGER {trigger}")
    op.drop_index('ix_reported_item_queue', table_name='reported_item')
    op.drop_table('reported_item')
