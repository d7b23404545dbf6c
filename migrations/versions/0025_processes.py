"""Participatory processes: their phases, themes and districts, the proposals submitted into them and their study.

Reviewed by hand. New tables only: nothing existing is rebuilt (the proposal table keeps its triggers and its
AUTOINCREMENT), since a proposal joins a process through process_proposal, which also holds its technical study.
The current phase is never stored: it is read from the phases' days. A process's vote is process.decision_id,
UNIQUE: a vote is built once per process.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 14:00:14

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None

PHASE_KINDS = sa.Enum('ideas', 'study', 'vote', 'results', 'follow_up', name='phasekind', native_enum=False,
                      create_constraint=True, length=24)
FEASIBILITIES = sa.Enum('feasible', 'not_feasible', 'merged', name='feasibility', native_enum=False,
                        create_constraint=True, length=24)


def upgrade():
    op.create_table(
        'process',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=160), nullable=False),
        sa.Column('summary', sa.String(length=300), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('illustration', sa.Text(), nullable=True),
        sa.Column('budget', sa.Integer(), nullable=True),
        sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decision_id', sa.Integer(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'],
                                name=op.f('fk_process_created_by_id_user_account')),
        sa.ForeignKeyConstraint(['decision_id'], ['decision.id'], name=op.f('fk_process_decision_id_decision')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_process')),
        sa.UniqueConstraint('decision_id', name=op.f('uq_process_decision_id')),
    )
    op.create_index('ix_process_ends', 'process', ['ends_at', 'id'])
    op.create_index('ix_process_starts', 'process', ['starts_at', 'id'])
    op.create_table(
        'process_district',
        sa.Column('process_id', sa.Integer(), nullable=False),
        sa.Column('district_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['district_id'], ['district.id'],
                                name=op.f('fk_process_district_district_id_district')),
        sa.ForeignKeyConstraint(['process_id'], ['process.id'], name=op.f('fk_process_district_process_id_process'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('process_id', 'district_id', name=op.f('pk_process_district')),
    )
    op.create_table(
        'process_theme',
        sa.Column('process_id', sa.Integer(), nullable=False),
        sa.Column('theme_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['process_id'], ['process.id'], name=op.f('fk_process_theme_process_id_process'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], name=op.f('fk_process_theme_theme_id_theme')),
        sa.PrimaryKeyConstraint('process_id', 'theme_id', name=op.f('pk_process_theme')),
    )
    op.create_table(
        'process_phase',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('process_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('kind', PHASE_KINDS, nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(['process_id'], ['process.id'], name=op.f('fk_process_phase_process_id_process'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_process_phase')),
        sa.UniqueConstraint('process_id', 'kind', name=op.f('uq_process_phase_process_id_kind')),
        sa.UniqueConstraint('process_id', 'position', name=op.f('uq_process_phase_process_id_position')),
    )
    op.create_table(
        'process_proposal',
        sa.Column('proposal_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('process_id', sa.Integer(), nullable=False),
        sa.Column('cost_estimate', sa.Integer(), nullable=True),
        sa.Column('feasibility', FEASIBILITIES, nullable=True),
        sa.Column('estimated_cost', sa.Integer(), nullable=True),
        sa.Column('study_reason', sa.Text(), nullable=True),
        sa.Column('department', sa.String(length=160), nullable=True),
        sa.Column('merged_into_id', sa.Integer(), nullable=True),
        sa.Column('studied_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('studied_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['merged_into_id'], ['proposal.id'],
                                name=op.f('fk_process_proposal_merged_into_id_proposal'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['process_id'], ['process.id'], name=op.f('fk_process_proposal_process_id_process')),
        sa.ForeignKeyConstraint(['proposal_id'], ['proposal.id'], name=op.f('fk_process_proposal_proposal_id_proposal'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['studied_by_id'], ['user_account.id'],
                                name=op.f('fk_process_proposal_studied_by_id_user_account')),
        sa.PrimaryKeyConstraint('proposal_id', name=op.f('pk_process_proposal')),
    )
    op.create_index('ix_process_proposal_process', 'process_proposal', ['process_id', 'proposal_id'])


def downgrade():
    op.drop_index('ix_process_proposal_process', table_name='process_proposal')
    op.drop_table('process_proposal')
    op.drop_table('process_phase')
    op.drop_table('process_theme')
    op.drop_table('process_district')
    op.drop_index('ix_process_starts', table_name='process')
    op.drop_index('ix_process_ends', table_name='process')
    op.drop_table('process')
