"""Erasing a person (GDPR article 17), as the registry says (privacy.registry): nothing here names a table.

``erase(erasure)`` goes through every column that refers to an account, then every column that holds
personal data, and does what its package registered. It flushes; the caller commits (the account
package's service decides who may be erased and marks the account).
"""
from collections import defaultdict

from sqlalchemy import delete, update

from ..extensions import db
from .registry import ANONYMISE, CONTRIBUTION, ERASE, Replacement, personal_columns, references, remover


def erase(erasure):
    for reference in references():
        if reference.erase == ERASE:
            db.session.execute(delete(reference.column.class_).where(reference.column.in_(erasure.accounts))
                               .execution_options(synchronize_session=False))
        elif reference.erase == CONTRIBUTION:
            if erasure.remove_contributions:
                remover(reference.column)(reference.column, erasure)
        elif reference.erase != ANONYMISE:
            reference.erase(reference.column, erasure)
    # The replacements of one table's columns, in one statement per table.
    replacements = defaultdict(dict)
    for personal in personal_columns():
        if isinstance(personal.erase, Replacement):
            replacements[personal.erase.owner][personal.column.key] = personal.erase.value
        else:
            personal.erase(personal.column, erasure)
    for owner, values in replacements.items():
        db.session.execute(update(owner.class_).where(owner.in_(erasure.accounts)).values(values)
                           .execution_options(synchronize_session=False))
    db.session.flush()
    db.session.expire_all()
