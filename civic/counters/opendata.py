"""The mediation counters and their weekly statistics as open data (civic.opendata).

The counters are those the public page lists (open ones). Their statistics per ISO week, for digital-inclusion
reporting, count what agents entered and the residents they helped; a week of a counter appears only when at
least civic.privacy.groups.SMALLEST_GROUP residents were helped there (fewer could be recognised), and only once
it is over, so that a published week never changes.
"""
from datetime import date

from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..opendata.datasets import Dataset, register
from ..privacy.groups import SMALLEST_GROUP
from .assignments import open_counters
from .models import AssistedAction, Counter
from .statistics import this_week, weekly_figures


def _counter_rows(counters):
    return [{"id": c.id, "name": c.name, "address": c.address or None, "opening_hours": c.opening_hours or None}
            for c in counters]


def _statistics_rows(counters):
    figures = weekly_figures(AssistedAction.counter_id.in_([c.id for c in counters]),
                             AssistedAction.created_at < this_week(), residents_at_least=SMALLEST_GROUP)
    rows = []
    for week_text, counter_id, _name, contributions, ballots, residents in db.session.execute(
            figures.order_by(Counter.id, figures.selected_columns.week)):
        monday = date.fromisoformat(week_text)
        year, week, _day = monday.isocalendar()
        rows.append({"counter_id": counter_id, "week_start": monday, "year": year, "week": week,
                     "contributions": contributions, "ballots": ballots, "residents": residents})
    return rows


register(Dataset(
    name="counters", title=_l("Mediation counters"),
    description=_l("Where residents can get help to take part: each open counter's address and opening hours."),
    query=open_counters, key=Counter.id, serialise=_counter_rows, withdrawn_by=(Counter.active, Counter), order=90))
register(Dataset(
    name="counter_statistics", title=_l("Counter statistics per week"),
    description=_l("Per counter and week: contributions and ballots entered with assistance, and residents helped "
                   "(the weeks with at least %(n)s residents).", n=SMALLEST_GROUP),
    query=open_counters, key=Counter.id, serialise=_statistics_rows, api=False, order=95))
