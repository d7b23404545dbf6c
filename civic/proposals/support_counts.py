"""Each proposal's number of supports, kept in proposal.support_count by the database itself.

Triggers on the support table add, subtract or move one in the same transaction as the row,
whatever changes it: a resident supporting or withdrawing, a merge moving supports, an
attachment deleting a duplicate, a cascade. "Most supported" then reads an index instead of
counting a million rows. `flask check-counts` compares every count with COUNT(*) (and repairs
them with --repair); the tests run it after every path that touches supports.

On PostgreSQL, whoever adds or removes a support takes the proposal's row lock for the rest of
its transaction (the trigger's UPDATE): support_proposal locks the row first, so that it never
waits on it while holding a share lock that another supporter waits on too (a deadlock).
"""
from sqlalchemy import func, select, update

from ..db_objects import create_with
from ..extensions import db
from .models import Proposal, Support

# The same statements are in the migration that created them (0012).
SQLITE_TRIGGERS = (
    "CREATE TRIGGER support_count_insert AFTER INSERT ON support BEGIN "
    "UPDATE proposal SET support_count = support_count + 1 WHERE id = NEW.proposal_id; END",
    "CREATE TRIGGER support_count_delete AFTER DELETE ON support BEGIN "
    "UPDATE proposal SET support_count = support_count - 1 WHERE id = OLD.proposal_id; END",
    "CREATE TRIGGER support_count_move AFTER UPDATE OF proposal_id ON support "
    "WHEN NEW.proposal_id <> OLD.proposal_id BEGIN "
    "UPDATE proposal SET support_count = support_count - 1 WHERE id = OLD.proposal_id; "
    "UPDATE proposal SET support_count = support_count + 1 WHERE id = NEW.proposal_id; END",
)
POSTGRESQL_TRIGGERS = (
    "CREATE OR REPLACE FUNCTION civic_support_count() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF TG_OP IN ('DELETE', 'UPDATE') THEN "
    "UPDATE proposal SET support_count = support_count - 1 WHERE id = OLD.proposal_id; END IF; "
    "IF TG_OP IN ('INSERT', 'UPDATE') THEN "
    "UPDATE proposal SET support_count = support_count + 1 WHERE id = NEW.proposal_id; END IF; "
    "RETURN NULL; END $$",
    "CREATE TRIGGER support_count AFTER INSERT OR DELETE OR UPDATE OF proposal_id ON support "
    "FOR EACH ROW EXECUTE FUNCTION civic_support_count()",
)
create_with(Support.__table__, "sqlite", *SQLITE_TRIGGERS)
create_with(Support.__table__, "postgresql", *POSTGRESQL_TRIGGERS)


def _counted():
    return (select(func.count(Support.id)).where(Support.proposal_id == Proposal.id)
            .correlate(Proposal).scalar_subquery())


def miscounted():
    """[(proposal id, support_count, COUNT of its support rows)] wherever they differ."""
    counted = _counted()
    return db.session.execute(select(Proposal.id, Proposal.support_count, counted)
                              .where(Proposal.support_count != counted).order_by(Proposal.id)).all()


def repair(ids):
    db.session.execute(update(Proposal).where(Proposal.id.in_(ids)).values(support_count=_counted()))


def recount_from(first_id):
    """Count again the supports of every proposal from ``first_id`` on (after a bulk insert)."""
    db.session.execute(update(Proposal).where(Proposal.id >= first_id).values(support_count=_counted()))
