"""Delivering the outbox: adapters, retries with backoff, failure kept, never sent twice."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.jobs import runner
from dcx.platform.notify import delivery, services
from dcx.platform.notify.models import Delivery
from tests.conftest import make_user


def _rows(channel=None) -> list[Delivery]:
    db.session.expire_all()
    stmt = select(Delivery).order_by(Delivery.id)
    if channel:
        stmt = stmt.where(Delivery.channel == channel)
    return list(db.session.execute(stmt).scalars())


@pytest.fixture
def recorder(app):
    """Replace every adapter by one that records what it was asked to send."""
    calls: list[int] = []
    lock = threading.Lock()

    def record(item):
        with lock:
            calls.append(item.delivery_id)
        return f"{item.channel}:{item.title}"

    app.extensions["dcx_notify_adapters"] = {"email": record, "sms": record, "push": record}
    return calls


def test_the_delivery_job_is_registered_with_the_platform(app):
    spec = runner.find_job("platform.deliver_outbox")
    assert spec is not None and spec.function is delivery.deliver_due
    assert dict(spec.trigger) == {"minute": "*"}


def test_the_runner_runs_the_delivery_job(app, topics):
    user = make_user()
    services.notify(user, "demo.report", "Report")
    db.session.commit()
    run = runner.run_now("platform.deliver_outbox")
    assert run.status == "succeeded" and run.count == 2
    assert {d.status for d in _rows()} == {"sent"}


def test_console_email_sms_and_push_are_recorded_as_sent(app, topics):
    user = make_user()
    services.save_preferences(user.id, {"demo.report": ["email", "sms", "push"]})
    services.notify(user, "demo.report", "Your savings grew", "Up 3% this month.", "/banking/")
    db.session.commit()
    now = clock.now()

    assert delivery.deliver_due(now) == 3

    rows = {d.channel: d for d in _rows()}
    assert {d.status for d in rows.values()} == {"sent"}
    assert all(d.attempts == 1 and d.sent_at == now and d.last_error == "" for d in rows.values())
    assert "Subject: Your savings grew" in rows["email"].rendered
    assert f"To: {user.email}" in rows["email"].rendered
    assert rows["sms"].rendered == "DCX Showcase: Your savings grew. Up 3% this month."
    assert rows["push"].rendered == "Your savings grew — Up 3% this month."
    assert delivery.deliver_due(now + timedelta(hours=1)) == 0


def test_long_sms_fits_160_characters(app):
    class M:
        title = "Reminder"
        body = "word " * 100

    text = delivery.render_sms(M())
    assert 150 <= len(text) <= 160 and text.endswith("word…")


def test_only_due_rows_are_sent(app, topics):
    user = make_user()
    services.notify(user.id, "demo.alert", "Later")
    db.session.execute(update(Delivery).values(next_attempt_at=clock.now() + timedelta(hours=2)))
    db.session.commit()
    assert delivery.deliver_due(clock.now()) == 0
    assert _rows()[0].status == "pending"
    assert delivery.deliver_due(clock.now() + timedelta(hours=2)) == 1


def test_a_failing_channel_is_retried_with_backoff_then_failed_and_keeps_its_error(
    app, topics, admin_client
):
    app.config["NOTIFY_MAX_ATTEMPTS"] = 4
    attempts_seen = []

    def broken(item):
        attempts_seen.append(item.attempts)
        raise ConnectionRefusedError("SMS gateway refused the connection")

    app.extensions["dcx_notify_adapters"]["sms"] = broken
    user = make_user()
    services.notify(user.id, "demo.alert", "Card blocked", "Call us.")
    db.session.commit()
    start = clock.now()

    assert delivery.deliver_due(start) == 0
    row = _rows()[0]
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.next_attempt_at == start + timedelta(minutes=1)
    assert row.last_error == "ConnectionRefusedError: SMS gateway refused the connection"

    # not due yet: nothing is tried
    assert delivery.deliver_due(start + timedelta(seconds=59)) == 0
    assert attempts_seen == [0]

    now = start + timedelta(minutes=1)
    delivery.deliver_due(now)
    assert _rows()[0].next_attempt_at == now + timedelta(minutes=2)
    now += timedelta(minutes=2)
    delivery.deliver_due(now)
    assert _rows()[0].next_attempt_at == now + timedelta(minutes=4)
    now += timedelta(minutes=4)
    delivery.deliver_due(now)
    row = _rows()[0]
    assert (row.status, row.attempts) == ("failed", 4)
    assert "refused" in row.last_error
    assert attempts_seen == [0, 1, 2, 3]
    # failed rows are kept and never tried again
    assert delivery.deliver_due(now + timedelta(days=1)) == 0
    assert attempts_seen == [0, 1, 2, 3]

    # the error is visible to the admin in the outbox
    page = admin_client.get("/inbox/outbox?status=failed").get_data(as_text=True)
    assert "SMS gateway refused the connection" in page
    assert f'data-delivery="{row.id}" data-status="failed"' in page


def test_a_retried_delivery_that_then_succeeds_clears_its_error(app, topics):
    calls = []

    def flaky(item):
        calls.append(item.delivery_id)
        if len(calls) == 1:
            raise TimeoutError("gateway timed out")
        return "ok"

    app.extensions["dcx_notify_adapters"]["sms"] = flaky
    user = make_user()
    services.notify(user.id, "demo.alert", "Hi")
    db.session.commit()
    now = clock.now()
    delivery.deliver_due(now)
    assert _rows()[0].last_error == "TimeoutError: gateway timed out"
    assert delivery.deliver_due(now + timedelta(minutes=1)) == 1
    row = _rows()[0]
    assert (row.status, row.attempts, row.last_error, row.rendered) == ("sent", 2, "", "ok")


def test_two_delivery_runs_never_send_a_row_twice(app, topics, recorder, many_customers):
    ids = many_customers(150)
    services.notify_bulk(
        "demo.report", [{"user_id": uid, "title": "Report", "key": "r:1"} for uid in ids]
    )
    db.session.commit()
    now = clock.now()
    assert delivery.deliver_due(now) == 300  # email + push each
    assert delivery.deliver_due(now) == 0
    assert delivery.deliver_due(now + timedelta(hours=1)) == 0
    assert len(recorder) == 300 and len(set(recorder)) == 300


def test_two_processes_delivering_at_once_send_each_row_exactly_once(
    app, topics, recorder, many_customers
):
    ids = many_customers(200)
    services.notify_bulk(
        "demo.report", [{"user_id": uid, "title": "Report", "key": "r:1"} for uid in ids]
    )
    db.session.commit()
    now = clock.now()
    sent = []
    errors = []

    def worker():
        try:
            with app.app_context():
                sent.append(delivery.deliver_due(now))
                db.session.remove()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert sum(sent) == 400
    assert len(recorder) == 400 and len(set(recorder)) == 400
    assert {d.status for d in _rows()} == {"sent"}


def test_a_claimed_row_is_not_claimed_again_until_its_lease_runs_out(app, topics, recorder):
    user = make_user()
    services.notify(user.id, "demo.alert", "Hi")
    db.session.commit()
    now = clock.now()
    first = delivery.claim(now)
    assert len(first) == 1 and _rows()[0].status == "sending"
    assert delivery.claim(now) == []  # a second process finds nothing to take
    # the lease runs on the wall clock: a month passing on the showcase's clock expires none
    # (it did, and a clock moved while a scheduler was sending sent those e-mails twice)
    assert delivery.claim(now + timedelta(days=31)) == []
    # the first process crashed before sending: after the lease, the row is taken over
    db.session.execute(
        update(Delivery).values(leased_until=clock.real_now() - timedelta(seconds=1))
    )
    db.session.commit()
    assert delivery.deliver_due(now) == 1
    assert recorder == first


def test_backoff_doubles_from_one_minute():
    assert [delivery.backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4, 5)] == [1, 2, 4, 8, 16]


# --- quiet hours -------------------------------------------------------------------------


def _at(hour: int, minute: int = 0, day: int = 0) -> datetime:
    base = clock.now().astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return base + timedelta(days=1 + day, hours=hour, minutes=minute)


def test_sms_and_push_wait_for_the_end_of_quiet_hours_but_email_does_not(app, topics, recorder):
    from datetime import time

    user = make_user()
    services.save_preferences(user.id, {"demo.report": ["email", "sms", "push"]})
    services.set_quiet_hours(user.id, time(22, 0), time(7, 0), "UTC")
    services.notify(user.id, "demo.report", "Late news")
    db.session.commit()

    late = _at(23, 15)
    assert delivery.deliver_due(late) == 1
    rows = {d.channel: d for d in _rows()}
    assert rows["email"].status == "sent"
    morning = _at(7, 0, day=1)
    for channel in ("sms", "push"):
        assert rows[channel].status == "pending" and rows[channel].attempts == 0
        assert rows[channel].next_attempt_at == morning
    assert delivery.deliver_due(_at(6, 59, day=1)) == 0
    assert delivery.deliver_due(morning) == 2
    assert {d.status for d in _rows()} == {"sent"}


def test_quiet_hours_are_read_in_the_customers_time_zone(app, topics, recorder):
    from datetime import time

    user = make_user()
    services.save_preferences(user.id, {"demo.alert": ["sms"]})
    # 22:00-07:00 in New York; 12:00 UTC is 07:00 or 08:00 there: not quiet
    services.set_quiet_hours(user.id, time(22, 0), time(7, 0), "America/New_York")
    services.notify(user.id, "demo.alert", "Alert")
    db.session.commit()
    # 04:00 UTC is 23:00 or midnight in New York: quiet until 07:00 local
    assert delivery.deliver_due(_at(4, 0)) == 0
    held = _rows()[0].next_attempt_at
    assert held.astimezone(__import__("zoneinfo").ZoneInfo("America/New_York")).hour == 7
    assert delivery.deliver_due(_at(13, 0)) == 1


def test_quiet_until_inside_and_outside_the_hours():
    from dcx.platform.notify.quiet import quiet_until

    class Hours:
        start_minute, end_minute, timezone = 22 * 60, 7 * 60, "UTC"

    day = datetime(2026, 11, 23, tzinfo=UTC)
    assert quiet_until(Hours, day.replace(hour=12)) is None
    assert quiet_until(Hours, day.replace(hour=23)) == day.replace(hour=7) + timedelta(days=1)
    assert quiet_until(Hours, day.replace(hour=3)) == day.replace(hour=7)
    Hours.start_minute, Hours.end_minute = 13 * 60, 14 * 60
    assert quiet_until(Hours, day.replace(hour=13, minute=30)) == day.replace(hour=14)
    assert quiet_until(Hours, day.replace(hour=14)) is None


@pytest.mark.parametrize(
    "link,expected",
    [
        ("/banking/goals", "http://127.0.0.1:5000/banking/goals"),
        ("https://meet.example.edu/x", "https://meet.example.edu/x"),  # already absolute
        ("//evil.example/x", "//evil.example/x"),  # not a site path: left alone
        ("", ""),
    ],
)
def test_email_links_are_absolute(app, link, expected):
    from dcx.platform.notify.delivery import absolute_link

    assert absolute_link(link) == expected


def test_the_console_records_the_summary_the_full_email_gives(app, topics):
    # The console no longer builds the MIME message: its record is still that email's summary.
    user = make_user()
    services.save_preferences(user.id, {"demo.report": ["email"]})
    services.notify(
        user,
        "demo.report",
        "Économies: +3 %",
        "Première ligne.\n\nSecond — paragraph.",
        "/banking/",
    )
    db.session.commit()
    item = delivery.load(delivery.claim(clock.now()))[0]
    full = delivery._email_summary(delivery.render_email(item))
    assert delivery.console_email(item) == full
    assert "Subject: Économies: +3 %" in full and "Second — paragraph." in full


def test_a_claimed_batch_reads_its_recipients_languages_and_the_brand_once(
    app, topics, query_counter
):
    people = [make_user(email=f"p{n}@example.com") for n in range(3)]
    people[1].locale = "es"
    for person in people:
        services.save_preferences(person.id, {"demo.report": ["email"]})
        services.notify(person, "demo.report", "Report")
    db.session.commit()
    claimed = delivery.claim(clock.now())
    with query_counter() as count:
        items = delivery.load(claimed)
    assert count() <= 4  # the rows, the languages, the site's default language, the brand
    assert [item.locale for item in items] == ["en", "es", "en"]
    assert {item.brand for item in items} == {app.config["DCX_BRAND"]}
    with query_counter() as count:
        for item in items:
            delivery.console_email(item)
            delivery.render_sms(item)
    assert count() == 0  # nothing read again per message


def test_a_batch_is_claimed_in_one_update_whatever_its_size(app, topics, query_counter):
    people = [make_user(email=f"c{n}@example.com") for n in range(4)]
    for person in people:
        services.save_preferences(person.id, {"demo.report": ["email"]})
        services.notify(person, "demo.report", "Report")
    db.session.commit()
    due = [d.id for d in sorted(_rows(), key=lambda d: (d.next_attempt_at, d.id))]
    with query_counter() as count:
        claimed = delivery.claim(clock.now())
    assert count() == 2  # the due rows, then one UPDATE taking them
    assert sorted(claimed) == sorted(due) and {d.status for d in _rows()} == {"sending"}
    assert delivery.claim(clock.now()) == []
