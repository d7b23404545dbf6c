"""Flask extensions, created unbound and initialised by create_app()."""
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
    """Flask-Limiter, whose check before every request runs only when there is something for it to check: the
    application's, blueprints', default and meta limits (and the fallback ones while its storage is out). Civic has
    none of those: its limits decorate the views they guard (civic.limits) and are checked when those are called.
    With nothing to check, the hook still resolved each request's view, exemptions and limits, some 20 µs."""

    def _check_request_limit(self, callable_name=None, in_middleware=True):
        manager = self.limit_manager
        if in_middleware and not (manager.application_limits or manager.default_limits or manager._blueprint_limits
                                  or self._meta_limits or (self._storage_dead and self._in_memory_fallback)):
            return
        super()._check_request_limit(callable_name=callable_name, in_middleware=in_middleware)


limiter = _Limiter(key_func=get_remote_address, default_limits=[])
