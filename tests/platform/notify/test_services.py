"""notify() and notify_bulk(): the inbox row and the outbox rows per chosen channel, once only."""

from datetime import time

from sqlalchemy import func, select

from dcx.extensions import db
from dcx.platform.notify import services
from dcx.platform.notify.models import Delivery, Message, Preference
from tests.conftest import make_user


def _channels(message_id: int) -> set[str]:
    return set(
        db.session.execute(
            select(Delivery.channel).where(Delivery.message_id == message_id)
        ).scalars()
    )


def test_notify_uses_the_topic_defaults_when_the_customer_chose_nothing(app, topics):
    user = make_user()
    message = services.notify(user, "demo.report", "Your report", "Body", "/banking/")
    db.session.commit()
    assert message.user_id == user.id and message.read_at is None
    assert _channels(message.id) == {"email", "push"}
    assert services.unread_count(user.id) == 1


def test_notify_follows_the_customers_preferences(app, topics):
    user = make_user()
    services.save_preferences(user.id, {"demo.report": ["sms"], "demo.alert": []})
    report = services.notify(user.id, "demo.report", "Report")
    alert = services.notify(user.id, "demo.alert", "Alert")
    db.session.commit()
    assert _channels(report.id) == {"sms"}
    assert _channels(alert.id) == set()  # inbox only
    assert services.preferences(user.id) == {
        "demo.report": ("sms",),
        "demo.alert": (),
        "demo.news": (),
    }


def test_unknown_topic_falls_back_to_email(app, topics):
    user = make_user()
    message = services.notify(user.id, "nobody.declared", "Hello")
    assert _channels(message.id) == {"email"}


def test_a_key_makes_the_message_once_only(app, topics):
    user = make_user()
    first = services.notify(user.id, "demo.alert", "Due", key="demo.alert:1:2026-11")
    second = services.notify(user.id, "demo.alert", "Due", key="demo.alert:1:2026-11")
    db.session.commit()
    assert first is not None and second is None
    assert db.session.execute(select(func.count()).select_from(Message)).scalar_one() == 1
    assert db.session.execute(select(func.count()).select_from(Delivery)).scalar_one() == 1


def test_notify_bulk_for_1000_customers_inserts_exactly_1000_messages_once(
    app, topics, many_customers
):
    ids = many_customers(1000)
    # ten customers chose SMS only; ten chose nothing but the inbox
    services.save_preferences(ids[0], {"demo.report": ["sms"]})
    for uid in ids[1:10]:
        services.save_preferences(uid, {"demo.report": ["sms"]})
    for uid in ids[10:20]:
        services.save_preferences(uid, {"demo.report": []})
    db.session.commit()
    rows = [
        {"user_id": uid, "title": "November report", "link": "/banking/", "key": "report:2026-11"}
        for uid in ids
    ]
    assert services.notify_bulk("demo.report", rows) == 1000
    db.session.commit()

    def counts():
        messages = db.session.execute(select(func.count()).select_from(Message)).scalar_one()
        by_channel = dict(
            db.session.execute(
                select(Delivery.channel, func.count()).group_by(Delivery.channel)
            ).all()
        )
        return messages, by_channel

    assert counts() == (1000, {"email": 980, "push": 980, "sms": 10})
    services.notify_bulk("demo.report", rows)  # the job ran twice: nothing changes
    db.session.commit()
    assert counts() == (1000, {"email": 980, "push": 980, "sms": 10})


def test_save_preferences_updates_in_place(app, topics):
    user = make_user()
    services.save_preferences(user.id, {"demo.report": ["email"]})
    services.save_preferences(user.id, {"demo.report": ["push", "email", "fax"]})
    db.session.commit()
    rows = db.session.execute(select(Preference).where(Preference.user_id == user.id)).scalars()
    assert [(p.topic, p.channels) for p in rows] == [("demo.report", "email,push")]


def test_quiet_hours_are_set_and_removed(app):
    user = make_user()
    hours = services.set_quiet_hours(user.id, time(22, 0), time(7, 0), "Europe/Madrid")
    db.session.commit()
    assert (hours.start_minute, hours.end_minute, hours.timezone) == (1320, 420, "Europe/Madrid")
    assert services.set_quiet_hours(user.id, None, None) is None
    db.session.commit()
    assert services.quiet_hours(user.id) is None


def test_mark_all_read_only_touches_this_customer(app, topics):
    mine, theirs = make_user(), make_user(email="other@example.com", name="Other")
    for i in range(3):
        services.notify(mine.id, "demo.news", f"Mine {i}")
    services.notify(theirs.id, "demo.news", "Theirs")
    assert services.mark_all_read(mine.id) == 3
    db.session.commit()
    assert services.unread_count(mine.id) == 0
    assert services.unread_count(theirs.id) == 1


def test_a_rerun_after_a_preference_change_does_not_resend_old_messages(app, topics):
    first, second = make_user(), make_user(email="second@example.com", name="Second")
    key = "report:2026-11"  # one key shared by every customer, sent in batches
    services.notify_bulk("demo.report", [{"user_id": first.id, "title": "R", "key": key}])
    db.session.commit()
    services.save_preferences(first.id, {"demo.report": ["email", "push", "sms"]})
    db.session.commit()
    services.notify_bulk(
        "demo.report",
        [
            {"user_id": first.id, "title": "R", "key": key},
            {"user_id": second.id, "title": "R", "key": key},
        ],
    )
    db.session.commit()
    rows = db.session.execute(select(Delivery.user_id, Delivery.channel)).all()
    assert sorted(rows) == sorted(
        [
            (first.id, "email"),
            (first.id, "push"),
            (second.id, "email"),
            (second.id, "push"),
        ]
    )
