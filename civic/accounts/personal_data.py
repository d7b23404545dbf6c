"""Everything Civic holds about one person ("my data", GDPR articles 15 and 20).

The account itself, then each package's section (privacy.registry): what the person wrote,
supported, reported, followed, the votes they took part in and what agents entered for them
at a counter, for them or for a counter record later attached to their account. Ballots are
not in it: they carry no voter, so only the fact of having voted is personal data.

The page shows how many rows each section has (up to COUNT_CAP) and the latest few; the JSON download has every
row, written as it is read, a batch at a time.
"""
import json

from sqlalchemy import select, union_all

from ..extensions import db
from ..privacy.registry import counts, sections
from .models import User

LATEST = 5
# The page says "more than COUNT_CAP" past it: the number then matters less than the download.
COUNT_CAP = 100
BATCH = 500
CHUNK = 64 * 1024


def people(user_id):
    """The ids of the person and of the counter records attached to their account (a SELECT). A union, not
    an OR: each part is read through an index."""
    return union_all(select(User.id).where(User.id == user_id), select(User.id).where(User.merged_into_id == user_id))


def summary(user):
    """What the page shows: per section, how many rows and the latest few. The ids are read first: with the
    usual one id (no counter record attached), a section's latest rows are the first of its index of person
    and time, where a subquery of ids would have them all sorted."""
    ids = db.session.execute(people(user.id)).scalars().all()
    how_many = counts(ids, COUNT_CAP)
    return [(section, how_many[section.key], section.latest(ids, LATEST) if how_many[section.key] else [])
            for section in sections()]


def _when(value):
    return value.isoformat() if value else None


def _account(user):
    return {
        "account": {
            "display_name": str(user.display_name), "email": user.email, "full_name": user.full_name,
            "birth_date": _when(user.birth_date), "phone": user.phone,
            "district": user.district.name if user.district else None, "district_since": _when(user.district_since),
            "role": user.role.value, "created_at": _when(user.created_at),
            "email_confirmed_at": _when(user.email_confirmed_at),
        },
        "notify_answers": user.notify_answers,
        "mail_language": user.language,
    }


def download(app, user):
    """The JSON download as the response sends it: one object, the account read now, each section written
    after the request, in an app context of its own, as far as the client reads it. A section is the list
    of its rows, oldest first, read BATCH at a time: they are never all in memory."""
    head = json.dumps(_account(user), indent=2, ensure_ascii=False)[:-2]  # without the closing "\n}"
    user_id = user.id

    def body():
        yield head
        with app.app_context():
            yield from _in_chunks(_sections(user_id))

    return body()


def _sections(user_id):
    ids = people(user_id)
    for section in sections():
        yield f',\n  "{section.key}": ['
        separator = "\n    "
        for row in section.every_row(ids, BATCH):
            yield separator + json.dumps(section.as_json(row), ensure_ascii=False)
            separator = ",\n    "
        yield "\n  ]" if separator != "\n    " else "]"
    yield "\n}\n"


def _in_chunks(pieces):
    """The pieces of text joined into chunks of about CHUNK characters: one write each, not one per row."""
    chunk, length = [], 0
    for piece in pieces:
        chunk.append(piece)
        length += len(piece)
        if length >= CHUNK:
            yield "".join(chunk)
            chunk, length = [], 0
    yield "".join(chunk)

