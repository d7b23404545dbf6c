"""Who may manage an account: its owner, whatever their role."""
from ..access import ALL_ROLES, Action, register

register(Action.MANAGE_OWN_ACCOUNT, ALL_ROLES)
