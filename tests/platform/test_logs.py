"""The logs carry ids and kinds, never a message's text, an address, a token or a secret URL."""

from __future__ import annotations

import logging

from sqlalchemy import select

from dcx.extensions import db
from dcx.platform.accounts.models import User
from dcx.platform.logs import SecretMaskingFilter, mask_secrets
from dcx.platform.notify.models import Delivery, Message
from dcx.platform.showcase.loader import seed_showcase
from dcx.platform.timeline import calendar
from tests.conftest import make_user


def _secrets_of_the_story() -> set[str]:
    """Every persona's e-mail and each message's title, body and rendered text."""
    found: set[str] = set()
    found.update(db.session.execute(select(User.email)).scalars())
    for title, body in db.session.execute(select(Message.title, Message.body)):
        found.add(title)
        found.update(line for line in body.splitlines() if len(line) >= 12)
    found.update(r for r in db.session.execute(select(Delivery.rendered)).scalars() if r)
    return {text for text in found if len(text) >= 8}


def test_a_month_of_the_showcase_logs_no_text_address_or_token(app, admin_client, caplog):
    seed_showcase(app.extensions["dcx_verticals"], "default")
    db.session.commit()
    personas = db.session.execute(select(User).where(User.role == "customer")).scalars().all()
    feeds = [calendar.feed_secret(user) for user in personas]
    caplog.set_level(logging.DEBUG)
    for _ in range(2):
        response = admin_client.post("/admin/clock", data={"step": "30d"})
        assert response.status_code == 302
    db.session.commit()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert db.session.execute(select(Delivery.id).where(Delivery.status == "sent")).first()
    leaked = sorted(text for text in _secrets_of_the_story() | set(feeds) if text in logged)
    assert leaked == []
    assert "delivery" in logged  # the story did log its deliveries, by id


def test_secrets_in_addresses_are_masked():
    line = (
        '127.0.0.1 - - "GET /calendar/12/abcDEF123_-x.ics HTTP/1.1" 200 - '
        '"GET /d/tok.en-123?x=1" "next=%2Fd%2Fsecret-tok%3Fa" Bearer car_abc.def'
    )
    masked = mask_secrets(line)
    for secret in ("abcDEF123_-x", "tok.en-123", "secret-tok", "car_abc.def"):
        assert secret not in masked
    assert "/calendar/12/***.ics" in masked and "/d/***?x=1" in masked


def test_the_access_logs_are_masked(app, caplog):
    caplog.set_level(logging.INFO)
    werkzeug = logging.getLogger("werkzeug")
    assert any(isinstance(f, SecretMaskingFilter) for f in werkzeug.filters)
    werkzeug.info('%s - - "%s" %s', "127.0.0.1", "GET /calendar/3/s3cr3tfeed.ics HTTP/1.1", "200")
    gunicorn = logging.getLogger("gunicorn.access")
    gunicorn.info('%(h)s "%(r)s"', {"h": "10.0.0.1", "r": "GET /d/handofftoken HTTP/1.1"})
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "s3cr3tfeed" not in logged and "handofftoken" not in logged
    assert "/calendar/3/***.ics" in logged and "/d/***" in logged


def test_an_unhandled_error_names_the_path_without_its_secret(app, client, caplog, monkeypatch):
    from dcx.platform.timeline import views

    def broken(user_id, secret):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.calendar, "user_for_feed", broken)
    caplog.set_level(logging.INFO)
    assert client.get("/calendar/1/topsecretfeed.ics").status_code == 500
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "unhandled error on /calendar/1/***.ics" in logged
    assert "topsecretfeed" not in logged


def test_a_failed_statement_does_not_log_its_values(app, client, caplog, monkeypatch):
    """Neither the statement's parameters nor the database's own text (PostgreSQL quotes the
    duplicate key's value) reach the log of an unhandled error."""
    from dcx.platform.timeline import views

    make_user(email="private@example.com")
    db.session.commit()

    def duplicate(user_id, secret):
        db.session.add(User(email="private@example.com", name="Twin Name", password_hash="x"))
        db.session.flush()

    monkeypatch.setattr(views.calendar, "user_for_feed", duplicate)
    caplog.set_level(logging.INFO)
    assert client.get("/calendar/1/x.ics").status_code == 500
    logged = "\n".join(r.getMessage() for r in caplog.records)
    logged += "\n".join(str(r.exc_info[1]) for r in caplog.records if r.exc_info)
    assert "IntegrityError" in logged and "INSERT INTO account_user" in logged
    assert "private@example.com" not in logged and "Twin Name" not in logged
