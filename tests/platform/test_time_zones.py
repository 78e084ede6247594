"""Times are stored in UTC and shown in the viewer's own time zone (or a message's
recipient's), never as UTC to everyone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask_babel import format_datetime

from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.notify.models import Message
from dcx.platform.notify.services import in_locale, notify, recipient_locales
from dcx.platform.timeline.calendar import build_ics
from tests.conftest import make_user

# 11:00 UTC on 1 July is 14:00 in Bucharest (EEST, UTC+3).
NOON_ISH = datetime(2026, 7, 1, 11, 0, tzinfo=UTC)


@pytest.fixture
def stopped_clock(app, monkeypatch):
    """The showcase clock reads 1 July 2026, 11:00 UTC."""
    monkeypatch.setattr(clock, "real_now", lambda: NOON_ISH)
    return NOON_ISH


def test_a_customer_in_bucharest_sees_her_inbox_in_local_time(client, auth, stopped_clock):
    maria = make_user(email="maria@example.com")
    maria.timezone = "Europe/Bucharest"
    notify(maria, "platform.test", "Your appointment is confirmed")
    db.session.commit()
    auth.login(maria.email)
    page = client.get("/inbox/").get_data(as_text=True)
    assert "2:00\u202fPM" in page
    assert "11:00\u202fAM" not in page


def test_a_customer_without_a_zone_sees_the_sites_time(client, customer, stopped_clock):
    notify(customer, "platform.test", "Hello")
    db.session.commit()
    page = client.get("/inbox/").get_data(as_text=True)
    assert "11:00\u202fAM" in page


def test_the_profile_saves_a_time_zone_and_refuses_an_unknown_one(client, customer):
    form = {"name": customer.name, "phone": "", "locale": "", "timezone": "Europe/Bucharest"}
    assert client.post("/account/profile", data=form).status_code == 302
    assert db.session.get(type(customer), customer.id).timezone == "Europe/Bucharest"
    form["timezone"] = "Mars/Olympus_Mons"
    assert client.post("/account/profile", data=form).status_code == 400


def test_a_job_writes_each_message_in_its_recipients_zone(app, stopped_clock):
    maria = make_user(email="maria@example.com")
    maria.timezone = "Europe/Bucharest"
    maria.locale = "ro"
    alex = make_user(email="alex@example.com")
    alex.timezone = "America/New_York"
    db.session.commit()
    locales = recipient_locales([maria.id, alex.id])
    with in_locale(locales[maria.id]):
        assert format_datetime(NOON_ISH, "short").endswith("14:00")
    with in_locale(locales[alex.id]):
        assert format_datetime(NOON_ISH, "short").endswith("7:00\u202fAM")
    assert format_datetime(NOON_ISH, "short").endswith("11:00\u202fAM")  # back to the site's


def test_the_calendar_feed_carries_utc_times(app, stopped_clock, monkeypatch):
    from dcx.platform.timeline import calendar
    from dcx.verticals import CalendarEntry

    maria = make_user(email="maria@example.com")
    maria.timezone = "Europe/Bucharest"
    db.session.commit()
    entry = CalendarEntry(uid="visit-1", title="Visit", starts_at=NOON_ISH)
    monkeypatch.setattr(calendar, "entries_for", lambda user_id: [("health", entry)])
    assert b"DTSTART:20260701T110000Z" in build_ics(maria, "DCX")


def test_message_rows_keep_utc(app, stopped_clock):
    maria = make_user(email="maria@example.com")
    maria.timezone = "Europe/Bucharest"
    notify(maria, "platform.test", "Hi")
    db.session.commit()
    assert db.session.query(Message).one().created_at == NOON_ISH


def test_a_daily_dose_time_kept_in_utc_is_shown_in_the_viewers_zone(app, stopped_clock):
    from dcx.filters import as_time
    from dcx.platform.timezones import in_timezone

    with app.test_request_context("/"), in_timezone("Europe/Bucharest"):
        assert as_time("08:00") == "11:00\u202fAM"
        assert as_time(NOON_ISH) == "2:00\u202fPM"
    with app.test_request_context("/"):
        assert as_time("08:00") == "8:00\u202fAM"


def test_every_seeded_calendar_entry_is_written_in_utc_or_as_a_whole_day(app):
    import re

    from sqlalchemy import select

    from dcx.platform.accounts.models import User
    from dcx.platform.showcase.loader import seed_showcase
    from dcx.verticals import registry

    seed_showcase(registry(), "default")
    db.session.commit()
    written = []
    for person in db.session.execute(select(User).where(User.role == "customer")).scalars():
        person.timezone = "Europe/Bucharest"
        feed = build_ics(person, "DCX").decode()
        written += re.findall(r"^DT(?:START|END)[^\r\n]*", feed, flags=re.M)
    assert written
    for line in written:
        assert line.endswith("Z") or "VALUE=DATE" in line or "TZID=" in line, line


def test_a_message_one_person_causes_for_another_is_timed_in_the_recipients_zone(
    app, stopped_clock
):
    from dcx.platform.timezones import in_timezone

    no_zone = make_user(email="alex@example.com")  # the site's zone (UTC)
    with app.test_request_context("/"), in_timezone("Europe/Bucharest"):  # the sender's request
        with in_locale(recipient_locales([no_zone.id])[no_zone.id]):
            assert format_datetime(NOON_ISH, "short").endswith("11:00\u202fAM")
        assert format_datetime(NOON_ISH, "short").endswith("2:00\u202fPM")
