from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField, TextAreaField

from ..forms import strip_lines


class PageTextForm(FlaskForm):
    text = TextAreaField(_l("Text of the page"), filters=[strip_lines])
    save = SubmitField(_l("Save"))
    default = SubmitField(_l("Go back to the default text"))
