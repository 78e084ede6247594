"""The bookstore's reminders and waitlist news arrive in each customer's language."""

from __future__ import annotations

from datetime import timedelta

from dcx.extensions import db
from dcx.platform import clock
from dcx.retail import jobs, store_events
from tests.conftest import message_for, speaking

_speaks = speaking


_message = message_for


def test_event_reminder_is_spanish_for_a_spanish_customer_and_english_for_another(
    app, event_factory, customer_factory
):
    event = event_factory(capacity=5, days=3)
    spanish = _speaks(customer_factory("lucia"), "es")
    english = customer_factory("bo")
    for user in (spanish, english):
        store_events.answer_event(event, user.id, "going")
    db.session.commit()
    clock.advance(timedelta(days=2, hours=1))
    db.session.commit()
    assert jobs.event_reminders(clock.now()) == 2
    db.session.commit()

    es = _message("retail.event_reminder", spanish.id)
    assert es.title == "Mañana: Author talk"
    assert es.body.startswith("Empieza ") and es.body.endswith(" UTC. 12 Linden Street")
    en = _message("retail.event_reminder", english.id)
    assert en.title == "Tomorrow: Author talk"
    assert en.body == f"Starts {event.starts_at:%d %b %H:%M} UTC. 12 Linden Street"


def test_a_seat_freed_by_one_customer_is_announced_to_the_next_in_their_language(
    app, event_factory, customer_factory
):
    event = event_factory(capacity=1, days=3)
    leaving = customer_factory("bo")
    waiting = _speaks(customer_factory("ana"), "ro")
    store_events.answer_event(event, leaving.id, "going")
    store_events.answer_event(event, waiting.id, "going")  # full: on the waitlist
    db.session.commit()
    store_events.answer_event(event, leaving.id, "not_going")
    db.session.commit()
    promoted = _message("retail.waitlist_promoted", waiting.id)
    assert promoted.title == "Ai un loc: Author talk"
    assert promoted.body.startswith("S-a eliberat un loc") and promoted.body.endswith(" UTC.")


def test_a_reminder_names_the_time_in_the_customers_own_zone(app, event_factory, customer_factory):
    """A time turned into the reader's zone says which zone it is in, never a stale "UTC"."""
    from zoneinfo import ZoneInfo

    event = event_factory(capacity=5, days=3)
    bucharest = customer_factory("ioana")
    bucharest.timezone = "Europe/Bucharest"
    store_events.answer_event(event, bucharest.id, "going")
    db.session.commit()
    clock.advance(timedelta(days=2, hours=1))
    db.session.commit()
    jobs.event_reminders(clock.now())
    db.session.commit()
    local = event.starts_at.astimezone(ZoneInfo("Europe/Bucharest"))
    body = _message("retail.event_reminder", bucharest.id).body
    assert body.startswith(f"Starts {local:%d %b %H:%M} ") and body.endswith(". 12 Linden Street")
    assert "UTC" not in body and "+0200" in body  # the zone it is written in
