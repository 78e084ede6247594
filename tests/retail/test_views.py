"""The bookstore's pages through the test client: the story, bad input, and owner scoping."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.community import services as community
from dcx.platform.community.models import CommunityThread
from dcx.platform.drafts import services as drafts
from dcx.retail import reading_groups, reviews, services
from dcx.retail.models import (
    RetailOrder,
    RetailReservation,
    RetailReview,
    RetailRsvp,
)
from tests.conftest import AuthActions, make_user


@pytest.fixture
def other(app):
    """A second signed-in customer on a client of their own."""
    user = make_user(email="other@example.com", name="Olive Other")
    c = app.test_client()
    AuthActions(c).login(user.email)
    return c, user


def test_landing_page_for_visitor_and_new_customer(client, auth, users):
    body = client.get("/retail/").get_data(as_text=True)
    assert 'id="retail-capabilities"' in body
    users("new@example.com")
    auth.login("new@example.com")
    page = client.get("/retail/")
    assert page.status_code == 200
    assert "Picked for you" in page.get_data(as_text=True)


def test_catalogue_search_paginates_and_rejects_oversized_input(client, book_factory):
    for i in range(30):
        book_factory(f"Harbour {i:02d}", subjects=["Mystery"])
    book_factory("Orbit", subjects=["Science"])
    page1 = client.get("/retail/books?subject=Mystery").get_data(as_text=True)
    assert "30 books" in page1 and "Page 1 of 2" in page1 and "Orbit" not in page1
    page2 = client.get("/retail/books?subject=Mystery&page=2").get_data(as_text=True)
    assert "Harbour 29" in page2
    bad = client.get("/retail/books?q=" + "x" * 500)
    assert bad.status_code == 400
    assert "x" * 500 in bad.get_data(as_text=True)  # what was typed is kept


def test_book_page_shows_average_and_chart(client, book_factory, users):
    book = book_factory("Signals")
    for name, half in (("a", 10), ("b", 7)):
        reviews.save_review(users(f"{name}@example.com", name=name).id, book.id, half, "T", "B")
    db.session.commit()
    body = client.get(f"/retail/books/{book.id}").get_data(as_text=True)
    assert "<strong>4.25</strong>" in body and "2 reviews" in body
    assert "<svg" in body
    assert client.get("/retail/books/999999").status_code == 404
    cover = client.get(f"/retail/books/{book.id}/cover.svg")
    assert cover.mimetype == "image/svg+xml" and b"Signals" in cover.data


def test_a_book_without_reviews_says_so_instead_of_an_empty_ratings_chart(client, book_factory):
    book = book_factory("Unread")
    body = client.get(f"/retail/books/{book.id}").get_data(as_text=True)
    assert "No ratings yet" in body and 'class="dcx-chart-empty' in body
    assert 'class="dcx-chart' not in body.replace("dcx-chart-empty", "")


def test_buy_then_see_the_order_but_not_another_customers(client, customer, book_factory, other):
    book = book_factory("Mine", price=1200)
    response = client.post(f"/retail/books/{book.id}/buy")
    order = db.session.execute(
        select(RetailOrder).where(RetailOrder.user_id == customer.id)
    ).scalar_one()
    assert response.headers["Location"].endswith(f"/retail/orders/{order.id}")
    assert "Mine" in client.get(f"/retail/orders/{order.id}").get_data(as_text=True)
    other_client, _ = other
    assert other_client.get(f"/retail/orders/{order.id}").status_code == 404
    assert "Mine" not in other_client.get("/retail/orders").get_data(as_text=True)


def test_reserve_two_for_the_cafe_keep_one_return_one(client, customer, book_factory, other):
    books = [book_factory(f"Pick {i}", price=1000 + i) for i in range(3)]
    buyer = make_user(email="buyer@example.com")
    services.place_order(buyer.id, [b.id for b in books])
    services.place_order(customer.id, [books[0].id])
    db.session.commit()
    drafts.save(customer.id, "retail.cafe", {"day": "2030-01-01"})
    db.session.commit()
    page = client.get("/retail/recommendations").get_data(as_text=True)
    assert "Because you bought Pick 0" in page
    day = (clock.today() + timedelta(days=2)).isoformat()
    response = client.post(
        "/retail/recommendations", data={"book_ids": [books[1].id, books[2].id], "day": day}
    )
    reservation = db.session.execute(select(RetailReservation)).scalar_one()
    assert response.status_code == 302 and len(reservation.items) == 2
    assert drafts.load(customer.id, "retail.cafe") is None  # submitted: the draft is gone

    first, second = reservation.items
    client.post(f"/retail/reservations/{reservation.id}/items/{first.id}/kept")
    client.post(f"/retail/reservations/{reservation.id}/items/{second.id}/returned")
    db.session.refresh(reservation)
    assert [i.outcome for i in reservation.items] == ["kept", "returned"]
    cafe_order = db.session.get(RetailOrder, reservation.order_id)
    assert cafe_order.total_minor == books[1].price_minor

    other_client, _ = other
    assert other_client.get(f"/retail/reservations/{reservation.id}").status_code == 404
    assert (
        other_client.post(
            f"/retail/reservations/{reservation.id}/items/{second.id}/kept"
        ).status_code
        == 404
    )
    assert (
        client.get(f"/retail/reservations/{reservation.id}/items/{first.id}/eaten").status_code
        == 405
    )


def test_cafe_form_bad_input_is_a_400_with_the_form_kept(client, customer, book_factory):
    book = book_factory("Only")
    too_late = (clock.today() + timedelta(days=40)).isoformat()
    response = client.post("/retail/recommendations", data={"book_ids": [book.id], "day": too_late})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "two weeks" in body and too_late in body
    assert client.post("/retail/recommendations", data={"day": "nonsense"}).status_code == 400
    assert db.session.execute(select(func.count(RetailReservation.id))).scalar_one() == 0


def test_another_customers_draft_is_never_shown(client, customer, other):
    drafts.save(customer.id, "retail.cafe", {"day": "2030-01-01"})
    db.session.commit()
    other_client, _ = other
    theirs = other_client.get("/drafts/retail.cafe")
    assert theirs.status_code == 204 and theirs.data == b""  # "no draft of yours", nothing leaks
    assert client.get("/drafts/retail.cafe").status_code == 200


def test_write_and_edit_a_review_but_not_another_customers(client, customer, book_factory, other):
    book = book_factory("Reviewed")
    bad = client.post(f"/retail/books/{book.id}/review", data={"half_stars": "12", "title": "Hm"})
    assert bad.status_code == 400 and 'value="Hm"' in bad.get_data(as_text=True)
    client.post(
        f"/retail/books/{book.id}/review",
        data={"half_stars": "9", "title": "Lovely", "body": "Read it twice."},
    )
    review = db.session.execute(select(RetailReview)).scalar_one()
    assert review.half_stars == 9
    # a second "write" goes to editing the same review
    again = client.get(f"/retail/books/{book.id}/review")
    assert again.headers["Location"].endswith(f"/retail/reviews/{review.id}/edit")
    client.post(
        f"/retail/reviews/{review.id}/edit", data={"half_stars": "3", "title": "Changed my mind"}
    )
    db.session.rollback()  # end this session's read snapshot to see the request's commit
    assert (review.half_stars, review.title) == (3, "Changed my mind")

    other_client, _ = other
    assert other_client.get(f"/retail/reviews/{review.id}/edit").status_code == 404
    assert (
        other_client.post(
            f"/retail/reviews/{review.id}/edit", data={"half_stars": "1", "title": "Hacked"}
        ).status_code
        == 404
    )
    other_client.post(f"/retail/reviews/{review.id}/helpful")
    other_client.post(f"/retail/reviews/{review.id}/report", data={"reason": "spoilers"})
    assert reviews.reviews_of(book.id)[0][1] == 1
    assert len(reviews.open_reports()) == 1


def test_join_a_group_and_reply(client, customer, other):
    group = reading_groups.create_group("club", "The Club")
    _, other_user = other
    reading_groups.join_group(group, other_user.id)
    thread = reading_groups.start_thread(group, other_user.id, "Chapter one", "Thoughts?")
    db.session.commit()
    refused = client.post(f"/retail/threads/{thread.id}", data={"body": "Hi"})
    assert refused.status_code == 403
    client.post(f"/retail/groups/{group.id}/join")
    client.post(f"/retail/threads/{thread.id}", data={"body": "Loved it."})
    body = client.get(f"/retail/threads/{thread.id}").get_data(as_text=True)
    assert "Loved it." in body
    assert client.post(f"/retail/threads/{thread.id}", data={"body": ""}).status_code == 400
    client.post(f"/retail/groups/{group.id}", data={"title": "Chapter two", "body": "Go"})
    assert db.session.execute(select(func.count(CommunityThread.id))).scalar_one() == 2


def test_rsvp_waitlist_and_promotion_through_the_pages(client, customer, other, event_factory):
    event = event_factory(capacity=1)
    other_client, _ = other
    other_client.post(f"/retail/events/{event.id}", data={"answer": "going"})
    client.post(f"/retail/events/{event.id}", data={"answer": "going"})
    page = client.get(f"/retail/events/{event.id}").get_data(as_text=True)
    assert "On the waitlist, number 1" in page
    other_client.post(f"/retail/events/{event.id}", data={"answer": "not_going"})
    page = client.get(f"/retail/events/{event.id}").get_data(as_text=True)
    assert "Going: your seat is confirmed" in page
    assert client.post(f"/retail/events/{event.id}", data={"answer": "maybe"}).status_code == 400
    ics = client.get(f"/retail/events/{event.id}.ics")
    assert ics.mimetype == "text/calendar" and b"BEGIN:VEVENT" in ics.data
    assert db.session.execute(select(func.count(RetailRsvp.id))).scalar_one() == 2


def test_staff_view_is_for_booksellers_only(client, customer, staff_client, event_factory):
    event_factory(capacity=3)
    assert client.get("/retail/staff").status_code == 403
    banker, _ = staff_client("banking")
    assert banker.get("/retail/staff").status_code == 403
    bookseller, _ = staff_client("retail")
    body = bookseller.get("/retail/staff").get_data(as_text=True)
    assert "Author talk" in body and "0 / 3" in body


def test_the_bookseller_confirms_then_removes_a_guest_and_the_waitlist_moves_up(
    client, customer, other, staff_client, event_factory
):
    event = event_factory(capacity=1)
    other_client, other_user = other
    other_client.post(f"/retail/events/{event.id}", data={"answer": "going"})
    client.post(f"/retail/events/{event.id}", data={"answer": "going"})  # waitlisted
    guest = db.session.execute(
        select(RetailRsvp).where(RetailRsvp.user_id == other_user.id)
    ).scalar_one()
    remove = f"/retail/staff/events/{event.id}/guests/{guest.id}/remove"
    assert client.get(remove).status_code == 403
    assert client.post(remove).status_code == 403
    bookseller, _ = staff_client("retail")
    assert "Guest list" in bookseller.get("/retail/staff").get_data(as_text=True)
    question = bookseller.get(remove).get_data(as_text=True)
    assert "Are you sure?" in question and customer.name in question  # who gets the seat
    assert bookseller.get(remove).status_code == 200
    db.session.refresh(guest)
    assert guest.status == "going"  # asking changes nothing
    bookseller.post(remove)
    db.session.refresh(guest)
    assert guest.status == "not_going"
    page = client.get(f"/retail/events/{event.id}").get_data(as_text=True)
    assert "Going: your seat is confirmed" in page
    assert bookseller.get(f"/retail/staff/events/{event.id}/guests/999/remove").status_code == 404


def test_staff_moderation_hides_a_reported_review(client, customer, staff_client, book_factory):
    book = book_factory("Touchy")
    writer = make_user(email="w@example.com")
    review = reviews.save_review(writer.id, book.id, 1, "Rude words", "...")
    report = reviews.report_content(customer.id, "rude", review=review)
    db.session.commit()
    assert client.post(f"/retail/staff/reports/{report.id}/hidden").status_code == 403
    bookseller, _ = staff_client("retail")
    assert "Rude words" in bookseller.get("/retail/staff").get_data(as_text=True)
    bookseller.post(f"/retail/staff/reports/{report.id}/hidden")
    db.session.refresh(review)
    assert review.hidden
    assert "Rude words" not in client.get(f"/retail/books/{book.id}").get_data(as_text=True)


def test_shelves_and_goal(client, customer, book_factory):
    book = book_factory("Finished")
    client.post(f"/retail/books/{book.id}/shelf", data={"shelf": "read"})
    assert client.post("/retail/shelves", data={"target": "0"}).status_code == 400
    client.post("/retail/shelves", data={"target": "10"})
    body = client.get("/retail/shelves").get_data(as_text=True)
    assert "1 of 10 books read" in body and "Finished" in body


def test_dashboard_query_count_stays_small(client, customer, book_factory, query_counter):
    books = [book_factory(f"B{i}") for i in range(10)]
    for n in range(8):
        u = make_user(email=f"r{n}@example.com")
        services.place_order(u.id, [books[n].id, books[n + 1].id])
    services.place_order(customer.id, [books[0].id, books[4].id])
    db.session.commit()
    with query_counter() as q:
        assert client.get("/retail/").status_code == 200
    assert q() <= 25


def test_staff_moderation_hides_a_reported_club_post(client, customer, other, staff_client):
    group = reading_groups.create_group("club", "The Club")
    _, other_user = other
    reading_groups.join_group(group, other_user.id)
    thread = reading_groups.start_thread(group, other_user.id, "Chapter one", "Spoiler: the cook")
    post = thread.posts[0]
    (health,) = community.ensure_spaces("health", [{"slug": "move", "name": "Move"}])
    elsewhere = community.post(health, other_user.id, "Not the bookstore's")
    db.session.commit()
    assert client.post(f"/retail/posts/{elsewhere.id}/report").status_code == 404
    client.post(f"/retail/posts/{post.id}/report", data={"reason": "spoiler"})
    client.post(f"/retail/posts/{post.id}/report", data={"reason": "second thoughts"})  # once only
    assert client.post(f"/retail/staff/posts/{post.id}/hidden").status_code == 403
    bookseller, _ = staff_client("retail")
    page = bookseller.get("/retail/staff").get_data(as_text=True)
    assert "Spoiler: the cook" in page and "spoiler" in page and "second thoughts" not in page
    assert bookseller.post(f"/retail/staff/posts/{post.id}/delete").status_code == 404
    assert bookseller.post(f"/retail/staff/posts/{elsewhere.id}/hidden").status_code == 404
    bookseller.post(f"/retail/staff/posts/{post.id}/hidden")
    db.session.refresh(post)
    assert post.hidden
    assert "Spoiler: the cook" not in bookseller.get("/retail/staff").get_data(as_text=True)
    assert "Spoiler: the cook" not in client.get(f"/retail/threads/{thread.id}").get_data(
        as_text=True
    )
    assert client.get(f"/retail/groups/{health.id}").status_code == 404  # health's space
