from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..access import Action, not_found, requires
from ..domain import DomainError, attach_error
from ..proposals.models import Proposal
from . import opendata  # noqa: F401 - registers the official answers dataset
from . import rules  # noqa: F401 - registers the package's access rules
from . import services
from .forms import AnswerForm
from .models import AnswerStatus

bp = Blueprint("answers", __name__)


@bp.route("/proposals/<int:proposal_id>/answer", methods=["GET", "POST"])
@requires(Action.ANSWER, load=Proposal, refused=not_found)
def answer(proposal):
    current = services.answer_of(proposal)
    form = AnswerForm(status=current.status.value if current else None, text=current.text if current else None)
    if form.validate_on_submit():
        status, earlier = AnswerStatus(form.status.data), current.status if current else None
        try:
            changed = services.answer(current_user, proposal, status, form.text.data)
        except DomainError as error:
            attach_error(form, error)
        else:
            if changed is None:
                flash(_l("The answer already said this: nothing is changed."), "info")
            elif status is earlier:
                flash(_l("The answer is changed; the earlier version is shown under it. Its status is the same: "
                         "nobody is e-mailed again."), "success")
            else:
                flash(_l("The answer is published; the author, the supporters and the followers are told by "
                         "e-mail."), "success")
            return redirect(url_for("proposals.detail", proposal_id=proposal.id, _anchor="answer"))
    return render_template("answers/form.html", form=form, proposal=proposal, current=current)
