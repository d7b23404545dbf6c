"""Proposal lists, search and comment threads served by indexes, whatever the size of the site.

- proposal.support_count, filled from the support rows, then kept by triggers on support
  (as civic.proposals.support_counts creates them): "most supported" reads an index;
- indexes for the lists (state, then the sort order) replace the one on state alone;
- search: on SQLite an FTS5 table with the trigram tokenizer over proposal.search_text (kept by
  triggers), on PostgreSQL a GIN trigram index (extension pg_trgm, which a database owner may
  create since PostgreSQL 13); the statements are those of civic.proposals.search;
- ligatures in the searched text as their letters (œ: oe, æ: ae);
- comment threads and their replies in the order they were written: two indexes replace those
  on proposal_id and parent_id alone.

Reviewed by hand. The statements that create the triggers and the search objects are written
out here, as migrations never import the application. A later batch migration of proposal or
support on SQLite (which rebuilds the table) must create their triggers again.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

SUPPORT_COUNT_SQLITE = (
    "CREATE TRIGGER support_count_insert AFTER INSERT ON support BEGIN "
    "UPDATE proposal SET support_count = support_count + 1 WHERE id = NEW.proposal_id; END",
    "CREATE TRIGGER support_count_delete AFTER DELETE ON support BEGIN "
    "UPDATE proposal SET support_count = support_count - 1 WHERE id = OLD.proposal_id; END",
    "CREATE TRIGGER support_count_move AFTER UPDATE OF proposal_id ON support "
    "WHEN NEW.proposal_id <> OLD.proposal_id BEGIN "
    "UPDATE proposal SET support_count = support_count - 1 WHERE id = OLD.proposal_id; "
    "UPDATE proposal SET support_count = support_count + 1 WHERE id = NEW.proposal_id; END",
)
SUPPORT_COUNT_POSTGRESQL = (
    "CREATE OR REPLACE FUNCTION civic_support_count() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF TG_OP IN ('DELETE', 'UPDATE') THEN "
    "UPDATE proposal SET support_count = support_count - 1 WHERE id = OLD.proposal_id; END IF; "
    "IF TG_OP IN ('INSERT', 'UPDATE') THEN "
    "UPDATE proposal SET support_count = support_count + 1 WHERE id = NEW.proposal_id; END IF; "
    "RETURN NULL; END $$",
    "CREATE TRIGGER support_count AFTER INSERT OR DELETE OR UPDATE OF proposal_id ON support "
    "FOR EACH ROW EXECUTE FUNCTION civic_support_count()",
)
SEARCH_SQLITE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS proposal_search USING fts5("
    "search_text, content='proposal', content_rowid='id', tokenize='trigram')",
    "INSERT INTO proposal_search(proposal_search) VALUES ('rebuild')",
    "CREATE TRIGGER proposal_search_insert AFTER INSERT ON proposal BEGIN "
    "INSERT INTO proposal_search(rowid, search_text) VALUES (NEW.id, NEW.search_text); END",
    "CREATE TRIGGER proposal_search_delete AFTER DELETE ON proposal BEGIN "
    "INSERT INTO proposal_search(proposal_search, rowid, search_text) VALUES ('delete', OLD.id, OLD.search_text); END",
    "CREATE TRIGGER proposal_search_update AFTER UPDATE OF search_text ON proposal BEGIN "
    "INSERT INTO proposal_search(proposal_search, rowid, search_text) VALUES ('delete', OLD.id, OLD.search_text); "
    "INSERT INTO proposal_search(rowid, search_text) VALUES (NEW.id, NEW.search_text); END",
)
SEARCH_POSTGRESQL = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_proposal_search_trigram ON proposal USING gin (search_text gin_trgm_ops)",
)


# (table, column, index replaced, index by the person then time)
PERSONS_OWN = (('proposal', 'author_id', 'ix_proposal_author_id', 'ix_proposal_author_time'),
               ('comment', 'author_id', 'ix_comment_author_id', 'ix_comment_author_time'),
               ('support', 'user_id', 'ix_support_user_id', 'ix_support_user_time'))


def upgrade():
    postgresql = op.get_bind().dialect.name == 'postgresql'
    op.add_column('proposal', sa.Column('support_count', sa.Integer(), server_default='0', nullable=False))
    op.execute("UPDATE proposal SET support_count = (SELECT count(*) FROM support WHERE proposal_id = proposal.id)")
    for statement in SUPPORT_COUNT_POSTGRESQL if postgresql else SUPPORT_COUNT_SQLITE:
        op.execute(statement)
    op.drop_index('ix_proposal_state', table_name='proposal')
    op.create_index('ix_proposal_state_newest', 'proposal', ['state', 'created_at', 'id'])
    op.create_index('ix_proposal_state_supported', 'proposal', ['state', 'support_count', 'created_at', 'id'])
    # Searches now read ligatures as their letters ("oeuf" finds "œuf"): civic.text.searchable_text.
    op.execute("UPDATE proposal SET search_text = replace(replace(search_text, 'œ', 'oe'), 'æ', 'ae')")
    for statement in SEARCH_POSTGRESQL if postgresql else SEARCH_SQLITE:
        op.execute(statement)
    op.drop_index('ix_comment_proposal_id', table_name='comment')
    op.drop_index('ix_comment_parent_id', table_name='comment')
    op.create_index('ix_comment_threads', 'comment', ['proposal_id', 'parent_id', 'created_at', 'id'])
    op.create_index('ix_comment_replies', 'comment', ['parent_id', 'created_at', 'id'])
    # A person's own, newest first ("my data"): the author's or supporter's index, ordered by time.
    for table, column, old, new in PERSONS_OWN:
        op.drop_index(old, table_name=table)
        op.create_index(new, table, [column, 'created_at', 'id'])


def downgrade():
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for table, column, old, new in PERSONS_OWN:
        op.drop_index(new, table_name=table)
        op.create_index(old, table, [column])
    op.drop_index('ix_comment_replies', table_name='comment')
    op.drop_index('ix_comment_threads', table_name='comment')
    op.create_index('ix_comment_parent_id', 'comment', ['parent_id'])
    op.create_index('ix_comment_proposal_id', 'comment', ['proposal_id'])
    if postgresql:
        op.execute("DROP INDEX ix_proposal_search_trigram")
        op.execute("DROP TRIGGER support_count ON support")
        op.execute("DROP FUNCTION civic_support_count()")
    else:
        for trigger in ('proposal_search_insert', 'proposal_search_delete', 'proposal_search_update',
                        'support_count_insert', 'support_count_delete', 'support_count_move'):
            op.execute(f"DROP TRIGGER {trigger}")
        op.execute("DROP TABLE proposal_search")
    op.drop_index('ix_proposal_state_supported', table_name='proposal')
    op.drop_index('ix_proposal_state_newest', table_name='proposal')
    op.create_index('ix_proposal_state', 'proposal', ['state'])
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_column('support_count')
