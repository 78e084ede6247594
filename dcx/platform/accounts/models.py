"""Account tables: the user, their signed-in sessions and failed sign-ins."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import cast

from flask_login import UserMixin
from sqlalchemy import Boolean, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dcx.database import CreatedAtMixin, IdMixin, OwnedMixin, UTCDateTime, one_of
from dcx.extensions import Model
from dcx.platform import clock


class Role(StrEnum):
    """What a person is to the site: a customer, a department's staff, or an admin."""

    CUSTOMER = "customer"
    STAFF = "staff"
    ADMIN = "admin"


ROLES = tuple(member.value for member in Role)


class User(IdMixin, CreatedAtMixin, UserMixin, Model):
    """A person with one account across every industry: customer, staff or admin."""

    __tablename__ = "account_user"
    __table_args__ = (one_of("role", Role),)

    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(32), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.CUSTOMER.value)
    department: Mapped[str] = mapped_column(String(40), default="")
    locale: Mapped[str] = mapped_column(String(8), default="")
    # An IANA zone ("Europe/Bucharest") every time is shown in; "" follows the site's default.
    timezone: Mapped[str] = mapped_column(String(64), default="", server_default="")
    health_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    # When this person last signed in: the start of their previous visit, for "since Tuesday".
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    sessions: Mapped[list[AccountSession]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    # Set by sign-in and by the session loader: the raw token of the current session, which
    # Flask-Login keeps in the signed cookie. Never stored; only its hash is. (Typed by a cast:
    # an annotation on a declarative class would ask the ORM to map a column.)
    session_token = cast("str | None", None)

    def get_id(self) -> str | None:
        """Flask-Login's identity: the current session's token, not the user id."""
        return self.session_token

    @property
    def is_staff(self) -> bool:
        """Staff and admins may see staff pages."""
        return self.role in {Role.STAFF, Role.ADMIN}

    @property
    def is_admin(self) -> bool:
        """Admins run the showcase: clock, jobs, reset."""
        return self.role == Role.ADMIN

    def serves(self, vertical: str) -> bool:
        """True for admins and for staff whose department is this vertical."""
        return self.role == Role.ADMIN or (self.role == Role.STAFF and self.department == vertical)


class AccountSession(IdMixin, OwnedMixin, CreatedAtMixin, Model):
    """One signed-in device. Signing out deletes it, so a replayed cookie finds nothing.

    ``started_at`` is wall-clock time, not the showcase's: a session lasts at most
    ``SESSION_MAX_DAYS`` of people's real time, however far a presenter moves the demo clock.
    """

    __tablename__ = "account_session"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.real_now, index=True)

    user: Mapped[User] = relationship(back_populates="sessions")


class SignInFailure(IdMixin, Model):
    """A failed sign-in, counted per account and per address to slow down guessing."""

    __tablename__ = "account_signin_failure"
    __table_args__ = (
        Index("ix_account_signin_failure_email_at", "email", "at"),
        Index("ix_account_signin_failure_address_at", "address", "at"),
    )

    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class SignUpRequest(IdMixin, CreatedAtMixin, Model):
    """A sign-up waiting for its address to be confirmed: the account is made from it when
    the link e-mailed to that address is followed (outside a showcase)."""

    __tablename__ = "account_signup_request"

    email: Mapped[str] = mapped_column(String(254), index=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
