"""Account rules: sign-up, password hashing, sessions, sign-in throttling, safe redirects.

Functions here take explicit arguments and never read the request; they add and flush, and
the caller commits.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TypeGuard
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from sqlalchemy import delete, func, select

from dcx.database import rows_changed
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.accounts.models import ROLES, AccountSession, SignInFailure, User
from dcx.platform.api.services import hash_token

MIN_PASSWORD_LENGTH = 12
# Not an argon2 hash, so no password ever matches it: an account nobody can sign in to.
UNUSABLE_PASSWORD_HASH = "!unusable"  # noqa: S105 - a marker, not a secret


def _hasher() -> PasswordHasher:
    """The app's argon2id hasher; tests configure cheaper parameters, never another scheme."""
    if not has_app_context():
        return PasswordHasher()
    hasher = current_app.extensions.get("dcx_password_hasher")
    if hasher is None:
        hasher = PasswordHasher(**current_app.config.get("ARGON2_PARAMETERS", {}))
        current_app.extensions["dcx_password_hasher"] = hasher
    return hasher


class AccountError(ValueError):
    """A rule of the account layer was broken; the message is safe to show."""


def hash_password(password: str) -> str:
    """Hash with argon2id; the result starts with its scheme, ``$argon2id$``."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Passwords need at least {MIN_PASSWORD_LENGTH} characters.")
    return _hasher().hash(password)


def check_password(user: User, password: str) -> bool:
    """True when ``password`` matches; rehashes in place when the parameters have changed."""
    try:
        _hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = _hasher().hash(password)
    return True


def normalise_email(email: str) -> str:
    """Emails are compared trimmed and lower-cased."""
    return email.strip().lower()


def find_user(email: str) -> User | None:
    """The user with this email, or None."""
    return db.session.execute(
        select(User).where(User.email == normalise_email(email))
    ).scalar_one_or_none()


def users_by_id(ids: Iterable[int]) -> dict[int, User]:
    """The accounts with these ids, by id (missing ids are left out); no query for none."""
    wanted = set(ids)
    if not wanted:
        return {}
    return {u.id: u for u in db.session.execute(select(User).where(User.id.in_(wanted))).scalars()}


def create_user(
    email: str,
    name: str,
    password: str,
    role: str = "customer",
    department: str = "",
    phone: str = "",
) -> User:
    """Create an account; refuses a taken email, an unknown role or a short password."""
    if role not in ROLES:
        raise AccountError(f"Unknown role {role!r}.")
    if find_user(email) is not None:
        raise AccountError("An account with this email already exists.")
    user = User(
        email=normalise_email(email),
        name=name.strip(),
        password_hash=hash_password(password),
        role=role,
        department=department,
        phone=phone,
    )
    db.session.add(user)
    db.session.flush()
    return user


def change_password(user: User, current: str, new: str) -> None:
    """Change the password after checking the current one; other devices are signed out."""
    if not check_password(user, current):
        raise AccountError("The current password is not right.")
    user.password_hash = hash_password(new)
    db.session.execute(delete(AccountSession).where(AccountSession.user_id == user.id))


def open_session(user: User, user_agent: str = "") -> str:
    """Start a new signed-in session for ``user`` and return its raw token (for the cookie)."""
    token = secrets.token_urlsafe(32)
    db.session.add(
        AccountSession(user_id=user.id, token_hash=hash_token(token), user_agent=user_agent[:200])
    )
    db.session.flush()
    user.session_token = token
    return token


def user_for_session(token: str, started_after: datetime | None = None) -> User | None:
    """The user whose open session has this token, or None (signed out, never valid, or
    started at or before ``started_after``, wall-clock time)."""
    if not token or len(token) > 128:
        return None
    stmt = (
        select(User)
        .join(AccountSession, AccountSession.user_id == User.id)
        .where(AccountSession.token_hash == hash_token(token))
    )
    if started_after is not None:
        stmt = stmt.where(AccountSession.started_at > started_after)
    user = db.session.execute(stmt).scalar_one_or_none()
    if user is not None:
        user.session_token = token
    return user


def close_session(token: str | None) -> None:
    """End the session with this token; its cookie no longer signs anyone in."""
    if token:
        db.session.execute(
            delete(AccountSession).where(AccountSession.token_hash == hash_token(token))
        )


def sweep_sessions(real_now: datetime, max_age: timedelta) -> int:
    """Delete the sessions started ``max_age`` or longer before ``real_now`` (wall-clock):
    no cookie signs in with them any more. Returns how many."""
    result = db.session.execute(
        delete(AccountSession).where(AccountSession.started_at <= real_now - max_age)
    )
    return rows_changed(result)


def sweep_signin_failures(now: datetime, window: timedelta) -> int:
    """Delete failed sign-ins older than the throttle's window (they no longer count)."""
    result = db.session.execute(delete(SignInFailure).where(SignInFailure.at < now - window))
    return rows_changed(result)


def signin_blocked(email: str, address: str, max_failures: int, window_minutes: int) -> bool:
    """True when this account, or this address, has failed too often within the window."""
    since = clock.now() - timedelta(minutes=window_minutes)
    by_email, by_address = db.session.execute(
        select(
            func.count().filter(SignInFailure.email == normalise_email(email)),
            func.count().filter(SignInFailure.address == address),
        ).where(SignInFailure.at >= since)
    ).one()
    return by_email >= max_failures or by_address >= max_failures * 4


def record_signin_failure(email: str, address: str) -> None:
    """Count one failed sign-in for the account and the address."""
    db.session.add(SignInFailure(email=normalise_email(email)[:254], address=address[:64]))


def _dummy_hash() -> str:
    """A hash made with the app's parameters, for the work of checking an unknown e-mail."""
    hashed = current_app.extensions.get("dcx_dummy_password_hash")
    if hashed is None:
        hashed = _hasher().hash(secrets.token_urlsafe(16))
        current_app.extensions["dcx_dummy_password_hash"] = hashed
    return hashed


def authenticate(email: str, password: str, address: str) -> User | None:
    """Return the user when the credentials match; otherwise record the failure.

    An unknown e-mail costs the same work as a wrong password (the hasher runs on a dummy
    hash), so the answer's time does not tell which e-mails have an account.
    """
    user = find_user(email)
    if user is None:
        with contextlib.suppress(VerificationError, InvalidHashError):
            _hasher().verify(_dummy_hash(), password)
    elif check_password(user, password):
        db.session.execute(delete(SignInFailure).where(SignInFailure.email == user.email))
        return user
    record_signin_failure(email, address)
    return None


#: The session's key for when the previous visit began (an ISO time, UTC): what the home's
#: "since Tuesday" line counts from during this visit.
SINCE_SESSION_KEY = "dcx_since"


def record_visit(user: User) -> datetime:
    """Note that ``user`` visits now; returns when their previous visit began (now on a
    first visit), what "since Tuesday" on their home counts from."""
    now = clock.now()
    previous = user.last_seen_at or now
    user.last_seen_at = now
    return previous


def is_safe_next(target: str | None) -> TypeGuard[str]:
    """Accept only a local path: no scheme, no host, no ``//`` or backslash tricks."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(c) < 32 for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc
