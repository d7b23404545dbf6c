"""The districts as open data (civic.opendata): the parts of the territory that residents choose from and that
some votes are limited to (the decisions_districts dataset names them)."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..opendata.datasets import Dataset, register
from .models import District


def _rows(districts):
    return [{"id": d.id, "name": d.name} for d in districts]


register(Dataset(name="districts", title=_l("Districts"),
                 description=_l("The districts residents say they live in, and that some votes are limited to."),
                 query=lambda: select(District), key=District.id, serialise=_rows,
                 withdrawn_by=(District.name, District), order=85))
