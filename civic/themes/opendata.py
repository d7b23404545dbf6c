"""The themes as open data (civic.opendata)."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..opendata.datasets import Dataset, register
from .models import Theme


def _rows(themes):
    return [{"id": t.id, "name": t.name, "name_en": t.name_en, "active": t.active} for t in themes]


register(Dataset(name="themes", title=_l("Themes"), description=_l("The themes residents file their proposals under."),
                 query=lambda: select(Theme), key=Theme.id, serialise=_rows,
                 withdrawn_by=(Theme.name, Theme.name_en, Theme), order=80))
