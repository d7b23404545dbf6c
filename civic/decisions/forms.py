from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, IntegerField, RadioField, StringField, TextAreaField, ValidationError
from wtforms.validators import NumberRange, Optional

from .. import labels
from ..forms import CheckboxesField, max_length, required, strip
from ..routing import is_whole_number, parse_id
from .models import BudgetRule, Method

# Amounts are stored in 32-bit integer columns: a billion euros is far above any local budget.
MAX_AMOUNT = 1_000_000_000

def parse_options(text, method):
    """One option per line: label, or `label | cost | proposal number` for budgets."""
    options = []
    for number, line in enumerate((text or "").splitlines(), 1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        label, cost, proposal_id = parts[0], None, None
        if not label or len(label) > 160:
            raise ValidationError(_l("Line %(n)d: give a name of at most 160 characters.", n=number))
        if len(parts) > 1 and parts[1]:
            if not is_whole_number(parts[1].replace(" ", "")):
                raise ValidationError(_l("Line %(n)d: the cost must be a whole number of euros.", n=number))
            cost = int(parts[1].replace(" ", ""))
            if not 0 < cost <= MAX_AMOUNT:
                raise ValidationError(_l("Line %(n)d: the cost must be between 1 and %(max)s euros.", n=number,
                                         max=MAX_AMOUNT))
        elif method is Method.BUDGET:
            raise ValidationError(_l("Line %(n)d: give the project's cost after a |.", n=number))
        if len(parts) > 2 and parts[2]:
            if not is_whole_number(parts[2].lstrip("#")):
                raise ValidationError(_l("Line %(n)d: the proposal number must be a number.", n=number))
            proposal_id = int(parts[2].lstrip("#"))
            if proposal_id > MAX_AMOUNT:
                raise ValidationError(_l("Line %(n)d: there is no proposal with this number.", n=number))
        options.append((label, None, cost, proposal_id))
    return options


class DecisionForm(FlaskForm):
    title = StringField(_l("Title"), filters=[strip], validators=[required(_l("Enter a title.")), max_length(160)])
    question = StringField(_l("Question asked"), filters=[strip],
                           validators=[required(_l("Enter the question asked.")), max_length(300)])
    description = TextAreaField(_l("Description"), filters=[strip], validators=[max_length(10_000)],
                                description=_l("Context, what is at stake, what the town council commits to."))
    method = RadioField(_l("Voting method"), choices=labels.choices(Method),
                        validators=[required(_l("Choose a voting method."))])
    options = TextAreaField(_l("Options"), filters=[strip],
                            description=_l("One per line. For a participatory budget: project name | cost in euros "
                                           "| proposal number (optional). Not used for yes / no."))
    max_choices = IntegerField(_l("Approval: most options a voter may choose (optional)"),
                               validators=[Optional(), NumberRange(min=1, max=1000, message=_l(
                                   "Enter a number between %(min)s and %(max)s."))])
    budget = IntegerField(_l("Participatory budget: total budget in euros"),
                          validators=[Optional(), NumberRange(min=1, max=MAX_AMOUNT, message=_l(
                              "Enter a number between %(min)s and %(max)s."))])
    budget_rule = RadioField(_l("Participatory budget: how winners are chosen"), validate_choice=False,
                             choices=labels.choices(BudgetRule))
    voter_cost_limit = IntegerField(_l("Participatory budget: most a voter may spend, in euros (optional)"),
                                    validators=[Optional(), NumberRange(min=1, max=MAX_AMOUNT, message=_l(
                                        "Enter a number between %(min)s and %(max)s."))])
    opens_at = DateTimeLocalField(_l("Opens on (Paris time)"), format="%Y-%m-%dT%H:%M",
                                  validators=[required(_l("Enter the opening date and time."))])
    closes_at = DateTimeLocalField(_l("Closes on (Paris time)"), format="%Y-%m-%dT%H:%M",
                                   validators=[required(_l("Enter the closing date and time."))])
    districts = CheckboxesField(_l("Only for residents of these districts (optional)"), coerce=parse_id,
                                validate_choice=False)

    def validate_options(self, field):
        method = Method(self.method.data) if self.method.data in {m.value for m in Method} else None
        field.parsed = parse_options(field.data, method)
        if method is not None and method is not Method.YES_NO and len(field.parsed) < 2:
            raise ValidationError(_l("Give at least two options, one per line."))

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
