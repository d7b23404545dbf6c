"""The officials' forms of a record: what it says now, and a milestone."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectField, StringField, TextAreaField

from .. import labels
from ..forms import (MAX_AMOUNT, DayField, amount_typed, max_length, percent_typed, required, strip, strip_lines,
                     whole_between)
from ..routing import parse_id
from .models import MILESTONE_MAX, REASON_MAX, ImplementationStatus
from .services import COST_MESSAGE, PROGRESS_MESSAGE

class RecordForm(FlaskForm):
    status = RadioField(_l("Status"), choices=labels.choices(ImplementationStatus),
                        validators=[required(_l("Choose the status of the project."))])
    progress = StringField(_l("Progress, in %"), filters=[strip, percent_typed],
                           validators=[required(PROGRESS_MESSAGE), whole_between(0, 100, PROGRESS_MESSAGE)],
                           description=_l("From 0 to 100; a project done is at 100."),
                           render_kw={"inputmode": "numeric", "size": "3"})
    actual_cost = StringField(_l("Actual cost, in euros (optional)"), filters=[strip, amount_typed],
                              validators=[whole_between(0, MAX_AMOUNT, COST_MESSAGE)],
                              description=_l("What was spent so far; residents read it beside the cost voted."),
                              render_kw={"inputmode": "numeric", "size": "12"})
    reason = TextAreaField(_l("Reason for abandoning"), filters=[strip_lines], validators=[max_length(REASON_MAX)],
                           description=_l("Required when the project is abandoned: it is shown with its status."))
    theme = SelectField(_l("Theme (optional)"), coerce=parse_id, validate_choice=False)
    district = SelectField(_l("District (optional)"), coerce=parse_id, validate_choice=False)

    def set_places(self, themes, districts, locale):
        self.theme.choices = [SelectChoice("", _l("No theme"))] + [SelectChoice(t.id, t.label(locale)) for t in themes]
        self.district.choices = [SelectChoice("", _l("The whole territory"))] + [
            SelectChoice(d.id, d.name) for d in districts]


class MilestoneForm(FlaskForm):
    day = DayField(_l("Day"), validators=[required(_l("Enter the day of the milestone, for example 15/03/2027."))],
                   description=_l("For example 15/03/2027."))
    text = StringField(_l("What was done or decided"), filters=[strip],
                       validators=[required(_l("Say in a sentence what was done or decided.")),
                                   max_length(MILESTONE_MAX)],
                       description=_l("One sentence, shown on the project's page and e-mailed to its followers."))
