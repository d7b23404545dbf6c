from flask_babel import format_number, lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from wtforms import SubmitField, TextAreaField
from wtforms.validators import Length

from ..forms import required, strip_lines
from .models import SYNTHESIS_MAX


class SynthesisForm(FlaskForm):
    synthesis = TextAreaField(_l("Synthesis"), filters=[strip_lines],
                              validators=[required(_l("Write the synthesis.")), Length(max=SYNTHESIS_MAX, message=_l(
                                  "Enter at most %(max)s characters.", max=LazyString(format_number, SYNTHESIS_MAX)))],
                              description=_l("What residents said, and what the collectivité draws from it. Leave an "
                                             "empty line between paragraphs."))
    save = SubmitField(_l("Save without publishing"))
    publish = SubmitField(_l("Publish the synthesis"))
