"""Deliver the outbox: claim due rows once, hand each to its channel's adapter, retry with backoff.

:func:`deliver_due` is the platform job ``platform.deliver_outbox`` (every minute). Each due row
is claimed by a conditional UPDATE (``pending`` -> ``sending``, only if it is still pending and
due), so two processes never send the same row. The claim holds a lease on wall-clock time
(``leased_until``): a row left ``sending`` by a crashed process is taken again when the lease
runs out, and moving the showcase's clock (a month in a second) expires no lease.
A failure (an SMTP server refusing or unreachable, any adapter error) counts an attempt, keeps
the error and waits 1, 2, 4, 8 ... minutes, at most ``NOTIFY_BACKOFF_MAX_MINUTES`` (a day);
after ``NOTIFY_MAX_ATTEMPTS`` (10: tries spread over eight and a half hours, so a mail server
down for an afternoon loses nothing) the row is a dead letter (``failed``): it is never tried
again by itself and stays, with its error, on the admin's outbox page, where
:mod:`dcx.platform.notify.outbox`'s ``retry_dead_letter`` (a row's "retry" button) or
``retry_dead_letters`` (every dead letter at once) queues it again.

Adapters are callables ``adapter(item: Outgoing) -> str`` returning the text actually sent;
they raise to report a failure. They live in ``app.extensions["dcx_notify_adapters"]``
by channel, so a deployment (or a test) can swap one. An adapter marked :func:`database_only`
sends nothing out of the process (the console's email, the phone preview's SMS and push): a
claimed batch of its rows is recorded in one statement and one commit. Any other is recorded
row by row, as soon as each has gone.
"""

from __future__ import annotations

import smtplib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import cast

from flask import Flask, current_app, has_app_context
from sqlalchemy import Table, and_, bindparam, or_, select, update

from dcx.database import rows_changed
from dcx.extensions import db
from dcx.platform import brand, clock
from dcx.platform.accounts.models import User
from dcx.platform.notify import mail
from dcx.platform.notify.models import (
    Delivery,
    DeliveryStatus,
    Message,
    PushSubscription,
    QuietHours,
)
from dcx.platform.notify.quiet import HELD_CHANNELS, quiet_until
from dcx.verticals import registry


@dataclass(frozen=True)
class Outgoing:
    """One claimed outbox row with what an adapter needs to send it (a read-only snapshot)."""

    delivery_id: int
    channel: str
    attempts: int
    user_id: int
    email: str
    name: str
    phone: str
    topic: str
    title: str
    body: str
    link: str
    key: str | None = None  # the message's key: what a topic's attachments are built from
    # the recipient's language and time zone, read by load() for the whole batch at once
    # ("" when built otherwise: read when the email is rendered)
    locale: str = ""
    brand: str = ""  # the brand's name, read by load() once for the batch ("": read when sent)


def _locale(item: Outgoing) -> str:
    from dcx.platform.notify.services import recipient_locales

    return item.locale or recipient_locales([item.user_id])[item.user_id]


Adapter = Callable[[Outgoing], str]

SMS_LENGTH = 160
PUSH_LENGTH = 180
BATCH = 200


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def render_sms(message: Outgoing | Message) -> str:
    """The SMS text: brand, title and as much of the body as fits in one SMS."""
    text = f"{getattr(message, 'brand', '') or brand.name()}: {message.title}"
    if message.body:
        text = f"{text}. {message.body}"
    return _shorten(text, SMS_LENGTH)


def render_push(message: Outgoing | Message) -> str:
    """The push notification line: the title, then the start of the body."""
    text = message.title if not message.body else f"{message.title} — {message.body}"
    return _shorten(text, PUSH_LENGTH)


def render_email(item: Outgoing) -> EmailMessage:
    """The email of one claimed delivery, in its recipient's language (see notify.email),
    with the files its topic attaches (an invitation's cancellation, for example)."""
    from dcx.platform.notify.services import in_locale

    locale = _locale(item)
    outgoing = mail.render_email(
        delivery_id=item.delivery_id,
        user_id=item.user_id,
        topic=item.topic,
        title=item.title,
        body=item.body,
        link_path=item.link,
        recipient=item.email,
        locale=locale,
        brand_name=item.brand,
    )
    spec = registry().topics().get(item.topic)
    if spec is not None and spec.attachments is not None and item.key:
        with in_locale(locale):
            files = list(spec.attachments(item.key, item.user_id))
        for file in files:
            maintype, subtype = file.content_type.split("/", 1)
            outgoing.add_attachment(
                file.data,
                maintype=maintype,
                subtype=subtype,
                filename=file.filename,
                params=dict(file.params),
            )
    return outgoing


