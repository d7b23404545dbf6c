import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField, ValidationError
from wtforms.validators import NumberRange, Optional

from .. import labels
from ..access import Role
from ..forms import DayField, max_length, required, strip, strip_lines
from ..identity import LABELS, siret_shaped, siret_valid
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
    name = StringField(LABELS["name"], filters=[strip],
                       validators=[required(_l("Enter the district's name.")), max_length(80)])


class StaffLogFilterForm(FlaskForm):
    class Meta:
        csrf = False

    area = SelectField(_l("Area"), validators=[Optional()], choices=[
        SelectChoice("", _l("All")), SelectChoice("moderation", _l("Moderation")),
        SelectChoice("answer", _l("Official answers")), SelectChoice("role", _l("Roles and counter assignments")),
        SelectChoice("publication", _l("Publications: votes announced, results")), SelectChoice("settings", _l("Settings")),
        SelectChoice("process", _l("Participatory processes: studies, votes built"))])
    actor = SelectField(_l("Staff member"), coerce=parse_id, validators=[Optional()])
    since = DayField(_l("From"), validators=[Optional()])
    until = DayField(_l("Until (included)"), validators=[Optional()])


def _digits_only(value):
    """A SIRET as printed ("213 502 388 00015") or typed with dots: its digits."""
    return re.sub(r"[\s.\-]", "", value) if isinstance(value, str) else value


def _siret(_form, field):
    """Says what is wrong: the check digit is the reason only when there are 14 digits to check."""
    digits = _digits_only(field.data or "")
    if not digits:
        return
    if not (digits.isascii() and digits.isdigit()):
        raise ValidationError(_l("Enter the SIRET with digits only (spaces may separate them)."))
    if not siret_shaped(digits):
        raise ValidationError(_l("A SIRET has 14 digits: this number has %(count)d.", count=len(digits)))
    if not siret_valid(digits):
        raise ValidationError(_l("Enter the 14 digits of the SIRET as the INSEE gave them: this number is not a "
                                 "valid SIRET (its check digit does not match)."))


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"\+?[0-9 .()\-]{4,30}")


def _email(_form, field):
    if field.data and not _EMAIL.fullmatch(field.data):
        raise ValidationError(_l("Enter an e-mail address such as mairie@example.fr."))


def _phone(_form, field):
    if field.data and not _PHONE.fullmatch(field.data):
        raise ValidationError(_l("Enter a phone number with digits, spaces and + only, such as 03 20 00 00 00."))


def _web_address(_form, field):
    if field.data and not re.fullmatch(r"https?://[^\s<>\"']+\.[^\s<>\"']+", field.data, re.IGNORECASE):
        raise ValidationError(_l("Enter a web address beginning with https://."))


class IdentityForm(FlaskForm):
    """The collectivité as its pages show it (civic.identity); the logo is checked by civic.legal.logo."""

    name = StringField(LABELS["name"], filters=[strip],
                       validators=[required(_l("Enter the name of the collectivité.")), max_length(120)],
                       description=_l("As the header shows it, e.g. Ville de Rennes."))
    siret = StringField(LABELS["siret"], filters=[strip], validators=[_siret],
                        render_kw={"inputmode": "numeric", "autocomplete": "off"})
    address = TextAreaField(LABELS["address"], filters=[strip_lines], validators=[max_length(300)])
    email = StringField(LABELS["email"], filters=[strip], validators=[max_length(254), _email])
    phone = StringField(LABELS["phone"], filters=[strip], validators=[max_length(30), _phone])
    contact_url = StringField(LABELS["contact_url"], filters=[strip],
                              validators=[max_length(300), _web_address])
    director = StringField(LABELS["director"], filters=[strip], validators=[max_length(200)],
                           description=_l("Name and office, e.g. Marie Dupont, maire."))
    host_name = StringField(LABELS["host_name"], filters=[strip], validators=[max_length(200)])
    host_address = TextAreaField(LABELS["host_address"], filters=[strip_lines], validators=[max_length(300)])
    host_contact = StringField(LABELS["host_contact"], filters=[strip], validators=[max_length(200)])
    dpo_contact = TextAreaField(LABELS["dpo_contact"], filters=[strip_lines],
                                validators=[max_length(300)],
                                description=_l("An e-mail or postal address, e.g. dpo@example.fr."))
    declared_on = DayField(LABELS["declared_on"], validators=[Optional()])
    audit_date = DayField(LABELS["audit_date"], validators=[Optional()],
                          description=_l("Leave empty if no RGAA audit was made: the site is then declared not "
                                         "conforming."))
    audit_by = StringField(LABELS["audit_by"], filters=[strip], validators=[max_length(200)])
    audit_rate = IntegerField(LABELS["audit_rate"], validators=[
        Optional(), NumberRange(min=0, max=100, message=_l("Enter a percentage between 0 and 100."))])
    audit_environment = TextAreaField(LABELS["audit_environment"], filters=[strip_lines],
                                      validators=[max_length(1000)],
                                      description=_l("One per line, e.g. Firefox 128 with NVDA 2024.1."))
    audit_pages = TextAreaField(LABELS["audit_pages"], filters=[strip_lines], validators=[max_length(2000)],
                                description=_l("The audit's sample, one page per line."))
    nonconformities = TextAreaField(LABELS["nonconformities"], filters=[strip_lines],
                                    validators=[max_length(5000)],
                                    description=_l("One per line, as the audit report lists them."))
    disproportionate_burden = TextAreaField(LABELS["disproportionate_burden"], filters=[strip_lines],
                                            validators=[max_length(2000)],
                                            description=_l("Leave empty if none is claimed. One per line: the "
                                                           "content, and the alternative offered."))
    logo = FileField(LABELS["logo"],
                     description=_l("Shown beside the name. Scripts, links to other files and styles are removed."))
    remove_logo = BooleanField(_l("Remove the logo"))

    def siret_digits(self):
        return _digits_only(self.siret.data or "")

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.audit_date.day is not None and self.audit_rate.data is None and not self.audit_rate.errors:
            self.audit_rate.errors = [*self.audit_rate.errors, _l("Enter the rate the audit found.")]
            valid = False
        if self.audit_rate.data is not None and self.audit_date.day is None and not self.audit_date.errors:
            self.audit_date.errors = [*self.audit_date.errors, _l("Enter the date of the audit.")]
            valid = False
        return valid
