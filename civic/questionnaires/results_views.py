"""A questionnaire's results: the counts and charts, the published free texts, the texts kept for the synthesis
(staff only), and the synthesis the officials write."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ..access import Action, can, load_visible, requires
from ..domain import DomainError, attach_error, flash_refusal
from ..extensions import db
from ..pagination import page_args
from ..privacy.groups import SMALLEST_GROUP
from ..processes.models import Process
from ..processes.phases import current_phase, steps
from . import moderated  # noqa: F401 - registers how its free texts are moderated
from . import opendata  # noqa: F401 - registers the questionnaires' datasets
from . import results_rules  # noqa: F401 - registers who may read the results and write the synthesis
from . import results, services
from .models import TEXT_KINDS, Answer, FreeTextUse, Question
from .results_forms import SynthesisForm

bp = Blueprint("questionnaire_results", __name__)


def _questionnaire(kwargs):
    """The questionnaire of the URL's process, or 404."""
    process = load_visible(Process, kwargs.pop("process_id"))
    questionnaire = services.questionnaire_of(process, with_questions=False)
    if questionnaire is None:
        abort(404)
    kwargs["questionnaire"] = questionnaire
    return questionnaire


def _text_question(kwargs, published=True):
    """The URL's text question, within the URL's process; 404 when its texts are not public (or not kept)."""
    question_id = kwargs.pop("question_id")
    questionnaire = _questionnaire(kwargs)
    question = db.session.get(Question, question_id)
    if question is None or question.questionnaire_id != questionnaire.id or question.kind not in TEXT_KINDS \
            or (published and questionnaire.free_text_use is not FreeTextUse.PUBLISHED):
        abort(404)
    kwargs["question"] = question
    return questionnaire


def _all_texts(kwargs):
    return _text_question(kwargs, published=False)


def _answer(kwargs):
    """The URL's free-text answer (by its public code), within the URL's process, or 404 (its visibility is the
    rule's)."""
    answer = db.session.execute(select(Answer).where(Answer.code == kwargs.pop("code"))).scalar_one_or_none()
    if answer is None or answer.text is None or \
            answer.question.questionnaire.process_id != kwargs.pop("process_id"):
        abort(404)
    kwargs["answer"] = answer
    return answer


def _back_to_process(questionnaire, message):
    flash_refusal(DomainError(message))
    return redirect(url_for("processes.detail", process_id=questionnaire.process_id))


def _frame(questionnaire):
    process = questionnaire.process
    return {"questionnaire": questionnaire, "process": process, "steps": steps(process),
            "current": current_phase(process), "excerpt": results.SYNTHESIS_EXCERPT,
            "text_excerpt": results.TEXT_EXCERPT}


def _order():
    order = request.args.get("order", results.TEXT_ORDERS[0])
    return order if order in results.TEXT_ORDERS else results.TEXT_ORDERS[0]


@bp.route("/<int:process_id>/questionnaire/resultats")
@requires(Action.QUESTIONNAIRE_RESULTS, load=_questionnaire, refused=_back_to_process)
def results_page(questionnaire):
    # Who reads every answer for the synthesis may read the counts of a question too few residents answered.
    small_groups = can(current_user, Action.QUESTIONNAIRE_TEXTS_READ, questionnaire)
    return render_template("questionnaires/results.html", data=results.counts(questionnaire, small_groups=small_groups),
                           ended=results.has_ended(questionnaire), smallest_group=SMALLEST_GROUP,
                           **_frame(questionnaire))


@bp.route("/<int:process_id>/questionnaire/questions/<int:question_id>/textes")
@requires(Action.QUESTIONNAIRE_RESULTS, load=_text_question, refused=_back_to_process)
def texts(questionnaire, question):
    order = _order()
    page = results.text_page(question, order=order, **page_args())
    return render_template("questionnaires/results_texts.html", question=question, page=page, order=order,
                           **_frame(questionnaire))


@bp.route("/<int:process_id>/questionnaire/reponses/<code>")
@requires(Action.QUESTIONNAIRE_TEXT_VIEW, load=_answer)
def answer_page(answer):
    question = answer.question
    return render_template("questionnaires/results_answer.html", answer=answer, question=question,
                           **_frame(question.questionnaire))


@bp.route("/<int:process_id>/questionnaire/questions/<int:question_id>/textes-pour-la-synthese")
@requires(Action.QUESTIONNAIRE_TEXTS_READ, load=_all_texts)
def synthesis_texts(questionnaire, question):
    order = _order()
    page = results.text_page(question, order=order, published_only=False, **page_args())
    return render_template("questionnaires/results_synthesis_texts.html", question=question, page=page, order=order,
                           **_frame(questionnaire))


@bp.route("/<int:process_id>/questionnaire/synthese")
@requires(Action.QUESTIONNAIRE_RESULTS, load=_questionnaire, refused=_back_to_process)
def synthesis_page(questionnaire):
    if questionnaire.synthesis_published_at is None:
        abort(404)
    return render_template("questionnaires/results_synthesis_page.html", **_frame(questionnaire))


@bp.route("/<int:process_id>/questionnaire/synthese/rediger", methods=["GET", "POST"])
@requires(Action.QUESTIONNAIRE_SYNTHESIS, load=_questionnaire, refused=_back_to_process)
def synthesis(questionnaire):
    form = SynthesisForm(data=None if request.method == "POST" else {"synthesis": questionnaire.synthesis})
    if form.validate_on_submit():
        publish = bool(form.publish.data) or questionnaire.synthesis_published_at is not None
        try:
            results.save_synthesis(questionnaire, current_user, form.synthesis.data, publish)
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_l("The synthesis is published.") if publish else _l("The synthesis is saved, not published."),
                  "success")
            target = "results_page" if publish else "synthesis"
            return redirect(url_for(f"questionnaire_results.{target}", process_id=questionnaire.process_id))
    text_questions = [q for q in questionnaire.questions if q.kind in TEXT_KINDS]
    return render_template("questionnaires/results_synthesis.html", form=form, text_questions=text_questions,
                           **_frame(questionnaire))
