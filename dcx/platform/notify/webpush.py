"""Web Push: the push channel delivers to the customer's own devices (RFC 8030, 8291, 8292).

- The server's VAPID key pair is generated once into ``instance/vapid_private_key.pem``
  (created atomically, mode 0600), like the secret key; browsers subscribe with its public
  half (:func:`public_key`).
- Each subscription is a device on the customer's account (:class:`PushSubscription`):
  :func:`subscribe` adds or takes over one, :func:`rename` and :func:`remove` manage them.
- :func:`send_push` is the ``push`` channel's adapter: the outbox calls it for a push that the
  customer's preferences asked for and that quiet hours let through, and it encrypts and sends
  the message to every device. A device the push service no longer knows (404 or 410) is
  removed; if no device could be reached for another reason, the adapter raises and the outbox
  retries. What it sent is kept on the outbox row, so the presenter's phone preview shows it.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from flask import current_app
from py_vapid import Vapid
from pywebpush import WebPushException, webpush
from sqlalchemy import delete, select, update

from dcx.database import rows_where
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.notify.delivery import Outgoing, absolute_link, needs_a_device, render_push
from dcx.platform.notify.models import PushSubscription

KEY_FILE = "vapid_private_key.pem"
GONE = (404, 410)
# The push services of the browsers people use; a subscription elsewhere is refused, so the
# server never posts to an address a visitor made up. PUSH_SERVICE_HOSTS adds hosts.
PUSH_SERVICES = (
    "fcm.googleapis.com",
    "updates.push.services.mozilla.com",
    "web.push.apple.com",
    ".notify.windows.com",
)


class PushError(ValueError):
    """A subscription that cannot be accepted, with a message for the customer."""


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _create_once(path: Path) -> None:
    """Write a new private key to ``path`` unless one is there; never half a file, never 0644."""
    vapid = Vapid()
    vapid.generate_keys()
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(vapid.private_pem())
        # fails if another process made the key first: keep theirs
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def vapid_key() -> Vapid:
    """The server's VAPID key, made on first use and kept in ``instance/``."""
    cached = current_app.extensions.get("dcx_vapid")
    if cached is not None:
        return cached
    path = Path(current_app.instance_path) / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        _create_once(path)
    key = Vapid.from_file(str(path))
    current_app.extensions["dcx_vapid"] = key
    return key


def public_key() -> str:
    """The applicationServerKey a browser subscribes with (base64url, uncompressed point)."""
    point = vapid_key().public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return _b64url(point)


def _allowed(endpoint: str) -> bool:
    parts = urlsplit(endpoint)
    hosts = (*PUSH_SERVICES, *current_app.config.get("PUSH_SERVICE_HOSTS", ()))
    host = parts.hostname or ""
    known = any(host == h or (h.startswith(".") and host.endswith(h)) for h in hosts)
    local_test = host in current_app.config.get("PUSH_SERVICE_HOSTS", ())
    return known and (parts.scheme == "https" or local_test)


def subscribe(user_id: int, endpoint: str, p256dh: str, auth: str, name: str) -> PushSubscription:
    """Add the device to the customer's account (or move it there from another account)."""
    endpoint, p256dh, auth = endpoint.strip(), p256dh.strip(), auth.strip()
    if len(endpoint) > 1000 or not _allowed(endpoint):
        raise PushError("unknown push service")
    try:
        if len(_b64url_decode(p256dh)) != 65 or len(_b64url_decode(auth)) != 16:
            raise ValueError
    except ValueError as error:
        raise PushError("malformed subscription keys") from error
    row = db.session.execute(
        select(PushSubscription).where(PushSubscription.endpoint == endpoint)
    ).scalar_one_or_none()
    if row is None:
        row = PushSubscription(endpoint=endpoint)
        db.session.add(row)
    row.user_id, row.p256dh, row.auth = user_id, p256dh, auth
    row.name = name.strip()[:80]
    db.session.flush()
    return row


def devices(user_id: int) -> list[PushSubscription]:
    """The customer's devices, oldest first."""
    return rows_where(
        PushSubscription, PushSubscription.user_id == user_id, order_by=(PushSubscription.id,)
    )


def rename(device: PushSubscription, name: str) -> None:
    """Call the device ``name``."""
    device.name = name.strip()[:80]


def remove(device: PushSubscription) -> None:
    """Stop pushing to the device."""
    db.session.delete(device)


def payload(item: Outgoing) -> str:
    """What the service worker shows: title, body and the page to open, as JSON."""
    return json.dumps(
        {
            "title": item.title,
            "body": item.body,
            "url": absolute_link(item.link) if item.link else "/",
            "tag": f"dcx-{item.delivery_id}",
        }
    )


@needs_a_device
def send_push(item: Outgoing) -> str:
    """Encrypt and send the push to each of the customer's devices (the ``push`` adapter)."""
    text = render_push(item)
    targets = devices(item.user_id)
    if not targets:
        # ids and kinds only: a message's text never reaches the logs
        current_app.logger.info(
            "push delivery %s to user %s (no device), topic %s",
            item.delivery_id,
            item.user_id,
            item.topic,
        )
        return text
    sender = current_app.config.get("MAIL_SENDER") or "showcase@dcx.example"
    data = payload(item)
    reached: list[int] = []
    gone: list[tuple[int, str]] = []
    errors: list[tuple[int, str]] = []
    for device in targets:
        info = {"endpoint": device.endpoint, "keys": {"p256dh": device.p256dh, "auth": device.auth}}
        try:
            webpush(
                info,
                data,
                vapid_private_key=vapid_key(),
                vapid_claims={"sub": f"mailto:{sender}"},
                ttl=24 * 3600,
                timeout=10,
            )
        except WebPushException as error:
            status = error.response.status_code if error.response is not None else None
            (gone if status in GONE else errors).append((device.id, str(error)))
        else:
            reached.append(device.id)
    # Kept whatever happens next: a retry must not post to a device that is gone.
    if gone:
        db.session.execute(
            delete(PushSubscription).where(PushSubscription.id.in_([g for g, _e in gone]))
        )
    if reached:
        db.session.execute(
            update(PushSubscription)
            .where(PushSubscription.id.in_(reached))
            .values(last_pushed_at=clock.now())
        )
    db.session.commit()
    if errors and not reached:
        raise RuntimeError("; ".join(e for _d, e in errors))
    return text
