"""Assisted entry at counters: finding and registering residents, sessions, receipts, the audit log.

Services flush; the request commits. Views call ``record`` after entering something for
the resident, in the same transaction, so the contribution and its audit row are saved
together or not at all.
"""
import re
import secrets
from datetime import date, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import and_, func, literal, or_, select

from ..accounts.models import District, Role, User
from ..accounts.services import normalize_email
from ..db_types import name_key, utcnow
from ..domain import DomainError
from .. import staff_log
from ..extensions import db
from ..transaction import lock_rows, unique_insert
from ..text import LIKE_ESCAPE, like_contains, like_prefix, normalize_for_search
from .models import (AssistedAction, AssistedActionKind, AssistedSession, Channel, Counter, CounterAssignment,
                     IdentityCheck, SessionEnd)

# The consent text shown at opening is versioned: a session records which version the resident accepted.
CONSENT_VERSION = "2026-11"
SESSION_IDLE_LIMIT = timedelta(minutes=15)
# Read aloud and typed back: no 0/O, 1/I/L.
FOLLOW_UP_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
FOLLOW_UP_LENGTH = 8
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


# --- Counters and agents -------------------------------------------------------------------

def all_counters():
    return db.session.execute(select(Counter).order_by(Counter.name)).scalars().all()


def agent_counters(agent):
    return db.session.execute(
        select(Counter).join(CounterAssignment, CounterAssignment.counter_id == Counter.id)
        .where(CounterAssignment.agent_id == agent.id, Counter.active).order_by(Counter.name)
    ).scalars().all()


def is_assigned(agent, counter):
    return counter is not None and counter.active and db.session.get(CounterAssignment, (counter.id, agent.id)) is not None


def save_counter(counter, *, name, address, opening_hours, receipt_layout, active, agent_ids, by):
    """Create or change a counter; agents taken off it (or all, when it closes) stop acting there at once."""
    name = name.strip()
    taken = DomainError(_l("A counter already has this name."), field="name")
    clash = db.session.execute(select(Counter.id).where(Counter.name_key == name_key(name))).scalar()
    if clash is not None and (counter is None or clash != counter.id):
        raise taken
    agents = [db.session.get(User, a) for a in agent_ids]
    if any(a is None or a.role is not Role.COUNTER_AGENT for a in agents):
        raise DomainError(_l("Only counter agents can be assigned to a counter."), field="agents")
    before = _assignment_state(counter)
    with unique_insert(taken, column="counter.name_key"):
        if counter is None:
            counter = Counter()
            db.session.add(counter)
        counter.name, counter.address, counter.opening_hours = name, address.strip(), opening_hours.strip()
        counter.receipt_layout, counter.active = receipt_layout, active
        counter.agents = agents
    for session in db.session.execute(select(AssistedSession).where(
            AssistedSession.counter_id == counter.id, AssistedSession.ended_at.is_(None))).scalars():
        if not is_assigned(session.agent, counter):
            end_session(session, SessionEnd.WITHDRAWN)
    after = _assignment_state(counter)
    if after != before:
        staff_log.record(by, "role", "counter_agents", "counter", counter.id, before, after)
    return counter


def _assignment_state(counter):
    """Who may act for residents at a counter: what the staff log keeps of each change."""
    if counter is None:
        return {}
    return {"counter": counter.name, "active": counter.active,
            "agents": sorted(f"{a.display_name} (n° {a.id})" for a in counter.agents)}


def counter_agents():
    return db.session.execute(
        select(User).where(User.role == Role.COUNTER_AGENT, User.active).order_by(User.display_name)
    ).scalars().all()


