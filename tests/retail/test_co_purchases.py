"""Co-purchases are kept as orders are placed: the kept counts are what a full count of the
orders gives, a recommendation reads them instead of joining every order with every other,
and its cost does not grow with the number of customers."""

from __future__ import annotations

import random

from sqlalchemy import select

from dcx.extensions import db
from dcx.retail import co_purchases, recommender, services
from dcx.retail.models import RetailCoPurchase
from tests.page_cost import page_cost


def _kept() -> dict[tuple[int, int], int]:
    return {
        (row.book_id, row.other_book_id): row.customers
        for row in db.session.execute(select(RetailCoPurchase)).scalars()
    }


def test_counts_kept_order_by_order_are_the_full_count(app, book_factory, customer_factory):
    books = [book_factory(f"Book {i}", stock=100) for i in range(8)]
    rng = random.Random(7)
    for n in range(12):
        reader = customer_factory(f"reader{n}")
        for _order in range(rng.randint(1, 3)):  # later orders repeat some earlier titles
            picked = rng.sample(books, rng.randint(1, 3))
            services.place_order(reader.id, [b.id for b in picked])
    db.session.commit()
    kept = _kept()
    co_purchases.rebuild()
    assert kept == _kept()
    # and what the recommender reads from them is what the self-join over the orders gave
    owned = {books[0].id, books[3].id}
    assert co_purchases.neighbours(owned) == recommender.co_purchases(owned)


def test_a_recommendation_costs_the_same_for_more_customers(
    app, book_factory, customer_factory, monkeypatch
):
    books = [book_factory(f"Book {i}", stock=500) for i in range(6)]
    alex = customer_factory("alex")
    services.place_order(alex.id, [books[0].id, books[1].id])

    def readers(start: int, n: int) -> None:
        for i in range(start, start + n):
            reader = customer_factory(f"r{i}")
            services.place_order(reader.id, [b.id for b in books[i % 3 : i % 3 + 3]])
        db.session.commit()

    readers(0, 6)
    with page_cost(db.engine) as few:
        first = recommender.recommend(alex.id, limit=3)
    readers(6, 30)
    with page_cost(db.engine) as many:
        again = recommender.recommend(alex.id, limit=3)
    assert [r.book.id for r in first] == [r.book.id for r in again]

    def retail(cost) -> list[str]:
        # outside a request the showcase's row may be read or not, as the session keeps it
        return [sql for sql in cost.sql if "retail_" in sql]

    assert len(retail(many)) == len(retail(few)) and many.rows == few.rows

    def self_join(*args, **kwargs):
        raise AssertionError("a page view joined every order with every other")

    monkeypatch.setattr(recommender, "co_purchases", self_join)
    assert [r.book.id for r in recommender.recommend(alex.id, limit=3)] == [
        r.book.id for r in first
    ]


def test_a_recommendation_reads_only_each_titles_strongest_pairs(
    app, book_factory, customer_factory
):
    books = [book_factory(f"Book {i}", stock=500) for i in range(10)]
    alex = customer_factory("alex")
    services.place_order(alex.id, [books[0].id, books[1].id])
    # book i (2..9) is bought with book 0 by i readers: the higher, the stronger the pair
    for i in range(2, 10):
        for n in range(i):
            reader = customer_factory(f"r{i}x{n}")
            services.place_order(reader.id, [books[0].id, books[i].id])
    db.session.commit()
    owned = {books[0].id, books[1].id}
    co, _buyers = co_purchases.neighbours(owned, per_title=3, leaving_out=owned)
    assert set(co) == {(books[0].id, books[i].id) for i in (7, 8, 9)}
    full, _ = co_purchases.neighbours(owned)
    assert len(full) > len(co)  # the strongest three, not every pair, were read
    assert [r.book.id for r in recommender.recommend(alex.id, limit=3)] == [
        books[9].id,
        books[8].id,
        books[7].id,
    ]
