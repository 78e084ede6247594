"""The inbox pages through the test client: list, open, mark all read, preferences, phone."""

import re
from datetime import timedelta

from sqlalchemy import select

from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.notify import delivery, services
from dcx.platform.notify.models import Delivery, Message, Preference, QuietHours
from tests.conftest import make_user


def _message(user, title="Hello", link="", topic="demo.news", **kw):
    message = services.notify(user, topic, title, kw.pop("body", "A body"), link, **kw)
    db.session.commit()
    return message


def test_inbox_needs_sign_in(client):
    response = client.get("/inbox/")
    assert response.status_code == 302 and "/account/signin" in response.headers["Location"]


def test_inbox_lists_messages_newest_first_with_unread_styling(client, customer, topics):
    old = _message(customer, "Older message")
    old.created_at = clock.now() - timedelta(days=1)
    old.read_at = clock.now()
    _message(customer, "Newer message")
    page = client.get("/inbox/").get_data(as_text=True)
    assert page.index("Newer message") < page.index("Older message")
    assert re.search(r'dcx-unread" data-message-id="\d+"', page)
    assert "1 unread message" in page
    assert "News" in page  # the topic's label


def test_nav_badge_shows_the_unread_count(client, customer, topics):
    page = client.get("/").get_data(as_text=True)
    assert 'id="nav-inbox"' in page and 'data-badge="nav-inbox"' not in page
    _message(customer, "One")
    _message(customer, "Two")
    page = client.get("/").get_data(as_text=True)
    assert re.search(r'data-badge="nav-inbox">2</span>', page)


def test_opening_a_message_marks_it_read_and_goes_to_its_local_link(client, customer, topics):
    message = _message(customer, link="/banking/")
    inbox = client.get("/inbox/").get_data(as_text=True)
    assert f'<form method="post" action="/inbox/{message.id}">' in inbox  # a POST, not a link
    response = client.post(f"/inbox/{message.id}")
    assert response.status_code == 303 and response.headers["Location"] == "/banking/"
    db.session.refresh(message)
    assert message.read_at is not None
    assert services.unread_count(customer.id) == 0


def test_showing_a_message_marks_nothing_read(client, customer, topics):
    message = _message(customer, "Plain", body="Just a note")
    linked = _message(customer, "Linked", link="/banking/")
    page = client.get(f"/inbox/{message.id}")
    assert page.status_code == 200 and "Just a note" in page.get_data(as_text=True)
    shown = client.get(f"/inbox/{linked.id}").get_data(as_text=True)
    assert 'id="message-link" href="/banking/"' in shown  # a local link is offered, not taken
    assert services.unread_count(customer.id) == 2
    opened = client.post(f"/inbox/{message.id}")  # no link: back to the message itself
    assert opened.status_code == 303 and opened.headers["Location"] == f"/inbox/{message.id}"
    assert services.unread_count(customer.id) == 1


