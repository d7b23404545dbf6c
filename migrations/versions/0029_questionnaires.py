"""Consultations' questionnaires: a process's questions, their choices, each resident's response and answers.

Reviewed by hand. Five new tables (civic.questionnaires.models); nothing existing is filled in. The database
holds the one response per resident and questionnaire (a UNIQUE constraint, whatever the channel), and that
an answer is one thing: a choice, a value from 1 to 5, or a text, given once per question and response (one row
per option chosen: partial UNIQUE indexes). A text answer has a random public code (UNIQUE), and answers' ids are
never reused on SQLite (AUTOINCREMENT, as 0023).

The new enum values widen seven CHECK constraints that Alembic does not see: a phase may be a questionnaire;
the audit log records a questionnaire answered, about a questionnaire; reports, reported items and moderation
decisions may name an answer (its free text); the staff log may name a questionnaire or an answer. On
PostgreSQL each is dropped and added again NOT VALID, then validated (as 0026). On SQLite a batch rebuilds the
table, which drops its triggers (assisted_action's append-only one, report's that keep reported_item): they
are read from sqlite_master before and created again as they were, whatever later migrations made them.
Going back, a row using a new value stops the downgrade at its constraint: remove those rows first.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07 17:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None

# table -> [(constraint name, column, values before, values added)]
CHECKS = {
    'process_phase': [('ck_process_phase_phasekind', 'kind', ('ideas', 'study', 'vote', 'results', 'follow_up'),
                       ('questionnaire',))],
    'assisted_action': [
        ('ck_assisted_action_assistedactionkind', 'kind',
         ('resident_registered', 'session_opened', 'session_ended', 'proposal_created', 'comment_created',
          'support_added', 'support_withdrawn', 'vote_cast', 'contributions_attached', 'account_erased'),
         ('questionnaire_answered',)),
        ('ck_assisted_action_object_type', 'object_type', ('proposal', 'comment', 'support', 'decision', 'user'),
         ('questionnaire',)),
    ],
    'report': [('ck_report_target_type', 'target_type', ('proposal', 'comment'), ('answer',))],
    'reported_item': [('ck_reported_item_target_type', 'target_type', ('proposal', 'comment'), ('answer',))],
    'moderation_action': [('ck_moderation_action_target_type', 'target_type', ('proposal', 'comment'), ('answer',))],
    'staff_log': [('ck_staff_log_object_type', 'object_type',
                   ('proposal', 'comment', 'decision', 'user', 'counter', 'setting', 'implementation', 'process'),
                   ('questionnaire', 'answer'))],
}


def _allowed(column, values):
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def _sqlite_triggers():
    """The triggers on the rebuilt tables or naming them (report's write reported_item): SQLite checks them
    when a table is renamed, so all are dropped before the rebuilds and made again after, as they were."""
    triggers = op.get_bind().execute(sa.text(
        "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")).all()
    return [(name, sql) for name, table, sql in triggers
            if table in CHECKS or any(other in sql for other in CHECKS)]


def _type_checks(widened):
    if op.get_bind().dialect.name == 'postgresql':
        for table, checks in CHECKS.items():
            for name, column, before, added in checks:
                condition = _allowed(column, before + added if widened else before)
                op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
                op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({condition}) NOT VALID")
                op.execute(f"ALTER TABLE {table} VALIDATE CONSTRAINT {name}")
        return
    triggers = _sqlite_triggers()
    for name, _sql in triggers:
        op.execute(f"DROP TRIGGER {name}")
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, column, before, added in checks:
                batch_op.drop_constraint(op.f(name), type_='check')
                batch_op.create_check_constraint(op.f(name), sa.text(
                    _allowed(column, before + added if widened else before)))
    for _name, sql in triggers:
        op.execute(sql)


def upgrade():
    op.create_table('questionnaire',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('introduction', sa.Text(), nullable=False),
    sa.Column('free_text_use', sa.Enum('published', 'synthesis', name='freetextuse', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('synthesis', sa.Text(), nullable=False),
    sa.Column('synthesis_published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('synthesis_updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['process_id'], ['process.id'], name=op.f('fk_questionnaire_process_id_process'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaire')),
    sa.UniqueConstraint('process_id', name=op.f('uq_questionnaire_process_id'))
    )
    op.create_table('questionnaire_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('single_choice', 'multiple_choice', 'short_text', 'long_text', 'scale', name='questionkind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.Column('hint', sa.String(length=500), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaire.id'], name=op.f('fk_questionnaire_question_questionnaire_id_questionnaire'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaire_question'))
    )
    with op.batch_alter_table('questionnaire_question', schema=None) as batch_op:
        batch_op.create_index('ix_questionnaire_question_order', ['questionnaire_id', 'position'], unique=False)

    op.create_table('questionnaire_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_id', sa.Integer(), nullable=False),
    sa.Column('respondent_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('channel', sa.Enum('online', 'counter', name='channel', native_enum=False, create_constraint=True, length=24), server_default='online', nullable=False),
    sa.Column('assisted_by_id', sa.Integer(), nullable=True),
    sa.Column('counter_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['assisted_by_id'], ['user_account.id'], name=op.f('fk_questionnaire_response_assisted_by_id_user_account')),
    sa.ForeignKeyConstraint(['counter_id'], ['counter.id'], name=op.f('fk_questionnaire_response_counter_id_counter')),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaire.id'], name=op.f('fk_questionnaire_response_questionnaire_id_questionnaire'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['respondent_id'], ['user_account.id'], name=op.f('fk_questionnaire_response_respondent_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaire_response')),
    sa.UniqueConstraint('questionnaire_id', 'respondent_id', name=op.f('uq_questionnaire_response_questionnaire_id_respondent_id'))
    )
    with op.batch_alter_table('questionnaire_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questionnaire_response_respondent_id'), ['respondent_id'], unique=False)

    op.create_table('questionnaire_choice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['questionnaire_question.id'], name=op.f('fk_questionnaire_choice_question_id_questionnaire_question'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaire_choice'))
    )
    with op.batch_alter_table('questionnaire_choice', schema=None) as batch_op:
        batch_op.create_index('ix_questionnaire_choice_order', ['question_id', 'position'], unique=False)

    op.create_table('questionnaire_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('choice_id', sa.Integer(), nullable=True),
    sa.Column('scale', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('code', sa.String(length=12), nullable=True),
    sa.Column('text_state', sa.Enum('pending', 'published', 'rejected', name='textstate', native_enum=False, create_constraint=True, length=24), nullable=True),
    sa.Column('moderation_reason', sa.Text(), nullable=True),
    sa.Column('held_by_reports', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.CheckConstraint('(CASE WHEN choice_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN scale IS NULL THEN 0 ELSE 1 END) + (CASE WHEN text IS NULL THEN 0 ELSE 1 END) = 1', name=op.f('ck_questionnaire_answer_one_kind_of_answer')),
    sa.CheckConstraint('scale IS NULL OR scale BETWEEN 1 AND 5', name=op.f('ck_questionnaire_answer_scale_range')),
    sa.CheckConstraint('text_state IS NULL OR text IS NOT NULL', name=op.f('ck_questionnaire_answer_state_of_a_text')),
    sa.ForeignKeyConstraint(['choice_id'], ['questionnaire_choice.id'], name=op.f('fk_questionnaire_answer_choice_id_questionnaire_choice'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['questionnaire_question.id'], name=op.f('fk_questionnaire_answer_question_id_questionnaire_question'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['response_id'], ['questionnaire_response.id'], name=op.f('fk_questionnaire_answer_response_id_questionnaire_response'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaire_answer')),
    sa.UniqueConstraint('code', name=op.f('uq_questionnaire_answer_code')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('questionnaire_answer', schema=None) as batch_op:
        batch_op.create_index('ix_questionnaire_answer_question', ['question_id', 'choice_id', 'scale'], unique=False)
        batch_op.create_index(batch_op.f('ix_questionnaire_answer_response_id'), ['response_id'], unique=False)
        batch_op.create_index('ix_questionnaire_answer_texts', ['question_id', 'text_state', 'id'], unique=False)
        batch_op.create_index('uq_questionnaire_answer_question', ['response_id', 'question_id'], unique=True, sqlite_where=sa.text('choice_id IS NULL'), postgresql_where=sa.text('choice_id IS NULL'))
        batch_op.create_index('uq_questionnaire_answer_choice', ['response_id', 'choice_id'], unique=True, sqlite_where=sa.text('choice_id IS NOT NULL'), postgresql_where=sa.text('choice_id IS NOT NULL'))

    _type_checks(widened=True)


def downgrade():
    _type_checks(widened=False)
    with op.batch_alter_table('questionnaire_answer', schema=None) as batch_op:
        batch_op.drop_index('uq_questionnaire_answer_choice')
        batch_op.drop_index('uq_questionnaire_answer_question')
        batch_op.drop_index('ix_questionnaire_answer_texts')
        batch_op.drop_index(batch_op.f('ix_questionnaire_answer_response_id'))
        batch_op.drop_index('ix_questionnaire_answer_question')

    op.drop_table('questionnaire_answer')
    with op.batch_alter_table('questionnaire_choice', schema=None) as batch_op:
        batch_op.drop_index('ix_questionnaire_choice_order')

    op.drop_table('questionnaire_choice')
    with op.batch_alter_table('questionnaire_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questionnaire_response_respondent_id'))

    op.drop_table('questionnaire_response')
    with op.batch_alter_table('questionnaire_question', schema=None) as batch_op:
        batch_op.drop_index('ix_questionnaire_question_order')

    op.drop_table('questionnaire_question')
    op.drop_table('questionnaire')
