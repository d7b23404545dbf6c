"""Errors that services raise and views turn into messages on the right form field.

A refusal ends the request's transaction with a rollback (civic.transaction): a service may
have changed something before it found out it had to refuse, and none of it must stay.
"""
from flask import flash

from .transaction import refuse


class DomainError(Exception):
    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


def attach_error(form, error):
    """Show a DomainError on its field (or on the form as a whole), keep what was typed, save nothing."""
    refuse()
    field, rows = _named(form, error.field) if error.field else (None, None)
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)
    if rows is not None:  # the list's errors are its rows' as of validation: they have one more now
        rows.errors = [entry.errors for entry in rows.entries]


def _named(form, name):
    """(a field of the form by its name, the list of rows it is in or None): the fields of rows are named
    "phases-1-starts_on"."""
    field = getattr(form, name, None)
    if field is not None:
        return field, None
    for top in form:
        for entry in getattr(top, "entries", ()):
            for sub in (entry if entry.type == "FormField" else [entry]):
                if sub.name == name:
                    return sub, top
    return None, None


def flash_refusal(error):
    """Say why on the next page (for actions without a form of their own), save nothing."""
    refuse()
    flash(error.message, "error")