def test_an_external_link_is_shown_not_followed(client, customer, topics):
    message = _message(customer, "Phishy", link="https://evil.example/login", body="Read me")
    response = client.get(f"/inbox/{message.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Read me" in page and "https://evil.example/login" in page
    assert 'href="https://evil.example' not in page
    for link in ("//evil.example/x", "/\\evil.example"):
        other = _message(customer, "x", link=link)
        assert client.get(f"/inbox/{other.id}").status_code == 200


def test_another_customers_message_answers_404(client, customer, topics):
    other = make_user(email="other@example.com", name="Other")
    theirs = _message(other, "Private")
    assert client.get(f"/inbox/{theirs.id}").status_code == 404
    assert client.post(f"/inbox/{theirs.id}").status_code == 404
    assert client.get("/inbox/999999").status_code == 404
    db.session.refresh(theirs)
    assert theirs.read_at is None
    assert "Private" not in client.get("/inbox/").get_data(as_text=True)


def test_mark_all_read(client, customer, topics):
    other = make_user(email="other@example.com", name="Other")
    for i in range(3):
        _message(customer, f"M{i}")
    _message(other, "Theirs")
    response = client.post("/inbox/read-all")
    assert response.status_code == 303
    assert services.unread_count(customer.id) == 0
    assert services.unread_count(other.id) == 1
    assert "3 messages marked read." in client.get("/inbox/").get_data(as_text=True)


def test_mark_all_read_needs_a_csrf_token_in_the_real_app(app, client, customer, topics):
    _message(customer, "M")
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/inbox/read-all")
    assert response.status_code in (303, 400)
    assert services.unread_count(customer.id) == 1


def test_inbox_paginates(client, customer, topics):
    for i in range(25):
        _message(customer, f"Message number {i:02d}")
    first = client.get("/inbox/").get_data(as_text=True)
    second = client.get("/inbox/?page=2").get_data(as_text=True)
    assert "Message number 24" in first and "Message number 04" not in first
    assert "Message number 04" in second and "Message number 24" not in second
    assert client.get("/inbox/?page=99").status_code == 200
    assert client.get("/inbox/?page=abc").status_code == 200


def test_the_inbox_shows_a_retrying_deliverys_error(app, client, customer, topics):
    def broken(item):
        raise ConnectionError("SMS gateway down")

    app.extensions["dcx_notify_adapters"]["sms"] = broken
    _message(customer, "Alert", topic="demo.alert")
    delivery.deliver_due(clock.now())
    page = client.get("/inbox/").get_data(as_text=True)
    assert 'data-channel="sms" data-status="pending"' in page
    assert "retrying" in page and "SMS gateway down" in page


def test_inbox_query_count_does_not_grow_with_messages(client, customer, topics, query_counter):
    for i in range(3):
        _message(customer, f"M{i}", topic="demo.report")
    with query_counter() as few:
        client.get("/inbox/")
    for i in range(15):
        _message(customer, f"N{i}", topic="demo.report")
    with query_counter() as many:
        client.get("/inbox/")
    assert many() == few()


# --- preferences -------------------------------------------------------------------------


def test_preferences_show_every_topic_with_its_defaults(client, customer, topics):
    page = client.get("/inbox/preferences").get_data(as_text=True)
    for label in ("Monthly report", "Urgent alert", "News"):
        assert label in page
    assert 'scope="rowgroup"' in page and "Other" in page  # topics no vertical owns
    assert re.search(r'name="demo_report__email"[^>]*checked', page) or re.search(
        r'checked[^>]*name="demo_report__email"', page
    )
    assert not re.search(r'checked[^>]*name="demo_report__sms"', page)
    assert 'aria-label="SMS for Urgent alert"' in page


def test_preferences_are_saved_with_quiet_hours(client, customer, topics):
    response = client.post(
        "/inbox/preferences",
        data={
            "demo_report__sms": "y",
            "demo_alert__push": "y",
            "demo_alert__email": "y",
            "quiet_enabled": "y",
            "quiet_start": "22:00",
            "quiet_end": "07:00",
            "timezone": "Europe/Bucharest",
        },
    )
    assert response.status_code == 303
    assert services.preferences(customer.id) == {
        "demo.report": ("sms",),
        "demo.alert": ("email", "push"),
        "demo.news": (),
    }
    hours = db.session.execute(select(QuietHours)).scalar_one()
    assert (hours.start_minute, hours.end_minute, hours.timezone) == (1320, 420, "Europe/Bucharest")
    page = client.get("/inbox/preferences").get_data(as_text=True)
    assert 'value="22:00"' in page and '<option selected value="Europe/Bucharest">' in page
    # the next message follows the new choice
    message = _message(customer, "Report", topic="demo.report")
    assert [d.channel for d in message.deliveries] == ["sms"]

    client.post("/inbox/preferences", data={"timezone": "UTC"})  # quiet hours off, all off
    assert db.session.execute(select(QuietHours)).scalar_one_or_none() is None
    assert set(services.preferences(customer.id).values()) == {()}


def test_bad_quiet_hours_answer_400_and_keep_what_was_typed(client, customer, topics):
    response = client.post(
        "/inbox/preferences",
        data={"quiet_enabled": "y", "quiet_start": "22:00", "quiet_end": "", "timezone": "UTC"},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'value="22:00"' in page and "Give both times" in page
    response = client.post(
        "/inbox/preferences", data={"quiet_start": "25:99", "timezone": "Mars/Olympus"}
    )
    assert response.status_code == 400
    assert db.session.execute(select(Preference)).first() is None


def test_profile_links_to_the_preferences(client, customer):
    page = client.get("/account/profile").get_data(as_text=True)
    assert 'href="/inbox/preferences"' in page


# --- phone preview -----------------------------------------------------------------------


def test_phone_preview_shows_this_customers_sms_and_push_newest_first(client, customer, topics):
    other = make_user(email="other@example.com", name="Other")
    services.save_preferences(customer.id, {"demo.report": ["email", "sms", "push"]})
    first = _message(customer, "First alert", topic="demo.alert", body="")
    _message(other, "Someone else's alert", topic="demo.alert")
    now = clock.now()
    delivery.deliver_due(now)
    _message(customer, "Then the report", topic="demo.report", body="Up 3%")
    delivery.deliver_due(now + timedelta(minutes=1))

    page = client.get("/inbox/phone").get_data(as_text=True)
    assert "DCX Showcase: First alert" in page
    assert "Then the report — Up 3%" in page  # the push line
    assert "DCX Showcase: Then the report. Up 3%" in page  # the SMS
    assert page.index("Then the report") < page.index("First alert")
    assert "Someone else" not in page
    assert "To: customer@example.com" not in page  # email is not on the phone

    data = client.get("/inbox/phone.json").get_json()
    assert data["unread"] == 2
    assert [m["channel"] for m in data["messages"]][-1] == "sms"
    assert data["messages"][-1]["text"] == "DCX Showcase: First alert"
    assert {m["title"] for m in data["messages"]} == {"First alert", "Then the report"}
    assert first.id  # the inbox row exists alongside


def test_phone_preview_when_nothing_was_sent(client, customer):
    page = client.get("/inbox/phone").get_data(as_text=True)
    assert "No SMS or push message yet." in page
    assert client.get("/inbox/phone.json").get_json() == {"unread": 0, "messages": []}


def test_outbox_is_for_admins_only(client, customer, admin_client):
    assert client.get("/inbox/outbox").status_code == 403
    assert 'id="nav-outbox"' not in client.get("/").get_data(as_text=True)
    assert 'id="nav-outbox"' in admin_client.get("/").get_data(as_text=True)
    assert "The outbox is empty." in admin_client.get("/inbox/outbox").get_data(as_text=True)


def test_message_model_still_unique_per_key(app, topics):
    user = make_user()
    services.notify(user.id, "demo.news", "A", key="k")
    db.session.commit()
    assert db.session.execute(select(Message.key)).scalars().all() == ["k"]


def test_the_inbox_says_when_a_held_sms_will_go(client, customer, topics):
    now = clock.now()
    start = (now - timedelta(hours=1)).time().replace(second=0, microsecond=0)
    end = (now + timedelta(hours=2)).time().replace(second=0, microsecond=0)
    services.set_quiet_hours(customer.id, start, end, "UTC")
    _message(customer, "Quiet please", topic="demo.alert")
    assert delivery.deliver_due(clock.now()) == 0
    held = db.session.execute(select(Delivery)).scalar_one()
    assert held.status == "pending" and held.next_attempt_at.time().replace(second=0) == end
    page = client.get("/inbox/").get_data(as_text=True)
    chip = page[page.index('data-channel="sms" data-status="pending"') :][:600]
    assert "next try" in chip
