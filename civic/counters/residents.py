"""Finding a resident at the desk, and registering one who has no account.

An agent finds a resident by an e-mail, a whole phone number, or a name with a birth date:
nothing looser, so that no search lists strangers' personal data. The desk then offers to
open a session for the residents it listed, with a ticket signed for that agent.
"""
import re
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, literal, or_, select
from sqlalchemy.orm import joinedload

from .. import signed
from ..access import Role
from ..accounts.models import District, User
from ..accounts.services import normalize_email
from ..db_types import utcnow
from ..domain import DomainError
from ..extensions import db
from ..text import LIKE_ESCAPE, like_contains, like_prefix, normalize_for_search
from .assignments import require_assigned
from .audit import log
from .models import AssistedActionKind

SEARCH_LIMIT = 20
# A phone number finds a resident only whole: the French national form has 10 digits, international ones more.
PHONE_MIN_DIGITS = 10
NAME_WORD_MIN_LETTERS = 2
# An online account has no birth date to narrow the search: a particle ("de", "le") is not enough.
ONLINE_WORD_MIN_LETTERS = 3
NAME_WORDS_LIMIT = 6
_LETTERS = re.compile(r"[^\W\d_]+")
# What separates the words of a stored name ("Le Gall", "Jean-Pierre", "d'Arc"): a searched word matches
# the beginning of any of them.
_NAME_WORD_SEPARATORS = (" ", "-", "'", "\N{RIGHT SINGLE QUOTATION MARK}")


def normalize_phone(phone):
    """Digits only, French numbers in their national form: "+33 6 12…" and "06 12…" match."""
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("33") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits


def name_words(name):
    """The words of a searched name that narrow the search: letters only, NAME_WORD_MIN_LETTERS at least.

    "%", "_", "*" or an initial are no name: they would list everyone born that day and every online account."""
    words = _LETTERS.findall(normalize_for_search(name))
    return [w for w in words if len(w) >= NAME_WORD_MIN_LETTERS][:NAME_WORDS_LIMIT]


def search_is_precise(*, name="", birth_date=None, email="", phone=""):
    """An e-mail, a whole phone number, or a name with a birth date: anything looser would list strangers'
    personal data on the agent's screen."""
    return bool(email.strip() or len(normalize_phone(phone)) >= PHONE_MIN_DIGITS
                or (name_words(name) and birth_date))


def find_residents(*, name="", birth_date=None, email="", phone=""):
    """Residents matching every criterion given: the exact e-mail, the exact phone, and a name of which each
    word begins a word of theirs, in any order ("mar" finds Martin, not Omar).

    Accounts created online have no birth date: a name with a birth date also finds the online
    accounts of that name, so that the agent asks before registering a second record (one
    resident, one vote). Since the birth date does not narrow those, each word of the name must
    then be a whole word of theirs, one of ONLINE_WORD_MIN_LETTERS letters at least: two letters
    and any date do not list every Marie and Martin, nor "de" every Dupont de la Tour."""
    if not search_is_precise(name=name, birth_date=birth_date, email=email, phone=phone):
        return []
    statement = select(User).where(User.role == Role.RESIDENT, User.merged_into_id.is_(None))
    if email.strip():
        statement = statement.where(User.email_normalized == normalize_email(email))
    if phone_digits := normalize_phone(phone):
        statement = statement.where(User.phone_normalized == phone_digits)
    words = name_words(name)
    if birth_date is None:
        statement = statement.where(*(has_word_starting_with(word) for word in words))
    else:
        counter_records = and_(User.birth_date == birth_date, *(has_word_starting_with(word) for word in words))
        if any(len(word) >= ONLINE_WORD_MIN_LETTERS for word in words):
            counter_records = or_(counter_records, and_(_online_account(), *(_has_whole_word(word) for word in words)))
        statement = statement.where(counter_records)
    return db.session.execute(statement.order_by(User.full_name, User.display_name).limit(SEARCH_LIMIT)
                              .options(joinedload(User.district))).scalars().all()


def has_word_starting_with(word):
    """A word of a civil name (full_name_search, indexed) begins with ``word``: the desk's search, and the admins'
    list of accounts."""
    column = User.full_name_search
    return or_(column.like(like_prefix(word), escape=LIKE_ESCAPE),
               *(column.like(like_contains(before + word), escape=LIKE_ESCAPE) for before in _NAME_WORD_SEPARATORS))


def _has_whole_word(word):
    padded = literal(" ") + User.full_name_search + literal(" ")
    for separator in _NAME_WORD_SEPARATORS[1:]:
        padded = func.replace(padded, separator, " ")
    return padded.like(like_contains(f" {word} "), escape=LIKE_ESCAPE)


def _online_account():
    return User.birth_date.is_(None) & User.email_normalized.is_not(None)


def _born_on_or_online(birth_date):
    return or_(User.birth_date == birth_date, _online_account())


def likely_duplicates(full_name, birth_date):
    """Counter records of that name and birth date, and online accounts shown under that name."""
    return db.session.execute(
        select(User).where(User.role == Role.RESIDENT, User.merged_into_id.is_(None),
                           User.full_name_search == normalize_for_search(full_name), _born_on_or_online(birth_date))
    ).scalars().all()


def resident_ticket(agent, resident):
    """What a desk page puts in its "open a session" form for a resident it lists: the resident's
    number, signed for this agent. An agent opens sessions for residents found by a precise
    search or just registered, never for a number typed by hand: walking the numbers would list
    every resident's civil name."""
    return _tickets().dumps([agent.id, resident.id])


def resident_from_ticket(agent, ticket):
    """The resident a ticket names, or None: forged, another agent's, or older than DESK_TICKET_MAX_AGE."""
    held = signed.read(_tickets(), ticket, max_age=current_app.config["DESK_TICKET_MAX_AGE"])
    if held is None:
        return None
    agent_id, resident_id = held
    if agent_id != agent.id or not isinstance(resident_id, int):
        return None
    return db.session.get(User, resident_id)


def _tickets():
    return signed.serializer("civic-desk-resident")


def public_name(full_name):
    """What public pages show for a resident registered at a counter: first name and initial."""
    words = full_name.split()
    return words[0] if len(words) == 1 else f"{' '.join(words[:-1])} {words[-1][0].upper()}."


def register_resident(agent, counter, *, full_name, birth_date, district_id=None, phone="", confirmed_new=False):
    """A resident record without e-mail or password, entered by an agent at a counter."""
    require_assigned(agent, counter)
    full_name = " ".join(full_name.split())
    if birth_date > date.today() or birth_date.year < 1900:
        raise DomainError(_l("Check the birth date."), field="birth_date")
    if district_id is not None and db.session.get(District, district_id) is None:
        raise DomainError(_l("Choose a district from the list."), field="district")
    if likely_duplicates(full_name, birth_date) and not confirmed_new:
        raise DomainError(_l("Someone with this name is already registered, at a counter or online: if it is the "
                             "same person, open a session for them below; otherwise confirm that this is another "
                             "person."), field="confirm_new")
    now = utcnow()
    resident = User(display_name=public_name(full_name)[:80], full_name=full_name, birth_date=birth_date,
                    phone=phone.strip() or None, phone_normalized=normalize_phone(phone) or None,
                    role=Role.RESIDENT, district_id=district_id, district_since=now if district_id else None)
    db.session.add(resident)
    db.session.flush()
    log(AssistedActionKind.RESIDENT_REGISTERED, agent=agent, counter=counter, resident=resident, about=resident)
    return resident
