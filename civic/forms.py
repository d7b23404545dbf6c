"""Validators and field helpers shared by every form."""
import re
from datetime import date, datetime

from flask import current_app
from flask_babel import format_number, lazy_gettext as _l

from markupsafe import Markup, escape
from wtforms import SelectMultipleField, StringField, ValidationError, widgets
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget
from wtforms.widgets.core import clean_key

from .routing import is_whole_number

# An amount above a billion euros is a typing mistake (a digit too many), never a budget, a project's cost or what
# a commune spent on it: every amount typed in a form stops there.
MAX_AMOUNT = 1_000_000_000


def required(message=None):
    return DataRequired(message=message or _l("This field is required."))


def max_length(n):
    return Length(max=n, message=_l("Enter at most %(max)d characters.", max=n))


def strip(value):
    return value.strip() if isinstance(value, str) else value


def _typed_number(sign):
    def typed(value):
        if not isinstance(value, str):
            return value
        for space in (" ", "\u00a0", "\u202f"):
            value = value.replace(space, "")
        return value.removesuffix(sign)
    return typed


# Filters of a number as people type it ("90 000 €", "40 %"): the spaces and the sign after it go.
amount_typed = _typed_number("€")
percent_typed = _typed_number("%")


def whole_number(field):
    """The number a field checked by ``whole_euros`` or ``whole_between`` holds, or None when left empty."""
    return int(field.data) if field.data not in (None, "") else None


def whole_between(minimum, maximum, message):
    """A validator: a whole number from ``minimum`` to ``maximum``, or nothing typed."""
    def check(_form, field):
        text = str(field.data or "")
        # Counted before int() reads it: past 4,300 digits, int() raises instead of answering.
        if text and not (is_whole_number(text) and len(text.lstrip("0")) <= len(str(maximum))
                         and minimum <= int(text) <= maximum):
            raise ValidationError(message)
    return check


def whole_euros(form, field):
    """An amount of at least one euro (a budget, a cost), or nothing typed."""
    whole_between(1, MAX_AMOUNT, _l("Enter a whole number of euros between 1 and %(max)s.",
                                    max=format_number(MAX_AMOUNT)))(form, field)


def strip_lines(value):
    """A textarea's filter: browsers post its line breaks as CRLF (HTML's form encoding), stored as LF, so a form
    sent again untouched equals what it showed."""
    return strip(value.replace("\r\n", "\n").replace("\r", "\n")) if isinstance(value, str) else value


class StrongPassword:
    """At least PASSWORD_MIN_LENGTH characters (ANSSI: length beats composition rules)."""

    def __call__(self, form, field):
        minimum = current_app.config["PASSWORD_MIN_LENGTH"]
        value = field.data or ""
        if len(value) < minimum:
            raise ValidationError(_l("Choose a password of at least %(min)d characters.", min=minimum))
        if len(value) > 128:
            raise ValidationError(_l("Choose a password of at most 128 characters."))


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def process_formdata(self, valuelist):
        # A box is ticked or not: a value sent twice (by hand, never by a browser) counts once.
        super().process_formdata(list(dict.fromkeys(valuelist)))


# Numbers where FORMATS expect them (31/02/1948): the shape is right, the day is not in the calendar.
_DATE_SHAPED = re.compile(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|\d{4}-\d{1,2}-\d{1,2}")


class DayField(StringField):
    """A date typed as text, DD/MM/YYYY (or YYYY-MM-DD): predictable with a keyboard and a screen
    reader, unlike the browsers' date pickers, and the same on an old phone."""

    FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "numeric", "autocomplete": "off", "size": "10"})
        super().__init__(label, validators, **kwargs)
        self.day = None

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.day = None
        text = (self.data or "").strip().replace(" ", "")
        if not text:
            return
        for fmt in self.FORMATS:
            try:
                self.day = datetime.strptime(text, fmt).date()
                break
            except ValueError:
                continue
        if self.day is None:
            if _DATE_SHAPED.fullmatch(text):
                raise ValueError(_l("This date does not exist: check the day and the month."))
            raise ValueError(_l("Enter a date in the format 31/12/1960."))

    def process_data(self, value):
        self.day = value if isinstance(value, date) else None
        self.data = value.strftime("%d/%m/%Y") if isinstance(value, date) else value


def html_params(**kwargs):
    """WTForms' ``html_params``, the attributes of every field and label it renders, giving the same text: each
    attribute written by an f-string rather than by ``Markup.format``, whose string.Formatter took some 7 µs an
    attribute (50 µs for a text field). Keys are escaped, values escaped then their quotes (a Markup value's
    own) written ``&quot;``, True is the bare attribute and False none, sorted by key, as WTForms does."""
    params = []
    for key, value in sorted(kwargs.items()):
        key = clean_key(key)
        if value is True:
            params.append(str(escape(key)))
        elif value is not False:
            params.append(f'{escape(key)}="{str(escape(value)).replace(chr(34), "&quot;")}"')
    return Markup(" ".join(params))


def use_faster_html_params():
    """Every widget and label of WTForms renders its attributes with ``html_params`` above: its widgets read the
    module's function, its inputs and buttons a copy of it, its labels the package's."""
    widgets.core.html_params = widgets.html_params = html_params
    widgets.core.Input.html_params = widgets.core.Button.html_params = staticmethod(html_params)
