"""What changed since you last looked: one line on the customer's home."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from babel.dates import format_date
from flask_babel import force_locale

from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.accounts.models import User
from dcx.platform.notify.services import notify
from dcx.platform.site import since
from dcx.platform.timeline.services import record
from dcx.platform.timezones import in_timezone
from tests.conftest import make_user

# A Thursday; a visit began on the Tuesday before.
NOW = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)
TUESDAY = datetime(2026, 12, 8, 9, 30, tzinfo=UTC)


def _previous_visit() -> datetime:
    """Two days before the clock's now: the previous visit whatever the day the test runs."""
    return clock.now() - timedelta(days=2)


LABELS = {"government": {"repair_fixed": "Repair fixed", "repair_status": "Report status changed"}}


def _world(user_id: int) -> datetime:
    """Before the visit: one message, one event; after it: two messages and five events.
    Returns when the visit began."""
    visit = _previous_visit()
    old = notify(user_id, "t.old", "Old news")
    assert old is not None
    old.created_at = visit - timedelta(hours=1)
    record(user_id, "government", "repair_fixed", "Old lamp", occurred_at=visit - timedelta(days=1))
    for title in ("One", "Two"):
        notify(user_id, "t.new", title)  # created at the clock's now, after Tuesday
    record(user_id, "government", "repair_fixed", "Lamp", occurred_at=visit + timedelta(hours=2))
    for hours in (3, 4):
        record(
            user_id,
            "government",
            "repair_status",
            "Bench",
            occurred_at=visit + timedelta(hours=hours),
        )
    record(user_id, "elsewhere", "unnamed", "Else", occurred_at=visit + timedelta(hours=5))
    # not yet: an event dated after the clock's now is not news
    record(
        user_id, "government", "repair_fixed", "Later", occurred_at=clock.now() + timedelta(days=1)
    )
    db.session.flush()
    return visit


def test_changes_since_count_new_messages_and_events_by_kind(app):
    user = make_user()
    visit = _world(user.id)
    found = since.changes_since(user.id, visit)
    assert found.messages == 2
    assert [(c.vertical, c.kind, c.count) for c in found.changes] == [
        ("government", "repair_status", 2),
        ("elsewhere", "unnamed", 1),
        ("government", "repair_fixed", 1),
    ]


def test_the_line_names_the_day_and_what_arrived(app):
    user = make_user()
    visit = _world(user.id)
    found = since.changes_since(user.id, visit)
    now = clock.now()
    with force_locale("en"):
        assert since.sentence(found, LABELS, now) == (
            f"Since {visit:%A}: 2 new messages, Report status changed (2), Repair fixed"
            ", and 1 other event."
        )
    with force_locale("es"):
        line = since.sentence(found, LABELS, now)
        weekday = format_date(visit, "EEEE", locale="es")
        assert line.startswith(f"Desde el {weekday}: 2 mensajes nuevos, ")
        assert line.endswith(" y 1 evento más.")
    with force_locale("ro"):
        line = since.sentence(found, LABELS, now)
        weekday = format_date(visit, "EEEE", locale="ro")
        assert line.startswith(f"De {weekday} încoace: 2 mesaje noi, ")
        assert line.endswith(" și 1 alt eveniment.")


def test_nothing_new_is_no_line(app):
    user = make_user()
    now = clock.now()
    assert since.sentence(since.changes_since(user.id, now), LABELS, now) == ""


def test_the_day_is_the_readers_in_their_zone(app):
    late_monday = datetime(2026, 12, 7, 23, 30, tzinfo=UTC)  # Tuesday 01:30 in Bucharest
    with force_locale("en"):
        assert since.when(late_monday, NOW) == "Since Monday"
        with in_timezone("Europe/Bucharest"):
            assert since.when(late_monday, NOW) == "Since Tuesday"
        assert since.when(NOW - timedelta(hours=2), NOW) == "Since 10:00\u202fAM today"
        assert since.when(NOW - timedelta(days=20), NOW) == "Since November 20, 2026"


def test_home_says_what_arrived_since_the_previous_sign_in(app, client, auth):
    user = make_user()
    first = auth.login(user.email)
    assert first.status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert 'id="since-last-visit"' not in home  # a first visit: nothing arrived since
    seen = db.session.get(User, user.id).last_seen_at
    assert seen is not None and abs(seen - clock.now()) < timedelta(minutes=1)
    auth.logout()

    clock.advance(timedelta(days=2))
    notify(user.id, "t.new", "Your December report")
    record(user.id, "government", "repair_fixed", "Lamp")
    db.session.commit()
    auth.login(user.email)
    home = client.get("/").get_data(as_text=True)
    weekday = f"{seen:%A}"
    assert f"Since {weekday}: 1 new message and Repair fixed." in home
    # the visit goes on: reading the home again writes nothing and says the same
    assert f"Since {weekday}: 1 new message and Repair fixed." in client.get("/").get_data(
        as_text=True
    )
    assert db.session.get(User, user.id).last_seen_at > seen
