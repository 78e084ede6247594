"""The bookstore's jobs: reminders the day before and monthly picks, each sent once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.notify.models import Message
from dcx.retail import jobs, recommender, services, store_events
from dcx.retail.models import RetailRecommendationSent


def _messages(topic):
    return db.session.execute(select(Message).where(Message.topic == topic)).scalars().all()


def test_event_reminders_go_the_day_before_once(app, event_factory, customer_factory):
    event = event_factory(capacity=5, days=3)
    going, maybe = customer_factory("going"), customer_factory("maybe")
    store_events.answer_event(event, going.id, "going")
    store_events.answer_event(event, maybe.id, "interested")
    db.session.commit()

    assert jobs.event_reminders(clock.now()) == 0  # three days ahead: too early
    clock.advance(timedelta(days=2, hours=1))
    db.session.commit()
    jobs.event_reminders(clock.now())
    jobs.event_reminders(clock.now())  # a rerun sends nothing twice
    db.session.commit()
    sent = _messages("retail.event_reminder")
    assert [(m.user_id, m.title) for m in sent] == [(going.id, "Tomorrow: Author talk")]
    assert "12 Linden Street" in sent[0].body


def test_reminder_job_runs_through_the_platform_runner(app, event_factory, customer_factory):
    from dcx.platform.jobs.runner import run_due_jobs

    event = event_factory(capacity=5, days=2)
    store_events.answer_event(event, customer_factory("bo").id, "going")
    db.session.commit()
    clock.advance(timedelta(days=1, hours=2))
    db.session.commit()
    run_due_jobs()
    assert len(_messages("retail.event_reminder")) == 1


def test_monthly_picks_are_sent_once_a_month_and_counted_for_staff(
    app, book_factory, customer_factory
):
    a, b, c = book_factory("Alpha"), book_factory("Beta"), book_factory("Gamma")
    u1, u2, alex = customer_factory("uno"), customer_factory("dos"), customer_factory("alex")
    tres = customer_factory("tres")
    services.place_order(tres.id, [a.id])
    services.place_order(u1.id, [a.id, b.id])
    services.place_order(u2.id, [b.id, c.id])
    services.place_order(alex.id, [a.id])
    db.session.commit()

    now = clock.now()
    sent = jobs.new_for_you(now)
    jobs.new_for_you(now)
    db.session.commit()
    assert sent == 4
    messages = _messages("retail.new_for_you")
    assert len(messages) == 4
    alex_message = next(m for m in messages if m.user_id == alex.id)
    assert alex_message.body == "Beta"
    assert db.session.execute(select(func.count(RetailRecommendationSent.id))).scalar_one() == 4
    assert recommender.most_recommended()[0][0].title == "Beta"

    # Next month, titles already suggested are not suggested again.
    clock.advance(timedelta(days=32))
    db.session.commit()
    jobs.new_for_you(clock.now())
    db.session.commit()
    assert len([m for m in _messages("retail.new_for_you") if m.user_id == alex.id]) == 1
