"""Moderation, reports and the public journal; official answers; follows; queued mail; the staff log.

Reviewed by hand. Proposals gain moderation states (the CHECK on their state is widened
here: autogenerate does not see enum values), a public reason, a message to the author,
the proposal a duplicate was merged into, and a "held by reports" flag; comments gain a
hidden time, a reason and the same flag. One report per resident and content, one follow
per resident and target, one answer per proposal are UNIQUE constraints.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 05:10:04.890427

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outgoing_mail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('to', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('unsubscribe_url', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outgoing_mail'))
    )
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outgoing_mail_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outgoing_mail_sent_at'), ['sent_at'], unique=False)

    op.create_table('setting',
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('value', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_setting'))
    )
    op.create_table('follow',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('target_type', sa.String(length=20), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_follow_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow')),
    sa.UniqueConstraint('user_id', 'target_type', 'target_id', name=op.f('uq_follow_user_id_target_type_target_id'))
    )
    with op.batch_alter_table('follow', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_target_id'), ['target_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_user_id'), ['user_id'], unique=False)

    op.create_table('moderation_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('moderator_id', sa.Integer(), nullable=True),
    sa.Column('target_type', sa.String(length=20), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('publish', 'request_changes', 'reject', 'hide', 'restore', 'merge', 'held_by_reports', name='moderationkind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('public_reason', sa.Text(), nullable=False),
    sa.Column('message_to_author', sa.Text(), nullable=False),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['moderator_id'], ['user_account.id'], name=op.f('fk_moderation_action_moderator_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_action'))
    )
    with op.batch_alter_table('moderation_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_moderation_action_created_at'), ['created_at'], unique=False)

    op.create_table('report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=False),
    sa.Column('target_type', sa.String(length=20), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Enum('insult', 'personal_data', 'spam', 'off_topic', 'other', name='reportreason', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['reporter_id'], ['user_account.id'], name=op.f('fk_report_reporter_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report')),
    sa.UniqueConstraint('reporter_id', 'target_type', 'target_id', name=op.f('uq_report_reporter_id_target_type_target_id'))
    )
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_reporter_id'), ['reporter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_target_id'), ['target_id'], unique=False)

    op.create_table('staff_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('area', sa.String(length=20), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('object_type', sa.String(length=20), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('before', sa.Text(), nullable=False),
    sa.Column('after', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_staff_log_actor_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_log'))
    )
    with op.batch_alter_table('staff_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_log_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_log_area'), ['area'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_log_created_at'), ['created_at'], unique=False)

    op.create_table('proposal_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('under_study', 'accepted', 'accepted_with_changes', 'rejected', 'done', name='answerstatus', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_proposal_answer_author_id_user_account')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_proposal_answer_proposal_id_proposal'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_answer')),
    sa.UniqueConstraint('proposal_id', name=op.f('uq_proposal_answer_proposal_id'))
    )
    with op.batch_alter_table('proposal_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_answer_status'), ['status'], unique=False)

    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('moderation_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('held_by_reports', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('opening_notified_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('moderation_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('moderation_message', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('held_by_reports', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_proposal_merged_into_id_proposal'), 'proposal', ['merged_into_id'], ['id'])
        batch_op.drop_constraint(op.f('ck_proposal_proposalstate'), type_='check')
        batch_op.create_check_constraint(op.f('ck_proposal_proposalstate'), sa.text(
            "state IN ('pending', 'published', 'changes_requested', 'rejected', 'hidden', 'merged', 'withdrawn')"))

    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('moderation', sa.Enum('post', 'pre', name='moderationmode', native_enum=False, create_constraint=True, length=24), nullable=True))

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notify_answers', sa.Boolean(), server_default=sa.true(), nullable=False))



def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('notify_answers')

    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_theme_moderationmode'), type_='check')
        batch_op.drop_column('moderation')

    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_proposal_proposalstate'), type_='check')
        batch_op.create_check_constraint(op.f('ck_proposal_proposalstate'), sa.text("state IN ('published', 'withdrawn')"))
        batch_op.drop_constraint(batch_op.f('fk_proposal_merged_into_id_proposal'), type_='foreignkey')
        batch_op.drop_column('held_by_reports')
        batch_op.drop_column('merged_into_id')
        batch_op.drop_column('moderation_message')
        batch_op.drop_column('moderation_reason')

    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.drop_column('opening_notified_at')

    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_column('held_by_reports')
        batch_op.drop_column('moderation_reason')
        batch_op.drop_column('hidden_at')

    with op.batch_alter_table('proposal_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_answer_status'))

    op.drop_table('proposal_answer')
    with op.batch_alter_table('staff_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_log_created_at'))
        batch_op.drop_index(batch_op.f('ix_staff_log_area'))
        batch_op.drop_index(batch_op.f('ix_staff_log_actor_id'))

    op.drop_table('staff_log')
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_target_id'))
        batch_op.drop_index(batch_op.f('ix_report_reporter_id'))

    op.drop_table('report')
    with op.batch_alter_table('moderation_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_moderation_action_created_at'))

    op.drop_table('moderation_action')
    with op.batch_alter_table('follow', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_user_id'))
        batch_op.drop_index(batch_op.f('ix_follow_target_id'))

    op.drop_table('follow')
    op.drop_table('setting')
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outgoing_mail_sent_at'))
        batch_op.drop_index(batch_op.f('ix_outgoing_mail_created_at'))

    op.drop_table('outgoing_mail')
