"""Errors that services raise and views turn into messages on the right form field."""


class DomainError(Exception):
    def __init__(self, message, field=None):
        super().__init__(str(message))
        self.message = message
        self.field = field


def attach_error(form, error):
    """Show a DomainError on its field (or on the form as a whole) and keep what was typed."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)
