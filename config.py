"""Civic settings, read from environment variables: one class per environment.

Pick the class with CIVIC_ENV: development, testing or production. The WSGI entry point
(wsgi.py) refuses to start without it, so that a server is never run on the development
settings by accident.
"""
import math
import os
import re
import secrets
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("CIVIC_INSTANCE_DIR", BASE_DIR / "instance"))


def _env_bool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name, default):
    value = os.environ.get(name)
    return default if value is None or not value.strip() else int(value)


def _env_days(name):
    """{key: days} from "key=days,key=days"."""
    days = {}
    for item in filter(str.strip, os.environ.get(name, "").split(",")):
        key, _, value = item.partition("=")
        if not value.strip().isdigit():
            raise RuntimeError(f"{name}: {item.strip()!r} is not key=days (e.g. staff_log=1825).")
        days[key.strip()] = int(value)
    return days


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
    # A log-in lasts at most this long on the server, whatever the browser keeps (accounts.sessions).
    LOGIN_SESSION_MAX_AGE = _env_int("CIVIC_LOGIN_SESSION_MAX_AGE", 60 * 60 * 12)
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
    # Without cron, the clock jobs (votes that opened told to followers...) run after requests (civic.jobs).
    CLOCK_JOBS_AFTER_REQUESTS = _env_bool("CIVIC_CLOCK_JOBS_AFTER_REQUESTS", True)
    PASSWORD_MIN_LENGTH = 12
    PROPOSALS_PER_PAGE = 10

    # A writer waits this long for the one before it (SQLite has one writer at a time, see civic.sqlite);
    # FULL: a confirmed vote survives a power cut, not only a crash of the process.
    SQLITE_BUSY_TIMEOUT_MS = _env_int("CIVIC_SQLITE_BUSY_TIMEOUT_MS", 10_000)
    SQLITE_SYNCHRONOUS = os.environ.get("CIVIC_SQLITE_SYNCHRONOUS", "FULL").upper()

    # Pages and downloads compressed by the app; false when the reverse proxy compresses them (README).
    COMPRESS_RESPONSES = _env_bool("CIVIC_COMPRESS_RESPONSES", True)
    # Behind a reverse proxy: how many proxies set X-Forwarded-For and -Proto (0: trust none).
    PROXY_COUNT = _env_int("CIVIC_PROXY_COUNT", 0)

    # Nobody types 512 KB into a form; 10 MB posts are refused (413) before they are read.
    MAX_CONTENT_LENGTH = _env_int("CIVIC_MAX_CONTENT_LENGTH", 512 * 1024)
    MAX_FORM_MEMORY_SIZE = MAX_CONTENT_LENGTH
    MAX_FORM_PARTS = 500

    RATELIMIT_ENABLED = _env_bool("CIVIC_RATELIMIT_ENABLED", True)
    # memory:// counts in each process apart: right for `make run` (one process), wrong for several
    # gunicorn workers, which must share redis://host:6379/0 (production requires the setting).
    RATELIMIT_STORAGE_URI = os.environ.get("CIVIC_RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = False
    RATELIMIT_KEY_PREFIX = "civic"
    # Redis gone: each worker counts on its own until it is back, rather than no limit at all.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # Per IP: a mediation desk puts many residents behind one address, so the IP limit is loose
    # and the per-account limits (on the e-mail typed) do the real work. They count failed tries
    # only, and per account and IP first, so that someone else's tries do not lock an owner out;
    # the looser limit per account alone stops guesses spread over many addresses.
    LOGIN_LIMIT_PER_IP = os.environ.get("CIVIC_LOGIN_LIMIT_PER_IP", "60 per minute")
    LOGIN_LIMIT_PER_ACCOUNT_AND_IP = os.environ.get("CIVIC_LOGIN_LIMIT_PER_ACCOUNT_AND_IP", "10 per 15 minutes")
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("CIVIC_LOGIN_LIMIT_PER_ACCOUNT", "50 per hour")
    # The current password asked before a change: a browser left open must not let anyone guess it.
    PASSWORD_CHECK_LIMIT_PER_ACCOUNT = os.environ.get("CIVIC_PASSWORD_CHECK_LIMIT_PER_ACCOUNT", "10 per 15 minutes")
    FORM_LIMIT_PER_IP = os.environ.get("CIVIC_FORM_LIMIT_PER_IP", "30 per minute")
    # Secrets someone could guess by trying (receipt follow-up codes, ballot tracking codes, e-mailed
    # links): a person types a few; a script would type millions.
    SECRET_LIMIT_PER_IP = os.environ.get("CIVIC_SECRET_LIMIT_PER_IP", "20 per minute; 200 per day")
    # Code + birth date proves a counter record is one's own: few tries per account.
    ATTACH_LIMIT_PER_ACCOUNT = os.environ.get("CIVIC_ATTACH_LIMIT_PER_ACCOUNT", "10 per hour")
    # Registration and reset both e-mail the address typed: again and again would flood a mailbox,
    # and a form that mails any address typed must not become a way to send mail to strangers.
    MAIL_LIMIT_PER_ADDRESS_AND_IP = os.environ.get("CIVIC_MAIL_LIMIT_PER_ADDRESS_AND_IP", "5 per hour")
    MAIL_LIMIT_PER_ADDRESS = os.environ.get("CIVIC_MAIL_LIMIT_PER_ADDRESS", "20 per day")
    MAIL_LIMIT_PER_IP = os.environ.get("CIVIC_MAIL_LIMIT_PER_IP", "100 per day")
    # An agent searches residents by name and birth date: enough for a busy desk, not for a sweep.
    DESK_SEARCH_LIMIT_PER_AGENT = os.environ.get("CIVIC_DESK_SEARCH_LIMIT_PER_AGENT", "120 per hour")
    DESK_SEARCH_LIMIT_PER_COUNTER = os.environ.get("CIVIC_DESK_SEARCH_LIMIT_PER_COUNTER", "600 per hour")
    # What programs read (the API, the feeds): a harvester pages through every dataset, a script in a loop would
    # answer nobody else.
    API_LIMIT_PER_IP = os.environ.get("CIVIC_API_LIMIT_PER_IP", "300 per minute")
    # An assisted session ends after this long without a page load at the desk (counters.sessions).
    ASSISTED_SESSION_IDLE_MINUTES = _env_int("CIVIC_ASSISTED_SESSION_IDLE_MINUTES", 15)
    # ...unless a form of the session, posted this long at most after its page was made (a proposal dictated
    # without JavaScript), shows that the agent was typing (counters.sessions).
    ASSISTED_SESSION_FORM_MINUTES = _env_int("CIVIC_ASSISTED_SESSION_FORM_MINUTES", 60)
    # A resident found at the desk can be chosen for a session for this long (counters.residents.resident_ticket).
    DESK_TICKET_MAX_AGE = _env_int("CIVIC_DESK_TICKET_MAX_AGE", 60 * 60)

    # How many days each kind of personal record is kept, by rule key (privacy.retention), over the
    # defaults the README gives: CIVIC_RETENTION_DAYS="unconfirmed_registrations=7,staff_log=1825".
    RETENTION_DAYS = _env_days("CIVIC_RETENTION_DAYS")

    # /healthz fails when a mail has waited this long unsent: send-mail retries every 5 minutes, 6 times.
    HEALTH_MAIL_MAX_AGE_MINUTES = _env_int("CIVIC_HEALTH_MAIL_MAX_AGE_MINUTES", 45)

    # Each worker reads the collectivité's identity (header, title) again after this many seconds (civic.identity).
    IDENTITY_CACHE_SECONDS = _env_int("CIVIC_IDENTITY_CACHE_SECONDS", 30)

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
    SQLITE_SYNCHRONOUS = "OFF"
    CLOCK_JOBS_AFTER_REQUESTS = False
    PUBLIC_URL = "https://participer.civic.test"
    # The limiter stays on in tests, with limits no test reaches unless it lowers them.
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    LOGIN_LIMIT_PER_IP = LOGIN_LIMIT_PER_ACCOUNT = LOGIN_LIMIT_PER_ACCOUNT_AND_IP = "100000 per minute"
    PASSWORD_CHECK_LIMIT_PER_ACCOUNT = "100000 per minute"
    FORM_LIMIT_PER_IP = SECRET_LIMIT_PER_IP = ATTACH_LIMIT_PER_ACCOUNT = "100000 per minute"
    MAIL_LIMIT_PER_ADDRESS = MAIL_LIMIT_PER_ADDRESS_AND_IP = MAIL_LIMIT_PER_IP = "100000 per minute"
    DESK_SEARCH_LIMIT_PER_AGENT = DESK_SEARCH_LIMIT_PER_COUNTER = "100000 per minute"
    API_LIMIT_PER_IP = "100000 per minute"
    WTF_CSRF_ENABLED = True
    # Read once per app: a crawl that counts statements must not see the copy age out (tests forget it).
    IDENTITY_CACHE_SECONDS = None


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    # No defaults: production says where it is served and where its workers count attempts.
    PUBLIC_URL = os.environ.get("CIVIC_PUBLIC_URL")
    RATELIMIT_STORAGE_URI = os.environ.get("CIVIC_RATELIMIT_STORAGE_URI")

    @staticmethod
    def prepare(config):
        """Refuse to start on settings that would be unsafe in front of residents."""
        if estimated_entropy_bits(config.get("SECRET_KEY") or "") < MIN_SECRET_KEY_BITS:
            raise RuntimeError(
                f"SECRET_KEY must be a random value of at least {MIN_SECRET_KEY_BITS} bits in production "
                "(for example: python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        if config.get("DEBUG") or _env_bool("FLASK_DEBUG", False):
            raise RuntimeError("Debug mode must be off in production (unset FLASK_DEBUG).")
        public = urlsplit(config.get("PUBLIC_URL") or "")
        if public.scheme != "https" or not public.hostname:
            raise RuntimeError(
                "CIVIC_PUBLIC_URL must give the site's public https address in production (e.g. "
                "https://participer.example.fr): every link in e-mails and downloads is built from it.")
        storage = config.get("RATELIMIT_STORAGE_URI") or ""
        if not storage or storage.startswith("memory://") or not config.get("RATELIMIT_ENABLED"):
            raise RuntimeError(
                "CIVIC_RATELIMIT_STORAGE_URI must name a storage every worker shares in production, e.g. "
                "redis://127.0.0.1:6379/0 (memory:// counts each process apart), and limits must stay on.")
        if not (config.get("MAIL_SERVER") or "").strip():
            # Without a server, civic.mail writes every mail, password-reset links included, to the log and
            # counts it sent: residents would never get a mail and /healthz would stay green.
            raise RuntimeError(
                "MAIL_SERVER must name the collectivité's SMTP server in production (with MAIL_PORT, "
                "MAIL_USERNAME, MAIL_PASSWORD): without it every mail, reset links included, would go to the log "
                "instead of its recipient.")
        # Requests naming another host are refused (400): nothing can make Civic speak for evil.example.
        extra = [h.strip() for h in os.environ.get("CIVIC_TRUSTED_HOSTS", "").split(",") if h.strip()]
        config["TRUSTED_HOSTS"] = [public.hostname, *extra]


# What a production SECRET_KEY must carry at least: 128 bits, as many as 32 random hex digits.
MIN_SECRET_KEY_BITS = 128


# The alphabets keys are drawn from, smallest first: a key made of hex digits is counted as hex.
ALPHABETS = ("0123456789", "0123456789abcdef", "0123456789ABCDEF",
             "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
             "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")
# What a guesser tries first: words (three letters or more, lower case but maybe the first), each
# one pick from a dictionary, numbers, and the separators that join words, which hold next to nothing.
_TOKEN = re.compile(r"(?P<word>[A-Za-z]?[a-z]{2,})|(?P<number>\d+)|(?P<other>.)", re.DOTALL)
_WORD_BITS = math.log2(50_000)
_SEPARATORS = set(" -_.,:;/+")


def _period(text):
    """The length of the shortest block that ``text`` repeats at least twice ('changeme' * 4 -> 8)."""
    return next((p for p in range(1, len(text) // 2 + 1) if (text[:p] * (len(text) // p + 1))[:len(text)] == text),
                len(text))


def _few_characters_cap(key, alphabet_size):
    """A random key of length L drawn from A characters uses about A(1 - (1 - 1/A)^L) of them; one that
    uses fewer than half as many was not drawn at random ('a' * 31 + 'b', 'deadbeefcafebabe...'), and
    carries at most L * log2(characters used)."""
    expected = alphabet_size * (1 - (1 - 1 / alphabet_size) ** len(key))
    used = len(set(key))
    return len(key) * math.log2(used) if used < expected / 2 else math.inf


def estimated_entropy_bits(key):
    """How many random bits ``key`` carries at most, as a guesser would count them: only the block it
    repeats; every character as one pick in the smallest usual alphabet holding the key (digits,
    hex, base64, printable ASCII), unless the key uses far fewer of its characters than a random
    one would; a word as one pick among 50 000, a number as its digits, and a separator between
    words as 2 bits. token_hex(16) carries 128 bits, token_urlsafe(32) about 240; 'a' * 32,
    'a' * 31 + 'b', 'changeme' * 4 or 'civic-production-secret-key-2026-villeneuve' far fewer."""
    key = key or ""
    if not key:
        return 0
    key = key[:_period(key)]
    alphabet = next((a for a in ALPHABETS if set(key) <= set(a)), None)
    alphabet_size = len(alphabet) if alphabet else 95
    per_char = math.log2(alphabet_size)
    cap = _few_characters_cap(key, alphabet_size)
    if alphabet in ALPHABETS[:3]:  # digits and hex digits make no words
        return min(len(key) * per_char, cap)
    tokens = [(m.lastgroup, m.group()) for m in _TOKEN.finditer(key)]
    bits = 0.0
    for index, (kind, text) in enumerate(tokens):
        if kind == "word":
            bits += min(len(text) * per_char, _WORD_BITS)
        elif kind == "number":
            bits += len(text) * min(per_char, math.log2(10))
        elif text in _SEPARATORS and 0 < index < len(tokens) - 1 and tokens[index - 1][0] == "word" \
                and tokens[index + 1][0] == "word":
            bits += 2
        else:
            bits += per_char
    return min(bits, cap)


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def get_config(name=None):
    name = (name or os.environ.get("CIVIC_ENV") or "").lower()
    if not name:
        raise RuntimeError("Set CIVIC_ENV to development, testing or production.")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"Unknown CIVIC_ENV {name!r}: choose one of {', '.join(CONFIGS)}.") from None
