from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (DateTimeLocalField, FieldList, Form, FormField, IntegerField, RadioField, StringField,
                     TextAreaField, ValidationError)
from wtforms.validators import NumberRange, Optional, StopValidation

from .. import labels
from ..codes import typed_code
from ..forms import CheckboxesField, amount_typed, max_length, required, strip, whole_euros
from ..routing import is_whole_number, parse_id
from .models import RANKING_METHODS, BudgetRule, Method

# Rows of options a form shows: empty ones at first, and how many "add rows" adds, without JavaScript.
NEW_ROWS = 3
MAX_ROWS = 200


def _proposal_number(form, field):
    if field.data and parse_id(field.data) is None:
        raise ValidationError(_l("Enter the number of a proposal, as shown on its page."))


def _a_method(form, field):
    if field.data not in {m.value for m in Method}:
        raise ValidationError(_l("Choose a voting method."))


class OptionRow(Form):
    """One option of the decision; a row left empty is no option."""

    label = StringField(_l("Name"), filters=[strip], validators=[max_length(160)])
    # A participatory budget counts it; for the other methods it is optional and shown to voters beside the option,
    # as information (a vote built from a process's projects carries the study's estimate whatever the method).
    cost = StringField(_l("Cost in euros"), filters=[strip, amount_typed], validators=[whole_euros],
                       render_kw={"inputmode": "numeric"})
    description = TextAreaField(_l("Description (optional)"), filters=[strip], validators=[max_length(2000)],
                                description=_l("What the option means, when its name alone does not say it."))
    proposal_id = StringField(_l("Number of the proposal it comes from (optional)"),
                           filters=[strip, lambda v: v.lstrip("#") if isinstance(v, str) else v],
                           validators=[_proposal_number], render_kw={"inputmode": "numeric"})

    def is_empty(self):
        return not any((self.label.data, self.cost.data, self.description.data, self.proposal_id.data))


class OptionRows(FieldList):
    def _extract_indices(self, prefix, formdata):
        # WTForms' own accepts any str.isdigit(): a forged "options-²-label" would reach int() and fail.
        offset = len(prefix) + 1
        for key in formdata:
            if key.startswith(prefix):
                index = key[offset:].split(self._field_separator, 1)[0]
                if is_whole_number(index):
                    yield int(index)

    def add_rows(self, count):
        for _ in range(min(count, MAX_ROWS - len(self.entries))):
            self.append_entry()


def _winners_asked(form, field):
    """Only the methods that elect options show the number of winners; for them it may not be left empty."""
    method = next((m for m in Method if m.value == form.method.data), None)
    if method in RANKING_METHODS and not (field.raw_data and field.raw_data[0].strip()):
        field.errors[:] = []  # WTForms' "not a valid integer" for an empty field: this says what to do
        raise StopValidation(_l("Enter the number of winners."))


class MethodForm(FlaskForm):
    """The decision form's first step, sent by GET: it only says which form comes next."""

    class Meta:
        csrf = False

    method = RadioField(_l("Voting method"), choices=labels.choices(Method), validate_choice=False,
                        validators=[required(_l("Choose a voting method.")), _a_method])


