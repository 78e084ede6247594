"""No English left in what the bookstore builds in Python: errors, ratings, star choices,
timeline entries, calendar entries and the staff summary card follow the reader's language.

The app's real Spanish texts arrive later, so these tests install a catalogue of their own
that translates each message id they look for to ``[es] <msgid>``: seeing that on a page proves
the text went through gettext in the reader's locale. Decimal signs come from the locale data
(CLDR), which needs no catalogue.
"""

from __future__ import annotations

import re

import pytest
from flask_babel import LazyString, force_locale
from sqlalchemy import select

from dcx.extensions import db
from dcx.platform.timeline.models import Event as TimelineEvent
from dcx.retail import recommender, reviews, services, store_events
from dcx.retail.forms import HALF_STARS
from tests.conftest import AuthActions, make_user, marked, marked_catalogue

TRANSLATED = (
    "Choose at least one book.",
    "%(title)s is out of stock.",
    "Your seat at %(title)s",
    "Promoted from the waitlist",
    "%(title)s (waitlist)",
    "%(n)s out of 5 stars",
)


spanish = marked  # what the test catalogue makes of a message id


@pytest.fixture
def app_config(tmp_path):
    """Translations from a Spanish catalogue holding only the texts these tests look for."""
    return marked_catalogue(tmp_path, TRANSLATED)


@pytest.fixture(autouse=True)
def _fresh_catalogues(fresh_catalogues):
    """Each test starts and ends with Flask-Babel\'s shared catalogue cache empty."""


def signed_in(app, email: str, locale: str = "es", **fields):
    """A new user reading the site in ``locale``, and a client signed in as them."""
    user = make_user(email=email, name=email.split("@")[0].title(), **fields)
    user.locale = locale
    db.session.commit()
    client = app.test_client()
    AuthActions(client).login(email)
    return user, client


def test_errors_are_lazy_and_shown_in_the_visitors_language(app, book_factory):
    with pytest.raises(services.RetailError) as info:
        services.place_order(1, [])
    assert isinstance(info.value.args[0], LazyString)
    assert str(info.value) == "Choose at least one book."
    with force_locale("es"):
        assert str(info.value) == spanish("Choose at least one book.")

    book = book_factory("Sold Out", stock=0)
    _, client = signed_in(app, "ana@example.com")
    page = client.post(f"/retail/books/{book.id}/buy", follow_redirects=True)
    assert "[es] Sold Out is out of stock." in page.get_data(as_text=True)


def test_ratings_are_written_with_the_visitors_decimal_sign(app, book_factory, users):
    book = book_factory("Signals")
    for name, half in (("a", 10), ("b", 7)):
        reviews.save_review(users(f"{name}@example.com", name=name).id, book.id, half, "T", "B")
    db.session.commit()
    _, client = signed_in(app, "ana@example.com")
    body = client.get(f"/retail/books/{book.id}").get_data(as_text=True)
    assert "<strong>4,25</strong>" in body and "<strong>4.25</strong>" not in body
    assert "[es] 4,25 out of 5 stars" in body  # the screen reader's text
    chart = body[body.index('class="dcx-chart') :]
    # Horizontal bars: the ratings are the labels of the chart's y axis (the x axis counts).
    ratings = chart[chart.index('<g class="axis y') : chart.index('<g class="axis x')]
    labels = re.findall(r">([0-9][0-9.,]*)</text>", ratings)
    assert labels == ["0,5", "1", "1,5", "2", "2,5", "3", "3,5", "4", "4,5", "5"]

    english = app.test_client().get(f"/retail/books/{book.id}").get_data(as_text=True)
    assert "<strong>4.25</strong>" in english


def test_star_choices_follow_the_visitors_locale(app, book_factory):
    book = book_factory("Signals")
    assert all(isinstance(choice.label, LazyString) for choice in HALF_STARS)
    _, client = signed_in(app, "ana@example.com")
    body = client.get(f"/retail/books/{book.id}/review").get_data(as_text=True)
    assert '<option value="9">4,5 ★</option>' in body
    assert '<option value="10">5 ★</option>' in body
    assert "4.5 ★" not in body
    _, english = signed_in(app, "bo@example.com", locale="en")
    body = english.get(f"/retail/books/{book.id}/review").get_data(as_text=True)
    assert '<option value="9">4.5 ★</option>' in body


def test_staff_top_titles_show_averages_in_the_booksellers_locale(app, book_factory, users):
    book = book_factory("Signals")
    for name, half in (("a", 10), ("b", 7)):
        reviews.save_review(users(f"{name}@example.com", name=name).id, book.id, half, "T", "B")
    db.session.commit()
    _, client = signed_in(app, "seller@example.com", role="staff", department="retail")
    body = client.get("/retail/staff").get_data(as_text=True)
    top = body[body.index('id="retail-top-reviewed"') :]
    assert "4,25★" in top[: top.index("</ol>")]


def test_a_seat_freed_by_someone_else_is_recorded_in_the_promoted_customers_language(
    app, event_factory
):
    event = event_factory(capacity=1)
    leaving = make_user(email="leaving@example.com", name="Leaving")  # reads English
    waiting, _ = signed_in(app, "waiting@example.com")
    store_events.answer_event(event, leaving.id, "going")
    assert store_events.answer_event(event, waiting.id, "going").status == "waitlisted"
    store_events.answer_event(event, leaving.id, "not_going")
    db.session.commit()
    entries = db.session.execute(
        select(TimelineEvent.subject, TimelineEvent.summary).where(
            TimelineEvent.user_id == waiting.id, TimelineEvent.kind == "seat_confirmed"
        )
    ).all()
    assert entries == [("[es] Your seat at Author talk", spanish("Promoted from the waitlist"))]


def test_a_waitlisted_event_in_the_calendar_says_so_in_the_current_locale(app, event_factory):
    event = event_factory(capacity=1)
    first = make_user(email="first@example.com", name="First")
    second = make_user(email="second@example.com", name="Second")
    store_events.answer_event(event, first.id, "going")
    store_events.answer_event(event, second.id, "going")
    with force_locale("es"):
        titles = [e.title for e in store_events.calendar(second.id)]
    assert titles == ["[es] Author talk (waitlist)"]
    assert [e.title for e in store_events.calendar(second.id)] == ["Author talk (waitlist)"]
    assert [e.title for e in store_events.calendar(first.id)] == ["Author talk"]


def test_summary_card_counts_with_plural_forms(app, book_factory, customer_factory):
    bo = customer_factory("bo")
    first, second = book_factory("One"), book_factory("Two")
    services.place_order(bo.id, [first.id])
    reviews.save_review(bo.id, first.id, 8, "Good", "")
    assert recommender.summary_card(bo.id)["lines"][:2] == ["1 order", "1 review, 0 book clubs"]
    services.place_order(bo.id, [second.id])
    reviews.save_review(bo.id, second.id, 6, "Fine", "")
    assert recommender.summary_card(bo.id)["lines"][:2] == ["2 orders", "2 reviews, 0 book clubs"]
