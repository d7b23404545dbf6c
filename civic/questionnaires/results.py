"""What a questionnaire's answers add up to: counts per choice and per value of the scale, the free texts
published or kept for the synthesis, and the synthesis itself.

A results page costs the same statements whatever the number of responses and questions: the questions and their
choices in two, the answers of every question per option or value in one GROUP BY and its respondents in another,
the latest published texts of every question in one (a window per question), the number of responses in one.

A question answered by fewer than civic.privacy.groups.SMALLEST_GROUP residents has no public counts (three
residents' choices are as good as their names to their neighbours): the public sees how many answered it, and the
officials who run the process, who read every answer anyway, see its counts with a word saying they are not public.
Like any threshold, it does not stop comparisons over time: counts read before and after one resident's answers are
erased (11 then 10) differ by that resident's choices.

Arithmetic is exact (integers and decimals, never floats) and rounded once, for display, as the page says:
percentages and the mean to the nearest tenth, halves up. A percentage is of the residents who answered the
question; for a multiple choice each resident may tick several options, so that the percentages add up to more
than 100.
"""
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import format_number, lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .. import staff_log
from ..access import Action, check
from ..db_types import utcnow
from ..domain import DomainError
from ..extensions import db
from ..pagination import keyset_page
from ..privacy.groups import large_enough
from ..processes.models import Phase, PhaseKind
from ..processes.phases import today
from ..targets import TargetType
from ..transaction import lock_rows
from .models import (CHOICE_KINDS, SCALE, SYNTHESIS_MAX, TEXT_KINDS, Answer, FreeTextUse, Question,
                     Questionnaire, Response, TextState)

TENTH = Decimal("0.1")
# The results page shows the latest few published texts under each question (the page budget with the longest
# ones), and links to all of them, a page at a time.
TEXTS_SHOWN = 3
TEXTS_PAGE = 10
# A list shows the start of each text (the page budget with ten of the longest); each has its own page.
TEXT_EXCERPT = 600
# The results page and the process page show the start of a long synthesis, and link to its own page.
SYNTHESIS_EXCERPT = 1_200
# Newest first by default: what residents wrote last is what they have not read yet.
TEXT_ORDERS = ("newest", "oldest")

staff_log.describe("synthesis", "drafted", _l("Draft of the synthesis of questionnaire n° %(n)s saved"))
staff_log.describe("synthesis", "published", _l("Synthesis of questionnaire n° %(n)s published"))
staff_log.describe("synthesis", "updated", _l("Synthesis of questionnaire n° %(n)s updated"))
staff_log.describe_fields(TargetType.QUESTIONNAIRE, "synthesis", {
    "synthesis": staff_log.Field(_l("Synthesis")),
})


def rounded(value):
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def share(part, whole):
    """``part`` out of ``whole`` as a fraction rounded to a tenth of a percent (None out of nothing)."""
    if not whole:
        return None
    return rounded(Decimal(100 * part) / Decimal(whole)) / 100


def answering_phase(questionnaire):
    return questionnaire.process.phase_of(PhaseKind.QUESTIONNAIRE)


def has_ended(questionnaire, day=None):
    """Whether the questionnaire phase is over (Paris days): its results are then public and final."""
    phase = answering_phase(questionnaire)
    return phase is not None and phase.ends_on < (day or today())


def public_text(condition=True):
    """The free texts anybody may read: published by a moderator and not held after reports."""
    return (Answer.text_state == TextState.PUBLISHED) & Answer.held_by_reports.is_(False) & condition


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    skipped: int = 0
    # Choice questions: [(choice, count, share of those who answered)], in the choices' order.
    choices: list = field(default_factory=list)
    # The scale: [(value, count, share)] from 1 to 5, the mean and the median (None without answers).
    scale: list = field(default_factory=list)
    mean: Decimal | None = None
    median: Decimal | None = None
    # Text questions: the latest published texts (published free texts only).
    texts: list = field(default_factory=list)
    more_texts: bool = False
    # Choice and scale questions answered by too few residents to publish their counts (the module's docstring).
    small_group: bool = False
    # Whether those counts are given anyway (to the officials): otherwise choices and scale stay empty.
    withheld: bool = False

    @property
    def is_text(self):
        return self.question.kind in TEXT_KINDS

    @property
    def chart(self):
        """The bars of the chart, each in percent of the longest (the table beside carries the numbers)."""
        rows = self.choices or self.scale
        longest = max((count for _label, count, _share in rows), default=0) or 1
        return [{"label": label, "value": count, "width": Decimal(80 * count) / longest} for label, count, _s in rows]


