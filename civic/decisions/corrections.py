"""Typo fixes to an open decision's description: the only change allowed once voting started, all kept and shown."""
from sqlalchemy import select

from ..extensions import db
from .models import DescriptionEdit


def fix_description(decision, user, description):
    """Once open, only the description changes, and every change is kept."""
    description = description.strip()
    if description == decision.description:
        return
    db.session.add(DescriptionEdit(decision_id=decision.id, user_id=user.id, before=decision.description,
                                   after=description))
    decision.description = description
    db.session.flush()


def description_edits(decision):
    return db.session.execute(
        select(DescriptionEdit).where(DescriptionEdit.decision_id == decision.id).order_by(DescriptionEdit.id)
    ).scalars().all()
