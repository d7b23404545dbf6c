from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..db_types import name_key
from ..domain import DomainError
from ..extensions import db
from ..rows import read_columns
from ..transaction import unique_insert
from .models import Theme


def all_themes():
    return db.session.execute(select(Theme).order_by(Theme.name)).scalars().all()


def active_themes():
    return db.session.execute(select(Theme).where(Theme.active).order_by(Theme.name)).scalars().all()


class ThemeName(NamedTuple):
    """A theme as lists show it (a filter's choice, a proposal's card), read as columns: some 20 objects a page cost
    more to load than their statement."""
    id: int
    name: str
    name_en: str | None
    label = Theme.label


_CHOICES = select(Theme.id, Theme.name, Theme.name_en).where(Theme.active).order_by(Theme.name)


def theme_choices():
    """[ThemeName] of the themes offered, in order."""
    return [ThemeName(*row) for row in read_columns(_CHOICES).all()]


def offered_theme(theme_id):
    """The theme a resident chose, if it is still offered; DomainError on the form's theme field otherwise."""
    theme = db.session.get(Theme, theme_id) if theme_id else None
    if theme is None or not theme.active:
        raise DomainError(_l("Choose a theme from the list."), field="theme")
    return theme


def save_theme(theme, name, name_en, active):
    name = name.strip()
    taken = DomainError(_l("A theme with this name already exists."), field="name")
    clash = db.session.execute(
        select(Theme.id).where(Theme.name_key == name_key(name), Theme.id != (theme.id if theme else -1))).first()
    if clash is not None:
        raise taken
    with unique_insert(taken, column="theme.name_key"):
        if theme is None:
            theme = Theme()
            db.session.add(theme)
        theme.name = name
        theme.name_en = (name_en or "").strip() or None
        theme.active = active
    return theme
