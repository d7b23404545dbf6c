"""Pages of a list that can grow without end: proposals, comments, logs, queues.

A page is found from where the previous one stopped (keyset pagination): the next page's link
carries the sort key of the last row shown (``after``), the previous page's the first one's
(``before``), and the database reads from there through an index. OFFSET would read and drop
every earlier row: page 500 of a list then costs 500 pages. A page typed by number without a
cursor (``?page=7``) is still found by OFFSET, over the index only.

The order is a tuple of columns ending with a unique one (the id), all in one direction.
The cursor is those values as text: a forged one only starts the list somewhere else.
"""
from dataclasses import dataclass
from datetime import UTC, datetime
from math import ceil

from flask import request
from sqlalchemy import func, literal, select, tuple_, union_all
from sqlalchemy.types import TypeDecorator

from .extensions import db
from .routing import int_arg, parse_id

CURSOR_SEPARATOR = "~"
MAX_TYPED_PAGE = 1000


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int | None = None  # None: not counted (a list nobody needs the size of)
    total_capped: bool = False  # more rows match than ``total``, where counting stopped
    next_cursor: str | None = None
    prev_cursor: str | None = None
    more: bool | None = None  # known to have a next page (keyset pages, which know without counting)

    @property
    def pages(self):
        if self.total is None or self.total_capped:
            return None
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self):
        return self.page > 1

    @property
    def has_next(self):
        if self.more is not None:
            return self.more
        return self.pages is not None and self.page < self.pages


def _value_text(value):
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _parse_value(column, text):
    column_type = column.type
    python_type = (column_type.impl_instance if isinstance(column_type, TypeDecorator) else column_type).python_type
    if python_type is datetime:
        value = datetime.fromisoformat(text)
        if value.tzinfo is None:
            raise ValueError(text)
        return value.astimezone(UTC)  # here, so that a date at the calendar's edge is refused as a cursor
    if python_type is int:
        value = parse_id(text.removeprefix("-"))
        if value is None:
            raise ValueError(text)
        return -value if text.startswith("-") else value
    return python_type(text)


def encode_cursor(values):
    return CURSOR_SEPARATOR.join(_value_text(v) for v in values)


def decode_cursor(order, text):
    """The sort key in ``text``, or None when it is not one (then the list starts at its first page)."""
    if not text:
        return None
    # Only the first column may be free text (a name): it may hold the separator, the others cannot.
    parts = text.rsplit(CURSOR_SEPARATOR, len(order) - 1)
    if len(parts) != len(order):
        return None
    try:
        return tuple(_parse_value(column, part) for column, part in zip(order, parts))
    # NotImplementedError: what SQLAlchemy raises for a column type without a python_type (a cursor on it is
    # never valid); the others: text that is not a value of the column's type.
    except (ValueError, TypeError, OverflowError, NotImplementedError):
        return None


def count(statement, cap=None):
    """The number of rows of ``statement``; with ``cap``, at most cap + 1: counting a hundred thousand
    matches to print "more than 1,000" would cost a scan of them all on each page."""
    statement = statement.order_by(None)
    if cap is not None:
        statement = statement.limit(cap + 1)
    return db.session.execute(select(func.count()).select_from(statement.subquery())).scalar_one()


@dataclass
class Merged:
    """A list made of several SELECTs of the same labelled columns, each read through its own index in the
    list's order (the moderation queue: reported items, and content waiting for review). keyset_page applies
    its condition to each part and its order and limit to their UNION ALL, which SQLite and PostgreSQL then
    read by merging the parts in order, a page's worth from each, instead of sorting them all."""
    parts: tuple
    names: tuple  # the labels of the list's order

    def columns(self, part):
        return tuple(part.selected_columns[name] for name in self.names)


def _query(statement, order, condition, ordering):
    """``statement`` where ``condition(columns of the order)`` holds (None: everywhere), sorted by
    ``ordering(those columns)``."""
    if not isinstance(statement, Merged):
        return (statement if condition is None else statement.where(condition(order))).order_by(*ordering(order))
    merged = union_all(*(part if condition is None else part.where(condition(statement.columns(part)))
                         for part in statement.parts))
    return merged.order_by(*ordering(statement.columns(merged)))


def keyset_page(statement, order, *, page=1, per_page, after=None, before=None, descending=False, total=None,
                count_cap=None):
    """One page of ``statement``'s rows in ``order``, which it must select (a tuple of columns ending with
    a unique one). ``after`` / ``before``: the cursor of the page's link; ``page``: its number, for
    display and for OFFSET when no cursor came with it. ``total``: the number of rows if the caller
    wants it shown (a count costs a scan of the matching index); ``count_cap``: with ``total``, the count
    stopped past that many rows (then the page says "more than count_cap"). ``statement`` may be a Merged
    list: ``order`` is then the columns of its first part."""
    page = max(1, page or 1)
    if after is None and before is None:
        # A page typed by number is read by OFFSET: never deeper than the count people are shown.
        page = min(page, MAX_TYPED_PAGE)
    forward_key, backward_key = decode_cursor(order, after), decode_cursor(order, before)

    def values(cursor):
        return tuple_(*(literal(v, type_=c.type) for c, v in zip(order, cursor)))

    def ordering(reverse):
        return lambda columns: [c.desc() if descending != reverse else c.asc() for c in columns]

    def beyond(cursor, backward):
        """The rows past ``cursor``, reading forward or backward."""
        return lambda columns: (tuple_(*columns) < values(cursor) if descending != backward
                                else tuple_(*columns) > values(cursor))

    if backward_key is not None:
        rows = db.session.execute(_query(statement, order, beyond(backward_key, True), ordering(True))
                                  .limit(per_page + 1)).all()
        at_start = len(rows) <= per_page
        rows = list(reversed(rows[:per_page]))
        if at_start:
            page = 1
        more = True
    else:
        query = _query(statement, order, None if forward_key is None else beyond(forward_key, False), ordering(False))
        query = query.limit(per_page + 1)
        if forward_key is None and page > 1:
            query = query.offset((page - 1) * per_page)
        rows = db.session.execute(query).all()
        if not rows and forward_key is None and page > 1:
            return keyset_page(statement, order, page=1, per_page=per_page, descending=descending, total=total,
                               count_cap=count_cap)
        more = len(rows) > per_page
        rows = rows[:per_page]

    keys = statement.names if isinstance(statement, Merged) else order

    def cursor(row):
        mapping = row._mapping
        return encode_cursor(mapping[k] for k in keys)

    return Page(
        items=rows, page=page, per_page=per_page, more=more,
        total=min(total, count_cap) if total is not None and count_cap is not None else total,
        total_capped=total is not None and count_cap is not None and total > count_cap,
        next_cursor=cursor(rows[-1]) if rows and more else None,
        prev_cursor=cursor(rows[0]) if rows and page > 1 else None,
    )


def paginate_rows(statement, page, per_page):
    """A page by its number (OFFSET) with the total: for lists that stay short."""
    total = count(statement)
    last = max(1, ceil(total / per_page))
    page = min(max(1, page), last)
    rows = db.session.execute(statement.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(items=rows, page=page, per_page=per_page, total=total)


def page_args():
    """page, after and before from the query string: where the link followed said the page starts."""
    return {"page": int_arg("page", 1), "after": request.args.get("after"), "before": request.args.get("before")}
