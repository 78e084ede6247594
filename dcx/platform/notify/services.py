"""Send a message to a customer: the inbox row and one outbox row per chosen channel.

Call :func:`notify` (one customer) or :func:`notify_bulk` (a job's many customers) inside the
transaction of the event that causes the message; the caller commits. A ``key`` makes the
message once-only per customer: a second call with the same key inserts nothing.

Render a message in the recipient's language: a job has no request, and a message one person
causes for another (a professor's reply, a seat freed on the waitlist) must not speak the
sender's language. :func:`recipient_locales` reads every recipient's language in one query
(their ``User.locale`` when it is one of the configured ``LANGUAGES``, else English), and
:func:`in_locale` renders ``gettext``, ``lazy_gettext`` and the ``format_*`` helpers in that
language inside its block::

    locales = recipient_locales(row.user_id for row in due)
    for row in due:
        with in_locale(locales[row.user_id]):
            title = _("%(name)s is due on %(day)s", name=row.name, day=format_date(row.day))

A job that sends one message per row does both through :func:`notify_each`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import time
from typing import Any, TypeVar

from flask import current_app, has_app_context
from flask_babel import _get_current_context, force_locale
from sqlalchemy import and_, insert, literal, or_, select, update
from sqlalchemy.orm import selectinload

from dcx.database import insert_ignoring_duplicates, rows_changed
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.accounts.models import User
from dcx.platform.notify.models import (
    CHANNELS,
    Channel,
    Delivery,
    DeliveryStatus,
    Message,
    Preference,
    QuietHours,
)
from dcx.platform.notify.quiet import minute_of, zone
from dcx.platform.timezones import in_timezone, valid_zone
from dcx.verticals import registry

T = TypeVar("T")

EXTERNAL_CHANNELS = ("email", "sms", "push")
FALLBACK_LOCALE = "en"


def _languages() -> tuple[str, ...]:
    """The configured languages (English alone outside an app context)."""
    if not has_app_context():
        return (FALLBACK_LOCALE,)
    return tuple(current_app.config.get("LANGUAGES", (FALLBACK_LOCALE,)))


class RecipientLocale(str):
    """A recipient's language code that also carries their time zone (the site's if none), so
    :func:`in_locale` renders a message's dates and times in the recipient's own zone."""

    timezone: str = ""

    def __new__(cls, code: str, timezone: str = "") -> RecipientLocale:
        """``RecipientLocale("ro", "Europe/Bucharest")`` equals "ro"."""
        value = super().__new__(cls, code)
        value.timezone = timezone or ""
        return value


def recipient_locales(user_ids: Iterable[int]) -> dict[int, str]:
    """Each recipient's language (and time zone) for a message, read in ONE query for all.

    A user's ``locale`` when it is one of the configured ``LANGUAGES``; for "" (follow the
    browser: a job has none) or an unknown code, the site's default language (the one the
    showcase was seeded in), else English; the same for an id with no user. Every id asked for
    is in the answer, so a bulk job can index it without a check.
    """
    ids = {int(user_id) for user_id in user_ids}
    if not ids:
        return {}
    languages = _languages()
    rows = db.session.execute(
        select(User.id, User.locale, User.timezone).where(User.id.in_(ids))
    ).all()
    found = {row.id: (row.locale, row.timezone) for row in rows}
    fallback = _site_language(languages)
    # Who has not chosen a zone reads the site's, even in a request of someone who has.
    site_zone = current_app.config.get("BABEL_DEFAULT_TIMEZONE", "UTC")
    answer: dict[int, str] = {}
    for user_id in ids:
        code, zone_name = found.get(user_id, ("", ""))
        language = code if code in languages else fallback
        answer[user_id] = RecipientLocale(language, valid_zone(zone_name) or site_zone)
    return answer


def site_language() -> str:
    """The site's own language: the one the showcase was seeded in (else English).

    What the site publishes to everyone (public notices, the feed) speaks it, whoever asks.
    """
    return _site_language(_languages())


def _site_language(languages: tuple[str, ...]) -> str:
    """The site's default language (a showcase seeded in Spanish speaks Spanish), else English."""
    provider = current_app.extensions.get("dcx_default_language") if has_app_context() else None
    chosen = provider() if provider is not None else None
    return chosen if chosen in languages else FALLBACK_LOCALE


@contextmanager
def in_locale(locale: str) -> Iterator[None]:
    """Render gettext, lazy_gettext and format_* in ``locale`` inside the block.

    Works in a request and in a job (an app context is enough): the request's own language
    comes back afterwards. A code outside ``LANGUAGES`` (or "") renders in English. A
    :class:`RecipientLocale` (what :func:`recipient_locales` answers) also renders dates and
    times in the recipient's time zone.
    """
    code = locale if locale in _languages() else FALLBACK_LOCALE
    zone_name = getattr(locale, "timezone", "")
    if _in_force(str(code), zone_name):
        yield  # already so (a batch renders its rows by language): nothing to switch
        return
    with force_locale(str(code)), in_timezone(zone_name):
        yield


