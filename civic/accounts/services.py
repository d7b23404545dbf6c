"""Account operations. Services flush; the request commits once."""
import hashlib
import secrets
import time
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l

from ..db_types import utcnow
from ..domain import DomainError
from ..extensions import db
from ..transaction import after_commit, unique_insert
from ..i18n import current_language
from ..links import public_url
from ..mail import render_mail, send_mail
from ..registry import Registry
from ..access import Role
from .models import AccountToken, District, TokenPurpose, User
from . import sessions
from .passwords import hash_password, needs_rehash, spend_verification_time, verify_password



# Longer than either way of answering a reset request takes, even on a slow disk (see request_password_reset).
RESET_ANSWER_SECONDS = 0.15


def normalize_email(email):
    return (email or "").strip().lower()


def find_user_by_email(email):
    return db.session.execute(
        db.select(User).where(User.email_normalized == normalize_email(email))
    ).scalar_one_or_none()


def create_user(display_name, email, password, role=Role.RESIDENT, confirmed=False, password_hash=None):
    """A new account; DomainError when the address has one (even one created at this very moment)."""
    user = User(
        display_name=display_name.strip(),
        email=email.strip(),
        email_normalized=normalize_email(email),
        password_hash=password_hash or hash_password(password),
        role=role,
        email_confirmed_at=utcnow() if confirmed else None,
    )
    with unique_insert(DomainError(_l("This e-mail address already has an account."), field="email")):
        db.session.add(user)
    return user


# Whether residents' districts matter (district votes exist, say): registration asks for one only then.
# name -> () -> bool, registered by the packages that use districts.
_district_uses = Registry("use of districts")


def register_district_use(name, in_use):
    _district_uses.add(name, in_use)


def districts_in_use():
    return any(in_use() for in_use in _district_uses.values())


def register(display_name, email, password, district_id=None):
    """Create an unconfirmed account and e-mail a confirmation link; ``district_id``, optional, is stated
    from now on (it counts for the district votes that open afterwards).

    When the address already has an account, its owner gets an e-mail saying so
    instead: the page shown is the same either way, so nobody learns from this
    form which addresses are registered. Nor from its speed: both ways hash the
    password and queue one e-mail.
    """
    if district_id is not None and db.session.get(District, district_id) is None:
        raise DomainError(_l("Choose a district from the list."), field="district")
    password_hash = hash_password(password)
    existing = find_user_by_email(email)
    if existing is None:
        try:
            user = create_user(display_name, email, password, password_hash=password_hash)
        except DomainError:  # registered by another request at the same moment
            existing = find_user_by_email(email)
        else:
            user.language = current_language()
            if district_id is not None:
                user.district_id, user.district_since = district_id, utcnow()
            send_confirmation(user)
            return user
    _mail(existing, "accounts/mail/already_registered.txt", _l("You already have an account"),
          login_url=public_url("accounts.login"), reset_url=public_url("accounts.forgot_password"))
    return None


def send_confirmation(user):
    token = _issue_token(user, TokenPurpose.CONFIRM_EMAIL, current_app.config["EMAIL_CONFIRM_MAX_AGE"])
    _mail(user, "accounts/mail/confirm_email.txt", _l("Confirm your e-mail address"),
          url=public_url("accounts.confirm_email", token=token))


def confirm_email(token):
    record = _take_token(token, TokenPurpose.CONFIRM_EMAIL)
    user = record.user
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    return user


class UnconfirmedEmail(DomainError):
    pass


def authenticate(email, password):
    """The user for these credentials, or a DomainError that says the same for any failure."""
    user = find_user_by_email(email)
    if user is None:
        spend_verification_time()
        raise DomainError(_l("E-mail address or password incorrect."), field="password")
    if not verify_password(user.password_hash, password) or not user.active:
        raise DomainError(_l("E-mail address or password incorrect."), field="password")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if user.email_confirmed_at is None:
        send_confirmation(user)
        raise UnconfirmedEmail(
            _l("Confirm your e-mail address first: we have just sent you a new link."), field="email"
        )
    return user


