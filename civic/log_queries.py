"""Reading the logs Civic keeps (the staff log, the audit log of assisted actions): newest first, filtered,
a page at a time."""
from sqlalchemy import select

from .pagination import keyset_page

LOG_PAGE = 50


def newest_first(model, since=None, until=None, *, eager=(), page=1, after=None, before=None, per_page=LOG_PAGE,
                 **equal):
    """A page (civic.pagination.Page) of the rows of a log ``model``, newest first: those whose columns equal
    the values given (a value left empty filters nothing), created in [since, until). ``eager``: loader
    options for what the page shows of each row."""
    order = (model.created_at, model.id)
    statement = select(model, *order).options(*eager)
    for column, value in equal.items():
        if value:
            statement = statement.where(getattr(model, column) == value)
    if since:
        statement = statement.where(model.created_at >= since)
    if until:
        statement = statement.where(model.created_at < until)
    found = keyset_page(statement, order, page=page, per_page=per_page, after=after, before=before, descending=True)
    found.items = [row[0] for row in found.items]
    return found
