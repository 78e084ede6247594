"""Email over real SMTP: a local aiosmtpd server receives what the delivery job sends."""

from email import message_from_bytes, policy

import pytest
from sqlalchemy import select

from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.notify import delivery, services
from dcx.platform.notify.models import Delivery
from tests.conftest import free_port, make_user, smtp_config


@pytest.fixture
def app_config(smtp_server):
    return smtp_config(smtp_server, "https://demo.dcx.example/")


def test_email_goes_over_real_smtp(app, topics, smtp_server):
    _, handler = smtp_server
    user = make_user(email="maria@example.com", name="Maria")
    services.notify(
        user, "demo.report", "Your November report", "You saved 120.00 EUR.", "/banking/report"
    )
    db.session.commit()

    assert delivery.deliver_due(clock.now()) == 2  # email over SMTP, push recorded

    assert len(handler.received) == 1
    envelope = handler.received[0]
    assert envelope.mail_from == "bank@dcx.example"
    assert envelope.rcpt_tos == ["maria@example.com"]
    email = message_from_bytes(envelope.content, policy=policy.default)
    assert email["Subject"] == "Your November report"
    assert email["To"] == "maria@example.com"
    body = email.get_body(preferencelist=("plain",)).get_content()
    assert "You saved 120.00 EUR." in body
    assert "https://demo.dcx.example/banking/report" in body  # a link a mail reader can open
    row = db.session.execute(select(Delivery).where(Delivery.channel == "email")).scalar_one()
    assert row.status == "sent" and row.attempts == 1


def test_an_unreachable_smtp_server_is_retried_with_its_error_kept(app, topics, smtp_server):
    controller, handler = smtp_server
    app.config["MAIL_PORT"] = free_port()  # nobody listens there
    user = make_user()
    services.notify(user, "demo.alert", "Alert")  # sms only by default
    services.save_preferences(user.id, {"demo.news": ["email"]})
    services.notify(user, "demo.news", "News by email")
    db.session.commit()
    now = clock.now()
    delivery.deliver_due(now)
    row = db.session.execute(select(Delivery).where(Delivery.channel == "email")).scalar_one()
    assert row.status == "pending" and row.attempts == 1
    assert "ConnectionRefusedError" in row.last_error
    assert handler.received == []

    app.config["MAIL_PORT"] = controller.port  # the server is back
    assert delivery.deliver_due(now + delivery.backoff(1)) == 1
    db.session.refresh(row)
    assert row.status == "sent" and row.attempts == 2 and row.last_error == ""
    assert len(handler.received) == 1
