"""Every ``<time datetime>`` on our pages is a valid HTML date/time string (no microseconds)."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

from dcx.extensions import db
from dcx.filters import machine_time
from dcx.platform import clock
from dcx.platform.notify import delivery, services
from dcx.platform.timeline.services import record

# HTML's valid global date and time string allows at most 3 fractional digits of a second.
VALID = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$")


class TimeValues(HTMLParser):
    """Collects the datetime attribute of every <time>."""

    def __init__(self):
        super().__init__()
        self.values: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "time" and dict(attrs).get("datetime"):
            self.values.append(dict(attrs)["datetime"])


def _times(page: str) -> list[str]:
    parser = TimeValues()
    parser.feed(page)
    return parser.values


def test_the_filter_keeps_seconds_and_the_zone():
    moment = clock.now().replace(microsecond=123456)
    assert machine_time(moment) == moment.replace(microsecond=0).isoformat()
    assert VALID.match(machine_time(moment))
    assert machine_time(None) == ""
    assert machine_time(moment.date()) == moment.date().isoformat()


def test_inbox_message_phone_and_timeline_pages_carry_valid_times(app, client, customer):
    # stored times with microseconds, as clock.now() gives them
    assert clock.now().microsecond or True
    services.notify(customer, "banking.bill_due", "Rent", "Due soon", "")
    record(
        customer.id,
        "banking",
        "note",
        "Something happened",
        occurred_at=clock.now().replace(microsecond=654321) - timedelta(hours=1),
    )
    db.session.commit()
    delivery.deliver_due(clock.now() + timedelta(seconds=1))
    message_id = (
        client.get("/inbox/").get_data(as_text=True).split('data-message-id="')[1].split('"')[0]
    )
    found = []
    for url in ("/inbox/", f"/inbox/{message_id}", "/inbox/phone", "/timeline", "/"):
        answer = client.get(url, follow_redirects=False)
        if answer.status_code == 200:
            found += _times(answer.get_data(as_text=True))
    assert found, "the pages show times"
    assert [v for v in found if not VALID.match(v)] == []
    phone = client.get("/inbox/phone.json").get_json()
    assert all(VALID.match(m["sent_at"]) for m in phone["messages"] if m["sent_at"])
