"""The agent's desk, assisted sessions and receipts; the public follow-up page; attaching counter
contributions; and for admins, the counters, the audit log and the statistics."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l, ngettext
from flask_login import current_user

from .. import limits
from ..access import Action, public, requires
from ..accounts.forms import REMOVE_CONTRIBUTIONS
from ..accounts.services import all_districts
from ..domain import DomainError, attach_error, flash_refusal
from ..extensions import db
from ..i18n import current_language
from ..proposals.forms import ProposalForm
from ..routing import int_arg
from ..site_map import ACCOUNT, PARTICIPATION, in_site_map
from ..themes.services import active_themes
from ..timezones import paris_day_bounds
from . import opendata  # noqa: F401 - registers the counters and their statistics datasets
from . import personal_data  # noqa: F401 - registers the package's part of "my data"
from . import retention  # noqa: F401 - registers how long its records are kept
from . import rules  # noqa: F401 - registers the package's access rules
from . import administration, assignments, audit, erasure, lapse, receipts, residents, sessions
from .acting import assisted_session
from . import attach as attaching
from .forms import (AttachConfirmForm, AttachForm, AuditFilterForm, CounterChoiceForm, CounterForm, EraseResidentForm,
                    FollowUpForm, OpenSessionForm, RegisterResidentForm, ResidentSearchForm)
from .models import AssistedAction, AssistedActionKind, Counter, IdentityCheck, ReceiptLayout, SessionEnd
from .sessions import end_session as end_assisted_session
from .sessions import idle_minutes, open_session as open_assisted_session, open_votes
from .statistics import weekly_statistics

bp = Blueprint("counters", __name__)


def _current_counter():
    """The counter the agent chose for today, if they are still assigned to it."""
    counter = db.session.get(Counter, session.get("counter_id") or 0)
    if counter is None or not assignments.is_assigned(current_user, counter):
        counters = assignments.agent_counters(current_user)
        counter = counters[0] if len(counters) == 1 else None
        session["counter_id"] = counter.id if counter else None
    return counter


def _counter_form(counter):
    form = CounterChoiceForm(formdata=None, counter=counter.id if counter else None)
    form.set_counters(assignments.agent_counters(current_user))
    return form


def _open_form():
    return OpenSessionForm(formdata=None)


def _ticket(resident):
    return residents.resident_ticket(current_user, resident)


_SEARCH_FIELDS = ("name", "birth_date", "contact")


def _counter_key():
    """The counter a search counts against (the limiter asks before the view has run); an agent who
    has not chosen one yet counts on their own."""
    counter = _current_counter() if current_user.is_authenticated else None
    return f"counter:{counter.id}" if counter else f"agent-without-counter:{current_user.get_id()}"


def _searches_limited(exempt_when):
    """Searches for residents (the desk, and the likely duplicates a registration lists) are limited
    per agent and per counter; ``exempt_when()`` says when a request is no search."""
    per_counter = limits.per_key("DESK_SEARCH_LIMIT_PER_COUNTER", _counter_key, exempt_when=exempt_when)
    per_agent = limits.per_key("DESK_SEARCH_LIMIT_PER_AGENT", lambda: f"agent:{current_user.get_id()}",
                               exempt_when=exempt_when)
    return lambda view: per_agent(per_counter(view))


def _not_a_search():
    return not any(request.args.get(k) for k in _SEARCH_FIELDS)


@bp.route("/desk")
@_searches_limited(exempt_when=_not_a_search)
@requires(Action.COUNTER_DESK)
def desk():
    if assisted_session() is not None:
        return redirect(url_for("counters.session_home"))
    counter = _current_counter()
    search = ResidentSearchForm(request.args)
    searched = not _not_a_search()
    results = []
    if searched and search.validate():
        results = residents.find_residents(**search.criteria())
    return render_template("counters/desk.html", counter=counter, counter_form=_counter_form(counter),
                           search=search, searched=searched, results=results, open_form=_open_form(),
                           ticket=_ticket)


@bp.route("/desk/counter", methods=["POST"])
@requires(Action.COUNTER_DESK)
def choose_counter():
    form = CounterChoiceForm()
    form.set_counters(assignments.agent_counters(current_user))
    counter = db.session.get(Counter, form.counter.data or 0) if form.validate_on_submit() else None
    if form.counter.data is None:
        flash(assignments.NO_COUNTER, "error")
    elif counter is None or not assignments.is_assigned(current_user, counter):
        flash(assignments.NOT_ASSIGNED, "error")
    elif assisted_session() is not None:
        flash(_l("End the assisted session before changing counter."), "error")
    else:
        # No notice: the desk's first line says where the agent works, and would say it twice.
        session["counter_id"] = counter.id
    return redirect(url_for("counters.desk"))


def _begin(resident, form):
    """Open the session and go to its page; the DomainError is the caller's to show."""
    open_assisted_session(current_user, _current_counter(), resident,
                          identity_check=IdentityCheck(form.identity_check.data), consent=form.consent.data)
    return redirect(url_for("counters.session_home"))


