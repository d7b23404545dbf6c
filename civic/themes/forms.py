from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField

from ..forms import max_length, required, strip


class ThemeForm(FlaskForm):
    name = StringField(_l("Name (French)"), filters=[strip],
                       validators=[required(_l("Enter the theme's name.")), max_length(80)])
    name_en = StringField(_l("Name in English (optional)"), filters=[strip], validators=[max_length(80)])
    active = BooleanField(_l("Offered to residents"), default=True)