# --- Finding and registering residents -----------------------------------------------------

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
        statement = statement.where(*(_has_word_starting_with(word) for word in words))
    else:
        counter_records = and_(User.birth_date == birth_date, *(_has_word_starting_with(word) for word in words))
        if any(len(word) >= ONLINE_WORD_MIN_LETTERS for word in words):
            counter_records = or_(counter_records, and_(_online_account(), *(_has_whole_word(word) for word in words)))
        statement = statement.where(counter_records)
    return db.session.execute(statement.order_by(User.full_name, User.display_name).limit(SEARCH_LIMIT)).scalars().all()


def _has_word_starting_with(word):
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
    try:
        agent_id, resident_id = _tickets().loads(ticket or "", max_age=current_app.config["DESK_TICKET_MAX_AGE"])
    except (BadSignature, ValueError, TypeError):
        return None
    if agent_id != agent.id or not isinstance(resident_id, int):
        return None
    return db.session.get(User, resident_id)


def _tickets():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="civic-desk-resident")


def public_name(full_name):
    """What public pages show for a resident registered at a counter: first name and initial."""
    words = full_name.split()
    return words[0] if len(words) == 1 else f"{' '.join(words[:-1])} {words[-1][0].upper()}."


def register_resident(agent, counter, *, full_name, birth_date, district_id=None, phone="", confirmed_new=False):
    """A resident record without e-mail or password, entered by an agent at a counter."""
    _require_counter(agent, counter)
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
    _log(AssistedActionKind.RESIDENT_REGISTERED, agent=agent, counter=counter, resident=resident,
         object_type="user", object_id=resident.id)
    return resident


# --- Sessions --------------------------------------------------------------------------------

def _require_counter(agent, counter):
    if not is_assigned(agent, counter):
        raise DomainError(_l("You are not assigned to this counter: choose one of your counters."), field="counter")


def open_session(agent, counter, resident, *, identity_check, consent):
    _require_counter(agent, counter)
    if resident is None or resident.merged_into_id is not None or not resident.active:
        raise DomainError(_l("Choose a resident from the list."))
    if resident.role is not Role.RESIDENT:
        raise DomainError(_l("Staff accounts cannot be helped at a counter: only residents can."))
    if identity_check not in IdentityCheck:
        raise DomainError(_l("Say how the resident's identity was checked."), field="identity_check")
    if not consent:
        raise DomainError(_l("The resident must agree before you act on their behalf."), field="consent")
    if current_session(agent) is not None:
        raise DomainError(_l("A session is already open: end it before helping someone else."))
    session = AssistedSession(agent_id=agent.id, resident_id=resident.id, counter_id=counter.id,
                              identity_check=identity_check, consent_version=CONSENT_VERSION)
    # Another tab of the same agent may open one at the same moment: the partial UNIQUE index decides.
    with unique_insert(DomainError(_l("A session is already open: end it before helping someone else."))):
        db.session.add(session)
    _log(AssistedActionKind.SESSION_OPENED, session=session)
    return session


def open_session_of(agent):
    """The agent's session without an end (it may have been idle too long: see expire_if_idle)."""
    return db.session.execute(
        select(AssistedSession).where(AssistedSession.agent_id == agent.id, AssistedSession.ended_at.is_(None))
    ).scalar()


def expire_if_idle(session, now=None):
    """End a session idle for SESSION_IDLE_LIMIT, dated when it became idle; True when it ended."""
    if (now or utcnow()) - session.last_activity_at <= SESSION_IDLE_LIMIT:
        return False
    end_session(session, SessionEnd.TIMEOUT, now=session.last_activity_at + SESSION_IDLE_LIMIT)
    return True


def current_session(agent):
    """The agent's open session, or None; an idle one is ended on the spot."""
    session = open_session_of(agent)
    return None if session is None or expire_if_idle(session) else session


def touch(session):
    session.last_activity_at = utcnow()


def end_session(session, reason, now=None):
    session.ended_at, session.end_reason = now or utcnow(), reason
    _log(AssistedActionKind.SESSION_ENDED, session=session)
    db.session.flush()


# --- Recording what was entered --------------------------------------------------------------

