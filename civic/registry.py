"""A registry: what each package declares once to the others (access rules, target kinds, receipts...)."""


class Registry(dict):
    """Things registered once each under a key, by the package that owns them; a second registration of a key
    is a mistake (two packages claiming one thing), not an update."""

    def __init__(self, what):
        super().__init__()
        self.what = what

    def add(self, key, value):
        if key in self:
            raise RuntimeError(f"{self.what} {key!r} is registered twice")
        self[key] = value
        return value
