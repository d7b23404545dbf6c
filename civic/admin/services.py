from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from .. import identity, staff_log
from ..access import Action, Role, check
from ..accounts.models import District, User
from ..accounts.sessions import end_all_sessions
from ..counters.residents import has_word_starting_with, name_words
from ..db_types import name_key
from ..domain import DomainError
from ..legal.logo import LogoRefused, sanitise
from ..extensions import db
from ..pagination import keyset_page
from ..targets import TargetType
from ..text import LIKE_ESCAPE, like_contains
from ..transaction import unique_insert


USERS_PAGE = 25


staff_log.describe("role", "grant", _l("Role of account n° %(n)s changed"))
staff_log.describe_fields(TargetType.USER, "role", {"role": staff_log.Field(_l("Role"), staff_log.enum_value(Role))})
staff_log.describe("settings", "identity", _l("Identity of the collectivité changed"))
# The logo is logged by its version (the start of its SHA-256), not its text.
staff_log.describe_fields(TargetType.SETTING, "settings", {
    f"identity_{name}": staff_log.Field(label) for name, label in identity.LABELS.items()})


# Which accounts the list shows: all, those in use, or the counter records merged into an account.
SHOWN = {"all": (), "in_use": (User.merged_into_id.is_(None),), "merged": (User.merged_into_id.is_not(None),)}


def list_users(query="", *, shown="all", page=1, after=None, before=None, per_page=USERS_PAGE):
    """Accounts by name, a page at a time (each item a User), those whose name or e-mail address holds
    ``query`` if one is given, or whose civil name has words beginning with its words (a counter record's
    display name may be a first name only: "Perrin" finds "Joëlle Perrin"), of the kind ``shown`` (a key of
    SHOWN)."""
    order = (User.display_name, User.id)
    statement = select(User, *order).where(*SHOWN.get(shown, ()))
    words = name_words(query)
    query = " ".join((query or "").casefold().split())
    if query:
        matches = [func.lower(User.display_name).like(like_contains(query), escape=LIKE_ESCAPE),
                   User.email_normalized.like(like_contains(query), escape=LIKE_ESCAPE)]
        if words:
            matches.append(and_(*(has_word_starting_with(word) for word in words)))
        statement = statement.where(or_(*matches))
    found = keyset_page(statement, order, page=page, per_page=per_page, after=after, before=before)
    found.items = [row[0] for row in found.items]
    return found


def merged_into(users):
    """{id: account} of the accounts the merged records among ``users`` were merged into, in one query."""
    ids = {user.merged_into_id for user in users if user.merged_into_id}
    if not ids:
        return {}
    return {user.id: user for user in db.session.execute(select(User).where(User.id.in_(ids))).scalars()}


def staff_members():
    staff = [role for role in Role if role is not Role.RESIDENT]
    return db.session.execute(select(User).where(User.role.in_(staff)).order_by(User.display_name)).scalars().all()


def grant_role(admin, user, role):
    """``admin`` is None for `flask create-admin` (the staff log then names no one: the server's operator)."""
    if admin is not None:
        check(admin, Action.ROLE_GRANT, user)
    if admin is not None and user.id == admin.id and role is not Role.ADMIN:
        raise DomainError(_l("You cannot remove your own administrator role: ask another administrator."),
                          field="role")
    if user.role is not role:
        staff_log.record(admin, "role", "grant", TargetType.USER, user.id, {"role": user.role.value},
                         {"role": role.value})
        # Whoever was logged in to this account logs in again under the new role (a copied cookie of the
        # old one, above all, must not keep a moderator's or an admin's rights).
        end_all_sessions(user)
    user.role = role
    db.session.flush()


def add_district(name):
    name = name.strip()
    taken = DomainError(_l("A district with this name already exists."), field="name")
    if db.session.execute(select(District.id).where(District.name_key == name_key(name))).first():
        raise taken
    district = District(name=name)
    with unique_insert(taken, column="district.name_key"):
        db.session.add(district)
    return district


def save_identity(admin, values, logo=None, remove_logo=False):
    """``values``: {field of civic.identity.TEXT_FIELDS: text, "" to unset}, checked by the form;
    ``logo``: the bytes of an uploaded SVG (sanitised here, refused with the reason), or None to keep it."""
    check(admin, Action.IDENTITY_MANAGE)
    before = identity.current()
    changes = dict(values)
    if logo is not None:
        try:
            changes["logo"] = sanitise(logo)
        except LogoRefused as refused:
            raise DomainError(refused.message, field="logo") from None
    elif remove_logo:
        changes["logo"] = ""
    identity.save(changes, DomainError(_l("Another administrator changed these settings at the same moment: "
                                          "reload the page and check them.")))
    logged = {name: value for name, value in before.values().items() if name in changes}
    logged_after = dict(changes)
    if "logo" in changes:
        logged["logo"] = before.logo_version
        logged_after["logo"] = identity.Identity(name="", logo=changes["logo"]).logo_version
    changed = {name for name in changes if logged.get(name, "") != logged_after.get(name, "")}
    if changed:
        staff_log.record(admin, "settings", "identity", TargetType.SETTING, None,
                         {f"identity_{name}": logged.get(name, "") for name in sorted(changed)},
                         {f"identity_{name}": logged_after.get(name, "") for name in sorted(changed)})
