"""People who use Civic, and the single-use tokens e-mailed to them."""
import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Date, ForeignKey, Index, String, event, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import labels, targets
from ..access import Role
from ..db_types import UniquelyNamed, UTCDateTime, enum_column_type, utcnow
from ..extensions import db
from ..privacy.registry import ANONYMISE, ERASE, KEEP, holds_personal_data, refers_to_account, replaced_by
from ..text import normalize_for_search

labels.register(Role, {
    Role.RESIDENT: _l("Resident"),
    Role.COUNTER_AGENT: _l("Counter agent"),
    Role.MODERATOR: _l("Moderator"),
    Role.ELECTED: _l("Elected official"),
    Role.ADMIN: _l("Administrator"),
})


# What an erased account's contributions are signed with, in the reader's language.
ERASED_NAME = _l("Deleted participant")


class _ShownName:
    """``User.display_name``: on an account, the name it shows (an erased one's is ERASED_NAME); on the class,
    the column itself, so that queries sort, filter and page by it as by any column."""

    def __get__(self, user, cls):
        if user is None:
            return cls._display_name
        return ERASED_NAME if user.erased_at is not None else user._display_name

    def __set__(self, user, value):
        user._display_name = value


class District(UniquelyNamed, db.Model):
    """A part of the territory (quartier); residents say theirs, some votes are limited to some."""

    __tablename__ = "district"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))


class AccountReads:
    """What an account answers from its columns alone: a User, and the Account a resident's reading request
    is given instead (accounts.sessions.load_user)."""

    display_name = _ShownName()

    @property
    def is_active(self):
        return self.active

    @property
    def is_erased(self):
        return self.erased_at is not None

    @property
    def can_log_in(self):
        return self.password_hash is not None and self.email_normalized is not None


class User(AccountReads, UserMixin, db.Model):
    __tablename__ = "user_account"
    # The administrators' list of accounts, by name, a page at a time.
    __table_args__ = (Index("ix_user_account_display_name_id", "display_name", "id"),
                      # The staff among a city's residents, by name (found by role IN staff roles).
                      Index("ix_user_account_role_display_name", "role", "display_name"))

    id: Mapped[int] = mapped_column(primary_key=True)
    # Kept as typed for display; uniqueness is on the lower-cased form so that
    # Camille@Example.org and camille@example.org are one account on every backend.
    # A resident registered at a counter may have no e-mail and no password: they cannot
    # log in, an agent acts for them, and they can later attach their contributions to an
    # account (counters.attach.attach_contributions).
    email: Mapped[str | None] = mapped_column(String(254))
    email_normalized: Mapped[str | None] = mapped_column(String(254), unique=True)
    # Read and written as display_name (below): an erased account shows "Deleted participant".
    _display_name: Mapped[str] = mapped_column("display_name", String(80))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Civil identity, only for finding a resident at a counter; never shown publicly.
    full_name: Mapped[str | None] = mapped_column(String(160))
    # The full name, or for an account created online the name it shows, lower case without accents:
    # an agent searching by name also finds online accounts (one resident, one vote). Kept by _index_name.
    full_name_search: Mapped[str | None] = mapped_column(String(160), index=True)
    birth_date: Mapped[date | None] = mapped_column(Date)
    phone: Mapped[str | None] = mapped_column(String(32))
    phone_normalized: Mapped[str | None] = mapped_column(String(20), index=True)
    # E-mail when a proposal one supports is answered (the author is always told).
    notify_answers: Mapped[bool] = mapped_column(default=True, server_default=true())
    # The language of the e-mails sent while the person is away (answers, follows, moderation):
    # the one they registered in, then whatever they choose in their profile.
    language: Mapped[str] = mapped_column(String(5), default="fr", server_default="fr")
    # Set when a counter record's contributions were attached to an account ("my data" looks them up by it).
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    role: Mapped[Role] = mapped_column(enum_column_type(Role), default=Role.RESIDENT)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"))
    # When the district was last stated: a district vote counts only districts stated before it opened,
    # so nobody can move into a district for the length of a vote.
    district_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Last log-in, or last assisted session for a counter record (None: none since it was created): an
    # account unused for long is warned, then erased (accounts.inactivity).
    last_active_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    inactivity_warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when the account was erased (accounts.erasure): the row stays, emptied, for what still names it.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    district: Mapped[District | None] = relationship()

    def __repr__(self):
        return f"<User {self.id} {self.role.value}>"


@event.listens_for(User, "before_insert")
@event.listens_for(User, "before_update")
def _index_name(_mapper, _connection, user):
    if user.erased_at is not None:
        user.full_name_search = None
        return
    user.full_name_search = normalize_for_search(user.full_name or user.display_name)[:160] or None


class LoginSession(db.Model):
    """One log-in on one browser, kept on the server (see accounts.sessions). Only the SHA-256 of the
    key the cookie carries is stored: reading this table does not let anyone log in."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TokenPurpose(enum.Enum):
    CONFIRM_EMAIL = "confirm_email"
    RESET_PASSWORD = "reset_password"


class AccountToken(db.Model):
    """A single-use, expiring link sent by e-mail. Only the token's SHA-256 is stored."""

    __tablename__ = "account_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(enum_column_type(TokenPurpose))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


# A counter record attached to an account keeps pointing at it; its log-ins and links are its own.
refers_to_account(User.merged_into_id, KEEP, ANONYMISE)  # the records attached are erased with the account
refers_to_account(LoginSession.user_id, KEEP, ERASE)
refers_to_account(AccountToken.user_id, KEEP, ERASE)
# What an erased account keeps: its id, role, dates, language, and that it was erased.
for _column, _value in ((User.email, None), (User.email_normalized, None), (User._display_name, ""),
                        (User.password_hash, None), (User.full_name, None), (User.full_name_search, None),
                        (User.birth_date, None), (User.phone, None), (User.phone_normalized, None),
                        (User.district_id, None), (User.district_since, None), (User.notify_answers, False),
                        (User.email_confirmed_at, None), (User.inactivity_warned_at, None)):
    holds_personal_data(_column, replaced_by(_value, User.id))
targets.register(targets.Kind(type=targets.TargetType.USER, model=User, numbered=_l("Account n° %(n)s")))
