"""Flask extensions, created unbound and initialised by create_app()."""
from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from .csrf import MaskedCSRFProtect

# Named constraints so that Alembic can alter them on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
babel = Babel()
csrf = MaskedCSRFProtect()


class _Limiter(Limiter):
    """Flask-Limiter, whose checks run only when there is something for them to count.

    Its check before every request applies the application's, blueprints', default and meta limits (and the
    fallback ones while its storage is out): Civic has none of those, its limits decorate the views they guard
    (civic.limits). And a guarded view checks its own limits when called, even those of other methods (the log-in
    page's GET, whose limits count the POSTs). Each check resolved the view, its exemptions and its limits: some
    40 µs, for nothing to count."""

    def _check_request_limit(self, callable_name=None, in_middleware=True):
        if not self._limits_beyond_views() and (in_middleware or not self._view_limited_now(callable_name)):
            return
        super()._check_request_limit(callable_name=callable_name, in_middleware=in_middleware)

    def _limits_beyond_views(self):
        manager = self.limit_manager
        return bool(manager.application_limits or manager.default_limits or manager._blueprint_limits
                    or self._meta_limits or (self._storage_dead and self._in_memory_fallback))

    def _view_limited_now(self, callable_name):
        """Whether a limit of the view ``callable_name`` counts a request of this method."""
        limits = self.limit_manager._decorated_limits.get(callable_name) if callable_name else None
        if not limits:
            return True  # not a view Civic decorated: Flask-Limiter decides
        method = request.method.lower()
        return any(limit.methods is None or method in limit.methods for limit in limits)


limiter = _Limiter(key_func=get_remote_address, default_limits=[])