absolute_link = mail.absolute_link


def _email_summary(outgoing: EmailMessage) -> str:
    return _summary(outgoing["To"], outgoing["Subject"], mail.text_part(outgoing))


def _summary(recipient: str, subject: str, text: str) -> str:
    return f"To: {recipient}\nSubject: {subject}\n\n{text.strip()}"


def smtp_email(item: Outgoing) -> str:
    """Send the email over SMTP to ``MAIL_SERVER``:``MAIL_PORT`` (STARTTLS/login if configured)."""
    config = current_app.config
    outgoing = render_email(item)
    timeout = config.get("MAIL_TIMEOUT", 10)
    with smtplib.SMTP(
        config["MAIL_SERVER"], int(config.get("MAIL_PORT", 25)), timeout=timeout
    ) as s:
        if config.get("MAIL_USE_TLS"):
            s.starttls()
        if config.get("MAIL_USERNAME"):
            s.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
        s.send_message(outgoing)
    return _email_summary(outgoing)


def database_only(adapter: Adapter) -> Adapter:
    """Mark an adapter that sends nothing out of the process (it only says what was sent: the
    console's email, the phone preview's SMS and push). :func:`deliver_due` records a claimed
    batch of such rows in one statement and one commit; a row that does leave the process (SMTP,
    a device's push service) is still recorded as soon as it has gone, one by one, so a crash
    never sends it twice."""
    setattr(adapter, "database_only", True)  # noqa: B010 - a mark on the function object
    return adapter


def needs_a_device(adapter: Adapter) -> Adapter:
    """Mark a push adapter that reaches out only to the customer's devices: for a customer with
    none it is no more than the phone preview's :func:`send_push`."""
    setattr(adapter, "needs_a_device", True)  # noqa: B010 - a mark on the function object
    return adapter


@database_only
def console_email(item: Outgoing) -> str:
    """No mail server configured: log the email and record it as sent (its summary, as
    :func:`smtp_email` records it, from the email's text alone)."""
    text = mail.email_text(
        user_id=item.user_id,
        topic=item.topic,
        title=item.title,
        body=item.body,
        link_path=item.link,
        locale=_locale(item),
        brand_name=item.brand,
    )
    # Ids and kinds only: a message's text and an address never reach the logs.
    current_app.logger.info(
        "email (console) delivery %s to user %s, topic %s",
        item.delivery_id,
        item.user_id,
        item.topic,
    )
    return _summary(item.email, item.title, text)


def send_email(item: Outgoing) -> str:
    """Email over real SMTP when ``MAIL_SERVER`` is set, otherwise to the console."""
    if current_app.config.get("MAIL_SERVER"):
        return smtp_email(item)
    return console_email(item)


@database_only
def send_sms(item: Outgoing) -> str:
    """Record the SMS text as sent; the presenter sees it on the phone preview."""
    text = render_sms(item)
    current_app.logger.info(
        "sms delivery %s to user %s, topic %s%s",
        item.delivery_id,
        item.user_id,
        item.topic,
        "" if item.phone else " (no phone)",
    )
    return text


@database_only
def send_push(item: Outgoing) -> str:
    """Record the push line as sent; the presenter sees it on the phone preview."""
    text = render_push(item)
    current_app.logger.info(
        "push delivery %s to user %s, topic %s", item.delivery_id, item.user_id, item.topic
    )
    return text


DEFAULT_ADAPTERS: dict[str, Adapter] = {"email": send_email, "sms": send_sms, "push": send_push}


def init_adapters(app: Flask) -> None:
    """Install the default adapters; a deployment or a test may replace one by channel."""
    app.extensions["dcx_notify_adapters"] = dict(DEFAULT_ADAPTERS)


