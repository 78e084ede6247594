"""What a mail reader and a mail provider get: RFC 5322 headers, a text and an HTML part,
links on the base URL, one-click unsubscribe (RFC 2369, RFC 8058), no seeded history sent.

Every message is delivered over SMTP to aiosmtpd and read back with the standard library's
parser (``policy.default``), as a receiving mail system would.
"""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.notify import delivery, services
from dcx.platform.notify.models import Delivery
from tests.conftest import make_user, smtp_config

BASE = "https://demo.dcx.example"


@pytest.fixture
def app_config(smtp_server):
    return {
        **smtp_config(smtp_server, BASE + "/"),
        "WTF_CSRF_ENABLED": True,  # the one-click POST must pass without a CSRF token
    }


class Links(HTMLParser):
    """Every ``<a href>`` of an HTML part."""

    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.append(dict(attrs)["href"])


def _received(handler) -> list[EmailMessage]:
    return [message_from_bytes(e.content, policy=policy.default) for e in handler.received]


def _send_one(user, body="You saved 120.00 EUR.\n\nWell done & keep <going>."):
    services.notify(user, "demo.report", "Your November report", body, "/banking/report")
    db.session.commit()
    delivery.deliver_due(clock.now())


def test_an_email_has_the_headers_rfc_5322_asks_for(app, topics, smtp_server):
    _, handler = smtp_server
    _send_one(make_user(email="maria@example.com"))

    (email,) = _received(handler)
    assert email["Date"] is not None
    assert abs(email["Date"].datetime - clock.now()) < timedelta(minutes=1)
    assert email["Message-ID"].startswith("<") and email["Message-ID"].endswith(">")
    assert email["Message-ID"].endswith("@demo.dcx.example>")
    assert not email.defects and not email["Date"].defects


def test_the_message_id_is_stable_per_delivery(app, topics):
    user = make_user()
    services.notify(user, "demo.report", "One")
    services.notify(user, "demo.report", "Two")
    db.session.commit()
    ids = list(db.session.execute(select(Delivery.id).where(Delivery.channel == "email")).scalars())
    first, second = delivery.load(ids)
    assert delivery.render_email(first)["Message-ID"] == delivery.render_email(first)["Message-ID"]
    assert delivery.render_email(first)["Message-ID"] != delivery.render_email(second)["Message-ID"]


def test_text_and_html_parts_say_the_same_with_links_on_the_base_url(app, topics, smtp_server):
    _, handler = smtp_server
    _send_one(make_user(email="maria@example.com"))

    (email,) = _received(handler)
    assert email.get_content_type() == "multipart/alternative"
    text = email.get_body(preferencelist=("plain",)).get_content()
    html = email.get_body(preferencelist=("html",)).get_content()
    for part in (text, html):
        assert "Your November report" in part
        assert "You saved 120.00 EUR." in part
    assert "Well done & keep <going>." in text
    assert "Well done &amp; keep &lt;going&gt;." in html
    links = Links()
    links.feed(html)
    assert f"{BASE}/banking/report" in links.hrefs
    assert f"{BASE}/inbox/preferences" in links.hrefs
    assert f"{BASE}/inbox/preferences" in text
    assert all(href.startswith(BASE + "/") for href in links.hrefs)


def test_one_click_unsubscribe_stops_that_kind_of_email_without_signing_in(
    app, topics, smtp_server, client
):
    _, handler = smtp_server
    user = make_user(email="maria@example.com")
    _send_one(user)

    (email,) = _received(handler)
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = str(email["List-Unsubscribe"])
    assert header.startswith(f"<{BASE}/") and header.endswith(">")
    url = header[1:-1]
    assert url in email.get_body(preferencelist=("plain",)).get_content()
    path = urlsplit(url).path

    # a link scanner's GET only asks
    assert client.get(path).status_code == 200
    assert "email" in services.channels_for(user.id, "demo.report")
    # the mail provider's one-click POST (RFC 8058), no session, no CSRF token
    answer = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    assert services.channels_for(user.id, "demo.report") == ("push",)  # push stays

    handler.received.clear()
    _send_one(user, "December")
    assert handler.received == []


def test_an_unsubscribe_token_opens_nothing_else(app, topics, client):
    user = make_user()
    other = make_user(email="other@example.com")
    from dcx.platform.notify.mail import unsubscribe_url

    path = urlsplit(unsubscribe_url(user.id, "demo.report")).path
    assert client.post(path.replace(f"/{user.id}/", f"/{other.id}/")).status_code == 404
    assert client.post(path.replace("demo.report", "demo.alert")).status_code == 404
    assert client.post(path[:-4] + "0000").status_code == 404
    assert "email" in services.channels_for(other.id, "demo.report")


def test_seeded_history_is_never_delivered(app, smtp_server):
    from dcx.platform.showcase.loader import seed_showcase
    from dcx.verticals import registry

    _, handler = smtp_server
    seed_showcase(registry(), "default")
    db.session.commit()
    seeded = db.session.execute(
        select(func.count()).where(Delivery.channel == "email")
    ).scalar_one()
    assert seeded > 0  # the personas have a history of emails in their inbox

    delivery.deliver_due(clock.now())
    assert handler.received == []
    statuses = set(
        db.session.execute(select(Delivery.status).where(Delivery.channel == "email")).scalars()
    )
    assert statuses == {"skipped"}

    # what happens after the seed is mail again
    services.notify(make_user(email="new@example.com"), "banking.advisor_note", "New")
    db.session.commit()
    delivery.deliver_due(clock.now())
    assert [e["To"] for e in _received(handler)] == ["new@example.com"]