def _median(distribution, total):
    """The middle value of the ``total`` answers (the mean of the two middle ones for an even number)."""
    def nth(rank):
        seen = 0
        for value, count in distribution:
            seen += count
            if seen >= rank:
                return value
    low, high = nth((total + 1) // 2), nth(total // 2 + 1)
    return Decimal(low + high) / 2


def value_counts(question_ids):
    """{(question id, choice id, scale value): answers}: one row per (question, choice or value), the answers of
    every question counted in one pass of the index (texts aside)."""
    if not question_ids:
        return {}
    return {(question_id, choice_id, scale): number for question_id, choice_id, scale, number in db.session.execute(
        select(Answer.question_id, Answer.choice_id, Answer.scale, func.count())
        .where(Answer.question_id.in_(question_ids), Answer.text.is_(None))
        .group_by(Answer.question_id, Answer.choice_id, Answer.scale))}


def respondents(question_ids):
    """{question id: residents who answered it}, counted apart from the answers: a multiple choice gives one row
    per option ticked."""
    if not question_ids:
        return {}
    return dict(db.session.execute(select(Answer.question_id, func.count(func.distinct(Answer.response_id)))
                                   .where(Answer.question_id.in_(question_ids)).group_by(Answer.question_id)).all())


def response_counts(questionnaire_ids):
    """{questionnaire id: responses}."""
    return dict(db.session.execute(select(Response.questionnaire_id, func.count(Response.id))
                                   .where(Response.questionnaire_id.in_(questionnaire_ids))
                                   .group_by(Response.questionnaire_id)).all())


def results_public():
    """The SQL condition of questionnaires whose results anybody may read (``has_ended``): for the open data."""
    return Questionnaire.process_id.in_(select(Phase.process_id).where(Phase.kind == PhaseKind.QUESTIONNAIRE,
                                                                       Phase.ends_on < today()))


def counts(questionnaire, with_texts=True, small_groups=False):
    """{"responses": n, "questions": [QuestionResult]} of the questionnaire; ``small_groups``: the counts of the
    questions answered by too few residents are given too (the officials' view)."""
    questions = db.session.execute(select(Question).where(Question.questionnaire_id == questionnaire.id)
                                   .options(selectinload(Question.choices)).order_by(Question.position)).scalars().all()
    ids = [q.id for q in questions]
    responses = response_counts([questionnaire.id]).get(questionnaire.id, 0)
    grouped, answered = value_counts(ids), respondents(ids)
    texts = latest_texts(questionnaire, ids) if with_texts else {}
    results = []
    for question in questions:
        result = QuestionResult(question, answered=answered.get(question.id, 0))
        result.skipped = max(responses - result.answered, 0)
        if question.kind in TEXT_KINDS:
            shown = texts.get(question.id, [])
            result.texts, result.more_texts = shown[:TEXTS_SHOWN], len(shown) > TEXTS_SHOWN
        else:
            result.small_group = not large_enough(result.answered)
            result.withheld = result.small_group and not small_groups
            if not result.withheld:
                _count(result, grouped)
        results.append(result)
    return {"responses": responses, "questions": results}


def _count(result, grouped):
    """Fills ``result`` (a choice or scale question) from value_counts' ``grouped``."""
    question = result.question
    if question.kind in CHOICE_KINDS:
        numbers = [(choice.label, grouped.get((question.id, choice.id, None), 0)) for choice in question.choices]
        result.choices = [(label, n, share(n, result.answered)) for label, n in numbers]
        return
    distribution = [(value, grouped.get((question.id, None, value), 0)) for value in SCALE]
    result.scale = [(value, n, share(n, result.answered)) for value, n in distribution]
    total = sum(n for _v, n in distribution)
    if total:
        result.mean = rounded(Decimal(sum(v * n for v, n in distribution)) / Decimal(total))
        result.median = _median(distribution, total)


def latest_texts(questionnaire, question_ids):
    """{question id: [Answer]} of the newest published texts of each question, one more than shown (to know
    whether a link to the others is needed): one query, a window per question."""
    if questionnaire.free_text_use is not FreeTextUse.PUBLISHED or not question_ids:
        return {}
    ranked = (select(Answer.id, func.row_number().over(partition_by=Answer.question_id,
                                                       order_by=Answer.id.desc()).label("rank"))
              .where(public_text(Answer.question_id.in_(question_ids))).subquery())
    found = {}
    for answer in db.session.execute(select(Answer).join(ranked, ranked.c.id == Answer.id)
                                     .where(ranked.c.rank <= TEXTS_SHOWN + 1).order_by(Answer.id.desc())).scalars():
        found.setdefault(answer.question_id, []).append(answer)
    return found


def text_page(question, *, order="newest", published_only=True, page=1, after=None, before=None,
              per_page=TEXTS_PAGE):
    """A page of the texts answered to ``question`` (rows of id, code, text, state), newest or oldest first:
    the published ones for the public, all of them for the staff who write the synthesis.

    The pages' links carry a text's code, never its number: the answers of one response have consecutive
    numbers, so a number in a link (or a number typed there to see where the list resumes) would tie a
    resident's texts to one another across questions. A code is looked up within this question only."""
    statement = select(Answer.id, Answer.code, Answer.text, Answer.text_state).where(
        Answer.question_id == question.id, Answer.text.is_not(None))
    if published_only:
        statement = statement.where(public_text())
    after, before = _number_of(statement, after), _number_of(statement, before)
    shown = keyset_page(statement, (Answer.id,), page=page, per_page=per_page, after=after, before=before,
                        descending=order != "oldest")
    codes = {str(row.id): row.code for row in shown.items}
    shown.next_cursor, shown.prev_cursor = codes.get(shown.next_cursor), codes.get(shown.prev_cursor)
    return shown


def _number_of(statement, code):
    """The number of the text of ``statement`` whose code is ``code``, as keyset_page's cursor; None (the
    first page) for a code of no text of that list."""
    if not code:
        return None
    number = db.session.execute(statement.with_only_columns(Answer.id).where(Answer.code == code)).scalar()
    return None if number is None else str(number)


@dataclass(frozen=True)
class Summary:
    """What the process page says of its questionnaire (templates/questionnaires/_results_summary.html)."""

    questionnaire: Questionnaire
    responses: int
    ended: bool
    ends_on: object  # the last day to answer, or None without a questionnaire phase
    excerpt: int = SYNTHESIS_EXCERPT  # how much of the synthesis the process page shows


def summary(questionnaire):
    """For the process page: one count, the dates and the synthesis are already loaded with the questionnaire."""
    responses = response_counts([questionnaire.id]).get(questionnaire.id, 0)
    phase = answering_phase(questionnaire)
    return Summary(questionnaire, responses, has_ended(questionnaire), phase.ends_on if phase else None)


def save_synthesis(questionnaire, official, text, publish):
    """Write the synthesis; ``publish`` makes it public (it stays editable, its page says when it last changed)."""
    check(official, Action.QUESTIONNAIRE_SYNTHESIS, questionnaire)
    text = (text or "").strip()
    if not text:
        raise DomainError(_l("Write the synthesis."), field="synthesis")
    if len(text) > SYNTHESIS_MAX:
        raise DomainError(_l("Shorten the synthesis to %(max)s characters.",
                          max=LazyString(format_number, SYNTHESIS_MAX)), field="synthesis")
    # Two officials saving at once: the second reads the first's text as its "before".
    lock_rows(questionnaire)
    before = {"synthesis": questionnaire.synthesis}
    was_published = questionnaire.synthesis_published_at is not None
    if text == questionnaire.synthesis and (was_published or not publish):
        return False
    now = utcnow()
    questionnaire.synthesis, questionnaire.updated_at = text, now
    if text != before["synthesis"]:
        questionnaire.synthesis_updated_at = now
    if publish and not was_published:
        questionnaire.synthesis_published_at = now
    db.session.flush()
    action = "updated" if was_published else "published" if publish else "drafted"
    staff_log.record(official, "synthesis", action, TargetType.QUESTIONNAIRE, questionnaire.id, before,
                     {"synthesis": text})
    return True
