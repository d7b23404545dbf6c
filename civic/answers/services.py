"""Official answers: one current answer per proposal, every version in the staff log, e-mailed to those concerned."""
from flask_babel import lazy_gettext as _l, lazy_pgettext
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload

from .. import staff_log
from ..access import Action, check
from ..accounts.models import User
from ..db_types import utcnow
from ..domain import DomainError
from ..extensions import db
from ..following.services import followers, topic
from ..notifications.services import mail_to, register_topic
from ..proposals.models import Proposal, Support
from ..registry import Registry
from ..targets import TargetType
from ..transaction import lock_rows, unique_insert
from .models import Answer, AnswerEdit, AnswerStatus

# The mails to the author and the supporters of an answered proposal, which they can turn off.
ANSWERS_TOPIC = "answers"
# The proposal's page shows the latest earlier versions (within the page budget) and how many more there are.
EDITS_SHOWN = 3


# What other packages do when an answer is published or its status changes (the follow-up opens a record for an
# accepted proposal): (proposal, answer, the official) -> None.
_after_answer = Registry("what follows an answer")


def after_answer(name, function):
    _after_answer.add(name, function)


def _stop_answer_mails(user, _rest):
    user.notify_answers = False


ANSWER_PUBLISHED = _l("Answer to proposal n° %(n)s published")
ANSWER_STATUS_CHANGED = _l("Status of the answer to proposal n° %(n)s changed")
ANSWER_WORDING_CHANGED = _l("Wording of the answer to proposal n° %(n)s changed")
ANSWER_BOTH_CHANGED = _l("Status and wording of the answer to proposal n° %(n)s changed")


def _answer_sentence(before, after):
    """The staff log knows from the entry whether it was the first answer and what a change changed."""
    if not before:
        return ANSWER_PUBLISHED
    status, wording = before.get("status") != after.get("status"), before.get("text") != after.get("text")
    if status and wording:
        return ANSWER_BOTH_CHANGED
    return ANSWER_STATUS_CHANGED if status else ANSWER_WORDING_CHANGED


staff_log.describe("answer", "answer", _answer_sentence)
staff_log.describe_fields(TargetType.PROPOSAL, "answer", {
    "status": staff_log.Field(_l("Status"), staff_log.enum_value(AnswerStatus)),
    "text": staff_log.Field(lazy_pgettext("official answer", "Answer")),
})
register_topic(ANSWERS_TOPIC, _l("You will no longer receive e-mails about answers to the proposals you made or "
                                 "support."), _stop_answer_mails)


# Built once, its value bound: every proposal page runs it.
_ANSWER_OF = select(Answer).where(Answer.proposal_id == bindparam("proposal_id"))


def answer_of(proposal):
    return db.session.execute(_ANSWER_OF, {"proposal_id": proposal.id}).scalar()


def answer(official, proposal, status, text):
    """Publish or change the answer. A change keeps the version it replaces, shown under the answer; the author,
    supporters and followers are e-mailed the first answer and each change of status, not a change of wording.
    Returns the answer, or None when it already said this (nothing is kept, logged nor mailed)."""
    text = (text or "").strip()
    if not text:
        raise DomainError(_l("Write the answer: residents read it with its status."), field="text")
    lock_rows(proposal, shared=True)  # a moderator hiding it meanwhile: one of the two waits for the other
    check(official, Action.ANSWER, proposal)
    current = answer_of(proposal)
    if current is not None:
        # Two officials changing it at once take turns: each change keeps the version it replaced.
        lock_rows(current)
    before = {"status": current.status.value, "text": current.text} if current else {}
    now = utcnow()
    if current is None:
        current = Answer(proposal_id=proposal.id, author_id=official.id, author_role=official.role, status=status,
                         text=text)
        with unique_insert(DomainError(_l("Another official answered this proposal at the same moment: reload "
                                          "the page to read that answer before changing it."))):
            db.session.add(current)
    elif (current.status, current.text) == (status, text):
        return None
    else:
        db.session.add(AnswerEdit(answer_id=current.id, edited_at=now, status=current.status, text=current.text,
                                  author_id=current.author_id, author_role=current.author_role,
                                  published_at=current.updated_at))
    earlier_status = AnswerStatus(before["status"]) if before else None
    told = earlier_status is not status
    current.status, current.text, current.author_id, current.author_role = status, text, official.id, official.role
    current.updated_at = now
    db.session.flush()
    staff_log.record(official, "answer", "answer", TargetType.PROPOSAL, proposal.id, before,
                     {"status": status.value, "text": text})
    if told:
        _tell(proposal, current, earlier_status)
        for _name, function in sorted(_after_answer.items()):
            function(proposal, current, official)
    return current


def earlier_versions(answer, shown=EDITS_SHOWN):
    """(the latest ``shown`` versions the answer replaced, newest first; how many there are in all)."""
    if answer is None:
        return [], 0
    edits = db.session.execute(select(AnswerEdit).where(AnswerEdit.answer_id == answer.id)
                               .order_by(AnswerEdit.edited_at.desc(), AnswerEdit.id.desc()).limit(shown + 1)
                               ).scalars().all()
    total = len(edits) if len(edits) <= shown else db.session.execute(
        select(func.count()).where(AnswerEdit.answer_id == answer.id)).scalar_one()
    return edits[:shown], total


def latest_answers(limit, theme_id=None):
    """The ``limit`` answers published or changed last, as (answer, proposal) with the proposal's theme, among the
    answers shown to anyone: those of public proposals (of the theme ``theme_id`` when given)."""
    statement = (select(Answer, Proposal).join(Proposal, Proposal.id == Answer.proposal_id)
                 .where(Proposal.is_public).options(joinedload(Proposal.theme))
                 .order_by(Answer.updated_at.desc(), Answer.id.desc()).limit(limit))
    if theme_id is not None:
        statement = statement.where(Proposal.theme_id == theme_id)
    return db.session.execute(statement).all()


def _tell(proposal, current, earlier_status=None):
    """Author and supporters unless they turned these e-mails off; followers of the proposal (each once). With
    ``earlier_status`` the mail tells a change of status (from, to), not a first answer."""
    if earlier_status is None:
        subject = _l("An answer to the proposal: %(title)s", title=proposal.title)
    else:
        subject = _l("The status of the answer to the proposal changed: %(title)s", title=proposal.title)
    told = set()
    said = {"answer": current, "earlier_status": earlier_status, "proposal": proposal}
    if proposal.author.notify_answers and mail_to(proposal.author, "mail/answered.txt", subject,
                                                  topic=ANSWERS_TOPIC, role="author", **said):
        told.add(proposal.author_id)
    supporters = db.session.execute(select(User).join(Support, Support.user_id == User.id)
                                    .where(Support.proposal_id == proposal.id)).scalars().all()
    for user in supporters:
        if user.id not in told and user.notify_answers:
            mail_to(user, "mail/answered.txt", subject, topic=ANSWERS_TOPIC, role="supporter", **said)
            told.add(user.id)
    for user in followers(TargetType.PROPOSAL, proposal.id):
        if user.id not in told:
            mail_to(user, "mail/answered.txt", subject, topic=topic(TargetType.PROPOSAL, proposal.id),
                    role="follower", **said)
            told.add(user.id)
    return told
