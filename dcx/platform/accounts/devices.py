"""Devices an account has signed in from, remembered in a signed cookie.

Throttling sign-in per account must not lock the owner out: a browser that has signed in to an
account before carries a signed list of those accounts' ids, and a correct password from it is
never refused by the throttle (a guesser elsewhere has no such cookie).
"""

from __future__ import annotations

from flask import Response, current_app, request
from itsdangerous import BadSignature, URLSafeSerializer

COOKIE = "dcx_known_device"
MAX_ACCOUNTS = 10
MAX_AGE = 365 * 24 * 3600


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="dcx-known-device")


def known_accounts() -> list[int]:
    """The ids of the accounts this browser has signed in to (empty if none or forged)."""
    raw = request.cookies.get(COOKIE, "")
    if not raw or len(raw) > 1024:
        return []
    try:
        ids = _serializer().loads(raw)
    except BadSignature:
        return []
    return [i for i in ids if isinstance(i, int)] if isinstance(ids, list) else []


def is_known(user_id: int | None) -> bool:
    """True when this browser has signed in to the account ``user_id`` before."""
    return user_id is not None and user_id in known_accounts()


def remember(response: Response, user_id: int) -> Response:
    """Add ``user_id`` to this browser's known accounts (the latest :data:`MAX_ACCOUNTS`)."""
    ids = [*[i for i in known_accounts() if i != user_id][-(MAX_ACCOUNTS - 1) :], user_id]
    response.set_cookie(
        COOKIE,
        _serializer().dumps(ids),
        max_age=MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure or bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )
    return response
