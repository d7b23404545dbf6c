"""Each proposal's numbers of supports and of comments shown, kept in proposal.support_count and
proposal.comment_count by the database itself.

Triggers on the support and comment tables add, subtract or move one in the same transaction as
the row, whatever changes it: a resident supporting, withdrawing or commenting, a comment deleted,
hidden or held by reports and put back, a merge moving supports and comments, an attachment
deleting a duplicate, a cascade. "Most supported" then reads an index instead of counting a
million rows, and a list shows a proposal's comments without counting its five thousand.
`flask check-counts` compares every count with its rows (and repairs them with --repair); the
tests run it after every path that touches supports or comments.

On PostgreSQL, whoever adds or removes a support takes the proposal's row lock for the rest of
its transaction (the trigger's UPDATE): support_proposal locks the row first, so that it never
waits on it while holding a share lock that another supporter waits on too (a deadlock).
Commenting holds the proposal shared first for the same reason (services.add_comment).
"""
from typing import Callable, NamedTuple

from sqlalchemy import func, select, update

from ..db_objects import create_with
from ..extensions import db
from .models import Comment, Proposal, Support

# The same statements are in the migrations that created them (0012 for supports, 0015 for comments).
SUPPORT_SQLITE = (
    "CREATE TRIGGER support_count_insert AFTER INSERT ON support BEGIN "
    "UPDATE proposal SET support_count = support_count + 1 WHERE id = NEW.proposal_id; END",
    "CREATE TRIGGER support_count_delete AFTER DELETE ON support BEGIN "
    "UPDATE proposal SET support_count = support_count - 1 WHERE id = OLD.proposal_id; END",
    "CREATE TRIGGER support_count_move AFTER UPDATE OF proposal_id ON support "
    "WHEN NEW.proposal_id <> OLD.proposal_id BEGIN "
    "UPDATE proposal SET support_count = support_count - 1 WHERE id = OLD.proposal_id; "
    "UPDATE proposal SET support_count = support_count + 1 WHERE id = NEW.proposal_id; END",
)
SUPPORT_POSTGRESQL = (
    "CREATE OR REPLACE FUNCTION civic_support_count() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF TG_OP IN ('DELETE', 'UPDATE') THEN "
    "UPDATE proposal SET support_count = support_count - 1 WHERE id = OLD.proposal_id; END IF; "
    "IF TG_OP IN ('INSERT', 'UPDATE') THEN "
    "UPDATE proposal SET support_count = support_count + 1 WHERE id = NEW.proposal_id; END IF; "
    "RETURN NULL; END $$",
    "CREATE TRIGGER support_count AFTER INSERT OR DELETE OR UPDATE OF proposal_id ON support "
    "FOR EACH ROW EXECUTE FUNCTION civic_support_count()",
)
# A comment is shown (counted) unless deleted, hidden or held by reports: services._visible_comments.
COMMENT_SQLITE = (
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
COMMENT_POSTGRESQL = (
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
create_with(Support.__table__, "sqlite", *SUPPORT_SQLITE)
create_with(Support.__table__, "postgresql", *SUPPORT_POSTGRESQL)
create_with(Comment.__table__, "sqlite", *COMMENT_SQLITE)
create_with(Comment.__table__, "postgresql", *COMMENT_POSTGRESQL)


class KeptCount(NamedTuple):
    name: str  # what is counted, as `flask check-counts` says it
    column: object  # the proposal's column that keeps it
    rows: Callable  # () -> SELECT count of the rows, correlated to the proposal
    trigger: str  # the trigger's name on PostgreSQL (set aside for bulk inserts)


def _supports():
    return (select(func.count(Support.id)).where(Support.proposal_id == Proposal.id)
            .correlate(Proposal).scalar_subquery())


def _comments_shown():
    return (select(func.count(Comment.id)).where(Comment.proposal_id == Proposal.id, Comment.deleted_at.is_(None),
                                                 Comment.hidden_at.is_(None), Comment.held_by_reports.is_(False))
            .correlate(Proposal).scalar_subquery())


SUPPORTS = KeptCount("supports", Proposal.support_count, _supports, "support_count")
COMMENTS = KeptCount("comments shown", Proposal.comment_count, _comments_shown, "comment_count")
KEPT = (SUPPORTS, COMMENTS)


def miscounted(kept):
    """[(proposal id, the kept count, the count of its rows)] wherever they differ."""
    counted = kept.rows()
    return db.session.execute(select(Proposal.id, kept.column, counted)
                              .where(kept.column != counted).order_by(Proposal.id)).all()


def repair(kept, ids):
    db.session.execute(update(Proposal).where(Proposal.id.in_(ids)).values({kept.column.key: kept.rows()}))


def recount_from(kept, first_id):
    """Count again the rows of every proposal from ``first_id`` on (after a bulk insert)."""
    db.session.execute(update(Proposal).where(Proposal.id >= first_id).values({kept.column.key: kept.rows()}))
