"""When an agent posts a form for a resident whose session has ended: nothing is lost.

The form's token (counters.sessions) names the session it was filled in. If that session has
ended (idle too long, ended in another tab, the agent taken off the counter), the page says so,
shows again what the form held, and asks how the resident's identity was checked and their
consent: sent, the same request reopens a session for that resident at that counter and does
what the form asked. A form from an earlier session posted while another resident's session is
open is refused the same way, without the offer: it was meant for someone else.
"""
from flask import current_app, flash, g, render_template, request
from flask_babel import lazy_gettext as _l, ngettext
from flask_login import current_user

from .. import access
from ..domain import DomainError, attach_error
from ..registry import Registry
from ..transaction import commit_bookkeeping
from . import residents, sessions
from .forms import OpenSessionForm
from .models import IdentityCheck, SessionEnd

REOPEN_PREFIX = "reopen-"

_forms = Registry("form shown again after a session ended, of the endpoint")


def register_lapsed_form(endpoint, make_form):
    """``make_form(formdata)``: the form of ``endpoint`` filled with what was posted, without its CSRF field
    (the page gets a new token), so that the page shows its fields with their labels."""
    _forms.add(endpoint, make_form)


def typed_in():
    """Whether the form posted now is one the agent types in for the resident (registered above): only its
    token keeps an idle session open. A one-click form (a support, a confirmation) takes no dictation, and its
    token would let anyone at the desk revive an abandoned session for an hour."""
    return request.endpoint in _forms


def enters_for_resident():
    """Whether the view asked is one an agent does for the resident (an ``assistable`` action)."""
    rule = access.rules().get(getattr(current_app.view_functions.get(request.endpoint), "civic_access", None))
    return rule is not None and rule.assistable  # public views have no rule


def reopen_or_show(form_session):
    """No session is open: reopen the one of the form posted, when the page below was sent filled in, or
    show that page; None when the request was no such form."""
    if form_session is None:
        return None
    if REOPEN_PREFIX + "resident" in request.form:
        return _reopen(form_session)
    return show(form_session)


def show_or_flash(form_session, ended):
    """``ended`` has just ended: the page below for a form of a session, or say it on the next page."""
    if form_session is not None:
        return show(form_session)
    g.civic_session_end_told = True
    if ended.end_reason is SessionEnd.WITHDRAWN:
        flash(_l("The assisted session ended: you no longer work at this counter. You are back on your own "
                 "account."), "info")
    else:
        flash(ngettext("The assisted session ended after %(num)d minute without activity. You are back on your own "
                       "account.",
                       "The assisted session ended after %(num)d minutes without activity. You are back on your own "
                       "account.", sessions.idle_minutes()), "info")
    return None


def end_told():
    """Whether this request has already said that the agent's session ended (one notice, not two)."""
    return g.get("civic_session_end_told", False)


def _reopen_form():
    return OpenSessionForm(request.form, prefix=REOPEN_PREFIX, meta={"csrf": False})


def _reopen(ended):
    form = _reopen_form()
    resident = residents.resident_from_ticket(current_user, form.resident.data)
    if resident is None or resident.id != ended.resident_id:
        # A page kept too long (its ticket expired): the same page again, with a fresh one.
        form.form_errors.append(_l("Check the resident's identity and their consent again."))
        return show(ended, form=form)
    if not form.validate():
        return show(ended, form=form)
    try:
        session = sessions.open_session(current_user, ended.counter, resident,
                                        identity_check=IdentityCheck(form.identity_check.data),
                                        consent=form.consent.data)
    except DomainError as error:
        attach_error(form, error)
        return show(ended, form=form)
    # Opened whatever the view then answers: a refused form is shown again inside the new session.
    commit_bookkeeping()
    g.assisted_session = session
    return None


def _reason(ended):
    name = ended.resident.full_name or ended.resident.display_name
    if ended.end_reason is SessionEnd.TIMEOUT:
        return ngettext("The assisted session for %(name)s ended after %(num)d minute without activity.",
                        "The assisted session for %(name)s ended after %(num)d minutes without activity.",
                        sessions.idle_minutes(), name=name)
    if ended.end_reason is SessionEnd.WITHDRAWN:
        return _l("The assisted session for %(name)s ended: you no longer work at this counter.", name=name)
    return _l("The assisted session for %(name)s has ended.", name=name)


def show(ended, *, current=None, form=None):
    """The page that keeps what the form held: ``ended`` is the session it was filled in; ``current`` another
    session open now (no reopening then)."""
    make_form = _forms.get(request.endpoint)
    typed = make_form(request.form) if make_form is not None else None
    own = {f.name for f in typed} if typed is not None else set()
    carried = [(name, value) for name, value in request.form.items(multi=True)
               if name not in own and name != "csrf_token" and not name.startswith(REOPEN_PREFIX)]
    # The identity was checked the same way a moment ago: that way is chosen, the agent confirms it (and asks
    # for consent again, never pre-ticked).
    reopen = form or OpenSessionForm(formdata=None, prefix=REOPEN_PREFIX, meta={"csrf": False},
                                     identity_check=ended.identity_check.value)
    return render_template("counters/lapsed.html", ended=ended, current=current, reason=_reason(ended),
                           typed=typed, carried=carried, reopen=reopen, action=request.full_path.rstrip("?"),
                           ticket=residents.resident_ticket(current_user, ended.resident))
