"""One timeline per customer, the customer 360 for staff, and the calendar feed."""

import dataclasses

import pytest
from icalendar import Calendar

from dcx.config import DEFAULT_VERTICALS
from dcx.extensions import db
from dcx.platform.notify.services import notify
from dcx.platform.timeline import calendar
from dcx.platform.timeline.services import record, timeline
from tests.conftest import make_user

PROBE = "tests.platform.jobs.probe"


@pytest.fixture
def app_config():
    return {"DCX_VERTICALS": (*DEFAULT_VERTICALS, PROBE)}


@pytest.fixture
def private_probe(app):
    """Make the probe vertical private, as health is."""
    registry = app.extensions["dcx_verticals"]
    registry._by_key["probe"] = dataclasses.replace(registry.get("probe"), private_timeline=True)


def test_record_appends_once_per_key_and_reads_newest_first(app):
    user = make_user()
    record(user, "probe", "poked", "First")
    second = record(user, "banking", "goal_reached", "Second", key="goal:1")
    assert record(user, "banking", "goal_reached", "Again", key="goal:1") is None
    db.session.commit()
    assert [e.subject for e in timeline(user.id)] == ["Second", "First"]
    assert [e.id for e in timeline(user.id, vertical="banking")] == [second.id]


def test_events_of_a_private_vertical_are_private(app, private_probe):
    user = make_user()
    event = record(user, "probe", "poked", "Blood pressure logged")
    assert event.private
    assert timeline(user.id, include_private=False) == []


def test_my_timeline_shows_only_my_events_and_filters(client, customer):
    other = make_user(email="other@example.com")
    record(customer.id, "probe", "poked", "Mine in probe")
    record(customer.id, "banking", "x", "Mine in banking")
    record(other.id, "probe", "poked", "Someone else's")
    db.session.commit()
    page = client.get("/timeline").get_data(as_text=True)
    assert "Mine in probe" in page and "Mine in banking" in page
    assert "Someone else" not in page
    filtered = client.get("/timeline?vertical=probe").get_data(as_text=True)
    assert "Mine in probe" in filtered and "Mine in banking" not in filtered
    assert client.get("/timeline?vertical=nope").status_code == 400


def test_customer_360_for_staff_only(client, customer, staff_client):
    record(customer.id, "probe", "poked", "Visited the probe")
    notify(customer, "probe.summary", "Your probe summary")
    db.session.commit()
    assert client.get(f"/staff/customers/{customer.id}").status_code == 403
    staff, _ = staff_client("banking")
    page = staff.get(f"/staff/customers/{customer.id}").get_data(as_text=True)
    assert "Visited the probe" in page
    assert "Probe card" in page and f"customer #{customer.id}" in page
    assert "Your probe summary" in page
    assert staff.get("/staff/customers/999999").status_code == 404
    assert customer.name in staff.get("/staff/customers?q=casey").get_data(as_text=True)


def test_360_hides_private_events_and_cards_without_consent(
    client, customer, staff_client, private_probe
):
    record(customer.id, "probe", "poked", "A private reading")
    db.session.commit()
    staff, _ = staff_client("banking")
    page = staff.get(f"/staff/customers/{customer.id}").get_data(as_text=True)
    assert "A private reading" not in page and "Probe card" not in page
    customer.health_consent = True
    db.session.commit()
    page = staff.get(f"/staff/customers/{customer.id}").get_data(as_text=True)
    assert "A private reading" in page and "Probe card" in page


