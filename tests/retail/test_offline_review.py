"""A review written on a phone with no signal waits on the phone and is published once."""

from sqlalchemy import func, select

from dcx.extensions import db
from dcx.retail.models import RetailReview

KEY = "0123456789abcdef0123456789abcdef"


def test_a_review_queues_offline_and_a_replay_publishes_it_once(client, customer, book_factory):
    book = book_factory("Offline")
    page = client.get(f"/retail/books/{book.id}/review").get_data(as_text=True)
    assert 'data-offline-queue="retail.review"' in page
    review = {"half_stars": "9", "title": "Lovely", "body": "Read it twice."}
    answers = [
        client.post(
            f"/retail/books/{book.id}/review", data=review, headers={"Idempotency-Key": KEY}
        )
        for _ in range(3)
    ]
    assert [a.headers.get("Idempotent-Replayed") for a in answers] == [None, "true", "true"]
    assert {a.location for a in answers[1:]} == {answers[0].location}
    assert db.session.scalar(select(func.count(RetailReview.id))) == 1
