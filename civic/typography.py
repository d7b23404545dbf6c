"""Typography of the reader's language, in one place: the catalogs' strings (civic.i18n applies ``typeset`` to
each French msgstr once, when the catalog loads, so pages, flash messages and mails all get it), text that
does not come from the catalogs (the ``typeset`` filter), and numbers, amounts, percentages and dates (the
template filters of civic.templating).

French writes its apostrophe ’ and puts a narrow no-break space (U+202F) before ; : ! ? » % € and after «, so that the sign never starts
a line; numbers are grouped by no-break spaces ("30 000"), which Babel's French locale already does; the first
day of a month is "1er". Text in another language passes unchanged.
"""
import re
from functools import lru_cache

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

NARROW_NBSP = "\u202f"
NBSP = "\u00a0"

# A space (or none) where French wants a narrow no-break space. "%(name)s" is a placeholder of a format
# string, not a percent sign: the space before it stays.
_SPACE_BEFORE = re.compile(r"[ \u00a0\u202f]+(?=[;:!?»€]|%(?!\())")
_SPACE_AFTER = re.compile(r"«[ \u00a0\u202f]*")
# Signs glued to the word before them: "»", and "; ! ?" ending a word before a space or the end ("Attention!";
# a "?" inside a URL is left alone).
_GLUED = re.compile(r"(?<=[\w).])(?=»|[;!?]+(?:\s|$))")

# French has one apostrophe, the typographic one: "l’habitant".
_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")

DATE_PATTERN = "d MMMM y"
DATETIME_PATTERN = "d MMMM y, HH:mm"
# French writes the first of the month as an ordinal: "1er mars".
_FIRST_OF_MONTH = {"fr": ("d'er' MMMM y", "d'er' MMMM y, HH:mm")}


def _french(lang):
    return str(lang).startswith("fr")


def typeset(text, lang):
    """``text`` with the spaces its language's typography wants around punctuation."""
    if not text or not _french(lang):
        return text
    text = _SPACE_BEFORE.sub(NARROW_NBSP, text)
    text = _SPACE_AFTER.sub("«" + NARROW_NBSP, text)
    text = _APOSTROPHE.sub("\u2019", text)
    return _GLUED.sub(NARROW_NBSP, text)


@lru_cache(maxsize=8192, typed=True)  # Babel takes ~50 µs a number; a page says the same few counts each time
def number(value, lang):
    """"30 000" (grouped by a narrow no-break space) in French, "30,000" in English."""
    return format_decimal(value, locale=lang)


def percent(fraction, lang):
    """A share as "76,9 %" in French (the sign kept on the number's line), "76.9%" in English."""
    text = format_decimal(fraction * 100, format="#,##0.#", locale=lang)
    return text + (NARROW_NBSP + "%" if _french(lang) else "%")


def amount(euros, lang):
    """An amount in euros that never breaks: "30 000 €", "30,000 €"."""
    return number(euros, lang) + (NARROW_NBSP if _french(lang) else NBSP) + "€"


def date_pattern(day, lang, with_time=False):
    """The pattern of a date whose day of the month (in the reader's time zone) is ``day``: one format per
    language, "1er" in French."""
    if day == 1 and str(lang)[:2] in _FIRST_OF_MONTH:
        return _FIRST_OF_MONTH[str(lang)[:2]][with_time]
    return DATETIME_PATTERN if with_time else DATE_PATTERN


def long_date(value, lang):
    return format_date(value, date_pattern(value.day, lang), locale=lang)


def long_datetime(value, lang, tzinfo):
    local = value.astimezone(tzinfo)
    return format_datetime(local, date_pattern(local.day, lang, with_time=True), tzinfo=tzinfo, locale=lang)
