"""Mail delivery faults: an SMTP server refusing mail is retried with a capped exponential
backoff, gives a dead letter after NOTIFY_MAX_ATTEMPTS, and the admin's outbox retries it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError

from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.notify import delivery, services
from dcx.platform.notify.models import Delivery, DeliveryStatus
from tests.conftest import make_user, smtp_serving


class Gatekeeper:
    """An aiosmtpd handler that refuses every message until told to accept."""

    def __init__(self):
        self.accepting = False
        self.received = []

    async def handle_DATA(self, server, session, envelope):
        if not self.accepting:
            return "451 Requested action aborted: try again later"
        self.received.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def gate():
    handler = Gatekeeper()
    with smtp_serving(handler) as controller:
        yield controller, handler


@pytest.fixture
def app_config(gate):
    controller, _ = gate
    return {
        "MAIL_SERVER": controller.hostname,
        "MAIL_PORT": controller.port,
        "NOTIFY_MAX_ATTEMPTS": 4,
        "NOTIFY_BACKOFF_MAX_MINUTES": 3,
    }


def _email_row() -> Delivery:
    return db.session.execute(select(Delivery).where(Delivery.channel == "email")).scalar_one()


def test_a_refusing_server_backs_off_then_dead_letters_then_an_admin_retries(
    app, topics, gate, admin_client
):
    _, handler = gate
    user = make_user()
    services.save_preferences(user.id, {"demo.news": ["email"]})
    services.notify(user, "demo.news", "News by email")
    db.session.commit()

    now, waits = clock.now(), []
    for _ in range(4):
        delivery.deliver_due(now)
        db.session.expire_all()
        row = _email_row()
        waits.append(row.next_attempt_at - now)
        now = row.next_attempt_at
    # 1, 2, then capped at 3 minutes; the fourth failure is the last: a dead letter
    assert waits == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=3), timedelta()]
    assert row.status == DeliveryStatus.FAILED and row.attempts == 4
    assert "SMTPDataError" in row.last_error and handler.received == []
    assert delivery.deliver_due(now + timedelta(days=1)) == 0  # never tried again by itself

    page = admin_client.get("/inbox/outbox?status=failed").get_data(as_text=True)
    assert f'data-delivery="{row.id}" data-status="failed"' in page
    assert f"/inbox/outbox/{row.id}/retry" in page

    handler.accepting = True  # the server is back
    answer = admin_client.post(f"/inbox/outbox/{row.id}/retry")
    assert answer.status_code == 303
    row = _email_row()
    assert row.status == DeliveryStatus.PENDING and row.attempts == 0
    assert delivery.deliver_due(clock.now()) == 1
    db.session.expire_all()
    assert _email_row().status == DeliveryStatus.SENT and len(handler.received) == 1
    # a row that is no dead letter is not retried
    assert admin_client.post(f"/inbox/outbox/{row.id}/retry").status_code == 303
    assert _email_row().status == DeliveryStatus.SENT


def test_only_admins_retry(app, topics, client, customer):
    assert client.post("/inbox/outbox/1/retry").status_code == 403


def test_the_database_refuses_an_unknown_delivery_state(app, topics):
    user = make_user()
    services.notify(user, "demo.report", "Report")
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE notify_delivery SET status = 'lost'"))
        db.session.flush()
    db.session.rollback()


def test_the_retry_button_needs_the_forms_csrf_token(app, admin_client):
    app.config["WTF_CSRF_ENABLED"] = True
    assert admin_client.post("/inbox/outbox/1/retry").status_code == 400


def test_every_dead_letter_is_queued_again_in_one_click(app, topics, admin_client, client):
    users = [make_user(email=f"reader{i}@example.com") for i in range(3)]
    for user in users:
        services.save_preferences(user.id, {"demo.news": ["email"]})
        services.notify(user, "demo.news", "News by email")
    db.session.commit()
    db.session.execute(
        update(Delivery).where(Delivery.channel == "email").values(status="failed", attempts=4)
    )
    db.session.commit()
    page = admin_client.get("/inbox/outbox?status=failed").get_data(as_text=True)
    assert 'id="retry-dead-letters"' in page
    assert "retry-dead-letters" not in admin_client.get("/inbox/outbox").get_data(as_text=True)

    answer = admin_client.post("/inbox/outbox/retry", follow_redirects=True)
    assert "3 messages are queued again" in answer.get_data(as_text=True)
    rows = db.session.execute(select(Delivery).where(Delivery.channel == "email")).scalars()
    assert {(r.status, r.attempts) for r in rows} == {(DeliveryStatus.PENDING, 0)}
    again = admin_client.post("/inbox/outbox/retry", follow_redirects=True)
    assert "There is no dead letter to retry." in again.get_data(as_text=True)
    assert client.post("/inbox/outbox/retry").status_code in (302, 401, 403)


def test_by_default_a_delivery_is_tried_for_hours_before_it_is_a_dead_letter(app):
    from dcx.config import from_environment

    defaults = from_environment(app.instance_path)
    app.config["NOTIFY_MAX_ATTEMPTS"] = defaults["NOTIFY_MAX_ATTEMPTS"]
    app.config["NOTIFY_BACKOFF_MAX_MINUTES"] = defaults["NOTIFY_BACKOFF_MAX_MINUTES"]
    tries = delivery.max_attempts()
    horizon = sum((delivery.backoff(n) for n in range(1, tries)), timedelta())
    assert horizon >= timedelta(hours=8), horizon  # a mail server down for an afternoon
