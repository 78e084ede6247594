"""Bills in the calendar feed: a UID per customer, bill and day, read by two iCalendar parsers."""

from __future__ import annotations

from datetime import timedelta

import vobject
from icalendar import Calendar

from dcx.banking.models import BankingBill
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.timeline.calendar import build_ics
from tests.conftest import make_user


def _bill_uids(ics: bytes) -> list[str]:
    by_icalendar = [
        str(e["uid"]) for e in Calendar.from_ical(ics).walk("VEVENT") if "bill" in str(e["uid"])
    ]
    by_vobject = [
        e.uid.value for e in vobject.readOne(ics.decode()).vevent_list if "bill" in e.uid.value
    ]
    assert by_icalendar == by_vobject
    return by_icalendar


def test_two_customers_same_bill_on_the_same_day_have_different_uids(app):
    due = clock.today() + timedelta(days=5)
    ana = make_user("ana@example.com", "Ana")
    ben = make_user("ben@example.com", "Ben")
    for user in (ana, ben):
        db.session.add(
            BankingBill(user_id=user.id, name="Rent", amount_minor=90_000, next_due_on=due)
        )
    db.session.commit()

    ana_uids = _bill_uids(build_ics(ana, "Bank"))
    ben_uids = _bill_uids(build_ics(ben, "Bank"))
    assert ana_uids and ben_uids
    assert not set(ana_uids) & set(ben_uids)  # a calendar app would merge the two otherwise
    assert len(set(ana_uids)) == len(ana_uids)
    assert _bill_uids(build_ics(ana, "Bank")) == ana_uids  # stable from one fetch to the next