@bp.route("/desk/sessions", methods=["POST"])
@requires(Action.COUNTER_DESK)
def open_session():
    form = OpenSessionForm()
    resident = residents.resident_from_ticket(current_user, form.resident.data)
    if resident is None:
        # Nobody is named: the page would otherwise tell whose number was sent.
        flash(_l("Search for the resident again: choose them in the list of the desk."), "error")
        return redirect(url_for("counters.desk"))
    if form.validate_on_submit():
        try:
            return _begin(resident, form)
        except DomainError as error:
            attach_error(form, error)
    return render_template("counters/open_session.html", form=form, resident=resident, counter=_current_counter(),
                           ticket=_ticket)


@bp.route("/desk/residents/new", methods=["GET", "POST"])
@_searches_limited(exempt_when=lambda: request.method != "POST")
@requires(Action.COUNTER_DESK)
def register_resident():
    counter = _current_counter()
    form = RegisterResidentForm()
    form.set_districts(all_districts())
    duplicates, open_form = [], _open_form()
    if form.validate_on_submit():
        try:
            resident = residents.register_resident(
                current_user, counter, full_name=form.full_name.data, birth_date=form.birth_date.day,
                district_id=form.district.data, phone=form.phone.data or "", confirmed_new=form.confirm_new.data)
            return _begin(resident, form)
        except DomainError as error:
            attach_error(form, error)
            if error.field == "confirm_new":
                duplicates = residents.likely_duplicates(form.full_name.data, form.birth_date.day)
                # The agent has just asked them: opening a listed resident's session takes one click.
                open_form = OpenSessionForm(formdata=None, identity_check=form.identity_check.data,
                                            consent=form.consent.data)
    return render_template("counters/register.html", form=form, counter=counter, duplicates=duplicates,
                           open_form=open_form, ticket=_ticket)


@bp.route("/desk/session")
@requires(Action.COUNTER_DESK)
def session_home():
    current = assisted_session()
    if current is None:
        if not lapse.end_told():
            flash(_l("No assisted session is open."), "info")
        return redirect(url_for("counters.desk"))
    proposal_form = ProposalForm(formdata=None)
    proposal_form.set_themes(active_themes(), current_language())
    receipts_ = db.session.execute(
        db.select(AssistedAction).where(AssistedAction.session_id == current.id,
                                        AssistedAction.follow_up_code.is_not(None))
        .order_by(AssistedAction.id)).scalars().all()
    return render_template("counters/session.html", current=current, proposal_form=proposal_form,
                           open_votes=open_votes(current.resident),
                           receipts=receipts_, idle_minutes=idle_minutes(),
                           form_minutes=current_app.config["ASSISTED_SESSION_FORM_MINUTES"])


@bp.route("/desk/session/end", methods=["POST"])
@requires(Action.COUNTER_DESK)
def end_session():
    current = assisted_session()
    if current is not None:
        end_assisted_session(current, SessionEnd.BUTTON)
        flash(_l("The session is ended. You are back on your own account."), "success")
    return redirect(url_for("counters.desk"))


