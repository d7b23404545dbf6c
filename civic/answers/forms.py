from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, TextAreaField

from ..forms import max_length, required, strip
from .models import AnswerStatus

STATUS_LABELS = {
    AnswerStatus.UNDER_STUDY.value: _l("Under study"),
    AnswerStatus.ACCEPTED.value: _l("Accepted"),
    AnswerStatus.ACCEPTED_WITH_CHANGES.value: _l("Accepted with changes"),
    AnswerStatus.REJECTED.value: _l("Not retained"),
    AnswerStatus.DONE.value: _l("Done"),
}


class AnswerForm(FlaskForm):
    status = RadioField(_l("Status"), choices=[SelectChoice(k, v) for k, v in STATUS_LABELS.items()],
                        validators=[required(_l("Choose the status of the proposal."))])
    text = TextAreaField(_l("The answer"), filters=[strip],
                         validators=[required(_l("Write the answer: residents read it with its status.")),
                                     max_length(5000)])