class DecisionForm(FlaskForm):
    title = StringField(_l("Title"), filters=[strip], validators=[required(_l("Enter a title.")), max_length(160)])
    question = StringField(_l("Question asked"), filters=[strip],
                           validators=[required(_l("Enter the question asked.")), max_length(300)])
    description = TextAreaField(_l("Description"), filters=[strip], validators=[max_length(10_000)],
                                description=_l("Context, what is at stake, what the town council commits to."))
    method = RadioField(_l("Voting method"), choices=labels.choices(Method), validate_choice=False,
                        validators=[required(_l("Choose a voting method.")), _a_method])
    max_choices = IntegerField(_l("Most options a voter may choose (optional)"),
                               description=_l("Leave empty for no limit."),
                               validators=[Optional(), NumberRange(min=1, max=1000, message=_l(
                                   "Enter a number between %(min)s and %(max)s."))])
    number_of_winners = IntegerField(
        _l("Number of winners"), default=1,
        description=_l("How many options the vote chooses, the most voted first. Options with as many votes are "
                       "ranked in the order in which they are listed below."),
        validators=[_winners_asked, Optional(), NumberRange(min=1, max=1000, message=_l(
            "Enter a number between %(min)s and %(max)s."))])
    # Amounts as text: "150 000" is how people write them; amount_typed takes the spaces out.
    budget = StringField(_l("Total budget in euros"), filters=[strip, amount_typed], validators=[whole_euros],
                         render_kw={"inputmode": "numeric"})
    budget_rule = RadioField(_l("How the funded projects are chosen"), validate_choice=False,
                             choices=labels.choices(BudgetRule))
    voter_cost_limit = StringField(_l("Most a voter may spend, in euros (optional)"), filters=[strip, amount_typed],
                                   validators=[whole_euros], render_kw={"inputmode": "numeric"})
    opens_at = DateTimeLocalField(_l("Opens on (Paris time)"), format="%Y-%m-%dT%H:%M",
                                  validators=[required(_l("Enter the opening date and time."))])
    closes_at = DateTimeLocalField(_l("Closes on (Paris time)"), format="%Y-%m-%dT%H:%M",
                                   validators=[required(_l("Enter the closing date and time."))])
    districts = CheckboxesField(_l("Only for residents of these districts (optional)"), coerce=parse_id,
                                validate_choice=False)
    # Last, as on the page: the rows grow at the end of the form.
    options = OptionRows(FormField(OptionRow), label=_l("Options"), max_entries=MAX_ROWS)

    def chosen_method(self):
        return next((m for m in Method if m.value == self.method.data), None)

    def validate_options(self, field):
        """Rows filled in become options (label, description, cost, proposal number); yes / no has none.
        Runs after each row's own checks: ``field.errors`` is rebuilt, one dict per row with errors."""
        method = self.chosen_method()
        field.parsed, field.errors = [], []
        if method is Method.YES_NO:
            return
        for entry in field.entries:
            row = entry.form
            if row.is_empty():
                continue
            if not row.label.data and not row.label.errors:
                row.label.errors.append(_l("Give this option a name."))
            if method is Method.BUDGET and not row.cost.data and not row.cost.errors:
                row.cost.errors.append(_l("Give the project's cost in euros."))
            errors = {f.short_name: f.errors for f in row if f.errors}
            if errors:
                field.errors.append(errors)
                continue
            field.parsed.append((row.label.data, row.description.data or "",
                                 int(row.cost.data) if row.cost.data else None,
                                 int(row.proposal_id.data) if row.proposal_id.data else None))
        if not field.errors and method is not None and len(field.parsed) < 2:
            raise ValidationError(_l("Give at least two options."))

    def validate_budget(self, field):
        if self.method.data == Method.BUDGET.value and not field.data:
            raise ValidationError(_l("Give the total budget in euros."))

    def validate_budget_rule(self, field):
        if self.method.data == Method.BUDGET.value and field.data not in {r.value for r in BudgetRule}:
            raise ValidationError(_l("Choose how the winning projects are chosen."))

    def validate_opens_at(self, field):
        if field.data and not 2000 <= field.data.year <= 2100:
            raise ValidationError(_l("Enter a date between the years 2000 and 2100."))

    def validate_closes_at(self, field):
        if field.data and not 2000 <= field.data.year <= 2100:
            raise ValidationError(_l("Enter a date between the years 2000 and 2100."))
        if field.data and self.opens_at.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("The closing date must come after the opening date."))


class DescriptionForm(FlaskForm):
    # A typo fix never empties the description: that would be a change of substance.
    description = TextAreaField(_l("Description"), filters=[strip],
                                validators=[required(_l("The description cannot be emptied once the vote is open.")),
                                            max_length(10_000)],
                                description=_l("Only typo fixes: every change is kept and shown publicly."))


class BallotCodeForm(FlaskForm):
    """"Check my ballot" on the results page: posted (see views.check_ballot)."""

    # Read as stored and published ("gcd3r fnzvk" is GCD3RFNZVK, as in the ballots file): the page names the
    # ballot by the code the file shows, not as typed.
    code = StringField(_l("Ballot verification code"), filters=[strip, typed_code],
                       validators=[required(_l("Enter the verification code of your ballot.")), max_length(20)],
                       description=_l("10 characters, shown when you voted or printed on your counter receipt."))
