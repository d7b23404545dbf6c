from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, StringField

from ..accounts.models import Role
from ..forms import max_length, required, strip

ROLE_LABELS = {
    Role.RESIDENT: _l("Resident"),
    Role.COUNTER_AGENT: _l("Counter agent"),
    Role.MODERATOR: _l("Moderator"),
    Role.ELECTED: _l("Elected official"),
    Role.ADMIN: _l("Administrator"),
}


def _role(value):
    if isinstance(value, Role):
        return value
    try:
        return Role(value)
    except ValueError:
        return None


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), coerce=_role,
                       choices=[SelectChoice(r.value, label) for r, label in ROLE_LABELS.items()])


class ThemeForm(FlaskForm):
    name = StringField(_l("Name (French)"), filters=[strip],
                       validators=[required(_l("Enter the theme's name.")), max_length(80)])
    name_en = StringField(_l("Name in English (optional)"), filters=[strip], validators=[max_length(80)])
    active = BooleanField(_l("Offered to residents"), default=True)


class DistrictForm(FlaskForm):
    name = StringField(_l("Name of the district"), filters=[strip],
                       validators=[required(_l("Enter the district's name.")), max_length(80)])