def request_password_reset(email):
    """E-mail a reset link when the address has an account, else say to that address that none
    uses it. The page says the same either way, and both ways queue one e-mail; the link takes a
    little more work (a token), so the answer leaves no sooner than RESET_ANSWER_SECONDS after the
    request began, once the database is released: its speed tells nobody which addresses are
    registered."""
    answer_at = time.monotonic() + RESET_ANSWER_SECONDS
    after_commit(lambda: time.sleep(max(0.0, answer_at - time.monotonic())))
    user = find_user_by_email(email)
    if user is None or not user.active or not user.can_log_in:
        send_mail(email.strip(), str(_l("Reset your password")),
                  render_mail("accounts/mail/reset_no_account.txt", register_url=public_url("accounts.register")))
        return
    token = _issue_token(user, TokenPurpose.RESET_PASSWORD, current_app.config["PASSWORD_RESET_MAX_AGE"])
    _mail(user, "accounts/mail/reset_password.txt", _l("Reset your password"),
          url=public_url("accounts.reset_password", token=token),
          minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60)


def check_token(token, purpose):
    """Raise DomainError unless the token can still be used (without using it)."""
    return _find_token(token, purpose)


def reset_password(token, new_password):
    _find_token(token, TokenPurpose.RESET_PASSWORD)
    # Hashed before the link is spent: hashing takes a good fraction of a second, and nothing written yet
    # means SQLite's write lock is not held meanwhile (passwords.hash_password).
    password_hash = hash_password(new_password)
    record = _take_token(token, TokenPurpose.RESET_PASSWORD)
    user = record.user
    _set_password(user, password_hash)
    # Whoever knew the old password is logged out everywhere; the view logs this browser in afresh.
    sessions.end_all_sessions(user)
    # Following the link proves the address too.
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    return user


def change_password(user, current_password, new_password):
    """Every log-in of the account ends, copies of this browser's cookie included (a password is
    often changed because someone else got in): the view logs this browser in afresh."""
    if not verify_password(user.password_hash, current_password):
        raise DomainError(_l("Your current password is incorrect."), field="current_password")
    _set_password(user, hash_password(new_password))
    sessions.end_all_sessions(user)


def all_districts():
    return db.session.execute(db.select(District).order_by(District.name)).scalars().all()


def update_profile(user, display_name, district_id=None, notify_answers=None, language=None):
    if language is not None and language not in current_app.config["LANGUAGES"]:
        raise DomainError(_l("Choose a language from the list."), field="language")
    if district_id is not None and db.session.get(District, district_id) is None:
        raise DomainError(_l("Choose a district from the list."), field="district")
    user.display_name = display_name.strip()
    if notify_answers is not None:
        user.notify_answers = notify_answers
    if language is not None:
        user.language = language
    if district_id != user.district_id:
        user.district_id, user.district_since = district_id, utcnow()


def _set_password(user, password_hash):
    user.password_hash = password_hash
    db.session.execute(
        db.update(AccountToken)
        .where(AccountToken.user_id == user.id, AccountToken.purpose == TokenPurpose.RESET_PASSWORD,
               AccountToken.used_at.is_(None))
        .values(used_at=utcnow())
    )


def _hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


def _issue_token(user, purpose, max_age_seconds):
    token = secrets.token_urlsafe(32)
    db.session.add(AccountToken(
        user_id=user.id, purpose=purpose, token_hash=_hash_token(token),
        expires_at=utcnow() + timedelta(seconds=max_age_seconds),
    ))
    db.session.flush()
    return token


def _find_token(token, purpose):
    record = db.session.execute(
        db.select(AccountToken).where(AccountToken.token_hash == _hash_token(token or ""),
                                      AccountToken.purpose == purpose)
    ).scalar_one_or_none()
    if record is None or record.used_at is not None or record.expires_at <= utcnow():
        raise DomainError(_l("This link is invalid, has already been used or has expired."))
    return record


def _take_token(token, purpose):
    record = _find_token(token, purpose)
    # Single use even under a double click: only the request that flips used_at wins.
    taken = db.session.execute(
        db.update(AccountToken)
        .where(AccountToken.id == record.id, AccountToken.used_at.is_(None))
        .values(used_at=utcnow())
    ).rowcount
    if taken != 1:
        raise DomainError(_l("This link is invalid, has already been used or has expired."))
    return record


def _mail(user, template, subject, **context):
    """Mail in the language the resident is using, queued with the action (see civic.mail)."""
    send_mail(user.email, str(subject), render_mail(template, user=user, **context))
