"""Password hashing with Argon2id (OWASP's first choice).

Hashing takes a good fraction of a second by design: it never holds SQLite's write lock
(transaction.release_write_lock), or every other resident's action would wait for it.
"""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from ..transaction import release_write_lock

_hashers = {}


def _hasher():
    # Tests use the cheapest parameters so that hundreds of accounts stay fast;
    # every other environment uses argon2-cffi's defaults (RFC 9106, low-memory profile).
    cheap = current_app.config.get("ARGON2_CHEAP", False)
    if cheap not in _hashers:
        _hashers[cheap] = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1) if cheap else PasswordHasher()
    return _hashers[cheap]


def hash_password(password):
    release_write_lock()
    return _hasher().hash(password)


def verify_password(password_hash, password):
    release_write_lock()
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash):
    return _hasher().check_needs_rehash(password_hash)


def spend_verification_time():
    """Spend what a real check costs, so an unknown e-mail answers no faster than a known one."""
    # One dummy hash per set of parameters: the check must cost what a real account's would.
    key = ("dummy", current_app.config.get("ARGON2_CHEAP", False))
    if key not in _hashers:
        _hashers[key] = _hasher().hash("not-a-real-password")
    verify_password(_hashers[key], "another-wrong-password")