@bp.route("/desk/session/erase", methods=["GET", "POST"])
@requires(Action.COUNTER_DESK)
def erase_resident():
    """What goes and what stays, said to the resident; their request; then the receipt."""
    current = assisted_session()
    if current is None:
        flash(_l("No assisted session is open."), "info")
        return redirect(url_for("counters.desk"))
    form = EraseResidentForm()
    refused = erasure.erasure_refusal(current)
    if refused is None and form.validate_on_submit():
        # A form left open from an earlier session names someone else: it erases nobody.
        if sessions.form_token_session(current_user, request.form.get(sessions.FORM_TOKEN_FIELD))[0] is not current:
            flash(_l("This form was filled in during another session: nothing was deleted."), "error")
            return redirect(url_for("counters.session_home"))
        try:
            action = erasure.erase_resident(current, asked=form.asked.data,
                                            remove_contributions=form.contributions.data == REMOVE_CONTRIBUTIONS)
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_l("The account is deleted and the session ended. Print the receipt for the resident."), "success")
            return redirect(url_for("counters.receipt", assisted_action_id=action.id))
    return render_template("counters/erase.html", form=form, current=current, refused=refused)


@bp.route("/desk/receipts/<int:assisted_action_id>")
@requires(Action.RECEIPT_READ, load=AssistedAction)
def receipt(assisted_action):
    layouts = {layout.value: layout for layout in ReceiptLayout}
    layout = layouts.get(request.args.get("layout")) or (
        assisted_action.counter.receipt_layout if assisted_action.counter else ReceiptLayout.A4)
    return render_template("counters/receipt.html", action=assisted_action, layout=layout,
                           about=receipts.summary(assisted_action),
                           tracking_code=receipts.ballot_code(assisted_action), follow_line=receipts.follow_line,
                           current=assisted_session())


def _no_code_asked():
    return not (request.args.get("code") or (request.view_args or {}).get("code"))


# Receipts print the short address, the same in every language (a French resident types no "/follow-up").
@bp.route("/c/<code>", endpoint="follow_up_code")
@bp.route("/follow-up")
@limits.per_ip("SECRET_LIMIT_PER_IP", exempt_when=_no_code_asked)
@public
@in_site_map(_l("Follow a contribution made at a counter"), PARTICIPATION + 41)
def follow_up(code=None):
    form = FollowUpForm(request.args)
    if code is not None:
        form.code.data = code
    status = other = None
    if form.code.data:
        status = receipts.follow_up(form.code.data)
        other = receipts.other_code(form.code.data) if status is None else None
        if status is None and other is None:
            form.code.errors = [*form.code.errors, _l("No contribution has this code. Check the code on your receipt.")]
    return render_template("counters/follow_up.html", form=form, status=status, other=other)


@bp.route("/counters")
@public
@in_site_map(_l("Mediation counters"), PARTICIPATION + 40)
def public_counters():
    page = assignments.open_counters_page(page=int_arg("page", 1), after=request.args.get("after"),
                                          before=request.args.get("before"))
    return render_template("counters/public.html", page=page)


@bp.route("/account/attach", methods=["GET", "POST"])
@limits.per_ip("SECRET_LIMIT_PER_IP", methods=["POST"])
@limits.per_key("ATTACH_LIMIT_PER_ACCOUNT", lambda: f"account:{current_user.get_id()}", methods=["POST"])
@requires(Action.ATTACH_CONTRIBUTIONS)
@in_site_map(_l("Attach contributions made at a counter"), ACCOUNT + 30)
def attach():
    """The code and birth date, then whose record they name and what it holds: nothing is attached yet."""
    form = AttachForm()
    if form.validate_on_submit():
        try:
            preview = attaching.preview_attachment(current_user, form.code.data, form.birth_date.day)
        except DomainError as error:
            attach_error(form, error)
        else:
            confirm = AttachConfirmForm(formdata=None, ticket=attaching.attachment_ticket(
                current_user, form.code.data, form.birth_date.day))
            return render_template("counters/attach_confirm.html", form=confirm, preview=preview,
                                   cap=attaching.COUNT_CAP)
    return render_template("counters/attach.html", form=form)


