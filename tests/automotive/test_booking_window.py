"""The booking page reads the window's booked slots, each once: bookings further ahead, or
several cars in one slot, do not make it read more."""

from __future__ import annotations

from datetime import timedelta

from dcx.automotive import appointments, rules
from dcx.automotive.models import AutomotiveAppointment
from dcx.extensions import db
from dcx.platform import clock
from tests.automotive.conftest import make_vehicle
from tests.conftest import make_user
from tests.page_cost import page_cost


def _book(car, starts_at) -> None:
    db.session.add(
        AutomotiveAppointment(
            user_id=car.user_id,
            vehicle_id=car.id,
            dealer=rules.DEALERS[0],
            starts_at=starts_at,
            reason="Service",
        )
    )


def test_free_slots_read_only_the_windows_booked_slots(app):
    car = make_vehicle(make_user())
    today = clock.today()
    first = appointments.available_slots(rules.DEALERS[0], today)[0]
    _book(car, first)
    db.session.commit()
    with page_cost(db.engine) as before:
        slots = appointments.available_slots(rules.DEALERS[0], today)
    for n in range(5):
        _book(car, first)  # the same slot again
        _book(car, first + timedelta(days=60 + n))  # beyond the ten working days shown
    db.session.commit()
    with page_cost(db.engine) as after:
        again = appointments.available_slots(rules.DEALERS[0], today)
    assert first not in slots and slots == again
    assert after.rows == before.rows == 1


def test_free_slots_read_one_row_however_many_slots_are_taken(app):
    """Whether each slot of the window is taken comes back as one row: more customers booking
    more of the window's slots do not make the page read more."""
    car = make_vehicle(make_user())
    today = clock.today()
    with page_cost(db.engine) as empty:
        window = appointments.available_slots(rules.DEALERS[0], today)
    taken = window[:3] + window[-2:]
    for slot in taken:
        _book(car, slot)
    db.session.add(
        AutomotiveAppointment(
            user_id=car.user_id,
            vehicle_id=car.id,
            dealer=rules.DEALERS[1],
            starts_at=window[5],
            reason="Another dealer's slot",
        )
    )
    db.session.commit()
    with page_cost(db.engine) as busy:
        free = appointments.available_slots(rules.DEALERS[0], today)
    assert free == [s for s in window if s not in taken]
    assert empty.as_tuple() == busy.as_tuple() == (1, 1)
