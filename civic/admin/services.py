from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..accounts.models import District, Role, User
from ..accounts.sessions import end_all_sessions
from ..domain import DomainError
from ..db_types import name_key
from ..extensions import db
from ..transaction import unique_insert
from ..pagination import paginate_rows
from ..proposals.models import Theme
from ..text import LIKE_ESCAPE, like_contains


def list_users(query="", page=1, per_page=25):
    statement = select(User).order_by(User.display_name, User.id)
    query = " ".join((query or "").casefold().split())
    if query:
        statement = statement.where(
            func.lower(User.display_name).like(like_contains(query), escape=LIKE_ESCAPE)
            | User.email_normalized.like(like_contains(query), escape=LIKE_ESCAPE)
        )
    return paginate_rows(statement, page, per_page)


def grant_role(admin, user, role):
    """``admin`` is None for `flask create-admin` (the staff log then names no one: the server's operator)."""
    if admin is not None and user.id == admin.id and role is not Role.ADMIN:
        raise DomainError(_l("You cannot remove your own administrator role: ask another administrator."),
                          field="role")
    if user.role is not role:
        from ..staff_log import record

        record(admin, "role", "grant", "user", user.id, {"role": user.role.value}, {"role": role.value})
        # Whoever was logged in to this account logs in again under the new role (a copied cookie of the
        # old one, above all, must not keep a moderator's or an admin's rights).
        end_all_sessions(user)
    user.role = role
    db.session.flush()


def all_themes():
    return db.session.execute(select(Theme).order_by(Theme.name)).scalars().all()


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


def add_district(name):
    name = name.strip()
    taken = DomainError(_l("A district with this name already exists."), field="name")
    if db.session.execute(select(District.id).where(District.name_key == name_key(name))).first():
        raise taken
    district = District(name=name)
    with unique_insert(taken, column="district.name_key"):
        db.session.add(district)
    return district
