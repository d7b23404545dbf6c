from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField

from .. import labels
from ..forms import max_length, required, strip
from .models import AnswerStatus


class AnswerForm(FlaskForm):
    status = RadioField(_l("Status"), choices=labels.choices(AnswerStatus),
                        validators=[required(_l("Choose the status of the proposal."))])
    text = TextAreaField(_l("The answer"), filters=[strip],
                         validators=[required(_l("Write the answer: residents read it with its status.")),
                                     max_length(5000)])