def _follow_up_code():
    return "".join(secrets.choice(FOLLOW_UP_ALPHABET) for _ in range(FOLLOW_UP_LENGTH))


def _log(kind, *, session=None, agent=None, counter=None, resident=None, object_type=None, object_id=None,
         follow_up=False):
    action = AssistedAction(
        kind=kind, session_id=session.id if session else None,
        agent_id=session.agent_id if session else agent.id if agent else None,
        counter_id=session.counter_id if session else counter.id if counter else None,
        resident_id=session.resident_id if session else resident.id,
        object_type=object_type, object_id=object_id, created_at=utcnow(),
    )
    for _attempt in range(5):  # two receipts may draw the same code: draw again
        action.follow_up_code = _follow_up_code() if follow_up else None
        with unique_insert() as insert:
            db.session.add(action)
        if not insert.duplicate:
            return action
    raise DomainError(_l("The receipt could not be recorded. Try again."))


RECORD_KINDS = {
    "proposal": AssistedActionKind.PROPOSAL_CREATED,
    "comment": AssistedActionKind.COMMENT_CREATED,
    "support": AssistedActionKind.SUPPORT_ADDED,
    "decision": AssistedActionKind.VOTE_CAST,  # a vote names the decision, never the ballot
}


def record(session, obj, *, object_type, object_id, kind=None):
    """Mark ``obj`` as entered at the counter and append the audit row with a follow-up code."""
    if obj is not None:
        obj.channel, obj.assisted_by_id, obj.counter_id = Channel.COUNTER, session.agent_id, session.counter_id
    touch(session)
    return _log(kind or RECORD_KINDS[object_type], session=session, object_type=object_type, object_id=object_id,
                follow_up=True)


def action_by_code(code):
    code = re.sub(r"[\s-]", "", code or "").upper()
    if not code:
        return None
    return db.session.execute(select(AssistedAction).where(AssistedAction.follow_up_code == code)).scalar()


# --- The audit log and statistics -------------------------------------------------------------

def audit_entries(*, counter_id=None, agent_id=None, resident_id=None, kind=None, since=None, until=None):
    statement = select(AssistedAction).order_by(AssistedAction.created_at.desc(), AssistedAction.id.desc())
    if counter_id:
        statement = statement.where(AssistedAction.counter_id == counter_id)
    if agent_id:
        statement = statement.where(AssistedAction.agent_id == agent_id)
    if resident_id:
        statement = statement.where(AssistedAction.resident_id == resident_id)
    if kind:
        statement = statement.where(AssistedAction.kind == kind)
    if since:
        statement = statement.where(AssistedAction.created_at >= since)
    if until:
        statement = statement.where(AssistedAction.created_at < until)
    return statement


def actions_for_resident(resident):
    return db.session.execute(
        select(AssistedAction).where(AssistedAction.resident_id == resident.id)
        .order_by(AssistedAction.created_at, AssistedAction.id)
    ).scalars().all()


CONTRIBUTION_KINDS = (AssistedActionKind.PROPOSAL_CREATED, AssistedActionKind.COMMENT_CREATED,
                      AssistedActionKind.SUPPORT_ADDED)


def weekly_statistics():
    """Per counter and ISO week: contributions, ballots, distinct residents helped. Counts only."""
    rows = db.session.execute(
        select(AssistedAction.counter_id, AssistedAction.created_at, AssistedAction.kind, AssistedAction.resident_id)
        .where(AssistedAction.counter_id.is_not(None))
    ).all()
    names = {c.id: c.name for c in all_counters()}
    table = {}
    for counter_id, created_at, kind, resident_id in rows:
        year, week, _day = created_at.isocalendar()
        cell = table.setdefault((names.get(counter_id, "?"), year, week),
                                {"contributions": 0, "ballots": 0, "residents": set()})
        if kind in CONTRIBUTION_KINDS:
            cell["contributions"] += 1
        elif kind is AssistedActionKind.VOTE_CAST:
            cell["ballots"] += 1
        if kind is not AssistedActionKind.SESSION_ENDED:
            cell["residents"].add(resident_id)
    return [
        {"counter": name, "year": year, "week": week, "contributions": cell["contributions"],
         "ballots": cell["ballots"], "residents": len(cell["residents"])}
        for (name, year, week), cell in sorted(table.items(), key=lambda item: (-item[0][1], -item[0][2], item[0][0]))
    ]


