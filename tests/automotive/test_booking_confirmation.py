"""Booking a service visit puts a confirmation in the owner's inbox, in their language."""

from __future__ import annotations

from flask_babel import force_locale, format_datetime
from sqlalchemy import select

from dcx.automotive import appointments, rules
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.notify.models import Delivery, Message
from tests.automotive.conftest import make_vehicle


def _confirmations(user_id: int) -> list[Message]:
    return list(
        db.session.execute(
            select(Message).where(Message.user_id == user_id, Message.topic == "automotive.booking")
        ).scalars()
    )


def test_a_booked_visit_is_confirmed_in_the_inbox_in_the_owners_language(client, customer):
    customer.locale = "ro"
    db.session.commit()
    car = make_vehicle(customer)
    slot = appointments.available_slots(rules.DEALERS[0], clock.today())[0]
    r = client.post(
        f"/automotive/vehicles/{car.id}/book",
        data={"dealer": rules.DEALERS[0], "slot": slot.isoformat(), "reason": "Oil change"},
    )
    assert r.status_code == 302

    (message,) = _confirmations(customer.id)
    assert message.title == "Revizie programată pentru Volkswagen Golf"
    with force_locale("ro"):
        when = format_datetime(slot, rules.SLOT_FORMAT, rebase=False)
    assert rules.DEALERS[0] in message.body and when in message.body
    assert "Oil change" in message.body
    assert message.link == f"/automotive/vehicles/{car.id}"
    outbox = db.session.execute(
        select(Delivery.channel).where(Delivery.message_id == message.id)
    ).scalars()
    assert list(outbox) == ["email"]
    assert "Revizie programată pentru Volkswagen Golf" in client.get("/inbox/").get_data(
        as_text=True
    )


def test_a_slot_already_taken_books_nothing_and_confirms_nothing(client, customer):
    car = make_vehicle(customer)
    slot = appointments.available_slots(rules.DEALERS[0], clock.today())[0]
    data = {"dealer": rules.DEALERS[0], "slot": slot.isoformat(), "reason": "Oil change"}
    assert client.post(f"/automotive/vehicles/{car.id}/book", data=data).status_code == 302
    assert client.post(f"/automotive/vehicles/{car.id}/book", data=data).status_code == 400
    assert len(_confirmations(customer.id)) == 1
