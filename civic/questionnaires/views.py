from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from ..access import Action, can, requires
from ..counters.acting import actor, assisted_session, receipt_redirect, record_if_assisted
from ..counters.models import AssistedActionKind
from ..domain import DomainError, attach_error, flash_refusal
from ..extensions import db
from ..processes.models import Process
from ..processes.phases import current_phase, steps, today
from ..transaction import refuse
from . import registrations  # noqa: F401 - the questionnaire's part of process pages, receipts, "my data"
from . import rules  # noqa: F401 - registers the package's access rules
from . import services
from .forms import QuestionForm, QuestionnaireForm
from .models import Question, Questionnaire

bp = Blueprint("questionnaires", __name__)

RESIDENT_ALREADY_ANSWERED = _l("This resident has already answered this questionnaire, online or at a counter: one "
                               "answer per resident.")


def _frame(questionnaire):
    process = questionnaire.process
    return {"questionnaire": questionnaire, "process": process, "steps": steps(process),
            "current": current_phase(process)}


def _to_process(thing, message):
    """Refused because of the phase or the process: say why on the process's page."""
    flash_refusal(DomainError(message))
    process_id = thing.process_id if isinstance(thing, Questionnaire) else thing.id
    return redirect(url_for("processes.detail", process_id=process_id))


def _to_setup(questionnaire, message):
    """Back to the setup page, or to the process's once the setup is closed too (the phase is over)."""
    if not can(current_user, Action.QUESTIONNAIRE_MANAGE, questionnaire):
        return _to_process(questionnaire, message)
    flash_refusal(DomainError(message))
    return redirect(url_for("questionnaires.setup", questionnaire_id=questionnaire.id))


def _question(kwargs):
    """The question of the URL, within the questionnaire of the URL, or 404; the rule applies to the
    questionnaire."""
    question = db.session.get(Question, kwargs.pop("question_id"))
    if question is None or question.questionnaire_id != kwargs.pop("questionnaire_id"):
        abort(404)
    kwargs["question"] = question
    return question.questionnaire


@bp.route("/questionnaires/<int:questionnaire_id>")
@requires(Action.QUESTIONNAIRE_VIEW, load=Questionnaire)
def detail(questionnaire):
    """A questionnaire is shown on its process's page: what names it by its number lands there."""
    return redirect(url_for("processes.detail", process_id=questionnaire.process_id, _anchor="questionnaire"))


# --- Setting up ------------------------------------------------------------------------------------------------

@bp.route("/<int:process_id>/questionnaire/new", methods=["GET", "POST"])
@requires(Action.QUESTIONNAIRE_MANAGE, load=Process, refused=_to_process)
def new(process):
    existing = services.questionnaire_of(process)
    if existing is not None:
        return redirect(url_for("questionnaires.setup", questionnaire_id=existing.id))
    form = QuestionnaireForm()
    if form.validate_on_submit():
        try:
            questionnaire = services.create_questionnaire(process, current_user, introduction=form.introduction.data,
                                                          free_text_use=form.chosen_use())
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_l("The questionnaire is created: add its questions."), "success")
            return redirect(url_for("questionnaires.setup", questionnaire_id=questionnaire.id))
    return render_template("questionnaires/form.html", form=form, process=process, questionnaire=None,
                           steps=steps(process), current=current_phase(process))


@bp.route("/questionnaires/<int:questionnaire_id>/edit", methods=["GET", "POST"])
@requires(Action.QUESTIONNAIRE_MANAGE, load=Questionnaire, refused=_to_process)
def edit(questionnaire):
    form = QuestionnaireForm(data=None if request.method == "POST" else {
        "introduction": questionnaire.introduction, "free_text_use": questionnaire.free_text_use.value})
    if form.validate_on_submit():
        try:
            services.update_questionnaire(questionnaire, current_user, introduction=form.introduction.data,
                                          free_text_use=form.chosen_use())
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_l("The questionnaire is saved."), "success")
            return redirect(url_for("questionnaires.setup", questionnaire_id=questionnaire.id))
    return render_template("questionnaires/form.html", form=form, answered=services.is_answered(questionnaire),
                           **_frame(questionnaire))


@bp.route("/questionnaires/<int:questionnaire_id>/setup")
@requires(Action.QUESTIONNAIRE_MANAGE, load=Questionnaire, refused=_to_process)
def setup(questionnaire):
    questionnaire = services.questionnaire_of(questionnaire.process)  # with its questions and their choices
    return render_template("questionnaires/setup.html", answered=services.is_answered(questionnaire),
                           opens_empty=services.opens_empty(questionnaire, today()),
                           warning_days=services.EMPTY_WARNING_DAYS, **_frame(questionnaire))


@bp.route("/questionnaires/<int:questionnaire_id>/preview")
@requires(Action.QUESTIONNAIRE_MANAGE, load=Questionnaire, refused=_to_process)
def preview(questionnaire):
    """The form as residents will see it, without a way to send it: officials read it before the phase opens."""
    return _answer_page(questionnaire, preview=True)


