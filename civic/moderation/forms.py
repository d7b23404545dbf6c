from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectChoice, TextAreaField
from wtforms.validators import NumberRange, Optional

from ..forms import max_length, required, strip
from .models import ModerationKind, ModerationMode, ReportReason

REASON_LABELS = {
    ReportReason.INSULT.value: _l("Insult or harassment"),
    ReportReason.PERSONAL_DATA.value: _l("Personal data about someone"),
    ReportReason.SPAM.value: _l("Spam or advertising"),
    ReportReason.OFF_TOPIC.value: _l("Off topic"),
    ReportReason.OTHER.value: _l("Other (say what)"),
}
KIND_LABELS = {
    ModerationKind.PUBLISH.value: _l("Published"),
    ModerationKind.REQUEST_CHANGES.value: _l("Sent back to its author for a change"),
    ModerationKind.REJECT.value: _l("Rejected"),
    ModerationKind.HIDE.value: _l("Hidden"),
    ModerationKind.RESTORE.value: _l("Restored"),
    ModerationKind.MERGE.value: _l("Merged into another proposal"),
    ModerationKind.HELD_BY_REPORTS.value: _l("Hidden after reports, until a moderator decides"),
}
ACTION_LABELS = {
    ModerationKind.PUBLISH.value: _l("Publish"),
    ModerationKind.REQUEST_CHANGES.value: _l("Ask the author for a change"),
    ModerationKind.REJECT.value: _l("Reject"),
    ModerationKind.HIDE.value: _l("Hide"),
    ModerationKind.RESTORE.value: _l("Restore (keep it published)"),
    ModerationKind.MERGE.value: _l("Merge into another proposal"),
}
MODE_LABELS = {
    ModerationMode.POST.value: _l("Published at once, moderated afterwards"),
    ModerationMode.PRE.value: _l("Held until a moderator publishes it"),
}


class ReportForm(FlaskForm):
    reason = RadioField(_l("What is the problem?"), choices=[SelectChoice(k, v) for k, v in REASON_LABELS.items()],
                        validators=[required(_l("Choose the problem."))])
    text = TextAreaField(_l("Details (required for “Other”)"), filters=[strip], validators=[Optional(), max_length(1000)])


class DecisionForm(FlaskForm):
    # Not "action": a field of that name would hide the form's own action property in the DOM.
    decision = RadioField(_l("Decision"), choices=[SelectChoice(k, v) for k, v in ACTION_LABELS.items()],
                        validators=[required(_l("Choose a decision."))])
    reason = TextAreaField(_l("Public reason (shown in place of the content and in the journal)"), filters=[strip],
                           validators=[Optional(), max_length(1000)])
    message = TextAreaField(_l("Message to the author (for a change request)"), filters=[strip],
                            validators=[Optional(), max_length(2000)])
    merge_into = IntegerField(_l("Number of the proposal to merge into"), validators=[
        Optional(), NumberRange(min=1, max=2_000_000_000, message=_l("Give a proposal number."))])


class SettingsForm(FlaskForm):
    mode = RadioField(_l("New proposals, by default"), choices=[SelectChoice(k, v) for k, v in MODE_LABELS.items()],
                      validators=[required(_l("Choose how proposals are moderated."))])
    report_threshold = IntegerField(
        _l("Reports from different residents that hide content until a moderator decides"),
        validators=[required(_l("Give a number of reports.")),
                    NumberRange(min=1, max=100, message=_l("Choose a number of reports between 1 and 100."))])
