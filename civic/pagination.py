"""A page of results from a select(), counted with one COUNT query."""
from dataclasses import dataclass
from math import ceil

from sqlalchemy import func, select

from .extensions import db


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self):
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self):
        return self.page > 1

    @property
    def has_next(self):
        return self.page < self.pages


def paginate_rows(statement, page, per_page):
    total = db.session.execute(select(func.count()).select_from(statement.order_by(None).subquery())).scalar_one()
    last = max(1, ceil(total / per_page))
    page = min(max(1, page), last)
    rows = db.session.execute(statement.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(items=rows, page=page, per_page=per_page, total=total)
