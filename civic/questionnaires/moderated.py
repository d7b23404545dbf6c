"""The free texts of a questionnaire whose texts are published (FreeTextUse.PUBLISHED), as moderation sees them.

Each enters the moderators' queue as it is answered (``waiting``: its text_state PENDING), and moderators publish or
reject it; a published one may be reported by residents, hidden (rejected) and restored, in the same queue and
journal as proposals and comments. Its "author", whom the decision is told to, is the respondent; no page shows
who wrote it, not even the moderators' (the template names the question, never the person). A text kept for the
synthesis has no state: it never enters moderation.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from .. import staff_log, targets
from ..access import Action
from ..moderation.models import ModerationKind
from ..moderation.registry import Moderated, register
from ..staff_log import Field, describe_fields, enum_value
from ..targets import TargetType
from .models import Answer, Question, Questionnaire, Response, TextState
from .results import has_ended

DECISIONS = {
    TextState.PENDING: {ModerationKind.PUBLISH, ModerationKind.REJECT},
    # Hiding a published text rejects it, with the public reason; restoring publishes it again.
    TextState.PUBLISHED: {ModerationKind.HIDE},
    TextState.REJECTED: {ModerationKind.RESTORE},
}
_STATES = {ModerationKind.PUBLISH: TextState.PUBLISHED, ModerationKind.RESTORE: TextState.PUBLISHED,
           ModerationKind.REJECT: TextState.REJECTED, ModerationKind.HIDE: TextState.REJECTED}


def _decisions(answer):
    return set(DECISIONS.get(answer.text_state, ()))


def _apply(answer, kind, reason, _message, _merge_into):
    answer.text_state = _STATES[kind]
    answer.moderation_reason = reason or None


def _reportable(answer):
    return (answer.text_state is TextState.PUBLISHED and not answer.held_by_reports
            and has_ended(answer.response.questionnaire))


def _waiting():
    return (select(Answer.id.label("target_id"), Response.created_at.label("since"))
            .join(Response, Response.id == Answer.response_id).where(Answer.text_state == TextState.PENDING))


targets.register(targets.Kind(
    # Named without its number, in URLs by its code: numbers follow each other within a response.
    type=TargetType.ANSWER, model=Answer, numbered=_l("An answer to a questionnaire"), key=Answer.code,
    # The list of the question's texts, still there when reports hid this one.
    link=lambda a: ("questionnaire_results.texts", {"process_id": a.question.questionnaire.process_id,
                                                     "question_id": a.question_id}),
    view=Action.QUESTIONNAIRE_TEXT_VIEW))

register(Moderated(
    type=TargetType.ANSWER, decisions=_decisions, apply=_apply,
    state=lambda a: {"state": a.text_state.value if a.text_state else None, "held_by_reports": a.held_by_reports,
                     "reason": a.moderation_reason},
    reportable=_reportable, template="questionnaires/_moderated_answer.html",
    report_title=_l("Report this answer"),
    reviewed=lambda a: _l("Your answer to “%(question)s” was reviewed by a moderator.", question=a.question.text),
    waiting=_waiting,
    eager=(joinedload(Answer.question).joinedload(Question.questionnaire).joinedload(Questionnaire.process),
           joinedload(Answer.response).joinedload(Response.respondent))))

_DECIDED = {
    ModerationKind.PUBLISH: _l("Answer n° %(n)s published"),
    ModerationKind.REJECT: _l("Answer n° %(n)s rejected"),
    ModerationKind.HIDE: _l("Answer n° %(n)s hidden"),
    ModerationKind.RESTORE: _l("Answer n° %(n)s restored"),
    ModerationKind.KEEP: _l("Answer n° %(n)s kept as it is (unfounded reports)"),
}
for _kind, _sentence in _DECIDED.items():
    staff_log.describe("moderation", _kind.value, _sentence, TargetType.ANSWER)
describe_fields(TargetType.ANSWER, "moderation", {
    "state": Field(_l("State"), enum_value(TextState)),
    "held_by_reports": Field(_l("Hidden after reports")),
    "reason": Field(_l("Public reason")),
})
