"""Sign-up that does not tell who has an account.

A sign-up never answers "this e-mail already has an account", in a showcase (its sandboxes
included) as outside one: whatever address is typed, the same work is done (the password is
hashed, one e-mail is sent) and the same page answers "check your e-mail". A new address
receives a link that creates the account when followed; an address that has an account
receives a note saying so (sign in, or change the password), and nothing is created.

Functions here take explicit arguments, add and flush, and never commit.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, select

from dcx.database import rows_changed
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.accounts.models import SignUpRequest, User
from dcx.platform.accounts.services import (
    AccountError,
    find_user,
    hash_password,
    normalise_email,
)
from dcx.platform.api.services import hash_token
from dcx.platform.links import external

# How long the link in a sign-up e-mail creates the account.
CONFIRM_WITHIN = timedelta(hours=24)


@dataclass(frozen=True)
class AccountEmail:
    """An e-mail the account layer sends itself (not a customer's notification)."""

    to: str
    subject: str
    text: str


def request_signup(email: str, name: str, password: str) -> AccountEmail:
    """Start a sign-up; returns the one e-mail to send, whichever the address is.

    A new address gets a pending request and a link to finish; an address with an account gets
    a note to its owner and nothing else. The password is hashed either way, so the time taken
    does not tell the two apart.
    """
    address = normalise_email(email)
    password_hash = hash_password(password)
    owner = find_user(address)
    if owner is not None:
        return AccountEmail(
            to=owner.email,
            subject=_("Someone tried to create an account with your address"),
            text=_(
                "Hello %(name)s,\n\nSomeone, perhaps you, tried to create a new account with "
                "this address, which already has one. Nothing was changed.\n\nTo use your "
                "account, sign in: %(signin)s\n\nIf it was not you, you can ignore this "
                "e-mail.",
                name=owner.name,
                signin=external("accounts.signin"),
            ),
        )
    token = secrets.token_urlsafe(32)
    db.session.add(
        SignUpRequest(
            email=address,
            name=name.strip(),
            password_hash=password_hash,
            token_hash=hash_token(token),
        )
    )
    db.session.flush()
    return AccountEmail(
        to=address,
        subject=_("Finish creating your account"),
        text=_(
            "Hello %(name)s,\n\nFollow this link within 24 hours to finish creating your "
            "account:\n%(link)s\n\nIf you did not ask for an account, ignore this e-mail.",
            name=name.strip(),
            link=external("accounts.confirm_signup", token=token),
        ),
    )


def pending(token: str) -> SignUpRequest | None:
    """The unexpired sign-up request of this link's token, or None."""
    if not token or len(token) > 128:
        return None
    return db.session.execute(
        select(SignUpRequest).where(
            SignUpRequest.token_hash == hash_token(token),
            SignUpRequest.created_at > clock.now() - CONFIRM_WITHIN,
        )
    ).scalar_one_or_none()


def confirm_signup(token: str) -> User:
    """Create the account of a followed link; AccountError if the link is unknown, expired or
    its address has meanwhile got an account. Every request for that address is removed."""
    signup = pending(token)
    if signup is None:
        raise AccountError(_("This link has expired or was already used. Please sign up again."))
    address = signup.email
    if find_user(address) is not None:
        db.session.execute(delete(SignUpRequest).where(SignUpRequest.email == address))
        raise AccountError(_("This address already has an account: please sign in."))
    user = User(email=address, name=signup.name, password_hash=signup.password_hash)
    db.session.add(user)
    db.session.execute(delete(SignUpRequest).where(SignUpRequest.email == address))
    db.session.flush()
    return user


def sweep_signup_requests(now: datetime) -> int:
    """Delete the sign-up requests whose link has expired at ``now``; returns how many."""
    result = db.session.execute(
        delete(SignUpRequest).where(SignUpRequest.created_at <= now - CONFIRM_WITHIN)
    )
    return rows_changed(result)
