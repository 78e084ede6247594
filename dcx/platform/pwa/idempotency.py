"""Exactly-once actions: a POST carrying an idempotency key is carried out once per key.

A device names each action with a random key, in the ``Idempotency-Key`` header or the form's
``idempotency_key`` field (the offline queue sends both). Before the view runs, the key is
inserted (and flushed) for the signed-in customer; the view's own commit then stores the
action and its key together. A second request with the same key, whether a replay of a phone's
queue, a double tap or a retry after a lost answer, finds the key and is sent where the first
one led, without running the view. A request that fails (4xx/5xx) gives its key back, so the
corrected action can be sent again with it.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from flask import Flask, abort, g, redirect, request
from flask_login import current_user
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from dcx.database import rows_changed
from dcx.extensions import db
from dcx.platform.pwa.models import IdempotencyKey

HEADER = "Idempotency-Key"
FIELD = "idempotency_key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
KEPT_FOR = timedelta(days=30)


def key_of_request() -> str | None:
    """The request's idempotency key, if it carries one (header first, then the form)."""
    key = request.headers.get(HEADER)
    if not key and request.mimetype in FORM_TYPES:
        key = request.form.get(FIELD)
    return key or None


def find(user_id: int, key: str) -> IdempotencyKey | None:
    """The key ``user_id`` already used, if any."""
    return db.session.execute(
        select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
    ).scalar_one_or_none()


def claim(user_id: int, key: str, endpoint: str) -> int | None:
    """Insert the key for this action (flushed, not committed); None if it was already used."""
    row = IdempotencyKey(user_id=user_id, key=key, endpoint=endpoint[:120])
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        return None
    return row.id


def release(row_id: int) -> None:
    """Give back the key of an action that failed, so it can be sent again."""
    db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.id == row_id))


def record_location(row_id: int, location: str) -> None:
    """Remember where the action led, for the answer to its replays."""
    db.session.execute(
        update(IdempotencyKey).where(IdempotencyKey.id == row_id).values(location=location[:500])
    )


def expire(now: datetime) -> int:
    """Forget keys older than 30 days (a phone's queue is sent long before); returns how many."""
    result = db.session.execute(
        delete(IdempotencyKey).where(IdempotencyKey.created_at < now - KEPT_FOR)
    )
    db.session.commit()
    return rows_changed(result)


def _replayed(location: str) -> Response:
    response = redirect(location or request.referrer or "/", 303)
    response.headers[REPLAYED_HEADER] = "true"
    return response


def _before() -> Response | None:
    if request.method != "POST":
        return None
    key = key_of_request()
    if key is None or not current_user.is_authenticated:
        return None
    if not KEY_PATTERN.match(key):
        abort(400)
    done = find(current_user.id, key)
    if done is not None:
        return _replayed(done.location)
    row_id = claim(current_user.id, key, request.endpoint or "")
    if row_id is None:  # the same key arrived at the same moment and won
        done = find(current_user.id, key)
        return _replayed(done.location if done else "")
    g.dcx_idempotency_row = row_id
    return None


def _after(response: Response) -> Response:
    row_id = g.pop("dcx_idempotency_row", None)
    if row_id is None:
        return response
    if response.status_code >= 400:
        db.session.rollback()
        release(row_id)
    else:
        record_location(row_id, response.location or "")
    db.session.commit()
    return response


def init_app(app: Flask) -> None:
    """Check every POST's idempotency key before its view, and record the outcome after."""
    app.before_request(_before)
    app.after_request(_after)
