"""How long the counters keep what they record of the residents they help (privacy.retention).

Ended assisted sessions go first: how the resident's identity was checked and what they agreed to
matter if what was entered in their name is disputed soon after. The audit log stays longer: it
says who entered what, for whom and when, and its receipt codes attach a counter record to the
account its owner creates later, so its entries are unlinked from the sessions removed before them
(the one change its append-only trigger allows), not removed with them.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update

from ..extensions import db
from ..privacy.retention import Rule, remove, retention_rule
from .models import AssistedAction, AssistedSession, ReceiptBallotCode


def _purge_sessions(cutoff):
    ended = select(AssistedSession.id).where(AssistedSession.ended_at < cutoff)
    # Ending a session deletes its ballot codes: none is left of an ended one, unless written by hand.
    db.session.execute(delete(ReceiptBallotCode).where(ReceiptBallotCode.session_id.in_(ended)))
    db.session.execute(update(AssistedAction).where(AssistedAction.session_id.in_(ended)).values(session_id=None)
                       .execution_options(synchronize_session=False))
    return remove(AssistedSession, AssistedSession.ended_at < cutoff)


def _purge_audit(cutoff):
    old = select(AssistedAction.id).where(AssistedAction.created_at < cutoff)
    db.session.execute(delete(ReceiptBallotCode).where(ReceiptBallotCode.assisted_action_id.in_(old)))
    return remove(AssistedAction, AssistedAction.created_at < cutoff)


retention_rule(Rule(
    key="counter_sessions", label=_l("Ended assisted sessions at a counter"),
    why=_l("How the resident's identity was checked and the consent they gave settle a dispute about what was "
           "entered in their name, which comes soon after: kept one year after the session ended. The audit log "
           "still says who entered what, for whom and when."),
    default_days=365, purge=_purge_sessions))

retention_rule(Rule(
    key="assisted_actions", label=_l("Audit log of what agents entered for residents"),
    # Read by residents on the personal-data page: the staff's advice (report the weekly statistics each year,
    # they go with the log) is in the README's Retention section.
    why=_l("It lets you and the local authority check what agents did in your name, and its receipt codes "
           "attach what was entered at a counter to an account created later: kept three years, the longest the "
           "CNIL's recommendation on logging (2021) allows for the internal control of staff, then removed."),
    default_days=3 * 365, purge=_purge_audit))
