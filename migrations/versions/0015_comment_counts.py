"""Each proposal's number of comments shown, kept by triggers like its number of supports.

- proposal.comment_count, filled from the comments shown (not deleted, hidden or held by reports),
  then kept by triggers on comment (as civic.proposals.kept_counts creates them): a list shows a
  proposal's comments without counting its thousands on each view.

Reviewed by hand. The trigger statements are written out here, as migrations never import the
application. A later batch migration of comment on SQLite (which rebuilds the table) must create
them again.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

COMMENT_COUNT_SQLITE = (
    "CREATE TRIGGER comment_count_insert AFTER INSERT ON comment "
    "WHEN NEW.deleted_at IS NULL AND NEW.hidden_at IS NULL AND NOT NEW.held_by_reports BEGIN "
    "UPDATE proposal SET comment_count = comment_count + 1 WHERE id = NEW.proposal_id; END",
    "CREATE TRIGGER comment_count_delete AFTER DELETE ON comment "
    "WHEN OLD.deleted_at IS NULL AND OLD.hidden_at IS NULL AND NOT OLD.held_by_reports BEGIN "
    "UPDATE proposal SET comment_count = comment_count - 1 WHERE id = OLD.proposal_id; END",
    "CREATE TRIGGER comment_count_change AFTER UPDATE OF proposal_id, deleted_at, hidden_at, held_by_reports "
    "ON comment BEGIN "
    "UPDATE proposal SET comment_count = comment_count "
    "- (OLD.deleted_at IS NULL AND OLD.hidden_at IS NULL AND NOT OLD.held_by_reports) WHERE id = OLD.proposal_id; "
    "UPDATE proposal SET comment_count = comment_count "
    "+ (NEW.deleted_at IS NULL AND NEW.hidden_at IS NULL AND NOT NEW.held_by_reports) WHERE id = NEW.proposal_id; "
    "END",
)
COMMENT_COUNT_POSTGRESQL = (
    "CREATE OR REPLACE FUNCTION civic_comment_count() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF TG_OP IN ('DELETE', 'UPDATE') AND OLD.deleted_at IS NULL AND OLD.hidden_at IS NULL "
    "AND NOT OLD.held_by_reports THEN "
    "UPDATE proposal SET comment_count = comment_count - 1 WHERE id = OLD.proposal_id; END IF; "
    "IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.deleted_at IS NULL AND NEW.hidden_at IS NULL "
    "AND NOT NEW.held_by_reports THEN "
    "UPDATE proposal SET comment_count = comment_count + 1 WHERE id = NEW.proposal_id; END IF; "
    "RETURN NULL; END $$",
    "CREATE TRIGGER comment_count AFTER INSERT OR DELETE OR UPDATE OF proposal_id, deleted_at, hidden_at, "
    "held_by_reports ON comment FOR EACH ROW EXECUTE FUNCTION civic_comment_count()",
)


def upgrade():
    postgresql = op.get_bind().dialect.name == 'postgresql'
    op.add_column('proposal', sa.Column('comment_count', sa.Integer(), server_default='0', nullable=False))
    op.execute("UPDATE proposal SET comment_count = (SELECT count(*) FROM comment WHERE proposal_id = proposal.id "
               "AND deleted_at IS NULL AND hidden_at IS NULL AND NOT held_by_reports)")
    for statement in COMMENT_COUNT_POSTGRESQL if postgresql else COMMENT_COUNT_SQLITE:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER comment_count ON comment")
        op.execute("DROP FUNCTION civic_comment_count()")
    else:
        for trigger in ('comment_count_insert', 'comment_count_delete', 'comment_count_change'):
            op.execute(f"DROP TRIGGER {trigger}")
    # Not in batch mode: rebuilding proposal on SQLite would drop the search index's triggers on it (0012).
    op.drop_column('proposal', 'comment_count')
