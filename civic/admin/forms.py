from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import Optional

from .. import labels
from ..access import Role
from ..forms import DayField, max_length, required, strip
from ..routing import parse_id


def _role(value):
    if isinstance(value, Role):
        return value
    try:
        return Role(value)
    except ValueError:
        return None


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), coerce=_role, choices=labels.choices(Role))


class DistrictForm(FlaskForm):
    name = StringField(_l("Name of the district"), filters=[strip],
                       validators=[required(_l("Enter the district's name.")), max_length(80)])


class StaffLogFilterForm(FlaskForm):
    class Meta:
        csrf = False

    area = SelectField(_l("Area"), validators=[Optional()], choices=[
        SelectChoice("", _l("All")), SelectChoice("moderation", _l("Moderation")),
        SelectChoice("answer", _l("Official answers")), SelectChoice("role", _l("Roles and counter assignments")),
        SelectChoice("publication", _l("Publications: votes announced, results")), SelectChoice("settings", _l("Settings"))])
    actor = SelectField(_l("Staff member"), coerce=parse_id, validators=[Optional()])
    since = DayField(_l("From"), validators=[Optional()])
    until = DayField(_l("Until (included)"), validators=[Optional()])
