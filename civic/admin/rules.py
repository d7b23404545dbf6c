from ..access import Action, Role, register

register(Action.ADMIN_ACCESS, {Role.ADMIN})
register(Action.ROLE_GRANT, {Role.ADMIN})
register(Action.DISTRICT_MANAGE, {Role.ADMIN})
register(Action.STAFF_LOG_READ, {Role.ADMIN})
