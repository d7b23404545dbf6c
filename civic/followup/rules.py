"""Who changes what a record says: the officials who answer proposals and publish results. Moderators judge what
residents write; what the collectivité did with a decision is the officials' word, signed as theirs."""
from ..access import Action, Role, register

register(Action.IMPLEMENTATION_UPDATE, {Role.ELECTED, Role.ADMIN})