def _in_force(code: str, zone_name: str) -> bool:
    """Whether an enclosing :func:`in_locale` already renders in ``code`` and ``zone_name``
    (switching again would only drop the loaded catalogue)."""
    ctx = _get_current_context() if has_app_context() else None
    forced = getattr(ctx, "forced_babel_locale", None)
    if forced is None or str(forced) != code:
        return False
    zone_in_force = getattr(ctx, "babel_tzinfo", None)
    wanted = valid_zone(zone_name)
    return not wanted or getattr(zone_in_force, "zone", None) == wanted


def default_channels(topic: str) -> tuple[str, ...]:
    """The channels a topic uses when the customer has not chosen (besides the inbox)."""
    spec = registry().topics().get(topic)
    return tuple(c for c in (spec.channels if spec else ("email",)) if c in EXTERNAL_CHANNELS)


def channels_for(user_id: int, topic: str) -> tuple[str, ...]:
    """The external channels this customer gets for ``topic``: their choice or the default."""
    chosen = db.session.execute(
        select(Preference.channels).where(Preference.user_id == user_id, Preference.topic == topic)
    ).scalar_one_or_none()
    if chosen is None:
        return default_channels(topic)
    return tuple(c for c in chosen.split(",") if c in EXTERNAL_CHANNELS)


def notify(
    user: User | int,
    topic: str,
    title: str,
    body: str = "",
    link: str = "",
    key: str | None = None,
) -> Message | None:
    """Put a message in the customer's inbox and outbox; None if ``key`` was already sent."""
    user_id = user if isinstance(user, int) else user.id
    if key is not None:
        exists = db.session.execute(
            select(Message.id).where(Message.user_id == user_id, Message.key == key)
        ).first()
        if exists:
            return None
    message = Message(
        user_id=user_id, topic=topic, title=title[:200], body=body, link=link[:500], key=key
    )
    db.session.add(message)
    db.session.flush()
    now = clock.now()
    for channel in channels_for(user_id, topic):
        db.session.add(
            Delivery(message_id=message.id, user_id=user_id, channel=channel, next_attempt_at=now)
        )
    db.session.flush()
    return message


def notify_bulk(topic: str, rows: Iterable[Mapping[str, Any]]) -> int:
    """Send many messages of one topic set-based; rows need ``user_id``, ``title``, ``key``.

    Rows whose (user, key) was already sent are skipped by the unique key, so a job that runs
    twice, or two schedulers at once, never send a message twice: the INSERT returns the ids
    it really wrote, and only those get deliveries. Returns how many messages were new.
    """
    now = clock.now()
    values = [
        {
            "user_id": r["user_id"],
            "topic": topic,
            "title": str(r["title"])[:200],
            "body": r.get("body", ""),
            "link": str(r.get("link", ""))[:500],
            "key": r["key"],
            "created_at": now,
        }
        for r in rows
    ]
    inserted: list[int] = []
    for start in range(0, len(values), 500):
        written = db.session.execute(
            insert_ignoring_duplicates(Message).returning(Message.id), values[start : start + 500]
        )
        inserted.extend(written.scalars())
    defaults = default_channels(topic)
    for channel in EXTERNAL_CHANNELS:
        chose_it = Preference.channels.contains(channel)
        wants = or_(and_(Preference.id.is_(None), literal(channel in defaults)), chose_it)
        for start in range(0, len(inserted), 500):
            chosen = (
                select(
                    Message.id,
                    Message.user_id,
                    literal(channel),
                    literal("pending"),
                    literal(0),
                    literal(now, type_=Delivery.next_attempt_at.type),
                    literal(""),
                    literal(now, type_=Delivery.created_at.type),
                )
                .outerjoin(
                    Preference,
                    and_(Preference.user_id == Message.user_id, Preference.topic == Message.topic),
                )
                .where(Message.id.in_(inserted[start : start + 500]), wants)
            )
            db.session.execute(
                insert(Delivery).from_select(
                    [
                        "message_id",
                        "user_id",
                        "channel",
                        "status",
                        "attempts",
                        "next_attempt_at",
                        "last_error",
                        "created_at",
                    ],
                    chosen,
                )
            )
    db.session.flush()
    return len(inserted)


