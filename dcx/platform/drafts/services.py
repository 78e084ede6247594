"""Save, load and discard drafts; all owner-scoped by the customer's id."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select

from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.drafts.models import Draft

DRAFT_LIFETIME = timedelta(days=30)
MAX_FIELDS = 100
MAX_VALUE_LENGTH = 5000
FORM_KEY = re.compile(r"^[a-z][a-z0-9_]*\.[a-z0-9_.-]{1,60}$")
SECRET_FIELDS = ("password", "csrf_token", "pin", "cvv")


class DraftError(ValueError):
    """A draft was refused (bad key, too many fields, a value too long)."""


def clean_data(data: Mapping[str, Any]) -> dict[str, Any]:
    """Keep only short string (or list-of-string) values; never keep secrets."""
    if len(data) > MAX_FIELDS:
        raise DraftError(f"a draft holds at most {MAX_FIELDS} fields")
    cleaned: dict[str, Any] = {}
    for name, value in data.items():
        if not isinstance(name, str) or len(name) > 80:
            raise DraftError("field names are short strings")
        if any(secret in name.lower() for secret in SECRET_FIELDS):
            continue
        values = value if isinstance(value, list) else [value]
        for v in values:
            if not isinstance(v, str | int | float | bool) or len(str(v)) > MAX_VALUE_LENGTH:
                raise DraftError(f"field {name!r} is too long or not text")
        cleaned[name] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return cleaned


def save(
    user_id: int, form_key: str, data: Mapping[str, Any], url: str = "", device: str = ""
) -> Draft:
    """Create or replace the customer's draft of ``form_key``."""
    if not FORM_KEY.match(form_key or ""):
        raise DraftError("unknown form")
    cleaned = clean_data(data)
    draft = load(user_id, form_key)
    if draft is None:
        draft = Draft(user_id=user_id, form_key=form_key)
        db.session.add(draft)
    draft.data = cleaned
    draft.url = url[:500] if url.startswith("/") and not url.startswith("//") else draft.url or ""
    draft.device = device[:40]
    draft.updated_at = clock.now()
    db.session.flush()
    return draft


def load(user_id: int, form_key: str) -> Draft | None:
    """The customer's live draft of ``form_key``, or None (expired drafts count as none)."""
    draft = db.session.execute(
        select(Draft).where(Draft.user_id == user_id, Draft.form_key == form_key)
    ).scalar_one_or_none()
    if draft is not None and draft.updated_at < clock.now() - DRAFT_LIFETIME:
        return None
    return draft


def discard(user_id: int, form_key: str) -> None:
    """Delete the draft: call it when the form is submitted."""
    db.session.execute(delete(Draft).where(Draft.user_id == user_id, Draft.form_key == form_key))


def expire(now) -> int:
    """Delete drafts untouched for 30 days; returns how many."""
    result = db.session.execute(delete(Draft).where(Draft.updated_at < now - DRAFT_LIFETIME))
    return result.rowcount or 0