def max_attempts() -> int:
    """How many times a delivery is tried before it is marked ``failed``."""
    return int(current_app.config.get("NOTIFY_MAX_ATTEMPTS", 10))


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: 1, 2, 4, 8 ... minutes, at most
    ``NOTIFY_BACKOFF_MAX_MINUTES`` (a day)."""
    configured = current_app.config.get("NOTIFY_BACKOFF_MAX_MINUTES") if has_app_context() else None
    cap = int(configured or 24 * 60)
    return timedelta(minutes=min(2 ** min(max(attempts - 1, 0), 30), cap))


def lease() -> timedelta:
    """How long (wall-clock) a claimed row may stay ``sending`` before another process may
    take it."""
    return timedelta(seconds=int(current_app.config.get("NOTIFY_LEASE_SECONDS", 600)))


def _due(now: datetime):
    # Pending rows that are due, and rows left "sending" by a crashed process whose lease ran
    # out on the wall clock (a row claimed before leases were kept: by next_attempt_at).
    return or_(
        and_(Delivery.status == DeliveryStatus.PENDING, Delivery.next_attempt_at <= now),
        and_(
            Delivery.status == DeliveryStatus.SENDING,
            or_(
                Delivery.leased_until < clock.real_now(),
                and_(Delivery.leased_until.is_(None), Delivery.next_attempt_at <= now),
            ),
        ),
    )


def hold_for_quiet_hours(now: datetime) -> int:
    """Move due SMS and push rows of customers in their quiet hours to the hours' end."""
    rows = db.session.execute(
        select(Delivery.id, QuietHours)
        .join(QuietHours, QuietHours.user_id == Delivery.user_id)
        .where(Delivery.status == DeliveryStatus.PENDING, Delivery.next_attempt_at <= now)
        .where(Delivery.channel.in_(HELD_CHANNELS))
    ).all()
    held = 0
    for delivery_id, hours in rows:
        until = quiet_until(hours, now)
        if until is None:
            continue
        result = db.session.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id, Delivery.status == DeliveryStatus.PENDING)
            .values(next_attempt_at=until)
        )
        held += rows_changed(result)
    db.session.commit()
    return held


_OUTBOX = cast(Table, Delivery.__table__)  # declarative types it as any FromClause
_DUE = or_(
    and_(
        _OUTBOX.c.status == "pending",
        _OUTBOX.c.next_attempt_at <= bindparam("now", type_=_OUTBOX.c.next_attempt_at.type),
    ),
    and_(
        _OUTBOX.c.status == "sending",
        or_(
            _OUTBOX.c.leased_until < bindparam("real_now", type_=_OUTBOX.c.leased_until.type),
            and_(_OUTBOX.c.leased_until.is_(None), _OUTBOX.c.next_attempt_at <= bindparam("now")),
        ),
    ),
)
# Built once, plain Core statements with parameters: the claim runs once per batch, the
# others once per row.
_CLAIM_MANY = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id.in_(bindparam("row_ids", expanding=True)), _DUE)
    .values(status="sending", leased_until=bindparam("until", type_=_OUTBOX.c.leased_until.type))
    .returning(_OUTBOX.c.id)
)
_SENT = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("row_id"), _OUTBOX.c.status == "sending")
    .values(
        status="sent",
        sent_at=bindparam("sent_at", type_=_OUTBOX.c.sent_at.type),
        attempts=_OUTBOX.c.attempts + 1,
        rendered=bindparam("rendered"),
        last_error="",
        leased_until=None,
    )
)
_RETRY = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("row_id"), _OUTBOX.c.status == "sending")
    .values(
        status=bindparam("new_status"),
        attempts=bindparam("new_attempts"),
        last_error=bindparam("error"),
        next_attempt_at=bindparam("retry_at", type_=_OUTBOX.c.next_attempt_at.type),
        leased_until=None,
    )
)


def claim(now: datetime, limit: int = BATCH) -> list[int]:
    """Claim up to ``limit`` due rows for this process; returns the ids it won.

    The rows are taken by one conditional UPDATE that only matches those still due and
    unclaimed, and answers their ids; a row another process took in between matches nothing
    and is skipped. (One UPDATE per row was a statement per message: 19,000 in a month at
    scale.)
    """
    candidates = list(
        db.session.execute(
            select(Delivery.id).where(_due(now)).order_by(Delivery.next_attempt_at).limit(limit)
        ).scalars()
    )
    if not candidates:
        db.session.commit()
        return []
    real_now = clock.real_now()
    taken = set(
        db.session.execute(
            _CLAIM_MANY,
            {
                "row_ids": candidates,
                "now": now,
                "real_now": real_now,
                "until": real_now + lease(),
            },
        ).scalars()
    )
    db.session.commit()
    return [delivery_id for delivery_id in candidates if delivery_id in taken]


def _record_sent(delivery_id: int, now: datetime, rendered: str) -> None:
    db.session.execute(_SENT, {"row_id": delivery_id, "sent_at": now, "rendered": rendered})
    db.session.commit()


def _record_failure(item: Outgoing, now: datetime, error: str) -> None:
    attempts = item.attempts + 1
    final = attempts >= max_attempts()
    params = {
        "row_id": item.delivery_id,
        "new_status": DeliveryStatus.FAILED if final else DeliveryStatus.PENDING,
        "new_attempts": attempts,
        "error": error[:2000],
        # a failed row is never picked up again; next_attempt_at then says when it gave up
        "retry_at": now if final else now + backoff(attempts),
    }
    db.session.execute(_RETRY, params)
    db.session.commit()