def notify_each(
    topic: str,
    items: Iterable[T],
    recipient: Callable[[T], int],
    compose: Callable[[T], Mapping[str, Any]],
) -> int:
    """One message of ``topic`` per item, each written in its recipient's language, sent
    set-based by :func:`notify_bulk`.

    ``recipient(item)`` is the user id; ``compose(item)`` gives the message's ``title``,
    ``body``, ``link`` and once-only ``key``, and runs inside :func:`in_locale` of that
    recipient (every recipient's language read in one query), where its texts are rendered.
    Returns how many messages were new.
    """
    items = list(items)
    locales = recipient_locales(recipient(item) for item in items)
    messages = []
    for item in items:
        user_id = recipient(item)
        with in_locale(locales[user_id]):
            message = {name: str(value) for name, value in compose(item).items()}
        messages.append({**message, "user_id": user_id})
    return notify_bulk(topic, messages)


def unread_count(user_id: int) -> int:
    """How many inbox messages the customer has not read."""
    from sqlalchemy import func

    return db.session.execute(
        select(func.count()).where(Message.user_id == user_id, Message.read_at.is_(None))
    ).scalar_one()


# --- the inbox ---------------------------------------------------------------------------


def inbox_page(user_id: int, page: int = 1, per_page: int = 20):
    """One page of the customer's inbox, newest first, with each message's deliveries."""
    stmt = (
        select(Message)
        .where(Message.user_id == user_id)
        .options(selectinload(Message.deliveries))
        .order_by(Message.created_at.desc(), Message.id.desc())
    )
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=True)


def mark_read(message: Message) -> Message:
    """Mark one message read (keeping the first time it was read)."""
    if message.read_at is None:
        message.read_at = clock.now()
        db.session.flush()
    return message


def mark_all_read(user_id: int) -> int:
    """Mark every unread message of the customer read; returns how many changed."""
    result = db.session.execute(
        update(Message)
        .where(Message.user_id == user_id, Message.read_at.is_(None))
        .values(read_at=clock.now())
    )
    db.session.flush()
    return rows_changed(result)


def phone_messages(user_id: int, limit: int = 50) -> list[tuple[Delivery, Message]]:
    """The SMS and push messages sent to the customer, newest first (the phone preview)."""
    rows = db.session.execute(
        select(Delivery, Message)
        .join(Message, Message.id == Delivery.message_id)
        .where(
            Delivery.user_id == user_id,
            Delivery.channel.in_((Channel.SMS, Channel.PUSH)),
            Delivery.status == DeliveryStatus.SENT,
        )
        .order_by(Delivery.sent_at.desc(), Delivery.id.desc())
        .limit(limit)
    ).all()
    return [(delivery, message) for delivery, message in rows]


# --- preferences -------------------------------------------------------------------------


def preferences(user_id: int) -> dict[str, tuple[str, ...]]:
    """The external channels per declared topic: the customer's choice, else the default."""
    chosen = dict(
        db.session.execute(
            select(Preference.topic, Preference.channels).where(Preference.user_id == user_id)
        ).all()
    )
    result = {}
    for key in registry().topics():
        if key in chosen:
            result[key] = tuple(c for c in chosen[key].split(",") if c in EXTERNAL_CHANNELS)
        else:
            result[key] = default_channels(key)
    return result


def save_preferences(user_id: int, choices: Mapping[str, Iterable[str]]) -> None:
    """Store the customer's channels per topic (unknown channels are ignored)."""
    existing = {
        p.topic: p
        for p in db.session.execute(
            select(Preference).where(Preference.user_id == user_id)
        ).scalars()
    }
    for topic, channels in choices.items():
        value = ",".join(c for c in EXTERNAL_CHANNELS if c in set(channels))
        row = existing.get(topic)
        if row is None:
            db.session.add(Preference(user_id=user_id, topic=topic, channels=value))
        else:
            row.channels = value
    db.session.flush()


def quiet_hours(user_id: int) -> QuietHours | None:
    """The customer's quiet hours, or None if they set none."""
    return db.session.execute(
        select(QuietHours).where(QuietHours.user_id == user_id)
    ).scalar_one_or_none()


def set_quiet_hours(
    user_id: int, start: time | None, end: time | None, timezone: str = "UTC"
) -> QuietHours | None:
    """Set the customer's quiet hours (SMS and push wait); ``start=None`` removes them."""
    row = quiet_hours(user_id)
    if start is None or end is None:
        if row is not None:
            db.session.delete(row)
            db.session.flush()
        return None
    if row is None:
        row = QuietHours(user_id=user_id)
        db.session.add(row)
    row.start_minute = minute_of(start)
    row.end_minute = minute_of(end)
    row.timezone = zone(timezone).key
    db.session.flush()
    return row


__all__ = [
    "CHANNELS",
    "channels_for",
    "in_locale",
    "inbox_page",
    "mark_all_read",
    "mark_read",
    "notify",
    "notify_bulk",
    "phone_messages",
    "preferences",
    "quiet_hours",
    "recipient_locales",
    "save_preferences",
    "set_quiet_hours",
    "site_language",
    "unread_count",
]
