"""``record_bulk``: many timeline events at once, each stored exactly as ``record`` would.

Seeds and jobs write events for thousands of customers; these tests hold the bulk path to the
one-at-a-time one (same columns, keys once, private health, each owner's language) and to a
fixed number of queries.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.accounts.models import User
from dcx.platform.timeline import services
from dcx.platform.timeline.models import Event
from dcx.platform.timeline.services import record, record_bulk
from tests.conftest import insert_customers, make_user, marked, marked_catalogue, speaking

SUBJECT = "Report #%(number)s fixed"
SUMMARY = "Your care team was alerted."
STORED = ("vertical", "kind", "subject", "summary", "data", "link", "private", "key", "occurred_at")
WHEN = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


@pytest.fixture
def app_config(tmp_path):
    """A Spanish catalogue translating the two lazy texts below to ``[es] <msgid>``."""
    return marked_catalogue(tmp_path, (SUBJECT, SUMMARY))


@pytest.fixture(autouse=True)
def _fresh_catalogues(fresh_catalogues):
    """Each test starts and ends with Flask-Babel's shared catalogue cache empty."""


def _stored(user_id: int) -> list[dict]:
    """The customer's events as stored (every column but the id and owner), in order written."""
    events = db.session.execute(
        select(Event).where(Event.user_id == user_id).order_by(Event.id)
    ).scalars()
    return [{column: getattr(event, column) for column in STORED} for event in events]


def _story() -> list[dict]:
    """Events of every shape ``record`` accepts: lazy and plain texts, too long ones, data,
    a private vertical, no key, no summary, no link."""
    return [
        {
            "vertical": "government",
            "kind": "repair_fixed",
            "subject": _l(SUBJECT, number=7),
            "summary": "King Street",
            "link": "/government/reports/7",
            "key": "government.repair_fixed:7:1",
            "occurred_at": WHEN,
        },
        {
            "vertical": "health",
            "kind": "crisis_reading",
            "subject": _l("Very high blood pressure recorded"),
            "summary": _l(SUMMARY),
            "data": {"observation_id": 3},
            "link": "/health/vitals",
            "key": "health.crisis:3",
            "occurred_at": WHEN + timedelta(hours=1),
        },
        {
            "vertical": "banking",
            "kind": "goal_created",
            "subject": "A" * 250,  # cut to the column's 200 characters
            "summary": "B" * 1000,  # a Text column: kept whole
            "link": "/" + "c" * 600,  # cut to 500
            "occurred_at": WHEN + timedelta(hours=2),
        },
        {
            "vertical": "retail",
            "kind": "group_joined",
            "subject": "You joined the crime club",
            "key": "retail.group:1",
            "occurred_at": WHEN + timedelta(hours=3),
        },
    ]


def test_record_bulk_stores_the_same_rows_as_record_one_by_one(app):
    one_by_one, in_bulk = insert_customers(2)
    for row in _story():
        record(one_by_one, **row)
    owner = db.session.get(User, in_bulk)  # a user, like record's first argument, or an id
    rows = [{**row, "user_id": owner if n == 0 else in_bulk} for n, row in enumerate(_story())]
    assert record_bulk(rows) == 4
    db.session.commit()
    expected = _stored(one_by_one)
    assert _stored(in_bulk) == expected
    assert len(expected[2]["subject"]) == 200 and len(expected[2]["link"]) == 500
    assert [row["private"] for row in expected] == [False, True, False, False]


def test_an_event_without_a_time_happens_now(app):
    (customer,) = insert_customers(1)
    before = clock.now()
    record_bulk([{"user_id": customer, "vertical": "banking", "kind": "k", "subject": "s"}])
    event = db.session.execute(select(Event).where(Event.user_id == customer)).scalar_one()
    assert before <= event.occurred_at <= clock.now()
    assert (event.summary, event.data, event.link, event.key) == ("", {}, "", None)


def _joined(user_id: int, subject: str, key: str | None) -> dict:
    return {
        "user_id": user_id,
        "vertical": "retail",
        "kind": "group_joined",
        "subject": subject,
        "key": key,
    }


