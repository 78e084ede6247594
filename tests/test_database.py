"""Shared model helpers in ``dcx.database``."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import bindparam, text
from werkzeug.exceptions import NotFound

from dcx.database import (
    ids_in,
    insert_ignoring_duplicates,
    insert_many_ignoring_duplicates,
    owned_or_404,
    rows_where,
)
from dcx.extensions import db
from dcx.platform.accounts.models import User
from dcx.platform.timeline.models import Event
from tests.conftest import make_user


def test_ids_in_answers_which_of_the_ids_a_column_holds_in_one_query(app, query_counter):
    first = make_user(email="one@example.com")
    second = make_user(email="two@example.com")
    one, two = first.id, second.id
    with query_counter() as count:
        assert ids_in(User.id, [one, two + 100, two]) == {one, two}
    assert count() == 1
    assert ids_in(User.id, iter([])) == set()


def test_rows_where_lists_the_rows_that_meet_every_criterion_in_order(app):
    ids = [make_user(email=f"u{i}@example.com", name=f"U{i}").id for i in range(3)]
    found = rows_where(User, User.id.in_(ids), User.name != "U1", order_by=(User.id.desc(),))
    assert [u.id for u in found] == [ids[2], ids[0]]
    assert rows_where(User, User.id == -1) == []


def test_owned_or_404_answers_404_for_an_id_no_integer_column_holds(app):
    user = make_user(email="owner@example.com")
    assert owned_or_404(User, user.id, user.id, owner_attr="id") is user
    for ident in (2**40, -(2**40), "x", None):
        with pytest.raises(NotFound):
            owned_or_404(User, ident, user.id, owner_attr="id")


def _stored(keys):
    """The timeline rows of ``keys`` as the database holds them (no type conversion)."""
    return db.session.execute(
        text(
            "SELECT user_id, vertical, kind, subject, summary, data, link, private, occurred_at"
            " FROM timeline_event WHERE key IN :keys ORDER BY key"
        ).bindparams(bindparam("keys", expanding=True)),
        {"keys": keys},
    ).all()


def test_insert_many_stores_what_the_orm_would_in_one_statement(app, query_counter):
    user_id = make_user().id
    at = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
    instants = [
        at,
        at + timedelta(microseconds=1),
        at.replace(microsecond=0),
        at + timedelta(days=1),
    ]

    def rows(prefix):
        return [
            {
                "user_id": user_id,
                "vertical": "banking",
                "kind": "salary",
                "subject": f"Pay {n}",
                "data": {"n": n, "text": "é"},
                "private": n % 2 == 1,
                "key": f"{prefix}{n}",
                "occurred_at": when,
            }
            for n, when in enumerate(instants)
        ]

    db.session.execute(insert_ignoring_duplicates(Event), rows("core-"))
    with query_counter() as count:
        assert insert_many_ignoring_duplicates(Event.__table__, rows("fast-")) == 4
    assert count() == 1
    core, fast = _stored([f"core-{n}" for n in range(4)]), _stored([f"fast-{n}" for n in range(4)])
    assert fast == core  # the same stored text, timestamps included
    read = rows_where(Event, Event.key.like("fast-%"), order_by=(Event.key,))
    assert [(e.occurred_at, e.data, e.private, e.summary, e.link) for e in read] == [
        (when, {"n": n, "text": "é"}, n % 2 == 1, "", "") for n, when in enumerate(instants)
    ]
    # range queries through the ORM compare them as the ORM's own values
    assert {
        e.key
        for e in rows_where(
            Event,
            Event.occurred_at >= at + timedelta(microseconds=1),
            Event.occurred_at < at + timedelta(days=1),
        )
    } == {"core-1", "fast-1"}
    # a duplicate (customer, key) is skipped, and a left-out column gets its default
    again = [
        {"user_id": user_id, "vertical": "banking", "kind": "k", "subject": "s", "key": k}
        for k in ("fast-0", "fast-new")
    ]
    insert_many_ignoring_duplicates(Event.__table__, again)
    assert rows_where(Event, Event.key == "fast-0")[0].subject == "Pay 0"
    new = rows_where(Event, Event.key == "fast-new")[0]
    assert (new.data, new.private, new.occurred_at.tzinfo) == ({}, False, UTC)
    assert insert_many_ignoring_duplicates(Event.__table__, []) == 0