# --- Following up and attaching --------------------------------------------------------------

def follow_up(code):
    """What a receipt's code shows anyone: the contribution and its state, nothing personal."""
    from ..decisions.models import Decision
    from ..proposals.models import Comment, Proposal, Support

    action = action_by_code(code)
    if action is None or action.object_type is None:
        return None
    status = {"action": action, "kind": action.kind.value, "counter": action.counter}
    if action.object_type == "proposal":
        status["proposal"] = db.session.get(Proposal, action.object_id)
    elif action.object_type == "comment":
        comment = db.session.get(Comment, action.object_id)
        status["comment"], status["proposal"] = comment, comment.proposal if comment else None
    elif action.object_type == "support":
        support = db.session.get(Support, action.object_id)
        status["support"] = support
        status["proposal"] = db.session.get(Proposal, support.proposal_id) if support else None
    elif action.object_type == "decision":
        status["decision"] = db.session.get(Decision, action.object_id)
    return status


def attach_contributions(user, code, birth_date):
    """Give an account what was entered for its owner at a counter, proven by a receipt code and the birth date.

    Supports already given from the account are not doubled. A vote cast both ways (possible
    only if the person was registered twice) stays with the counter record: both ballots were
    counted and cannot be told apart any more; the number is returned so the page can say so.
    """
    from ..decisions.models import Participation
    from ..proposals.models import Comment, Proposal, Support

    action = action_by_code(code)
    record_ = action.resident if action is not None else None
    if record_ is not None:
        lock_rows(record_)  # the same receipt attached from two tabs at once: the second finds it attached
    if (record_ is None or record_.birth_date != birth_date or record_.can_log_in or record_.id == user.id
            or record_.merged_into_id is not None):
        raise DomainError(_l("This code and birth date do not match contributions made at a counter."),
                          field="code")
    # Statements over sets of rows rather than rows read then written: a support withdrawn or a vote cast
    # at the same moment changes which rows they touch, never makes them fail.
    db.session.execute(db.update(Proposal).where(Proposal.author_id == record_.id).values(author_id=user.id))
    db.session.execute(db.update(Comment).where(Comment.author_id == record_.id).values(author_id=user.id))
    # A proposal supported from both: the account's support stays, the record's goes (one support each).
    supported = select(Support.proposal_id).where(Support.user_id == user.id)
    db.session.execute(db.delete(Support).where(Support.user_id == record_.id, Support.proposal_id.in_(supported)))
    db.session.execute(db.update(Support).where(Support.user_id == record_.id).values(user_id=user.id))
    # A vote cast from both stays with the record: both ballots were counted and cannot be told apart.
    voted = select(Participation.decision_id).where(Participation.user_id == user.id)
    db.session.execute(db.update(Participation).where(Participation.user_id == record_.id,
                                                      Participation.decision_id.not_in(voted)).values(user_id=user.id))
    conflicts = db.session.execute(select(func.count(Participation.id))
                                   .where(Participation.user_id == record_.id)).scalar_one()
    if user.birth_date is None:
        user.birth_date = record_.birth_date
    record_.merged_into_id, record_.active = user.id, False
    db.session.flush()
    _log(AssistedActionKind.CONTRIBUTIONS_ATTACHED, agent=None, counter=None, resident=user,
         object_type="user", object_id=record_.id)
    return conflicts


def merged_records(user):
    return db.session.execute(select(User).where(User.merged_into_id == user.id)).scalars().all()
