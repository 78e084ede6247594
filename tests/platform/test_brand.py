"""One brand everywhere: a branded showcase names itself on pages, in SMS, in calendar files
and in the API's documentation, and the configured name stands before any showcase is loaded."""

from __future__ import annotations

from icalendar import Calendar

from dcx.extensions import db
from dcx.platform import brand
from dcx.platform.notify.delivery import render_sms
from dcx.platform.notify.models import Message
from dcx.platform.showcase.models import ShowcaseState
from dcx.platform.timeline.calendar import feed_secret
from tests.conftest import make_user


def _load_acme() -> None:
    db.session.add(
        ShowcaseState(id=1, name="acme", brand_name="Acme Group", brand_colour="#8b0000")
    )
    db.session.commit()


def test_the_configured_name_stands_until_a_showcase_is_loaded(app):
    assert brand.current() == {"name": app.config["DCX_BRAND"], "colour": brand.DEFAULT_COLOUR}
    _load_acme()
    assert brand.current() == {"name": "Acme Group", "colour": "#8b0000"}


def test_a_branded_showcase_signs_sms_calendar_feeds_and_the_api(app, client):
    _load_acme()
    user = make_user("ada@example.com", "Ada Acme")
    sms = render_sms(Message(user_id=user.id, topic="demo", title="Your card", body="Ready."))
    assert sms == "Acme Group: Your card. Ready."

    feed = client.get(f"/calendar/{user.id}/{feed_secret(user)}.ics")
    assert feed.status_code == 200
    cal = Calendar.from_ical(feed.data)
    assert str(cal["x-wr-calname"]) == "Acme Group: Ada Acme"
    assert "-//Acme Group//" in str(cal["prodid"])

    assert client.get("/api/v1/openapi.json").get_json()["info"]["title"].startswith("Acme Group")
    assert "Acme Group" in client.get("/").get_data(as_text=True)


def test_a_page_reads_the_loaded_showcase_once(app, client, customer):
    """The brand, the language and the showcase's name share one read of its row a request."""
    from tests.page_cost import page_cost

    _load_acme()
    with page_cost(db.engine) as cost:
        page = client.get("/account/profile")
    assert page.status_code == 200
    assert b"Acme Group" in page.data
    assert sum("FROM showcase_state" in sql for sql in cost.sql) == 1
