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
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def flash_refusal(error):
    """Say why on the next page (for actions without a form of their own), save nothing."""
    refuse()
    flash(error.message, "error")