def load(ids: list[int]) -> list[Outgoing]:
    """The claimed rows with their message and customer, the customers' languages and the
    brand's name: a fixed number of queries for the batch."""
    rows = db.session.execute(
        select(
            Delivery.id,
            Delivery.channel,
            Delivery.attempts,
            User.id,
            User.email,
            User.name,
            User.phone,
            Message.topic,
            Message.title,
            Message.body,
            Message.link,
            Message.key,
        )
        .join(Message, Message.id == Delivery.message_id)
        .join(User, User.id == Delivery.user_id)
        .where(Delivery.id.in_(ids))
        .order_by(Delivery.id)
    ).all()
    from dcx.platform.notify.services import recipient_locales

    locales = recipient_locales(row[3] for row in rows)  # one query, not one per email
    name = brand.name()  # the same for every row: read once, not once per message
    return [Outgoing(*row, locale=locales[row[3]], brand=name) for row in rows]


def _adapters() -> dict[str, Adapter]:
    return current_app.extensions.get("dcx_notify_adapters", DEFAULT_ADAPTERS)


def _failed(item: Outgoing, now: datetime, error: Exception) -> None:
    db.session.rollback()
    # The error's kind only: its text may quote an address (a refused recipient).
    current_app.logger.warning(
        "delivery %s (%s) failed: %s", item.delivery_id, item.channel, type(error).__name__
    )
    _record_failure(item, now, f"{type(error).__name__}: {error}")


def send(item: Outgoing, now: datetime) -> bool:
    """Send one claimed row through its channel's adapter and record the outcome."""
    adapter = _adapters().get(item.channel)
    try:
        if adapter is None:
            raise LookupError(f"no adapter for channel {item.channel!r}")
        rendered = adapter(item)
    except Exception as error:  # any adapter failure is kept on the row and retried
        _failed(item, now, error)
        return False
    _record_sent(item.delivery_id, now, str(rendered or ""))
    return True


def _with_devices(user_ids: set[int]) -> set[int]:
    if not user_ids:
        return set()
    return set(
        db.session.execute(
            select(PushSubscription.user_id).where(PushSubscription.user_id.in_(user_ids))
        ).scalars()
    )


def _in_process(item: Outgoing, adapter: Adapter | None, pushing: set[int]) -> Adapter | None:
    """The adapter that does this row's work without leaving the process, or None."""
    if adapter is send_email and not current_app.config.get("MAIL_SERVER"):
        return console_email
    if getattr(adapter, "database_only", False):
        return adapter
    if getattr(adapter, "needs_a_device", False) and item.user_id not in pushing:
        return send_push
    return None


def send_batch(items: list[Outgoing], now: datetime) -> int:
    """Send a claimed batch; how many were sent. Rows whose adapter only records what it sends
    are recorded together (one UPDATE of many rows, one commit); the others one by one."""
    adapters = _adapters()
    pushing = _with_devices(
        {
            item.user_id
            for item in items
            if getattr(adapters.get(item.channel), "needs_a_device", False)
        }
    )
    from dcx.platform.notify.services import in_locale

    sent = 0
    here: dict[tuple[str, str], list[tuple[Outgoing, Adapter]]] = defaultdict(list)
    for item in items:
        local = _in_process(item, adapters.get(item.channel), pushing)
        if local is None:
            sent += send(item, now)
        else:
            locale = _locale(item)
            here[(str(locale), getattr(locale, "timezone", ""))].append((item, local))
    recorded: list[dict[str, object]] = []
    for group in here.values():
        # one switch of language per language of the batch, not one per row
        with in_locale(_locale(group[0][0])):
            for item, local in group:
                try:
                    rendered = local(item)
                except Exception as error:  # kept on the row and retried, as any failure
                    _failed(item, now, error)
                    continue
                recorded.append(
                    {"row_id": item.delivery_id, "sent_at": now, "rendered": str(rendered or "")}
                )
    if recorded:
        db.session.execute(_SENT, recorded)
        db.session.commit()
    return sent + len(recorded)


def deliver_due(now: datetime) -> int:
    """Send every outbox row due at ``now``; returns how many were sent.

    Safe to run in several processes at once: each row is sent by the process that claimed it.
    SMS and push for customers in their quiet hours wait until the hours end.
    """
    hold_for_quiet_hours(now)
    sent = 0
    while True:
        claimed = claim(now)
        if not claimed:
            return sent
        sent += send_batch(load(claimed), now)


__all__ = [
    "Outgoing",
    "backoff",
    "claim",
    "deliver_due",
    "load",
    "render_push",
    "render_sms",
    "send",
    "send_batch",
]