def test_calendar_feed_merges_verticals_and_needs_the_secret(client, customer, app):
    other = make_user(email="other@example.com")
    secret = calendar.feed_secret(customer)
    response = client.get(f"/calendar/{customer.id}/{secret}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    events = [c for c in Calendar.from_ical(response.data).walk("VEVENT")]
    assert [str(e["summary"]) for e in events] == ["Probe appointment"]
    assert str(events[0]["location"]) == "Bay 3"
    assert client.get(f"/calendar/{other.id}/{secret}.ics").status_code == 404
    assert client.get(f"/calendar/{customer.id}/{'0' * 32}.ics").status_code == 404
    assert secret in client.get("/calendar").get_data(as_text=True)


def test_a_new_password_retires_the_old_feed_url(app, customer):
    old = calendar.feed_secret(customer)
    customer.password_hash = "$argon2id$changed"
    assert calendar.user_for_feed(customer.id, old) is None


def _events(user_id: int, n: int) -> None:
    for i in range(n):
        record(user_id, "probe", "poked", f"Event {i}")
    db.session.commit()


@pytest.mark.parametrize("path", ["/timeline", "/", "/calendar"])
def test_customer_pages_run_the_same_queries_for_few_or_many_events(
    client, customer, query_counter, path
):
    _events(customer.id, 3)
    client.get(path)  # warm up anything cached per app
    with query_counter() as few:
        assert client.get(path).status_code == 200
    _events(customer.id, 60)
    with query_counter() as many:
        assert client.get(path).status_code == 200
    assert few() == many()


def test_customer_360_queries_do_not_grow_with_history(
    client, customer, staff_client, query_counter
):
    staff, _ = staff_client("banking")
    _events(customer.id, 3)
    staff.get(f"/staff/customers/{customer.id}")
    with query_counter() as few:
        staff.get(f"/staff/customers/{customer.id}")
    _events(customer.id, 60)
    for i in range(30):
        notify(customer, "probe.summary", f"Message {i}")
    db.session.commit()
    with query_counter() as many:
        staff.get(f"/staff/customers/{customer.id}")
    assert few() == many()


def test_the_calendar_feed_speaks_the_customers_language(client, app):
    from datetime import timedelta

    from flask_babel import force_locale, gettext

    from dcx.platform import clock
    from dcx.verticals import CalendarEntry

    registry = app.extensions["dcx_verticals"]
    registry._by_key["probe"] = dataclasses.replace(
        registry.get("probe"),
        calendar=lambda user_id: [
            CalendarEntry("t1", gettext("Income"), clock.now() + timedelta(days=1))
        ],
    )
    romanian = make_user(email="ro@example.com")
    romanian.locale = "ro"
    db.session.commit()
    with force_locale("ro"):
        expected = gettext("Income")
    assert expected != "Income"
    response = client.get(f"/calendar/{romanian.id}/{calendar.feed_secret(romanian)}.ics")
    events = list(Calendar.from_ical(response.data).walk("VEVENT"))
    assert [str(e["summary"]) for e in events] == [expected]


def test_360_hides_a_private_verticals_messages_from_staff_outside_its_care_team(
    client, customer, staff_client, private_probe
):
    notify(customer, "banking.summary", "Your banking month")
    for n in range(25):  # more than the list shows: the private ones must not crowd it out
        notify(customer, "probe.dose_reminder", f"Did you take Lisinopril? #{n}")
    db.session.commit()
    banking, _ = staff_client("banking")
    page = banking.get(f"/staff/customers/{customer.id}").get_data(as_text=True)
    assert "Lisinopril" not in page
    assert "Your banking month" in page
    care_team, _ = staff_client("probe")
    page = care_team.get(f"/staff/customers/{customer.id}").get_data(as_text=True)
    assert "Did you take Lisinopril? #24" in page
    customer.health_consent = True
    db.session.commit()
    page = banking.get(f"/staff/customers/{customer.id}").get_data(as_text=True)
    assert "Did you take Lisinopril? #24" in page


def test_the_care_team_sees_its_own_private_events_on_the_360(
    client, customer, staff_client, private_probe
):
    record(customer.id, "probe", "poked", "A private reading")
    db.session.commit()
    care_team, _ = staff_client("probe")
    page = care_team.get(f"/staff/customers/{customer.id}").get_data(as_text=True)
    assert "A private reading" in page and "Probe card" in page
