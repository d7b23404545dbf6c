from ..access import Action, Role, register

register(Action.THEME_MANAGE, {Role.ADMIN})
