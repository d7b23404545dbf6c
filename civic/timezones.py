"""Civic stores UTC and shows Paris time: the one place that converts between them.

Officials type dates in Paris time (a vote opens "at 9 h"); filters of the logs take whole
Paris days; everything stored is an aware UTC datetime (db_types.UTCDateTime).
"""
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
# The days officials type (phases, milestones) fall within these years: another is a typing mistake (and would
# not fit some databases' dates).
FIRST_YEAR, LAST_YEAR = 2000, 2100


def paris_to_utc(value):
    """A naive datetime typed in Paris time, as an aware UTC datetime."""
    return value.replace(tzinfo=PARIS).astimezone(UTC) if value else None


def utc_to_paris(value):
    """An aware datetime as the naive Paris time a form shows."""
    return value.astimezone(PARIS).replace(tzinfo=None) if value else None


def now_paris():
    """Now in Paris time, to the minute, as a form's default."""
    return datetime.now(PARIS).replace(tzinfo=None, second=0, microsecond=0)


def paris_day_bounds(first_day, last_day):
    """(since, until) in UTC for a filter "from first_day to last_day included", days in Paris time.

    A bound past what datetimes hold (01/01/0001, 31/12/9999) is no bound at all."""

    def start(day):
        try:
            return datetime.combine(day, time(), tzinfo=PARIS).astimezone(UTC) if day else None
        except OverflowError:
            return None

    def end(day):
        try:
            return start(day + timedelta(days=1)) if day else None
        except OverflowError:
            return None

    return start(first_day), end(last_day)
