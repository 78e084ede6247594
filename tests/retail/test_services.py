"""The bookstore's rules, called directly: ISBNs, the recommender, ratings, the waitlist."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.notify.models import Message
from dcx.retail import reading_groups, recommender, reviews, services, store_events
from dcx.retail.models import RetailOrder, RetailRsvp
from dcx.retail.services import RetailError


@pytest.mark.parametrize(
    "isbn,valid",
    [
        ("9780306406157", True),
        ("978-0-306-40615-7", True),
        ("9780306406158", False),  # wrong check digit
        ("0306406152", False),  # ISBN-10
        ("9770306406157", False),  # not a book prefix
        ("97803064061x7", False),
        ("", False),
    ],
)
def test_isbn13_checksum(isbn, valid):
    assert services.isbn13_is_valid(isbn) is valid


def test_add_book_refuses_a_bad_or_duplicate_isbn(app):
    services.add_book("9780306406157", "Signals", ["A. Writer"], ["Science"], 1999, stock=2)
    with pytest.raises(RetailError):
        services.add_book("9780306406158", "Typo", ["B"], ["X"], 999)
    with pytest.raises(RetailError):
        services.add_book("978-0-306-40615-7", "Again", ["B"], ["X"], 999)


def test_search_filters_by_words_subject_and_author(app, book_factory):
    book_factory("The Silent Harbour", authors=["Ines Novak"], subjects=["Mystery"])
    book_factory("Deep Tides", authors=["Hugo Rask"], subjects=["Science", "Travel"])
    book_factory("Silent Orbit", authors=["Hugo Rask"], subjects=["Science"])

    def titles(**kw):
        return [b.title for b in db.session.execute(services.search_books(**kw)).scalars()]

    assert titles(q="silent") == ["Silent Orbit", "The Silent Harbour"]
    assert titles(subject="Travel") == ["Deep Tides"]
    assert titles(author="Hugo Rask", q="orbit") == ["Silent Orbit"]
    assert services.all_subjects() == ["Mystery", "Science", "Travel"]


# --- recommender -----------------------------------------------------------------------------


def test_cosine_ranking_on_a_known_purchase_matrix():
    # Buyers per book:   A: u1 u2 u3   B: u1 u2   C: u1   D: u3 u4   E: u4
    buyers_of = {"A": {1, 2, 3}, "B": {1, 2}, "C": {1}, "D": {3, 4}, "E": {4}}
    ids = {name: i for i, name in enumerate("ABCDE", start=1)}
    co = {}
    for x, ux in buyers_of.items():
        for y, uy in buyers_of.items():
            if x != y and ux & uy:
                co[(ids[x], ids[y])] = len(ux & uy)
    buyers = {ids[x]: len(u) for x, u in buyers_of.items()}
    # A customer who owns only A: cos(A,B)=2/sqrt(6)=.8165, cos(A,C)=1/sqrt(3)=.5774,
    # cos(A,D)=1/sqrt(6)=.4082; E was never bought with A.
    ranked = recommender.rank_by_cosine({ids["A"]}, co, buyers)
    assert [(j, round(s, 4), because) for j, s, because in ranked] == [
        (ids["B"], 0.8165, ids["A"]),
        (ids["C"], 0.5774, ids["A"]),
        (ids["D"], 0.4082, ids["A"]),
    ]
    # Owning A and D: E joins through D (cos(D,E)=1/sqrt(2)=.7071), B still leads, and
    # owned books are never suggested.
    ranked = recommender.rank_by_cosine({ids["A"], ids["D"]}, co, buyers)
    assert [j for j, _s, _b in ranked] == [ids["B"], ids["E"], ids["C"]]
    assert dict((j, b) for j, _s, b in ranked)[ids["E"]] == ids["D"]


def test_ranking_from_the_pairs_by_book_is_the_ranking_from_all_pairs():
    # monthly_picks ranks every customer from co indexed once by book: the same scores and
    # reasons, to the last bit, as reading every pair of the catalogue.
    draw = random.Random(7)
    books = range(1, 41)
    co = {}
    for i in books:
        for j in draw.sample(books, 12):
            if i != j:
                co[(i, j)] = draw.randint(1, 9)
    buyers = {i: draw.randint(9, 30) for i in books}
    by_book = recommender.pairs_by_book(co, buyers)
    for _ in range(200):
        owned = set(draw.sample(books, draw.randint(1, 8)))
        assert recommender.rank_by_cosine(owned, co, buyers, 9, by_book) == (
            recommender.rank_by_cosine(owned, co, buyers, 9)
        )


def test_recommendations_come_from_co_purchases_with_reasons(app, book_factory, customer_factory):
    a = book_factory("Alpha")
    b = book_factory("Beta")
    c = book_factory("Gamma")
    lonely = book_factory("Delta")
    alex, u1, u2 = (customer_factory(n) for n in ("alex", "uno", "dos"))
    services.place_order(u1.id, [a.id, b.id])
    services.place_order(u2.id, [a.id, b.id, c.id])
    services.place_order(alex.id, [a.id])
    db.session.commit()
    recs = recommender.recommend(alex.id, limit=2)
    assert [r.book.title for r in recs] == ["Beta", "Gamma"]
    assert recs[0].reason == "Because you bought Alpha"
    assert recs[0].because.id == a.id
    assert all(r.book.id != a.id for r in recommender.recommend(alex.id, limit=10))
    # Asked for more than co-purchases give, the fallback fills in with its own reason.
    more = recommender.recommend(alex.id, limit=3)
    assert more[2].book.id == lonely.id
    assert more[2].reason == "More by Ann Author, whom you read"


def test_recommender_counts_co_purchases_in_a_constant_number_of_queries(
    app, book_factory, customer_factory, query_counter
):
    books = [book_factory(f"Book {i}", stock=50) for i in range(12)]
    for n in range(10):
        user = customer_factory(f"reader{n}")
        services.place_order(user.id, [books[n].id, books[n + 1].id, books[n + 2].id])
    alex = customer_factory("alex")
    services.place_order(alex.id, [books[0].id, books[5].id])
    db.session.commit()
    with query_counter() as q:
        recommender.recommend(alex.id, limit=4)
    assert q() <= 6


def test_new_customer_gets_subject_and_author_matches_then_best_sellers(
    app, book_factory, customer_factory
):
    liked = book_factory("Harbour Lights", authors=["Ines Novak"], subjects=["Mystery"])
    same_author = book_factory("Cold Alibi", authors=["Ines Novak"], subjects=["Crime"])
    same_subject = book_factory("Crooked Key", authors=["Other Person"], subjects=["Mystery"])
    popular = book_factory("Bread", authors=["Cook"], subjects=["Cooking"])
    buyer = customer_factory("buyer")
    services.place_order(buyer.id, [popular.id])
    newbie = customer_factory("newbie")
    services.shelve(newbie.id, liked.id, "want")
    db.session.commit()
    recs = {r.book.id: r.reason for r in recommender.recommend(newbie.id, limit=4)}
    assert recs[same_author.id] == "More by Ines Novak, whom you read"
    assert recs[same_subject.id] == "Because you like Mystery"
    brand_new = customer_factory("brandnew")
    first = recommender.recommend(brand_new.id, limit=1)[0]
    assert first.book.id == popular.id
    assert first.reason == "Popular with readers at the shop"


# --- orders and the café table ---------------------------------------------------------------


def test_order_takes_stock_and_refuses_out_of_stock(app, book_factory, customer_factory):
    book = book_factory("Only One", stock=1, price=1250)
    bo = customer_factory("bo")
    order = services.place_order(bo.id, [book.id])
    assert order.total_minor == 1250 and book.stock == 0
    with pytest.raises(RetailError, match="out of stock"):
        services.place_order(bo.id, [book.id])


def test_cafe_reservation_keep_and_return(app, book_factory, customer_factory):
    keep, give_back = book_factory("Keep Me", price=1000), book_factory("Return Me", price=2000)
    bo = customer_factory("bo")
    tomorrow = clock.today() + timedelta(days=1)
    reservation = services.reserve_for_cafe(bo.id, tomorrow, [keep.id, give_back.id])
    db.session.commit()
    assert reservation.open
    items = {i.book_id: i.id for i in reservation.items}
    services.decide_reservation_item(reservation, items[keep.id], "kept")
    services.decide_reservation_item(reservation, items[give_back.id], "returned")
    db.session.commit()
    assert not reservation.open
    order = db.session.get(RetailOrder, reservation.order_id)
    assert order.source == "cafe" and order.total_minor == 1000
    assert [line.book_id for line in order.lines] == [keep.id]
    assert keep.stock == 4 and give_back.stock == 5
    with pytest.raises(RetailError):
        services.decide_reservation_item(reservation, items[keep.id], "returned")


def test_cafe_reservation_rules(app, book_factory, customer_factory):
    book = book_factory()
    bo = customer_factory("bo")
    with pytest.raises(RetailError, match="two weeks"):
        services.reserve_for_cafe(bo.id, clock.today() - timedelta(days=1), [book.id])
    with pytest.raises(RetailError, match="two weeks"):
        services.reserve_for_cafe(bo.id, clock.today() + timedelta(days=30), [book.id])
    many = [book_factory(f"B{i}").id for i in range(6)]
    with pytest.raises(RetailError, match="between 1 and 5"):
        services.reserve_for_cafe(bo.id, clock.today(), many)


# --- shelves ---------------------------------------------------------------------------------


def test_reading_goal_progress(app, book_factory, customer_factory):
    bo = customer_factory("bo")
    books = [book_factory(f"B{i}") for i in range(3)]
    services.set_goal(bo.id, clock.today().year, 4)
    services.shelve(bo.id, books[0].id, "read")
    services.shelve(bo.id, books[1].id, "read")
    services.shelve(bo.id, books[2].id, "reading")
    progress = services.goal_progress(bo.id, clock.today().year)
    assert (progress.target, progress.read, progress.percent) == (4, 2, 50)
    services.shelve(bo.id, books[1].id, "")
    assert services.goal_progress(bo.id, clock.today().year).read == 1
    with pytest.raises(RetailError):
        services.set_goal(bo.id, 2026, 0)


# --- reviews ---------------------------------------------------------------------------------


def test_rating_average_and_distribution(app, book_factory, customer_factory):
    book = book_factory()
    for name, half in (("a", 10), ("b", 9), ("c", 4), ("d", 10)):
        reviews.save_review(customer_factory(name).id, book.id, half, "t", "b")
    summary = reviews.rating_summary(book.id)
    assert summary.count == 4
    assert summary.average == 4.12  # (5 + 4.5 + 2 + 5) / 4 = 4.125, rounded half-even
    assert summary.distribution[10] == 2 and summary.distribution[9] == 1
    assert summary.distribution[4] == 1 and sum(summary.distribution.values()) == 4


def test_one_review_per_customer_is_edited_not_duplicated(app, book_factory, customer_factory):
    book, bo = book_factory(), customer_factory("bo")
    first = reviews.save_review(bo.id, book.id, 6, "Fine", "ok")
    second = reviews.save_review(bo.id, book.id, 9, "Grew on me", "better")
    assert first.id == second.id
    summary = reviews.rating_summary(book.id)
    assert summary.count == 1 and summary.average == 4.5
    with pytest.raises(RetailError):
        reviews.save_review(bo.id, book.id, 11, "x", "y")
    with pytest.raises(RetailError):
        reviews.save_review(bo.id, book.id, 0, "x", "y")


def test_helpful_votes_once_and_never_on_own_review(app, book_factory, customer_factory):
    book, bo, cy = book_factory(), customer_factory("bo"), customer_factory("cy")
    review = reviews.save_review(bo.id, book.id, 8, "Good", "")
    assert reviews.vote_helpful(review, cy.id) is True
    assert reviews.vote_helpful(review, cy.id) is False
    with pytest.raises(RetailError):
        reviews.vote_helpful(review, bo.id)
    assert reviews.reviews_of(book.id)[0][1] == 1


def test_moderation_hides_reported_review_from_the_average(app, book_factory, customer_factory):
    book, bo, cy, di = (
        book_factory(),
        customer_factory("bo"),
        customer_factory("cy"),
        customer_factory("di"),
    )
    rude = reviews.save_review(bo.id, book.id, 1, "Rude", "...")
    reviews.save_review(cy.id, book.id, 10, "Lovely", "")
    first = reviews.report_content(cy.id, "rude", review=rude)
    reviews.report_content(di.id, "spam", review=rude)
    assert reviews.report_content(cy.id, "again", review=rude) is None
    assert len(reviews.open_reports()) == 2
    assert reviews.moderate(first, "hidden") == 2
    assert reviews.open_reports() == []
    assert reviews.rating_summary(book.id).average == 5.0
    assert reviews.top_reviewed()[0][1] == 1


# --- groups ----------------------------------------------------------------------------------


def test_only_members_start_threads_and_reply(app, customer_factory):
    group = reading_groups.create_group("club", "Club")
    bo, cy = customer_factory("bo"), customer_factory("cy")
    with pytest.raises(RetailError):
        reading_groups.start_thread(group, bo.id, "Hello", "First!")
    assert reading_groups.join_group(group, bo.id) is True
    assert reading_groups.join_group(group, bo.id) is False
    thread = reading_groups.start_thread(group, bo.id, "Hello", "First!")
    with pytest.raises(RetailError):
        reading_groups.reply(thread, cy.id, "me too")
    reading_groups.join_group(group, cy.id)
    reading_groups.reply(thread, cy.id, "me too")
    assert reading_groups.threads_of(group.id) == [(thread, 2)]


# --- events and the waitlist -----------------------------------------------------------------


def test_full_event_waitlists_and_a_freed_seat_goes_to_the_first_in_line(
    app, event_factory, customer_factory
):
    event = event_factory(capacity=2)
    a, b, c, d = (customer_factory(n) for n in ("ann", "ben", "cat", "dan"))
    assert store_events.answer_event(event, a.id, "going").status == "going"
    assert store_events.answer_event(event, b.id, "going").status == "going"
    assert store_events.answer_event(event, c.id, "going").status == "waitlisted"
    clock.advance(timedelta(minutes=1))
    assert store_events.answer_event(event, d.id, "going").status == "waitlisted"
    db.session.commit()

    store_events.answer_event(event, a.id, "not_going")
    db.session.commit()
    statuses = dict(db.session.execute(select(RetailRsvp.user_id, RetailRsvp.status)).all())
    assert statuses == {a.id: "not_going", b.id: "going", c.id: "going", d.id: "waitlisted"}
    message = db.session.execute(select(Message).where(Message.user_id == c.id)).scalar_one()
    assert message.topic == "retail.waitlist_promoted"
    assert "A seat is yours" in message.title
    assert db.session.execute(select(Message).where(Message.user_id == d.id)).first() is None
    assert store_events.seats_taken(event.id) == 2

    # Interested does not free a seat that was not taken; going twice keeps the place.
    store_events.answer_event(event, d.id, "going")
    assert store_events.rsvp_for(event.id, d.id).status == "waitlisted"
    store_events.answer_event(event, b.id, "interested")
    assert store_events.rsvp_for(event.id, d.id).status == "going"


def test_each_promoted_customer_is_told_their_true_place_on_the_waitlist(
    app, event_factory, customer_factory
):
    event = event_factory(capacity=1)
    a, b, c, d = (customer_factory(n) for n in ("ann", "ben", "cat", "dan"))
    store_events.answer_event(event, a.id, "going")
    for n, waiting in enumerate((b, c, d)):
        clock.advance(timedelta(minutes=n + 1))
        store_events.answer_event(event, waiting.id, "going")
    event.capacity = 4  # the shop moves to a bigger room: three seats free at once
    store_events.promote_from_waitlist(event)
    db.session.commit()
    bodies = {
        m.user_id: m.body
        for m in db.session.execute(
            select(Message).where(Message.topic == "retail.waitlist_promoted")
        ).scalars()
    }
    assert "you were first on the waitlist" in bodies[b.id]
    assert "you were number 2 on the waitlist" in bodies[c.id]
    assert "you were number 3 on the waitlist" in bodies[d.id]
    assert "first" not in bodies[d.id]


def test_the_bookseller_removes_a_guest_and_the_first_in_line_gets_the_seat(
    app, event_factory, customer_factory
):
    event = event_factory(capacity=1)
    a, b, c = (customer_factory(n) for n in ("ann", "ben", "cat"))
    store_events.answer_event(event, a.id, "going")
    store_events.answer_event(event, b.id, "going")
    clock.advance(timedelta(minutes=1))
    store_events.answer_event(event, c.id, "going")
    guest = store_events.rsvp_for(event.id, a.id)
    assert [r.user_id for r in store_events.guest_list(event.id)] == [a.id]

    promoted = store_events.remove_attendee(event, guest)
    db.session.commit()
    assert [r.user_id for r in promoted] == [b.id]
    assert store_events.rsvp_for(event.id, a.id).status == "not_going"
    assert [r.user_id for r in store_events.guest_list(event.id)] == [b.id]
    assert [r.user_id for r in store_events.waitlist(event.id)] == [c.id]
    with pytest.raises(RetailError):  # no longer holds a seat
        store_events.remove_attendee(event, guest)


def test_cannot_answer_a_started_event(app, event_factory, customer_factory):
    event = event_factory(days=1)
    clock.advance(timedelta(days=2))
    with pytest.raises(RetailError):
        store_events.answer_event(event, customer_factory("bo").id, "going")


def test_event_ics_and_calendar_entries(app, event_factory, customer_factory):
    from icalendar import Calendar

    event = event_factory(kind="virtual")
    bo = customer_factory("bo")
    store_events.answer_event(event, bo.id, "going")
    cal = Calendar.from_ical(store_events.event_ics(event))
    vevent = cal.walk("VEVENT")[0]
    assert str(vevent["SUMMARY"]) == "Author talk"
    assert vevent.decoded("DTSTART") == event.starts_at
    assert str(vevent["LOCATION"]) == "https://meet.example/talk"
    entries = store_events.calendar(bo.id)
    assert [e.title for e in entries] == ["Author talk"]
    assert store_events.calendar(customer_factory("cy").id) == []


def test_summary_card(app, book_factory, customer_factory):
    bo = customer_factory("bo")
    assert recommender.summary_card(bo.id) is None
    services.place_order(bo.id, [book_factory().id])
    card = recommender.summary_card(bo.id)
    assert card["title"] == "Bookstore" and card["lines"][0] == "1 order"