def _question_form(questionnaire, question=None):
    values = None
    if question is not None and request.method == "GET":
        values = {"kind": question.kind.value, "text": question.text, "hint": question.hint,
                  "required": question.required, "choices": "\n".join(choice.label for choice in question.choices)}
    form = QuestionForm(data=values)
    if form.validate_on_submit():
        try:
            services.save_question(questionnaire, question, current_user, kind=form.chosen_kind(),
                                   text=form.text.data, hint=form.hint.data or "", required=form.required.data,
                                   choices=form.choice_labels())
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_l("The question is saved."), "success")
            return redirect(url_for("questionnaires.setup", questionnaire_id=questionnaire.id))
    return render_template("questionnaires/question.html", form=form, question=question, **_frame(questionnaire))


@bp.route("/questionnaires/<int:questionnaire_id>/questions/new", methods=["GET", "POST"])
@requires(Action.QUESTIONNAIRE_QUESTIONS, load=Questionnaire, refused=_to_setup)
def add_question(questionnaire):
    return _question_form(questionnaire)


@bp.route("/questionnaires/<int:questionnaire_id>/questions/<int:question_id>/edit", methods=["GET", "POST"])
@requires(Action.QUESTIONNAIRE_QUESTIONS, load=_question, refused=_to_setup)
def edit_question(question):
    return _question_form(question.questionnaire, question)


@bp.route("/questionnaires/<int:questionnaire_id>/questions/<int:question_id>/remove", methods=["GET", "POST"])
@requires(Action.QUESTIONNAIRE_QUESTIONS, load=_question, refused=_to_setup)
def remove_question(question):
    """Asked first (a page with its button, no script): a question removed is gone with its options."""
    if request.method == "GET":
        return render_template("questionnaires/remove_question.html", question=question,
                               **_frame(question.questionnaire))
    questionnaire_id = question.questionnaire_id
    try:
        services.remove_question(question, current_user)
    except DomainError as error:
        flash_refusal(error)
    else:
        flash(_l("The question is removed."), "success")
    return redirect(url_for("questionnaires.setup", questionnaire_id=questionnaire_id))


@bp.route("/questionnaires/<int:questionnaire_id>/questions/<int:question_id>/move", methods=["POST"])
@requires(Action.QUESTIONNAIRE_QUESTIONS, load=_question, refused=_to_setup)
def move_question(question):
    direction = request.form.get("direction")
    if direction not in (services.UP, services.DOWN):
        abort(400)
    try:
        services.move_question(question, current_user, direction)
    except DomainError as error:
        flash_refusal(error)
    return redirect(url_for("questionnaires.setup", questionnaire_id=question.questionnaire_id,
                            _anchor=f"question-{question.id}"))


# --- Answering -------------------------------------------------------------------------------------------------

def _already_answered(questionnaire):
    """Refused a second answer: online, to what they answered; at a counter, back to the process (the agent does
    not read what the resident answered)."""
    if assisted_session() is not None:
        return _to_process(questionnaire, RESIDENT_ALREADY_ANSWERED)
    flash_refusal(DomainError(services.ALREADY_ANSWERED))
    return redirect(url_for("questionnaires.answered", questionnaire_id=questionnaire.id))


def _answer_page(questionnaire, typed=None, status=200, preview=False):
    typed = typed or services.Typed()
    questionnaire = services.questionnaire_of(questionnaire.process)  # with its questions and their choices
    return render_template("questionnaires/answer.html", typed=typed, errors=typed.errors, preview=preview,
                           has_errors=bool(typed.errors), field_name=services.field_name,
                           **_frame(questionnaire)), status


@bp.route("/questionnaires/<int:questionnaire_id>/answer", methods=["GET", "POST"])
@requires(Action.QUESTIONNAIRE_ANSWER, load=Questionnaire, refused=_to_process)
def answer(questionnaire):
    respondent = actor()
    if request.method == "GET":
        if services.response_of(respondent, questionnaire) is not None:
            return _already_answered(questionnaire)
        return _answer_page(questionnaire)
    try:
        typed, response = services.answer_questionnaire(questionnaire, respondent, MultiDict(request.form))
    except DomainError as error:
        if error.message is services.ALREADY_ANSWERED:
            return _already_answered(questionnaire)
        return _to_process(questionnaire, error.message)
    if response is None:
        refuse()
        return _answer_page(questionnaire, typed)
    receipt = record_if_assisted(AssistedActionKind.QUESTIONNAIRE_ANSWERED, entered=response, about=questionnaire)
    if receipt:
        return receipt_redirect(receipt)
    flash(_l("Thank you: your answers are recorded."), "success")
    return redirect(url_for("questionnaires.answered", questionnaire_id=questionnaire.id))


@bp.route("/questionnaires/<int:questionnaire_id>/my-answers")
@requires(Action.QUESTIONNAIRE_OWN_ANSWERS, load=Questionnaire)
def answered(questionnaire):
    response = services.response_of(current_user, questionnaire)
    if response is None:
        flash(_l("You have not answered this questionnaire."), "info")
        return redirect(url_for("processes.detail", process_id=questionnaire.process_id, _anchor="questionnaire"))
    questionnaire = services.questionnaire_of(questionnaire.process)
    return render_template("questionnaires/answered.html", response=response,
                           answers=services.answers_by_question(response), **_frame(questionnaire))
