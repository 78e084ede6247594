"""An action sent twice with one idempotency key is stored once: the replay is answered with
where the first one led, a failed action gives its key back, and keys belong to one customer."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from dcx.extensions import db
from dcx.health.models import HealthObservation
from dcx.platform import clock
from dcx.platform.pwa import idempotency
from dcx.platform.pwa.models import IdempotencyKey
from tests.conftest import AuthActions, make_user

KEY = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
READING = {"kind": "weight", "value": "72.5"}


def _readings() -> int:
    return db.session.scalar(select(func.count()).select_from(HealthObservation)) or 0


def test_a_replayed_reading_is_stored_once_and_answered_like_the_first(client, customer):
    first = client.post("/health/vitals", data=READING, headers={"Idempotency-Key": KEY})
    assert first.status_code == 302
    assert "Idempotent-Replayed" not in first.headers
    for _ in range(2):
        again = client.post("/health/vitals", data=READING, headers={"Idempotency-Key": KEY})
        assert again.status_code == 303
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.location == first.location
    assert _readings() == 1
    row = db.session.scalars(select(IdempotencyKey)).one()
    assert (row.user_id, row.key, row.endpoint) == (customer.id, KEY, "health.vitals")


def test_the_key_may_come_in_the_form(client, customer):
    for _ in range(2):
        client.post("/health/vitals", data={**READING, "idempotency_key": KEY})
    assert _readings() == 1


def test_without_a_key_every_post_is_an_action(client, customer):
    client.post("/health/vitals", data=READING)
    client.post("/health/vitals", data=READING)
    assert _readings() == 2


def test_a_refused_action_gives_its_key_back(client, customer):
    refused = client.post(
        "/health/vitals", data={"kind": "weight", "value": "-3"}, headers={"Idempotency-Key": KEY}
    )
    assert refused.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(IdempotencyKey)) == 0
    client.post("/health/vitals", data=READING, headers={"Idempotency-Key": KEY})
    assert _readings() == 1


def test_a_malformed_key_is_a_400(client, customer):
    for bad in ("short", "x" * 65, "has spaces in it, sixteen+"):
        response = client.post("/health/vitals", data=READING, headers={"Idempotency-Key": bad})
        assert response.status_code == 400
    assert _readings() == 0


def test_keys_belong_to_one_customer(app, client, customer):
    client.post("/health/vitals", data=READING, headers={"Idempotency-Key": KEY})
    other = make_user(email="other@example.com", name="Olga Other")
    second = app.test_client()
    AuthActions(second).login(other.email)
    response = second.post("/health/vitals", data=READING, headers={"Idempotency-Key": KEY})
    assert "Idempotent-Replayed" not in response.headers
    assert _readings() == 2


def test_old_keys_are_forgotten(app, customer):
    db.session.add(IdempotencyKey(user_id=customer.id, key=KEY, endpoint="health.vitals"))
    db.session.commit()
    assert idempotency.expire(clock.now() + timedelta(days=29)) == 0
    assert idempotency.expire(clock.now() + timedelta(days=31)) == 1
