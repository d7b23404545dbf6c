"""Everything Civic holds about one person ("my data", GDPR articles 15 and 20).

The account itself, then each package's section (privacy.registry): what the person wrote,
supported, reported, followed, the votes they took part in and what agents entered for them
at a counter, for them or for a counter record later attached to their account. Ballots are
not in it: they carry no voter, so only the fact of having voted is personal data.
"""
from sqlalchemy import select

from ..extensions import db
from ..privacy.registry import sections
from .models import User


def merged_records(user):
    """The counter records attached to this account."""
    return db.session.execute(select(User).where(User.merged_into_id == user.id)).scalars().all()


def personal_data(user):
    people = [user, *merged_records(user)]
    return {"user": user, "sections": [(section, section.rows(people)) for section in sections()]}


def _when(value):
    return value.isoformat() if value else None


def as_json(data):
    """The same data as plain JSON-able values (the download)."""
    user = data["user"]
    exported = {
        "account": {
            "display_name": user.display_name, "email": user.email, "full_name": user.full_name,
            "birth_date": _when(user.birth_date), "phone": user.phone,
            "district": user.district.name if user.district else None, "district_since": _when(user.district_since),
            "role": user.role.value, "created_at": _when(user.created_at),
            "email_confirmed_at": _when(user.email_confirmed_at),
        },
        "notify_answers": user.notify_answers,
        "mail_language": user.language,
    }
    for section, rows in data["sections"]:
        exported[section.key] = [section.as_json(row) for row in rows]
    return exported
