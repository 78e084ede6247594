"""Record what happens to a customer, and read their timeline across verticals."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from flask_babel.speaklater import LazyString
from sqlalchemy import func, or_, select, tuple_

from dcx.database import insert_many_ignoring_duplicates
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.accounts.models import Role, User
from dcx.platform.notify.services import in_locale, recipient_locales
from dcx.platform.timeline.models import Event
from dcx.verticals import registry


def record(
    user: Any,
    vertical: str,
    kind: str,
    subject: str,
    summary: str = "",
    data: Mapping[str, Any] | None = None,
    link: str = "",
    key: str | None = None,
    occurred_at: datetime | None = None,
) -> Event | None:
    """Append an event to the customer's timeline; None if ``key`` was already recorded.

    Events of a vertical declared ``private_timeline`` (health) are private: the customer sees
    them, staff only with the customer's consent. A ``subject`` or ``summary`` given as
    ``lazy_gettext(...)`` is written in the customer's language, whoever caused the event.
    """
    user_id = user if isinstance(user, int) else user.id
    if key is not None:
        exists = db.session.execute(
            select(Event.id).where(Event.user_id == user_id, Event.key == key)
        ).first()
        if exists:
            return None
    if isinstance(subject, LazyString) or isinstance(summary, LazyString):
        with in_locale(recipient_locales([user_id])[user_id]):
            subject, summary = str(subject), str(summary)
    spec = registry().get(vertical)
    event = Event(
        user_id=user_id,
        vertical=vertical,
        kind=kind,
        subject=subject[:200],
        summary=summary,
        data=dict(data or {}),
        link=link[:500],
        private=bool(spec and spec.private_timeline),
        key=key,
        occurred_at=occurred_at or clock.now(),
    )
    db.session.add(event)
    db.session.flush()
    return event


# Rows per statement of :func:`record_bulk`: its IN lists (owners, keys) stay far below the
# bound parameters a statement may carry (32,766 in SQLite, 65,535 in PostgreSQL).
RECORD_BULK_CHUNK = 5_000


def record_bulk(rows: Iterable[Mapping[str, Any]]) -> int:
    """Append many events at once, each as :func:`record` would; returns how many it wrote.

    Each row holds :func:`record`'s arguments by name: ``user_id`` (an id or a user),
    ``vertical``, ``kind`` and ``subject``, and optionally ``summary``, ``data``, ``link``,
    ``key`` and ``occurred_at``. A row whose ``key`` the customer already has, or that
    repeats an earlier row's (customer, key), is skipped; texts are cut to the columns'
    sizes; a ``private_timeline`` vertical's events are private; a ``lazy_gettext`` subject
    or summary is written in its owner's language (all owners' languages read in one query).

    Set-based, for seeds and jobs: one query for the keys already recorded and one insert
    per :data:`RECORD_BULK_CHUNK` rows (plus one for the owners' languages when a text is
    lazy), however many customers. The caller commits.
    """
    pending = [_event_values(row) for row in rows]
    written = 0
    now: datetime | None = None
    for start in range(0, len(pending), RECORD_BULK_CHUNK):
        # Earlier chunks are in the table by now, so the check sees their keys too.
        chunk = _new_events(pending[start : start + RECORD_BULK_CHUNK])
        if not chunk:
            continue
        _render_in_owners_language(chunk)
        if any(values["occurred_at"] is None for values in chunk):
            now = now or clock.now()  # the call's events without a time share one instant
        for values in chunk:
            values["subject"] = values["subject"][:200]
            values["occurred_at"] = values["occurred_at"] or now
        # ON CONFLICT DO NOTHING: an event another transaction recorded since the check above
        # is skipped by the unique (user, key), not an error that loses the whole batch.
        insert_many_ignoring_duplicates(Event.__table__, chunk)
        written += len(chunk)
    return written


def _event_values(row: Mapping[str, Any]) -> dict[str, Any]:
    """One row of :func:`record_bulk` as the columns :func:`record` would store."""
    user = row["user_id"]
    vertical = row["vertical"]
    spec = registry().get(vertical)
    return {
        "user_id": user if isinstance(user, int) else user.id,
        "vertical": vertical,
        "kind": row["kind"],
        "subject": row["subject"],
        "summary": row.get("summary", ""),
        "data": dict(row.get("data") or {}),
        "link": (row.get("link") or "")[:500],
        "private": bool(spec and spec.private_timeline),
        "key": row.get("key"),
        "occurred_at": row.get("occurred_at"),
    }


def _new_events(chunk: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows of ``chunk`` whose (customer, key) is neither recorded nor earlier in it.

    One query, matching the (owner, key) pairs themselves: two IN lists (owners, keys) would
    have the database probe every owner with every key, millions of lookups for a month at
    scale.
    """
    keyed = {(values["user_id"], values["key"]) for values in chunk if values["key"] is not None}
    seen: set[tuple[int, str | None]] = set()
    if keyed:
        found = db.session.execute(
            select(Event.user_id, Event.key).where(
                tuple_(Event.user_id, Event.key).in_(list(keyed))
            )
        )
        seen.update((user_id, key) for user_id, key in found)
    fresh = []
    for values in chunk:
        pair = (values["user_id"], values["key"])
        if values["key"] is not None:
            if pair in seen:
                continue
            seen.add(pair)
        fresh.append(values)
    return fresh


def _render_in_owners_language(chunk: list[dict[str, Any]]) -> None:
    """Turn lazy subjects and summaries into text, each in its owner's language, in place."""
    lazy = [
        values
        for values in chunk
        if isinstance(values["subject"], LazyString) or isinstance(values["summary"], LazyString)
    ]
    if not lazy:
        return
    locales = recipient_locales(values["user_id"] for values in lazy)
    by_locale: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for values in lazy:
        by_locale[locales[values["user_id"]]].append(values)
    for locale, group in by_locale.items():
        with in_locale(locale):
            for values in group:
                values["subject"], values["summary"] = (
                    str(values["subject"]),
                    str(values["summary"]),
                )


def timeline(
    user_id: int,
    vertical: str | None = None,
    include_private: bool = True,
    limit: int = 50,
    before_id: int | None = None,
) -> list[Event]:
    """The customer's events, newest first, optionally of one vertical."""
    stmt = select(Event).where(Event.user_id == user_id)
    if vertical:
        stmt = stmt.where(Event.vertical == vertical)
    if not include_private:
        stmt = stmt.where(Event.private.is_(False))
    if before_id:
        stmt = stmt.where(Event.id < before_id)
    stmt = stmt.order_by(Event.occurred_at.desc(), Event.id.desc()).limit(limit)
    return list(db.session.execute(stmt).scalars())


def find_customers(q: str, limit: int = 50) -> list[User]:
    """Customers, by name, whose name or email contains ``q`` (any case); all of them (up to
    ``limit``) for an empty ``q``."""
    stmt = select(User).where(User.role == Role.CUSTOMER).order_by(User.name).limit(limit)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(or_(func.lower(User.name).like(like), func.lower(User.email).like(like)))
    return list(db.session.execute(stmt).scalars().all())
