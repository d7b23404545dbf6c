from flask_babel import lazy_gettext as _l, lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from .. import labels
from ..accounts.forms import contributions_field
from ..accounts.services import normalize_email
from ..forms import CheckboxesField, DayField, max_length, required, strip
from ..routing import parse_id
from .erasure import NOT_ASKED
from .models import AssistedActionKind, IdentityCheck, ReceiptLayout
from .residents import name_words, search_is_precise


def _consent_fields(form_class):
    form_class.identity_check = RadioField(
        _l("How was the resident's identity checked?"), choices=labels.choices(IdentityCheck),
        validators=[required(_l("Say how the resident's identity was checked."))])
    form_class.consent = BooleanField(
        _l("The resident agrees that I enter contributions and votes on their behalf, as they tell me, during "
           "this visit."),
        validators=[required(_l("The resident must agree before you act on their behalf."))])
    return form_class


class CounterChoiceForm(FlaskForm):
    counter = SelectField(_l("Counter where you work today"), coerce=parse_id,
                          validators=[required(_l("Choose your counter."))])

    def set_counters(self, counters):
        self.counter.choices = [SelectChoice("", _l("Choose a counter"))] + [SelectChoice(c.id, c.name)
                                                                              for c in counters]


class ResidentSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search: nothing changes

    name = StringField(_l("Name"), filters=[strip], validators=[Optional(), max_length(160)],
                       description=_l("With the birth date. Whole words or their beginning, two letters at least."))
    birth_date = DayField(_l("Birth date"), description=_l("For example 31/12/1960."),
                          validators=[Optional()])
    contact = StringField(_l("E-mail or phone"), filters=[strip], validators=[Optional(), max_length(254)],
                          description=_l("The whole address, or the whole phone number."))

    def criteria(self):
        """What find_residents searches for: the contact is an e-mail when it has an @, a phone otherwise."""
        contact = self.contact.data or ""
        return {"name": self.name.data or "", "birth_date": self.birth_date.day,
                "email": contact if "@" in contact else "", "phone": "" if "@" in contact else contact}

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        if not search_is_precise(**self.criteria()):
            self._missing_field().errors.append(self._missing_message())
            return False
        return True

    def _missing_field(self):
        """The field whose absence made the search too loose: the one the agent fills in next."""
        if name_words(self.name.data or "") and not self.birth_date.day:
            return self.birth_date
        if self.contact.data and not self.name.data and not self.birth_date.day:
            return self.contact
        return self.name

    def _missing_message(self):
        if name_words(self.name.data or "") and not self.birth_date.day:
            return _l("Give the birth date with the name, or search by e-mail address or phone number.")
        if self.birth_date.day and not self.name.data:
            return _l("Give the name with the birth date, or search by e-mail address or phone number.")
        return _l("Give the name and the birth date, or the e-mail address, or the phone number.")

    def shown_email(self, resident):
        """The resident's e-mail, only when it is the one searched for: the agent learns no address they were not
        given (a name and any birth date find online accounts, which have no birth date)."""
        searched = normalize_email(self.criteria()["email"])
        return resident.email if searched and resident.email_normalized == searched else None


@_consent_fields
class OpenSessionForm(FlaskForm):
    resident = HiddenField()


@_consent_fields
class RegisterResidentForm(FlaskForm):
    full_name = StringField(_l("First name and last name"), filters=[strip],
                            description=_l("Public pages show only the first name and the initial."),
                            validators=[required(_l("Enter the resident's name.")), max_length(160)])
    birth_date = DayField(_l("Birth date"), description=_l("For example 31/12/1960."),
                          validators=[required(_l("Enter the birth date."))])
    phone = StringField(_l("Phone (optional)"), filters=[strip], validators=[Optional(), max_length(32)])
    district = SelectField(_l("District (optional)"), coerce=parse_id)
    confirm_new = BooleanField(_l("I have checked the residents listed: this is another person."))

    def set_districts(self, districts):
        self.district.choices = [SelectChoice("", _l("Not stated"))] + [SelectChoice(d.id, d.name) for d in districts]


class CounterForm(FlaskForm):
    name = StringField(_l("Name"), filters=[strip], validators=[required(_l("Enter the counter's name.")),
                                                                max_length(120)])
    address = StringField(_l("Address"), filters=[strip], validators=[Optional(), max_length(300)])
    opening_hours = TextAreaField(_l("Opening hours"), filters=[strip], validators=[Optional(), max_length(2000)])
    receipt_layout = RadioField(_l("Receipt printer"), choices=labels.choices(ReceiptLayout),
                                default=ReceiptLayout.A4.value)
    active = BooleanField(_l("Open (agents can work here)"), default=True)
    agents = CheckboxesField(_l("Agents assigned to this counter"), coerce=parse_id)


class AttachForm(FlaskForm):
    code = StringField(_l("Follow-up code on the receipt"), filters=[strip],
                       validators=[required(_l("Enter the code printed on the receipt.")), max_length(20)])
    birth_date = DayField(_l("Your birth date"), description=_l("For example 31/12/1960."),
                          validators=[required(_l("Enter your birth date."))])


class AttachConfirmForm(FlaskForm):
    """The confirmation: the code and birth date come back signed (counters.attach.attachment_ticket)."""
    ticket = HiddenField()


class FollowUpForm(FlaskForm):
    class Meta:
        csrf = False

    code = StringField(_l("Follow-up code"), filters=[strip], validators=[Optional(), max_length(20)])


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    counter = SelectField(_l("Counter"), coerce=parse_id, validators=[Optional()])
    agent = SelectField(_l("Agent"), coerce=parse_id, validators=[Optional()])
    kind = SelectField(_l("Action"), validators=[Optional()],
                       choices=[SelectChoice("", lazy_pgettext("kinds of action", "All"))] + labels.choices(AssistedActionKind))
    since = DayField(_l("From"), validators=[Optional()])
    until = DayField(_l("Until (included)"), validators=[Optional()])


class EraseResidentForm(FlaskForm):
    contributions = contributions_field(_l("The resident's proposals and comments"))
    asked = BooleanField(_l("The resident asks, here and in person, that their account be deleted."),
                         validators=[required(NOT_ASKED)])