@pytest.mark.parametrize("chunk", [5_000, 2], ids=["one chunk", "chunks of two"])
def test_keys_already_recorded_or_repeated_in_the_batch_are_skipped(app, monkeypatch, chunk):
    monkeypatch.setattr(services, "RECORD_BULK_CHUNK", chunk)  # a repeat across chunks too
    alice, bob = insert_customers(2)
    record(alice, "retail", "group_joined", "First join", key="retail.group:1")
    rows = [
        _joined(alice, "Again", "retail.group:1"),  # alice has it already
        _joined(bob, "Bob joins", "retail.group:1"),  # the same key string is bob's own
        _joined(alice, "Second club", "retail.group:2"),
        _joined(alice, "No key", None),
        _joined(alice, "No key", None),  # events without a key are never skipped
        _joined(alice, "Second club again", "retail.group:2"),  # a repeat: the first wins
    ]
    assert record_bulk(rows) == 4
    db.session.commit()
    subjects = [row["subject"] for row in _stored(alice)]
    assert subjects == ["First join", "Second club", "No key", "No key"]
    assert [row["subject"] for row in _stored(bob)] == ["Bob joins"]
    assert record_bulk(rows) == 2  # a rerun adds only the events without a key
    assert record_bulk([]) == 0


def test_a_private_verticals_events_are_private(app):
    (customer,) = insert_customers(1)
    rows = [
        {"user_id": customer, "vertical": key, "kind": "k", "subject": key, "key": key}
        for key in ("health", "banking", "not-loaded")
    ]
    record_bulk(rows)
    stored = db.session.execute(select(Event.vertical, Event.private)).all()
    private = {vertical: flag for vertical, flag in stored}
    assert private == {"health": True, "banking": False, "not-loaded": False}


def test_lazy_texts_are_written_in_each_owners_language(app):
    spanish = speaking(make_user(email="es@example.com"), "es")
    english = speaking(make_user(email="en@example.com"), "en")
    browser = make_user(email="browser@example.com")  # no choice: the site's language
    rows = [
        {
            "user_id": user.id,
            "vertical": "health",
            "kind": "crisis_reading",
            "subject": _l(SUBJECT, number=7),
            "summary": _l(SUMMARY),
            "key": "health.crisis:1",
            "occurred_at": WHEN,
        }
        for user in (spanish, english, browser)
    ]
    with force_locale("es"):  # whoever causes the events speaks Spanish
        assert record_bulk(rows) == 3
    written = {
        user_id: (subject, summary)
        for user_id, subject, summary in db.session.execute(
            select(Event.user_id, Event.subject, Event.summary)
        )
    }
    assert written[spanish.id] == (marked(SUBJECT) % {"number": 7}, marked(SUMMARY))
    assert written[english.id] == written[browser.id] == ("Report #7 fixed", SUMMARY)

    # and exactly what record writes for a Spanish customer
    other = speaking(make_user(email="es2@example.com"), "es")
    record(other.id, **{k: v for k, v in rows[0].items() if k != "user_id"})
    assert _stored(other.id) == _stored(spanish.id)


@pytest.mark.parametrize("lazy", [False, True], ids=["plain", "lazy"])
def test_record_bulk_runs_the_same_queries_for_ten_or_a_hundred_events(app, query_counter, lazy):
    customers = insert_customers(110)
    clock.now()  # the demo clock's offset is read once per app context: read it now

    def rows(owners: list[int]) -> list[dict]:
        return [
            {
                "user_id": owner,
                "vertical": "government",
                "kind": "repair_fixed",
                "subject": _l(SUBJECT, number=n) if lazy else f"Report #{n} fixed",
                "key": f"government.repair_fixed:{n}:1",
            }
            for n, owner in enumerate(owners)
        ]

    with query_counter() as ten:
        assert record_bulk(rows(customers[:10])) == 10
    with query_counter() as hundred:
        assert record_bulk(rows(customers[10:])) == 100
    # the keys already recorded and the insert; with lazy texts, the owners' languages
    # (and the site's default language) too
    assert ten() == hundred() <= (4 if lazy else 2)
    assert len(db.session.execute(select(Event.id)).all()) == 110
