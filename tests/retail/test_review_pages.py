"""A book's reviews a page at a time: the most helpful first, the rest a pager away, and a
book page that costs the same however many readers reviewed it."""

from __future__ import annotations

from dcx.extensions import db
from dcx.retail import reviews
from tests.conftest import make_user
from tests.page_cost import page_cost


def _reviews(book, n: int, start: int = 0) -> list:
    made = [
        reviews.save_review(
            make_user(f"r{i:02d}@example.com", f"Reader {i:02d}").id,
            book.id,
            8,
            f"Review {i:02d}",
            "",
        )
        for i in range(start, start + n)
    ]
    db.session.commit()
    return made


def test_reviews_come_a_page_at_a_time(client, book_factory):
    book = book_factory("Much Reviewed")
    per = reviews.REVIEWS_PAGE
    made = _reviews(book, per + 3)
    first = client.get(f"/retail/books/{book.id}").get_data(as_text=True)
    second = client.get(f"/retail/books/{book.id}?page=2").get_data(as_text=True)
    ids = {r.id for r in made}
    on_first = {r.id for r in made if f'id="review-{r.id}"' in first}
    on_second = {r.id for r in made if f'id="review-{r.id}"' in second}
    assert len(on_first) == per and len(on_second) == 3
    assert on_first | on_second == ids and not on_first & on_second
    assert "?page=2#retail-reviews" in first and f"{per + 1}\u2013{per + 3} of {per + 3}" in second
    assert f"{per + 3} reviews" in second  # the summary counts them all
    for bad, shown in (("0", on_first), ("-2", on_first), ("x", on_first), ("99", on_second)):
        page = client.get(f"/retail/books/{book.id}?page={bad}")
        assert page.status_code == 200
        body = page.get_data(as_text=True)
        assert {r.id for r in made if f'id="review-{r.id}"' in body} == shown


def test_the_book_page_costs_the_same_with_more_reviews(client, book_factory):
    book = book_factory("Popular")
    _reviews(book, reviews.REVIEWS_PAGE)
    client.get(f"/retail/books/{book.id}")
    with page_cost(db.engine) as few:
        assert client.get(f"/retail/books/{book.id}").status_code == 200
    _reviews(book, 12, start=40)
    with page_cost(db.engine) as many:
        assert client.get(f"/retail/books/{book.id}").status_code == 200
    assert many.as_tuple() == few.as_tuple()
