"""Weekly figures per counter, for digital-inclusion reporting: counts only, nobody named.

Counted by the database, a few weeks a page: the figures of a page cost the same whatever the
years of activity before them.
"""
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import String, case, distinct, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from ..db_types import utcnow
from ..extensions import db
from ..pagination import Page
from .models import AssistedAction, AssistedActionKind, Counter

CONTRIBUTION_KINDS = (AssistedActionKind.PROPOSAL_CREATED, AssistedActionKind.COMMENT_CREATED,
                      AssistedActionKind.SUPPORT_ADDED)
WEEKS_PAGE = 8
WEEK = timedelta(weeks=1)


class week_start(FunctionElement):  # noqa: N801 - a SQL function, named as SQLAlchemy's are
    """The Monday (UTC) that begins the ISO week of a UTC datetime, as text YYYY-MM-DD."""

    type = String()
    inherit_cache = True


@compiles(week_start, "sqlite")
def _week_start_sqlite(element, compiler, **kw):
    # 'weekday 0' moves forward to the Sunday that ends the week (or stays on it): its Monday is 6 days before.
    return f"date({compiler.process(element.clauses, **kw)}, 'weekday 0', '-6 days')"


@compiles(week_start, "postgresql")
def _week_start_postgresql(element, compiler, **kw):
    return f"to_char(date_trunc('week', {compiler.process(element.clauses, **kw)} AT TIME ZONE 'UTC'), 'YYYY-MM-DD')"


def monday(day):
    return day - timedelta(days=day.weekday())


# Statistics start long after the first year and end before the last: a Monday out of these is forged.
FIRST_MONDAY, LAST_MONDAY = date(2000, 1, 3), date(2999, 12, 30)


def _parse_monday(text):
    try:
        day = monday(date.fromisoformat(text or ""))
    except (TypeError, ValueError, OverflowError):
        return None
    return day if FIRST_MONDAY <= day <= LAST_MONDAY else None


def _at(day):
    return datetime.combine(day, time(), tzinfo=UTC)


def this_week():
    """When the current ISO week began (Monday 00:00 UTC, as the weeks are counted)."""
    return _at(monday(utcnow().date()))


def weekly_figures(*conditions, residents_at_least=None):
    """The statement of the figures per ISO week and counter of the assisted actions meeting ``conditions``: week
    (its Monday, as text), counter id and name, contributions, ballots, distinct residents helped; only the weeks
    of a counter where ``residents_at_least`` were helped, when given."""
    week = week_start(AssistedAction.created_at)
    helped = case((AssistedAction.kind != AssistedActionKind.SESSION_ENDED, AssistedAction.resident_id))
    residents = func.count(distinct(helped))
    statement = (select(week.label("week"), Counter.id, Counter.name,
                        func.count(case((AssistedAction.kind.in_(CONTRIBUTION_KINDS), 1))).label("contributions"),
                        func.count(case((AssistedAction.kind == AssistedActionKind.VOTE_CAST, 1))).label("ballots"),
                        residents.label("residents"))
                 .join(Counter, Counter.id == AssistedAction.counter_id).where(*conditions)
                 .group_by(week, Counter.id, Counter.name))
    return statement if residents_at_least is None else statement.having(residents >= residents_at_least)


def weekly_statistics(*, page=1, after=None, before=None, weeks=WEEKS_PAGE):
    """A page (civic.pagination.Page) of ``weeks`` weeks, newest first: per counter and ISO week, the
    contributions, the ballots and the distinct residents helped. ``after``: the Monday the page ends
    before (older weeks); ``before``: the Monday it starts from (newer weeks); neither: the latest weeks."""
    older_than, from_, next_week = _parse_monday(after), _parse_monday(before), monday(utcnow().date()) + WEEK
    if from_ is not None:
        start, end = from_, from_ + weeks * WEEK
    else:
        end = min(older_than or next_week, next_week)
        start = end - weeks * WEEK
    if end >= next_week:
        page = 1
    figures = weekly_figures(AssistedAction.created_at >= _at(start), AssistedAction.created_at < _at(end))
    rows = db.session.execute(figures.order_by(figures.selected_columns.week.desc(), Counter.name)).all()
    earlier = db.session.execute(select(AssistedAction.id).where(
        AssistedAction.counter_id.is_not(None), AssistedAction.created_at < _at(start)).limit(1)).first()
    items = []
    for week_text, _counter_id, name, contributions, ballots, residents in rows:
        year, number, _day = date.fromisoformat(week_text).isocalendar()
        items.append({"counter": name, "year": year, "week": number, "contributions": contributions,
                      "ballots": ballots, "residents": residents})
    return Page(items=items, page=max(1, page), per_page=weeks, more=earlier is not None,
                next_cursor=start.isoformat(), prev_cursor=end.isoformat() if page > 1 else None)
