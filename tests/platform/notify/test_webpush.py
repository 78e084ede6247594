"""Real Web Push: a push message reaches a push endpoint started here, encrypted so that only
the subscription's keys open it; a device the push service no longer knows is removed; quiet
hours and preferences hold pushes as for every channel; devices are listed, renamed, removed."""

from __future__ import annotations

import base64
import json
import os
import stat
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import select

from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.notify import delivery, services, webpush
from dcx.platform.notify.models import Delivery, PushSubscription
from tests.conftest import AuthActions, make_user


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class PushService:
    """A push service on 127.0.0.1 that keeps what it receives and answers ``status``."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.status = 201
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                service.received.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                    }
                )
                self.send_response(service.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"


@pytest.fixture
def push_service() -> Iterator[PushService]:
    service = PushService()
    thread = threading.Thread(target=service.server.serve_forever, daemon=True)
    thread.start()
    yield service
    service.server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def app_config() -> dict:
    return {"PUSH_SERVICE_HOSTS": ("127.0.0.1",)}


class Device:
    """A browser's side of a subscription: its private key and auth secret."""

    def __init__(self, endpoint: str) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        public = self.key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        self.auth = os.urandom(16)
        self.endpoint = endpoint
        self.p256dh = b64url(public)

    def subscribe(self, user_id: int, name: str = "Pat's phone") -> PushSubscription:
        row = webpush.subscribe(user_id, self.endpoint, self.p256dh, b64url(self.auth), name)
        db.session.commit()
        return row

    def open(self, body: bytes) -> dict:
        plain = http_ece.decrypt(
            body, private_key=self.key, auth_secret=self.auth, version="aes128gcm"
        )
        return json.loads(plain)


@pytest.fixture
def topics(app, monkeypatch):
    from dcx.verticals import Topic

    report = Topic("demo.report", "Monthly report", ("push",))
    monkeypatch.setattr(app.extensions["dcx_verticals"], "topics", lambda: {report.key: report})


def soon(hours: float = 0) -> datetime:
    """A moment just after the messages were written, by the showcase clock."""
    return clock.now() + timedelta(minutes=1, hours=hours)


def _report(user_id: int) -> None:
    services.notify(user_id, "demo.report", "Your November report", "You saved 120 EUR.", "/inbox/")
    db.session.commit()


def test_a_push_reaches_the_device_encrypted_for_it_alone(app, push_service, topics):
    user = make_user()
    device = Device(f"{push_service.url}/push/phone-1")
    device.subscribe(user.id)
    _report(user.id)

    assert delivery.deliver_due(soon()) == 1
    assert len(push_service.received) == 1
    request = push_service.received[0]
    assert request["path"] == "/push/phone-1"
    assert request["headers"]["content-encoding"] == "aes128gcm"
    assert request["headers"]["authorization"].startswith("vapid t=")
    assert request["headers"]["authorization"].endswith(f",k={webpush.public_key()}")
    message = device.open(request["body"])
    assert message["title"] == "Your November report"
    assert message["body"] == "You saved 120 EUR."
    assert message["url"].endswith("/inbox/")
    with pytest.raises(Exception):  # noqa: B017 - another device's keys cannot open it
        Device(device.endpoint).open(request["body"])

    # the presenter's phone preview shows what was pushed
    row = db.session.scalars(select(Delivery).where(Delivery.channel == "push")).one()
    assert (row.status, row.rendered) == ("sent", "Your November report — You saved 120 EUR.")
    assert db.session.scalars(select(PushSubscription)).one().last_pushed_at is not None


def test_a_device_the_push_service_forgot_is_removed(app, push_service, topics):
    user = make_user()
    Device(f"{push_service.url}/push/gone").subscribe(user.id)
    push_service.status = 410
    _report(user.id)
    delivery.deliver_due(soon())
    assert len(push_service.received) == 1
    assert db.session.scalars(select(PushSubscription)).all() == []


def test_a_failing_push_service_is_retried(app, push_service, topics):
    user = make_user()
    Device(f"{push_service.url}/push/busy").subscribe(user.id)
    push_service.status = 503
    _report(user.id)
    delivery.deliver_due(soon())
    row = db.session.scalars(select(Delivery)).one()
    assert (row.status, row.attempts) == ("pending", 1)
    assert db.session.scalars(select(PushSubscription)).one()


