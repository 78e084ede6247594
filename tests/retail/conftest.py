"""Factories for the bookstore's tests: books, customers, orders and events."""

from __future__ import annotations

from datetime import timedelta
from itertools import count

import pytest

from dcx.extensions import db
from dcx.platform import clock
from dcx.retail import services
from dcx.retail.models import RetailEvent
from tests.conftest import make_user

_isbn_counter = count(1)


def _isbn() -> str:
    first12 = f"979{next(_isbn_counter):09d}"
    return first12 + str(services.isbn13_check_digit(first12))


@pytest.fixture
def book_factory(app):
    """``book_factory("Title", subjects=["Mystery"], authors=["A"], stock=3)``."""

    def _make(title="A Book", authors=("Ann Author",), subjects=("Fiction",), price=1500, stock=5):
        book = services.add_book(_isbn(), title, authors, subjects, price, stock=stock)
        db.session.commit()
        return book

    return _make


@pytest.fixture
def customer_factory(app):
    """``customer_factory("bo")`` creates bo@example.com."""

    def _make(name: str):
        return make_user(email=f"{name}@example.com", name=name.title())

    return _make


@pytest.fixture
def event_factory(app):
    """An event starting in ``days`` with ``capacity`` seats."""

    def _make(capacity=2, days=3, kind="in_store", slug=None):
        starts = clock.now().replace(microsecond=0) + timedelta(days=days)
        event = RetailEvent(
            slug=slug or f"event-{capacity}-{days}-{kind}",
            title="Author talk",
            description="An evening with an author.",
            kind=kind,
            link="https://meet.example/talk" if kind == "virtual" else "",
            address="" if kind == "virtual" else "12 Linden Street",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            capacity=capacity,
        )
        db.session.add(event)
        db.session.commit()
        return event

    return _make
