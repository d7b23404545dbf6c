from flask_babel import lazy_gettext as _l

from ..access import Action, Role, register

# A counter record merged into an account is no longer used to log in nor to act: the account has the role.
MERGED = _l("This counter record was merged into another account: it has no role of its own. Change the role of "
            "that account.")

# An erased account is kept, emptied, for what still refers to it: nobody can use it again.
ERASED = _l("This account was deleted: it can have no role.")


def _grantable(_admin, user):
    if user.merged_into_id is not None:
        return MERGED
    return ERASED if user.is_erased else None


register(Action.ADMIN_ACCESS, {Role.ADMIN})
register(Action.ROLE_GRANT, {Role.ADMIN}, check=_grantable)
register(Action.DISTRICT_MANAGE, {Role.ADMIN})
register(Action.STAFF_LOG_READ, {Role.ADMIN})
