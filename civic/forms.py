"""Validators and field helpers shared by every form."""
from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import ValidationError
from wtforms.validators import DataRequired, Length


def required(message=None):
    return DataRequired(message=message or _l("This field is required."))


def max_length(n):
    return Length(max=n, message=_l("Enter at most %(max)d characters.", max=n))


def strip(value):
    return value.strip() if isinstance(value, str) else value


class StrongPassword:
    """At least PASSWORD_MIN_LENGTH characters (ANSSI: length beats composition rules)."""

    def __call__(self, form, field):
        minimum = current_app.config["PASSWORD_MIN_LENGTH"]
        value = field.data or ""
        if len(value) < minimum:
            raise ValidationError(_l("Choose a password of at least %(min)d characters.", min=minimum))
        if len(value) > 128:
            raise ValidationError(_l("Choose a password of at most 128 characters."))
