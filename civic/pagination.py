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
from typing import NamedTuple

from flask import request
from sqlalchemy import Integer, bindparam, func, select, tuple_, union_all
from sqlalchemy.types import TypeDecorator

from .extensions import db
from .routing import int_arg, parse_id
from .rows import read_columns

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


# count's queries of statements built once, by (statement, cap).
_COUNTS = {}


def count(statement, cap=None, params=None, built_once=False):
    """The number of rows of ``statement``; with ``cap``, at most cap + 1: counting a hundred thousand
    matches to print "more than 1,000" would cost a scan of them all on each page. ``params``: the values of
    its bound parameters; ``built_once``: ``statement`` is built once for the process, so its count is too."""
    query = _COUNTS.get((statement, cap)) if built_once else None
    if query is None:
        counted = statement.order_by(None)
        if cap is not None:
            counted = counted.limit(cap + 1)
        query = select(func.count()).select_from(counted.subquery())
        if built_once:
            _COUNTS[statement, cap] = query
    return read_columns(query, params).scalar_one()


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


# keyset_page's queries of statements built once (``built_once``), by (statement, way), and their _Shape by
# statement: the values of a page (cursor, limit, offset) are bound at each execution, so that each query is built
# and its cache key made once.
_BUILT, _SHAPES = {}, {}
FIRST, BY_OFFSET, FORWARD, BACKWARD = "first", "offset", "forward", "backward"


def _page_query(statement, order, descending, way):
    """The query of a page read ``way`` (FIRST, BY_OFFSET, FORWARD from a cursor, BACKWARD before one), its
    limit, offset and cursor bound as "page_limit", "page_offset" and "cursor_0"..."""
    backward = way == BACKWARD

    def ordering(columns):
        return [c.desc() if descending != backward else c.asc() for c in columns]

    def beyond(columns):
        """The rows past the cursor, reading forward or backward."""
        cursor = tuple_(*(bindparam(f"cursor_{n}", type_=c.type) for n, c in enumerate(order)))
        return tuple_(*columns) < cursor if descending != backward else tuple_(*columns) > cursor

    query = _query(statement, order, beyond if way in (FORWARD, BACKWARD) else None, ordering)
    query = query.limit(bindparam("page_limit", type_=Integer))
    return query.offset(bindparam("page_offset", type_=Integer)) if way == BY_OFFSET else query


class _Shape(NamedTuple):
    objects: bool  # it selects an entity, whose rows need the ORM's loading, not columns only
    keys: tuple  # where a row holds the values of the order: positions, else keys of its mapping


def _shape(statement, order):
    parts = statement.parts if isinstance(statement, Merged) else (statement,)
    objects = any(d["expr"] is d["entity"] for part in parts for d in part.column_descriptions)
    if isinstance(statement, Merged):
        return _Shape(objects, statement.names)
    # Positions rather than the columns as keys: rows read without the ORM know no mapped attribute, and a key
    # that is a column is matched by building an SQL comparison. A column selected in another form than the
    # order's (a label, another alias) is found by its table's column, as the ORM's rows find it.
    selected = [d["expr"] for d in statement.column_descriptions]

    def key(column):
        position = next((i for i, e in enumerate(selected) if e is column), None)
        if position is not None:
            return position
        return column.__clause_element__() if hasattr(column, "__clause_element__") else column

    return _Shape(objects, tuple(key(column) for column in order))


def keyset_page(statement, order, *, page=1, per_page, after=None, before=None, descending=False, total=None,
                count_cap=None, params=None, built_once=False):
    """One page of ``statement``'s rows in ``order``, which it must select (a tuple of columns ending with
    a unique one). ``after`` / ``before``: the cursor of the page's link; ``page``: its number, for
    display and for OFFSET when no cursor came with it. ``total``: the number of rows if the caller
    wants it shown (a count costs a scan of the matching index); ``count_cap``: with ``total``, the count
    stopped past that many rows (then the page says "more than count_cap"). ``statement`` may be a Merged
    list: ``order`` is then the columns of its first part. ``params``: the values of ``statement``'s bound
    parameters; ``built_once``: ``statement`` is built once for the process (its values bound), so that its
    pages' queries are remembered."""
    page = max(1, page or 1)
    if after is None and before is None:
        # A page typed by number is read by OFFSET: never deeper than the count people are shown.
        page = min(page, MAX_TYPED_PAGE)
    forward_key, backward_key = decode_cursor(order, after), decode_cursor(order, before)
    shape = _SHAPES.get(statement) if built_once else None
    if shape is None:
        shape = _shape(statement, order)
        if built_once:
            _SHAPES[statement] = shape

    def run(way, cursor=(), **values):
        query = _BUILT.get((statement, way)) if built_once else None
        if query is None:
            query = _page_query(statement, order, descending, way)
            if built_once:
                _BUILT[statement, way] = query
        values.update({f"cursor_{n}": v for n, v in enumerate(cursor)}, page_limit=per_page + 1)
        return (db.session.execute if shape.objects else read_columns)(query, {**(params or {}), **values}).all()

    if backward_key is not None:
        rows = run(BACKWARD, backward_key)
        at_start = len(rows) <= per_page
        rows = list(reversed(rows[:per_page]))
        if at_start:
            page = 1
        more = True
    else:
        if forward_key is not None:
            rows = run(FORWARD, forward_key)
        elif page > 1:
            rows = run(BY_OFFSET, page_offset=(page - 1) * per_page)
        else:
            rows = run(FIRST)
        if not rows and forward_key is None and page > 1:
            return keyset_page(statement, order, page=1, per_page=per_page, descending=descending, total=total,
                               count_cap=count_cap, params=params, built_once=built_once)
        more = len(rows) > per_page
        rows = rows[:per_page]

    def cursor(row):
        return encode_cursor(row[k] if isinstance(k, int) else row._mapping[k] for k in shape.keys)

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
