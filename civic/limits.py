"""How many times someone may try something in a given time, counted where every worker sees it.

The counts live in CIVIC_RATELIMIT_STORAGE_URI: Redis when several gunicorn workers serve the
site (production requires it to be set), memory:// for a single process such as `make run`.
Limits apply per IP address (behind a proxy, the address it forwards: CIVIC_PROXY_COUNT) and,
where one person or place can be named, per account, per e-mail address typed or per counter:
a mediation desk puts many residents behind one IP, so per-IP limits stay loose there.
"""
from flask import current_app, request
from flask_limiter.util import get_remote_address

from .extensions import limiter


def per_ip(setting, **options):
    """The limit named by ``setting`` in the configuration, counted per IP address."""
    return limiter.limit(lambda: current_app.config[setting], **options)


def per_key(setting, key, **options):
    """The limit named by ``setting``, counted per ``key()`` (an account, an address typed, a counter)."""
    return limiter.limit(lambda: current_app.config[setting], key_func=key, **options)


def shared_per_key(setting, scope, key, **options):
    """Like ``per_key``, one count for every view it decorates (``scope`` names that count)."""
    return limiter.shared_limit(lambda: current_app.config[setting], scope, key_func=key, **options)


def email_typed():
    """The address typed in the form, as accounts are keyed (lower case, trimmed)."""
    return "address:" + (request.form.get("email") or "").strip().lower()


def email_typed_from_ip():
    """The address typed and where from: someone else trying an account does not lock its owner out."""
    return f"{email_typed()}:ip:{get_remote_address()}"


def failed(response):
    """A form answered again (its errors shown) instead of a redirect: what a failed try looks like."""
    return response.status_code == 200
