from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField, TextAreaField

from ..forms import max_length, required, strip_lines
from .models import SYNTHESIS_MAX


class SynthesisForm(FlaskForm):
    synthesis = TextAreaField(_l("Synthesis"), filters=[strip_lines],
                              validators=[required(_l("Write the synthesis.")), max_length(SYNTHESIS_MAX)],
                              description=_l("What residents said, and what the collectivité draws from it. Leave an "
                                             "empty line between paragraphs."))
    save = SubmitField(_l("Save without publishing"))
    publish = SubmitField(_l("Publish the synthesis"))
