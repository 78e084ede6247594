"""The city's Atom feed and the calendar feed as clients read them (RFC 4287, RFC 7232).

feedparser reads the feed as feed readers do; conditional requests are the ones a reader or a
calendar app sends when it polls.
"""

from __future__ import annotations

from datetime import timedelta

import feedparser
import pytest

from dcx.extensions import db
from dcx.government import photos, repairs, workspace
from dcx.platform import clock
from dcx.platform.timeline.calendar import feed_secret
from tests.conftest import make_user


@pytest.fixture
def app_config():
    return {"DCX_BASE_URL": "https://city.example/", "DCX_TAG_AUTHORITY": "city.example,2026"}


def _fix_one(city):
    repair = photos.report_repair(city.citizen.id, "pothole", workspace.streets()[0], "", "Hole")
    repair.status = "in_progress"
    repairs.transition(repair, "fixed")
    db.session.commit()
    return repair


def test_entry_ids_are_permanent_tag_uris_whatever_the_host(city, client):
    _fix_one(city)
    one = feedparser.parse(client.get("/government/updates.atom").data)
    other = feedparser.parse(
        client.get("/government/updates.atom", base_url="http://203.0.113.9:8080").data
    )
    assert not one.bozo, one.get("bozo_exception")
    assert one.feed.id == "tag:city.example,2026:government/updates"
    ids = [e.id for e in one.entries]
    assert ids and all(i.startswith("tag:city.example,2026:government/update/") for i in ids)
    assert [e.id for e in other.entries] == ids
    assert all(e.link.startswith("https://city.example/government/status") for e in one.entries)
    assert "203.0.113.9" not in client.get(
        "/government/updates.atom", base_url="http://203.0.113.9"
    ).get_data(as_text=True)


def test_the_feed_says_the_language_of_its_entries_not_of_the_visitor(city, client):
    _fix_one(city)
    parsed = feedparser.parse(
        client.get("/government/updates.atom", headers={"Accept-Language": "ro"}).data
    )
    assert parsed.feed.language == "en"
    assert parsed.entries[0].title.startswith("Fixed:")  # written in English


def test_the_feed_answers_conditional_requests(city, client):
    _fix_one(city)
    first = client.get("/government/updates.atom")
    assert first.status_code == 200
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    parsed = feedparser.parse(first.data)
    assert parsed.entries

    assert (
        client.get("/government/updates.atom", headers={"If-None-Match": etag}).status_code == 304
    )
    since = client.get("/government/updates.atom", headers={"If-Modified-Since": modified})
    assert since.status_code == 304 and since.data == b""

    clock.advance(timedelta(minutes=5))
    _fix_one(city)  # something new: the same tag no longer matches
    again = client.get("/government/updates.atom", headers={"If-None-Match": etag})
    assert again.status_code == 200 and again.headers["ETag"] != etag
    assert len(feedparser.parse(again.data).entries) == 2


def test_the_calendar_feed_answers_conditional_requests(app, client):
    from dcx.banking.models import BankingBill

    user = make_user("cal@example.com")
    due = clock.today() + timedelta(days=5)
    db.session.add(BankingBill(user_id=user.id, name="Rent", amount_minor=1000, next_due_on=due))
    db.session.commit()
    url = f"/calendar/{user.id}/{feed_secret(user)}.ics"
    first = client.get(url)
    assert first.status_code == 200 and first.headers["ETag"]
    assert b"DTSTAMP" in first.data
    clock.advance(timedelta(minutes=1))  # DTSTAMP moves, the calendar does not
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
