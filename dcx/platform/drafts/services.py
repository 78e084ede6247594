"""Save, load and discard drafts; all owner-scoped by the customer's id.

A resumable form is any ``<form data-draft="<vertical>.<form>">``: the drafts script posts
what is typed to :func:`save`, another device reads it back with :func:`load`, and the
view that accepts the form calls :func:`discard`. :func:`expire` is the nightly job.
The "continue on my phone" link carries a signed, expiring :func:`handoff_token`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from dcx.database import rows_changed
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.accounts.services import is_safe_next
from dcx.platform.drafts.models import Draft

DRAFT_LIFETIME = timedelta(days=30)
HANDOFF_LIFETIME = timedelta(hours=1)
HANDOFF_SALT = "drafts.handoff"
MAX_FIELDS = 100
MAX_LIST_ITEMS = 100
MAX_VALUE_LENGTH = 5000
MAX_DRAFT_BYTES = 64 * 1024
FORM_KEY = re.compile(r"^[a-z][a-z0-9_]*\.[a-z0-9_.-]{1,60}$")
# Words that mark a field as a secret: such fields are never written to a draft.
SECRET_FIELDS = ("password", "passcode", "csrf", "pin", "cvv", "cvc", "otp", "secret")
DEVICES = ("phone", "tablet", "laptop")

_TABLET = re.compile(r"ipad|tablet|kindle|silk/|playbook|android(?!.*mobile)", re.IGNORECASE)
_PHONE = re.compile(r"mobi|iphone|ipod|windows phone|blackberry|opera mini", re.IGNORECASE)
_WORDS = re.compile(r"[a-z0-9]+")


class DraftError(ValueError):
    """A draft was refused (bad key, too many fields, a value too long)."""


class HandoffError(ValueError):
    """A "continue on my phone" link that is tampered with (or, as a subclass, expired)."""


class HandoffExpired(HandoffError):
    """A "continue on my phone" link older than :data:`HANDOFF_LIFETIME`."""


def is_secret(name: str) -> bool:
    """Whether a field name looks like a secret (a password, a PIN, the CSRF token).

    Matched on whole words (``new_password``, ``cardPin``), so ``shipping`` or ``opinion``
    are kept.
    """
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name).lower()
    return any(
        word in SECRET_FIELDS or word.startswith("password") for word in _WORDS.findall(spaced)
    )


def clean_data(data: Mapping[str, Any]) -> dict[str, Any]:
    """Keep only short string (or list-of-string) values; never keep secrets."""
    if not isinstance(data, Mapping):
        raise DraftError("a draft is a set of named fields")
    if len(data) > MAX_FIELDS:
        raise DraftError(f"a draft holds at most {MAX_FIELDS} fields")
    cleaned: dict[str, Any] = {}
    for name, value in data.items():
        if not isinstance(name, str) or not name or len(name) > 80:
            raise DraftError("field names are short strings")
        if is_secret(name):
            continue
        values = value if isinstance(value, list) else [value]
        if len(values) > MAX_LIST_ITEMS:
            raise DraftError(f"field {name!r} has too many values")
        for v in values:
            if not isinstance(v, str | int | float | bool) or len(str(v)) > MAX_VALUE_LENGTH:
                raise DraftError(f"field {name!r} is too long or not text")
        cleaned[name] = [str(v) for v in value] if isinstance(value, list) else str(value)
    if len(json.dumps(cleaned)) > MAX_DRAFT_BYTES:
        raise DraftError("the draft is too large")
    return cleaned


def device_label(user_agent: str | None) -> str:
    """Name the kind of device a User-Agent comes from: "phone", "tablet" or "laptop"."""
    agent = user_agent or ""
    if _TABLET.search(agent):
        return "tablet"
    if _PHONE.search(agent):
        return "phone"
    return "laptop"


def _row(user_id: int, form_key: str) -> Draft | None:
    return db.session.execute(
        select(Draft).where(Draft.user_id == user_id, Draft.form_key == form_key)
    ).scalar_one_or_none()


def _create(user_id: int, form_key: str) -> Draft:
    """Insert an empty draft; if another device inserted it a moment ago, use that one."""
    draft = Draft(user_id=user_id, form_key=form_key, url="", data={}, device="")
    try:
        with db.session.begin_nested():
            db.session.add(draft)
    except IntegrityError:
        existing = _row(user_id, form_key)
        if existing is None:  # not a race on this draft: a real error (e.g. no such user)
            raise
        return existing
    return draft


def _is_live(draft: Draft, now: datetime) -> bool:
    return draft.updated_at >= now - DRAFT_LIFETIME


def save(
    user_id: int, form_key: str, data: Mapping[str, Any], url: str = "", device: str = ""
) -> Draft:
    """Create or replace the customer's draft of ``form_key``.

    ``url`` (kept only if it is a local path) is where the form lives, so a link from another
    device can open it; an empty ``url`` keeps the one stored before.
    """
    if not isinstance(form_key, str) or not FORM_KEY.match(form_key):
        raise DraftError("unknown form")
    cleaned = clean_data(data)
    url = url if isinstance(url, str) else ""
    # An expired draft that the nightly job has not deleted yet is reused, not duplicated.
    draft = _row(user_id, form_key) or _create(user_id, form_key)
    draft.data = cleaned
    if len(url) <= 500 and is_safe_next(url):
        draft.url = url
    draft.device = device[:40]
    draft.updated_at = clock.now()
    db.session.flush()
    return draft


def load(user_id: int, form_key: str) -> Draft | None:
    """The customer's live draft of ``form_key``, or None (expired drafts count as none)."""
    draft = _row(user_id, form_key)
    if draft is None or not _is_live(draft, clock.now()):
        return None
    return draft


def discard(user_id: int, form_key: str) -> None:
    """Delete the draft: call it when the form is submitted."""
    db.session.execute(delete(Draft).where(Draft.user_id == user_id, Draft.form_key == form_key))


def expire(now: datetime) -> int:
    """Delete drafts untouched for 30 days; returns how many."""
    result = db.session.execute(delete(Draft).where(Draft.updated_at < now - DRAFT_LIFETIME))
    return rows_changed(result)


class _ShowcaseClockSigner(TimestampSigner):
    """A timestamp signer that reads the showcase's clock, so links age with the demo."""

    def get_timestamp(self) -> int:
        """Seconds since the epoch on the showcase's clock."""
        return int(clock.now().timestamp())


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=HANDOFF_SALT, signer=_ShowcaseClockSigner)


def handoff_token(secret_key: str, user_id: int, form_key: str) -> str:
    """A signed token naming the customer and the form, for the "continue on my phone" link."""
    return _serializer(secret_key).dumps([user_id, form_key])


def read_handoff_token(secret_key: str, token: str) -> tuple[int, str]:
    """The (user_id, form_key) a token carries.

    Raises :class:`HandoffExpired` after :data:`HANDOFF_LIFETIME` and :class:`HandoffError`
    for anything tampered with or malformed.
    """
    try:
        payload = _serializer(secret_key).loads(
            token, max_age=int(HANDOFF_LIFETIME.total_seconds())
        )
    except SignatureExpired as exc:
        raise HandoffExpired("the link has expired") from exc
    except (BadSignature, ValueError, TypeError) as exc:
        raise HandoffError("the link is not valid") from exc
    if (
        not isinstance(payload, list)
        or len(payload) != 2
        or not isinstance(payload[0], int)
        or not isinstance(payload[1], str)
    ):
        raise HandoffError("the link is not valid")
    return payload[0], payload[1]
