from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, FieldList, Form, FormField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import ValidationError

from .. import labels
from ..decisions.models import BudgetRule, Method
from ..forms import (CheckboxesField, DayField, amount_typed, max_length, required, strip, strip_lines, whole_euros,
                     whole_number)
from ..proposals.forms import ProposalForm
from ..routing import is_whole_number, parse_id
from .models import (DEPARTMENT_MAX, DESCRIPTION_MAX, KIND_ORDER, REASON_MAX, SUMMARY_MAX, TITLE_MAX, Feasibility,
                     PhaseKind)
from .services import PhaseRow

# The form offers a row per kind of phase: a process has each kind at most once.
PHASE_ROWS = len(KIND_ORDER)


def _kind(value):
    return next((kind for kind in PhaseKind if kind.value == value), None)


class PhaseForm(Form):
    """One step of the process; a row left empty is no step."""

    kind = SelectField(_l("Kind of phase"), coerce=_kind, validate_choice=False)
    starts_on = DayField(_l("First day"), description=_l("For example 01/03/2027."))
    ends_on = DayField(_l("Last day"))

    def is_empty(self):
        return self.kind.data is None and self.starts_on.day is None and self.ends_on.day is None \
            and not (self.starts_on.data or self.ends_on.data)

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.is_empty():
            return valid
        for field, message in ((self.kind, _l("Choose the kind of phase.")),
                               (self.starts_on, _l("Enter the first day of the phase.")),
                               (self.ends_on, _l("Enter the last day of the phase."))):
            missing = field.data is None if field is self.kind else field.day is None
            if missing and not field.errors:
                field.errors = [*field.errors, message]
                valid = False
        return valid


def _lowered(message):
    """A message put after "Step n: "."""
    text = str(message)
    return text[:1].lower() + text[1:]


class ProcessForm(FlaskForm):
    title = StringField(_l("Title"), filters=[strip],
                        validators=[required(_l("Enter a title.")), max_length(TITLE_MAX)])
    summary = StringField(_l("Summary"), filters=[strip],
                          validators=[required(_l("Enter a summary.")), max_length(SUMMARY_MAX)],
                          description=_l("One sentence, shown in the lists and on the home page."))
    description = TextAreaField(_l("Description"), filters=[strip_lines], validators=[max_length(DESCRIPTION_MAX)],
                                description=_l("What the process is for, who may take part, how projects are "
                                               "chosen. Leave an empty line between paragraphs."))
    budget = StringField(_l("Total budget in euros (optional)"), filters=[strip, amount_typed],
                         validators=[whole_euros], render_kw={"inputmode": "numeric"},
                         description=_l("Needed to build a participatory budget vote."))
    themes = CheckboxesField(_l("Themes concerned (optional)"), coerce=parse_id, validate_choice=False)
    districts = CheckboxesField(_l("Districts concerned (optional)"), coerce=parse_id, validate_choice=False,
                                description=_l("None ticked: the whole territory."))
    illustration = FileField(_l("Illustration (optional)"),
                             description=_l("An SVG drawing of at most 20 KB. Scripts, links to other files and styles "
                                            "are removed."))
    remove_illustration = BooleanField(_l("Remove the illustration"))
    phases = FieldList(FormField(PhaseForm), min_entries=PHASE_ROWS, max_entries=PHASE_ROWS)

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        # The error summary lists a row's errors apart from their row: each says which step it is about.
        for number, entry in enumerate(self.phases, start=1):
            for sub in entry.form:
                sub.errors = [_l("Step %(n)s: %(error)s", n=number, error=_lowered(message)) for message in sub.errors]
        return valid

    def set_choices(self, themes, districts, locale):
        self.themes.choices = [(t.id, t.label(locale)) for t in themes]
        self.districts.choices = [(d.id, d.name) for d in districts]
        for entry in self.phases:
            entry.form.kind.choices = [("", _l("No phase"))] + [(k.value, labels.label(k)) for k in KIND_ORDER]

    def phase_rows(self):
        return [PhaseRow(entry.form.kind.data, entry.form.starts_on.day, entry.form.ends_on.day, number)
                for number, entry in enumerate(self.phases, start=1) if not entry.form.is_empty()]

    def budget_euros(self):
        return whole_number(self.budget)


