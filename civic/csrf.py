"""CSRF tokens masked afresh in every response, so that compressed pages do not give them away.

Pages are compressed (civic.compression), and some reflect what the address says (the search
box shows ?q=). An attacker who makes a victim's browser load such a page many times, with
guesses in the address, and watches the compressed sizes on the network learns a secret of the
page byte by byte (BREACH): a guess that matches the secret compresses better. The secret here
is the CSRF token: Flask-WTF's signed token, the same in every page of a session for a second.

So no page carries that token as it is: each response carries it XORed with random bytes drawn
for that response, the bytes in front (as Django masks its tokens). What a guess could match
changes with every response, and a form posts back a masked token that is unmasked, then
checked by Flask-WTF as before (signature, the session's secret, WTF_CSRF_TIME_LIMIT). All the
forms of one page carry the same masked token.
"""
import base64
import binascii
import functools
import hashlib
import hmac
import os

from flask import current_app, g, session
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect, validate_csrf
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.signer import HMACAlgorithm
from wtforms.csrf.core import CSRF

MASK_BYTES = 16
# Flask-WTF's salt of its tokens (flask_wtf.csrf): validate_csrf checks what _signed_token signs with it.
TOKEN_SALT = "wtf-csrf-token"


def _keystream(mask, length):
    return int.from_bytes(hashlib.shake_128(mask).digest(length), "big")


def mask(token):
    """``token`` (ASCII) behind a mask drawn now: base64url of the mask, then the token XORed with a
    keystream drawn from it."""
    raw = token.encode("ascii")
    salt = os.urandom(MASK_BYTES)
    hidden = (int.from_bytes(raw, "big") ^ _keystream(salt, len(raw))).to_bytes(len(raw), "big")
    return base64.urlsafe_b64encode(salt + hidden).decode("ascii").rstrip("=")


def unmask(masked):
    """The token ``masked`` carries, or None when it is not a masked token."""
    try:
        data = base64.urlsafe_b64decode(masked + "=" * (-len(masked) % 4))
    except (binascii.Error, ValueError):
        return None
    salt, hidden = data[:MASK_BYTES], data[MASK_BYTES:]
    if not hidden:
        return None
    raw = (int.from_bytes(hidden, "big") ^ _keystream(salt, len(hidden))).to_bytes(len(hidden), "big")
    try:
        return raw.decode("ascii")
    except UnicodeDecodeError:
        return None


class _OneCallHMAC(HMACAlgorithm):
    """itsdangerous's HMAC signature, by the standard library's one-call ``hmac.digest`` (OpenSSL's) rather than an
    ``hmac.HMAC`` object built, fed and read: the same bytes."""

    def get_signature(self, key, value):
        return hmac.digest(key, value, self.digest_method)


@functools.lru_cache(maxsize=4)  # a process serves one app, one key; tests make a few apps
def _serializer(secret_key):
    """The serializer Flask-WTF makes for each token, made once per secret key: what it holds never changes."""
    return URLSafeTimedSerializer(secret_key, salt=TOKEN_SALT, signer_kwargs={"algorithm": _OneCallHMAC(hashlib.sha1)})


def _signed_token():
    """Flask-WTF's ``generate_csrf()``, the same token: the session's CSRF secret (drawn once per session), signed
    with the time by the app's secret key, kept on ``g`` for the request; validate_csrf checks it. Flask-WTF made the
    serializer again for each response and signed through ``hmac.HMAC`` (some 70 calls of every resident's page)."""
    config = current_app.config
    field_name = config["WTF_CSRF_FIELD_NAME"]
    token = g.get(field_name)
    if token is None:
        secret_key = config.get("WTF_CSRF_SECRET_KEY", current_app.secret_key)
        if secret_key is None:
            raise RuntimeError("A secret key is required to use CSRF.")
        serializer = _serializer(secret_key)
        if field_name not in session:
            session[field_name] = hashlib.sha1(os.urandom(64)).hexdigest()
        try:
            token = serializer.dumps(session[field_name])
        except TypeError:
            session[field_name] = hashlib.sha1(os.urandom(64)).hexdigest()
            token = serializer.dumps(session[field_name])
        setattr(g, field_name, token)
    return token


def masked_csrf_token():
    """The CSRF token of this response, masked (the same for every form of the page)."""
    token = g.get("civic_masked_csrf_token")
    if token is None:
        token = g.civic_masked_csrf_token = mask(_signed_token())
    return token


class MaskedFormCSRF(CSRF):
    """The CSRF field of every FlaskForm: it renders the masked token and, when CSRFProtect has not
    already checked the request, checks the token it receives."""

    def generate_csrf_token(self, csrf_token_field):
        return masked_csrf_token()

    def validate_csrf_token(self, form, field):
        if g.get("csrf_valid", False):  # CSRFProtect checked it before the view
            return
        validate_csrf(unmask(field.data or "") or "")


class MaskedCSRFProtect(CSRFProtect):
    """Flask-WTF's CSRFProtect, reading and writing masked tokens (see the module)."""

    def init_app(self, app):
        super().init_app(app)
        app.jinja_env.globals["csrf_token"] = masked_csrf_token
        # Flask-WTF also puts its unmasked csrf_token in every template's context: this later one wins.
        app.context_processor(lambda: {"csrf_token": masked_csrf_token})
        # Every form of the app is a FlaskForm; its CSRF field is made by this class.
        FlaskForm.Meta.csrf_class = MaskedFormCSRF

    def _get_csrf_token(self):
        sent = super()._get_csrf_token()
        if not sent:
            return sent
        token = unmask(sent)
        if token is None:
            self._error_response("The CSRF token is invalid.")
        return token
