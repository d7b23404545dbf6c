"""Factories for decisions in a chosen state, and what their publication stored."""
import json
from datetime import timedelta

from sqlalchemy import select

from civic.accounts.models import Role, User
from civic.db_types import utcnow
from civic.decisions import services
from civic.demo import seed
from civic.decisions.files import RESULTS_JSON, read_text
from civic.decisions.models import BudgetRule, Decision, Method, Option
from civic.extensions import db
from tests.factories import make_user

OPTION_LABELS = ("Parc", "Piscine", "Médiathèque")


def make_decision(method=Method.SINGLE_CHOICE, state="open", options=OPTION_LABELS, costs=None, **fields):
    now = utcnow()
    times = {
        "draft": (now + timedelta(days=1), now + timedelta(days=8), None),
        "scheduled": (now + timedelta(days=1), now + timedelta(days=8), now),
        "open": (now - timedelta(days=1), now + timedelta(days=6), now - timedelta(days=2)),
        "closed": (now - timedelta(days=8), now - timedelta(minutes=1), now - timedelta(days=9)),
    }
    opens_at, closes_at, announced_at = times[state]
    decision = Decision(
        title=fields.pop("title", "Quel équipement rénover ?"), question=fields.pop("question", "Votre choix ?"),
        description=fields.pop("description", "Contexte."), method=method, opens_at=opens_at, closes_at=closes_at,
        announced_at=announced_at, created_by=fields.pop("created_by", None) or make_user(role=Role.ELECTED),
        **fields,
    )
    if method is Method.BUDGET:
        decision.budget = decision.budget or 100
        decision.budget_rule = decision.budget_rule or BudgetRule.GREEDY
    if method is not Method.YES_NO:
        for position, label in enumerate(options):
            decision.options.append(Option(position=position, label=label,
                                           cost=(costs or [40, 50, 30])[position] if method is Method.BUDGET else None))
    db.session.add(decision)
    db.session.commit()
    return decision


def close(decision):
    decision.closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()


def published_text(decision, name):
    """A published file's text, as stored (files.BALLOTS_CSV, files.RESULTS_JSON...)."""
    return read_text(decision.id, name)


def published_results(decision):
    return json.loads(published_text(decision, RESULTS_JSON))


def publish_the_demo(app):
    """The demo, its every vote that received ballots closed now and published: [Decision]."""
    with app.test_request_context():
        seed()
        db.session.commit()
        official = db.session.execute(select(User).where(User.role == Role.ELECTED)).scalars().first()
        for decision in db.session.execute(select(Decision).order_by(Decision.id)).scalars().all():
            if decision.published_at is None and services.ballot_count(decision):
                decision.closes_at = utcnow()
                db.session.commit()
                services.publish_results(decision, official)
                db.session.commit()
        return published_decisions()


def published_decisions():
    """The decisions whose results are published, in their order: [Decision]."""
    return db.session.execute(select(Decision).where(Decision.published_at.is_not(None))
                              .order_by(Decision.id)).scalars().all()
