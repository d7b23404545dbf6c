"""Civic settings, read from environment variables: one class per environment.

Pick the class with CIVIC_ENV (development, the default; testing; production).
"""
import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("CIVIC_INSTANCE_DIR", BASE_DIR / "instance"))


def _env_bool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _sqlite_url(filename):
    return f"sqlite:///{INSTANCE_DIR / filename}"


def _development_secret_key():
    """A key generated once into instance/, so sessions survive restarts without a hard-coded secret."""
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


class Config:
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", _sqlite_url("civic.sqlite3"))
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SECRET_KEY = os.environ.get("SECRET_KEY")
    DEBUG = False
    TESTING = False

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 8
    WTF_CSRF_TIME_LIMIT = 60 * 60 * 4

    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "Europe/Paris"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
    LANGUAGES = ("fr", "en")

    SITE_NAME = os.environ.get("CIVIC_SITE_NAME", "Civic")
    COLLECTIVITE_NAME = os.environ.get("CIVIC_COLLECTIVITE_NAME", "Villeneuve-sur-Lys")
    # The site's public address, for links in e-mails written outside a request (flask notify).
    PUBLIC_URL = os.environ.get("CIVIC_PUBLIC_URL", "http://127.0.0.1:5000")

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", True)
    MAIL_USE_SSL = _env_bool("MAIL_USE_SSL", False)
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Civic <no-reply@localhost>")

    PASSWORD_RESET_MAX_AGE = int(os.environ.get("CIVIC_PASSWORD_RESET_MAX_AGE", 60 * 60))
    EMAIL_CONFIRM_MAX_AGE = int(os.environ.get("CIVIC_EMAIL_CONFIRM_MAX_AGE", 60 * 60 * 48))
    PASSWORD_MIN_LENGTH = 12
    PROPOSALS_PER_PAGE = 10

    RATELIMIT_ENABLED = _env_bool("CIVIC_RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = False
    # Per IP: a mediation desk puts many residents behind one address, so the IP limit is loose
    # and the per-account limit (applied to the e-mail typed) does the real work.
    LOGIN_LIMIT_PER_IP = os.environ.get("CIVIC_LOGIN_LIMIT_PER_IP", "60 per minute")
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("CIVIC_LOGIN_LIMIT_PER_ACCOUNT", "10 per 15 minutes")
    FORM_LIMIT_PER_IP = os.environ.get("CIVIC_FORM_LIMIT_PER_IP", "30 per minute")


    @staticmethod
    def prepare(config):
        """Complete or check the settings once the app has loaded them."""


class DevelopmentConfig(Config):
    @staticmethod
    def prepare(config):
        if not config.get("SECRET_KEY"):
            config["SECRET_KEY"] = _development_secret_key()


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-only-not-a-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("CIVIC_TEST_DATABASE_URL", "sqlite://")
    # The limiter stays on in tests, with limits no test reaches unless it lowers them.
    RATELIMIT_ENABLED = True
    LOGIN_LIMIT_PER_IP = LOGIN_LIMIT_PER_ACCOUNT = FORM_LIMIT_PER_IP = "100000 per minute"
    WTF_CSRF_ENABLED = True


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"

    @staticmethod
    def prepare(config):
        """Refuse to start on settings that would be unsafe in front of residents."""
        key = config.get("SECRET_KEY") or ""
        if len(key) < 32 or key in {"change-me", "changeme", "secret", "dev"}:
            raise RuntimeError(
                "SECRET_KEY must be set to a random value of at least 32 characters in production "
                "(for example: python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        if config.get("DEBUG") or _env_bool("FLASK_DEBUG", False):
            raise RuntimeError("Debug mode must be off in production (unset FLASK_DEBUG).")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def get_config(name=None):
    name = (name or os.environ.get("CIVIC_ENV") or "development").lower()
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"Unknown CIVIC_ENV {name!r}: choose one of {', '.join(CONFIGS)}.") from None
