from ..access import Action, Role, register

# The collectivité's identity, its logo and the text of the pages the law requires.
register(Action.IDENTITY_MANAGE, {Role.ADMIN})
