from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, TextAreaField
from wtforms.validators import NumberRange, Optional

from .. import labels
from ..forms import max_length, required, strip
from .models import DECISIONS, ModerationKind, ModerationMode, ReportReason


class ReportForm(FlaskForm):
    reason = RadioField(_l("What is the problem?"), choices=labels.choices(ReportReason, variant="choice"),
                        validators=[required(_l("Choose the problem."))])
    text = TextAreaField(_l("Details (required for “Other”)"), filters=[strip], validators=[Optional(), max_length(1000)])


class DecisionForm(FlaskForm):
    # Not "action": a field of that name would hide the form's own action property in the DOM.
    decision = RadioField(_l("Decision"), choices=labels.choices(ModerationKind, DECISIONS, variant="verb"),
                          validators=[required(_l("Choose a decision."))])
    reason = TextAreaField(_l("Public reason (shown in place of the content and in the journal)"), filters=[strip],
                           validators=[Optional(), max_length(1000)])
    message = TextAreaField(_l("Message to the author (for a change request)"), filters=[strip],
                            validators=[Optional(), max_length(2000)])
    merge_into = IntegerField(_l("Number of the proposal to merge into"), validators=[
        Optional(), NumberRange(min=1, max=2_000_000_000, message=_l("Give a proposal number."))])


class SettingsForm(FlaskForm):
    mode = RadioField(_l("New proposals, by default"), choices=labels.choices(ModerationMode),
                      validators=[required(_l("Choose how proposals are moderated."))])
    report_threshold = IntegerField(
        _l("Reports from different residents that hide content until a moderator decides"),
        validators=[required(_l("Give a number of reports.")),
                    NumberRange(min=1, max=100, message=_l("Choose a number of reports between 1 and 100."))])