# Not limited as the form is: the ticket is signed for this account, there is nothing to guess here.
@bp.route("/account/attach/confirm", methods=["POST"])
@requires(Action.ATTACH_CONTRIBUTIONS)
def attach_confirm():
    form = AttachConfirmForm()
    typed = attaching.from_ticket(current_user, form.ticket.data) if form.validate_on_submit() else None
    if typed is None:
        flash(_l("This confirmation is too old: enter the code and your birth date again."), "error")
        return redirect(url_for("counters.attach"))
    try:
        conflicts = attaching.attach_contributions(current_user, *typed)
    except DomainError as error:  # attached meanwhile, from another tab
        flash_refusal(error)
        return redirect(url_for("counters.attach"))
    flash(_l("What was entered for you at the counter is now attached to your account."), "success")
    if conflicts:
        flash(ngettext("You had also voted online in %(num)d of the same votes: both ballots had been counted.",
                       "You had also voted online in %(num)d of the same votes: both ballots had been "
                       "counted.", conflicts), "info")
    return redirect(url_for("accounts.my_data"))


# --- Administration: counters, the audit log, statistics ---------------------------------------

def _counter_editor(counter):
    """The counter form and, once saved, the redirect to send."""
    form = CounterForm(obj=counter)
    form.agents.choices = [(a.id, a.display_name) for a in assignments.counter_agents()]
    if request.method == "GET":
        form.agents.data = [a.id for a in counter.agents] if counter else []
        if counter is not None:
            form.receipt_layout.data = counter.receipt_layout.value
    if form.validate_on_submit():
        try:
            administration.save_counter(counter, name=form.name.data, address=form.address.data or "",
                                        opening_hours=form.opening_hours.data or "",
                                        receipt_layout=ReceiptLayout(form.receipt_layout.data),
                                        active=form.active.data, agent_ids=form.agents.data or [], by=current_user)
        except DomainError as error:
            attach_error(form, error)
        else:
            flash(_l("The counter is saved."), "success")
            return form, redirect(url_for("counters.counters"))
    return form, None


@bp.route("/admin/counters", methods=["GET", "POST"])
@requires(Action.COUNTER_MANAGE)
def counters():
    form, saved = _counter_editor(None)
    return saved or render_template("counters/admin_counters.html", form=form,
                                    counters=assignments.all_counters(with_agents=True))


@bp.route("/admin/counters/<int:counter_id>", methods=["GET", "POST"])
@requires(Action.COUNTER_MANAGE, load=Counter)
def edit_counter(counter):
    form, saved = _counter_editor(counter)
    return saved or render_template("counters/admin_counter_edit.html", form=form, counter=counter)


@bp.route("/admin/audit")
@requires(Action.AUDIT_READ)
def audit_log():
    form = AuditFilterForm(request.args)
    form.counter.choices = [("", _l("All"))] + [(c.id, c.name) for c in assignments.all_counters()]
    form.agent.choices = [("", _l("All"))] + [(a.id, a.display_name) for a in assignments.counter_agents()]
    filters = {}
    if form.validate():
        since, until = paris_day_bounds(form.since.day, form.until.day)
        filters = {"counter_id": form.counter.data, "agent_id": form.agent.data,
                   "kind": AssistedActionKind(form.kind.data) if form.kind.data else None,
                   "since": since, "until": until}
    page = audit.audit_entries(**filters, page=int_arg("page", 1), after=request.args.get("after"),
                               before=request.args.get("before"))
    return render_template("counters/audit.html", form=form, page=page)


@bp.route("/admin/counters/statistics")
@requires(Action.COUNTER_STATS)
def statistics():
    page = weekly_statistics(page=int_arg("page", 1), after=request.args.get("after"),
                             before=request.args.get("before"))
    return render_template("counters/statistics.html", page=page)