class ProcessProposalForm(ProposalForm):
    cost_estimate = StringField(_l("Estimated cost in euros (optional)"), filters=[strip, amount_typed],
                                validators=[whole_euros], render_kw={"inputmode": "numeric"},
                                description=_l("If you have an idea of it. The services estimate it during the "
                                               "technical study."))

    def cost_euros(self):
        return whole_number(self.cost_estimate)


def _proposal_number(_form, field):
    if field.data and not is_whole_number(field.data.lstrip("#")):
        raise ValidationError(_l("Enter the number of a proposal, as shown on its page."))


class StudyForm(FlaskForm):
    feasibility = RadioField(_l("Feasibility"), choices=labels.choices(Feasibility), coerce=str,
                             validators=[required(_l("Say whether the project is feasible."))])
    estimated_cost = StringField(_l("Estimated cost in euros"), filters=[strip, amount_typed],
                                 validators=[whole_euros], render_kw={"inputmode": "numeric"},
                                 description=_l("Required for a feasible project: the vote carries it."))
    reason = TextAreaField(_l("Reason, written for the public"), filters=[strip_lines],
                           validators=[required(_l("Write the reason: residents read it with the study.")),
                                       max_length(REASON_MAX)],
                           description=_l("Shown on the proposal's page, whatever the feasibility."))
    department = StringField(_l("Department consulted (optional)"), filters=[strip],
                             validators=[max_length(DEPARTMENT_MAX)],
                             description=_l("For example: Direction des espaces verts."))
    merged_into = StringField(_l("Merged into proposal number"), filters=[strip], validators=[_proposal_number],
                              render_kw={"inputmode": "numeric"},
                              description=_l("Only when merged: the proposal of this process it is studied with."))

    def cost_euros(self):
        return whole_number(self.estimated_cost)

    def chosen_feasibility(self):
        return next((f for f in Feasibility if f.value == self.feasibility.data), None)

    def validate_feasibility(self, field):
        if self.chosen_feasibility() is None:
            raise ValidationError(_l("Say whether the project is feasible."))

    def merged_into_id(self):
        return parse_id((self.merged_into.data or "").lstrip("#"))


BUILD_METHODS = [m for m in Method if m is not Method.YES_NO]  # a yes / no question has no projects to choose


class BuildVoteForm(FlaskForm):
    method = RadioField(_l("Voting method"), choices=labels.choices(Method, members=BUILD_METHODS), default="budget",
                        validate_choice=False,
                        description=_l("Whatever the method, voters read each project's estimated cost beside it; "
                                       "a participatory budget also counts the costs against the budget."))
    budget_rule = RadioField(_l("How the winning projects are chosen (participatory budget)"),
                             choices=labels.choices(BudgetRule), default="greedy", validate_choice=False)
    number_of_winners = StringField(_l("Number of winning projects (other methods)"), default="1",
                                    filters=[strip], render_kw={"inputmode": "numeric"})

    def chosen_method(self):
        return next((m for m in BUILD_METHODS if m.value == self.method.data), None)

    def validate_method(self, field):
        if self.chosen_method() is None:
            raise ValidationError(_l("Choose a voting method."))

    def chosen_rule(self):
        return next((r for r in BudgetRule if r.value == self.budget_rule.data), None)

    def validate_budget_rule(self, field):
        if self.chosen_method() is Method.BUDGET and self.chosen_rule() is None:
            raise ValidationError(_l("Choose how the winning projects are chosen."))

    def _ranks(self):
        return self.chosen_method() in (Method.SINGLE_CHOICE, Method.APPROVAL, Method.MAJORITY_JUDGMENT)

    def validate_number_of_winners(self, field):
        if self._ranks() and not (is_whole_number(field.data or "") and 0 < int(field.data) < 1000):
            raise ValidationError(_l("Enter a whole number of winning projects."))

    def winners(self):
        """The number of winners asked, for the methods that rank (a budget's rule decides its own)."""
        return int(self.number_of_winners.data) if self._ranks() else 1
