"""Civic: citizen participation for French local authorities.

Importing the package imports nothing else: civic.voting, the counting core, must load
without Flask or SQLAlchemy. The application factory lives in civic.app; ``create_app``
here imports it when called, the one import inside a function in Civic (a test holds it).
"""


def create_app(overrides=None, env=None):
    from .app import create_app as factory  # noqa: PLC0415 - see the module docstring

    return factory(overrides, env)
