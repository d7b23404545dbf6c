"""Reading the logs Civic keeps (the staff log, the audit log of assisted actions): newest first, filtered."""
from sqlalchemy import select


def newest_first(model, since=None, until=None, **equal):
    """The rows of a log ``model``, newest first: those whose columns equal the values given (a value left
    empty filters nothing), created in [since, until)."""
    statement = select(model).order_by(model.created_at.desc(), model.id.desc())
    for column, value in equal.items():
        if value:
            statement = statement.where(getattr(model, column) == value)
    if since:
        statement = statement.where(model.created_at >= since)
    if until:
        statement = statement.where(model.created_at < until)
    return statement
