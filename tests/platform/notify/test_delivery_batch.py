"""A claimed batch of rows that never leave the process (the console's email, the phone
preview's SMS and push) is recorded in one statement and one commit; a row that does leave it
(SMTP) is recorded as soon as it has gone, one by one; a failing row never costs the others."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.accounts.models import User
from dcx.platform.notify import delivery, services
from dcx.platform.notify.models import Delivery
from tests.conftest import make_user


def _notify_all(n: int, start: int = 0) -> None:
    for k in range(start, start + n):
        person = make_user(email=f"b{k}@example.com")
        services.save_preferences(person.id, {"demo.report": ["email", "sms", "push"]})
        services.notify(person, "demo.report", "Report", "Up 3% this month.", "/banking/")
    db.session.commit()


def _statuses() -> list[tuple[str, str, int]]:
    db.session.expire_all()
    rows = db.session.execute(
        select(Delivery.channel, Delivery.status, Delivery.attempts).order_by(Delivery.id)
    )
    return [(channel, status, attempts) for channel, status, attempts in rows]


def test_a_batch_recorded_in_the_process_costs_the_same_statements_for_4_or_40_customers(
    app, topics, query_counter
):
    counts = []
    for n, start in ((4, 0), (40, 4)):
        _notify_all(n, start)
        now = clock.advance(timedelta(minutes=1))
        with query_counter() as count:
            assert delivery.deliver_due(now) == 3 * n
        counts.append(count())
    assert counts[0] == counts[1], counts
    assert {(status, attempts) for _c, status, attempts in _statuses()} == {("sent", 1)}


def test_a_failing_row_of_a_batch_is_retried_and_the_others_are_sent(app, topics):
    _notify_all(3)
    failing = db.session.execute(
        select(Delivery.id).where(Delivery.channel == "sms").order_by(Delivery.id).limit(1)
    ).scalar_one()

    @delivery.database_only
    def flaky_sms(item: delivery.Outgoing) -> str:
        if item.delivery_id == failing:
            raise RuntimeError("the preview is full")
        return delivery.send_sms(item)

    app.extensions["dcx_notify_adapters"]["sms"] = flaky_sms
    now = clock.now()
    assert delivery.deliver_due(now) == 8
    row = db.session.get(Delivery, failing)
    assert (row.status, row.attempts, row.last_error) == (
        "pending",
        1,
        "RuntimeError: the preview is full",
    )
    assert row.next_attempt_at > now
    others = [s for s in _statuses() if s != ("sms", "pending", 1)]
    assert len(others) == 8 and {s[1] for s in others} == {"sent"}


def test_with_a_mail_server_each_email_is_recorded_once_it_has_gone(app, topics, monkeypatch):
    _notify_all(2)
    app.config["MAIL_SERVER"] = "mail.example"
    seen: list[int] = []

    def smtp(item: delivery.Outgoing) -> str:
        # what was sent before is on its row already: a crash now would not send it again
        before = db.session.execute(
            select(Delivery.id).where(Delivery.channel == "email", Delivery.status == "sent")
        ).scalars()
        assert sorted(before) == sorted(seen)
        seen.append(item.delivery_id)
        return "sent by SMTP"

    monkeypatch.setattr(delivery, "smtp_email", smtp)
    assert delivery.deliver_due(clock.now()) == 6
    assert len(seen) == 2
    assert {s[1] for s in _statuses()} == {"sent"}


def test_a_batch_translates_what_every_email_of_a_topic_says_once_per_language(
    app, topics, monkeypatch
):
    from dcx.platform.notify import mail

    _notify_all(6)
    for person in db.session.execute(select(User).where(User.email.like("b%"))).scalars():
        person.locale = "es" if person.id % 2 else "ro"
    db.session.commit()
    asked: list[str] = []
    real = mail._
    monkeypatch.setattr(mail, "_", lambda text, **kw: asked.append(text) or real(text, **kw))
    assert delivery.deliver_due(clock.now()) == 18
    assert len(asked) == 2 * 4  # two languages, four texts each
    rendered = db.session.execute(
        select(Delivery.rendered).where(Delivery.channel == "email")
    ).scalars()
    footers = {text.rsplit("\n", 3)[2].split(":")[0] for text in rendered}
    assert footers == {"Preferencias de mensajes", "Preferințe pentru mesaje"}