def test_quiet_hours_and_preferences_hold_pushes(app, push_service, topics):
    user = make_user()
    Device(f"{push_service.url}/push/night").subscribe(user.id)
    start = (clock.now() - timedelta(hours=1)).time().replace(second=0, microsecond=0)
    end = (clock.now() + timedelta(hours=2)).time().replace(second=0, microsecond=0)
    services.set_quiet_hours(user.id, start, end, "UTC")
    _report(user.id)
    delivery.deliver_due(soon())
    assert push_service.received == []
    delivery.deliver_due(soon(hours=3))
    assert len(push_service.received) == 1

    services.save_preferences(user.id, {"demo.report": []})
    services.notify(user.id, "demo.report", "Another", key="second")
    db.session.commit()
    delivery.deliver_due(soon(hours=4))
    assert len(push_service.received) == 1


def test_the_vapid_key_is_made_once_and_kept_private(app):
    first = webpush.public_key()
    path = os.path.join(app.instance_path, webpush.KEY_FILE)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    app.extensions.pop("dcx_vapid")
    assert webpush.public_key() == first
    assert [n for n in os.listdir(app.instance_path) if n.endswith(".tmp")] == []


def test_only_known_push_services_are_accepted(app):
    user = make_user()
    device = Device("https://attacker.example/collect")
    with pytest.raises(webpush.PushError):
        device.subscribe(user.id)
    with pytest.raises(webpush.PushError):
        webpush.subscribe(user.id, "https://fcm.googleapis.com/fcm/send/x", "short", "bad", "")
    ok = Device("https://fcm.googleapis.com/fcm/send/abc")
    assert ok.subscribe(user.id).name == "Pat's phone"


def test_devices_are_enabled_listed_renamed_and_removed(app, client, customer):
    device = Device("https://fcm.googleapis.com/fcm/send/abc")
    sent = client.post(
        "/inbox/push/subscriptions",
        json={
            "subscription": {
                "endpoint": device.endpoint,
                "keys": {"p256dh": device.p256dh, "auth": b64url(device.auth)},
            },
            "name": "Kitchen tablet",
        },
    )
    assert sent.status_code == 201
    device_id = sent.get_json()["id"]
    page = client.get("/inbox/preferences").get_data(as_text=True)
    assert "Kitchen tablet" in page
    assert webpush.public_key() in page

    client.post(f"/inbox/push/devices/{device_id}/rename", data={"name": "Pat's phone"})
    assert db.session.get(PushSubscription, device_id).name == "Pat's phone"

    other = make_user(email="other@example.com", name="Olga Other")
    second = app.test_client()
    AuthActions(second).login(other.email)
    assert second.post(f"/inbox/push/devices/{device_id}/remove").status_code == 404
    assert (
        second.post(f"/inbox/push/devices/{device_id}/rename", data={"name": "x"}).status_code
        == 404
    )

    client.post(f"/inbox/push/devices/{device_id}/remove")
    assert db.session.get(PushSubscription, device_id) is None


def test_a_malformed_subscription_is_a_400(client, customer):
    for body in (None, {"subscription": "x"}, {"subscription": {"endpoint": 3}}):
        assert client.post("/inbox/push/subscriptions", json=body).status_code == 400
    bad = {
        "subscription": {"endpoint": "https://evil.example/", "keys": {"p256dh": "a", "auth": "b"}}
    }
    assert client.post("/inbox/push/subscriptions", json=bad).status_code == 400


def test_in_one_batch_a_customer_with_a_device_is_pushed_and_one_without_is_only_recorded(
    app, push_service, topics
):
    with_phone, without = make_user(email="phone@example.com"), make_user(email="none@example.com")
    Device(f"{push_service.url}/push/phone-2").subscribe(with_phone.id)
    _report(with_phone.id)
    _report(without.id)

    assert delivery.deliver_due(soon()) == 2
    assert [r["path"] for r in push_service.received] == ["/push/phone-2"]
    rows = db.session.scalars(select(Delivery).order_by(Delivery.user_id)).all()
    assert [(r.user_id, r.status, r.attempts) for r in rows] == [
        (with_phone.id, "sent", 1),
        (without.id, "sent", 1),
    ]
    assert {r.rendered for r in rows} == {"Your November report — You saved 120 EUR."}
