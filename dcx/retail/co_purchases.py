"""Co-purchases kept as orders are placed, so a recommendation reads them instead of joining
every order with every other on each page view.

``retail_co_purchase`` holds, for each two titles bought by the same customer, how many
customers bought both (in both orders of the pair), and for each title with itself how many
bought it. A new order adds one to every pair it makes with the customer's earlier titles
(:func:`record_purchases`: work in proportion to the customer's own history); a seed fills
the table in one set-based statement (:func:`rebuild`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from sqlalchemy import Subquery, and_, delete, func, insert, select
from sqlalchemy.orm import aliased

from dcx.extensions import db
from dcx.retail.models import RetailCoPurchase, RetailOrder, RetailOrderLine

#: Pairs added per statement.
BATCH = 1000


def purchases() -> Subquery:
    """Distinct (customer, book) pairs: each book's vector of buyers."""
    return (
        select(RetailOrder.user_id.label("user_id"), RetailOrderLine.book_id.label("book_id"))
        .join(RetailOrderLine, RetailOrderLine.order_id == RetailOrder.id)
        .distinct()
        .subquery()
    )


def rebuild() -> None:
    """Count every pair afresh from the orders: one DELETE and one INSERT ... SELECT."""
    p = purchases()
    a, b = p.alias("a"), p.alias("b")
    db.session.execute(delete(RetailCoPurchase))
    db.session.execute(
        insert(RetailCoPurchase).from_select(
            ["book_id", "other_book_id", "customers"],
            select(a.c.book_id, b.c.book_id, func.count())
            .join(b, a.c.user_id == b.c.user_id)
            .group_by(a.c.book_id, b.c.book_id),
        )
    )


def pairs_added(before: Iterable[int], bought: Iterable[int]) -> Counter[tuple[int, int]]:
    """The pairs one customer adds by buying ``bought`` when they owned ``before``: every
    ordered pair of their titles with at least one new title, and each new title with itself."""
    old = set(before)
    new = set(bought) - old
    owned = old | new
    return Counter((x, y) for x in owned for y in owned if x in new or y in new)


def record_purchases(added: Mapping[int, tuple[Iterable[int], Iterable[int]]]) -> None:
    """Add the pairs of these customers' new titles: ``{user_id: (owned before, bought)}``.
    One upsert per batch of pairs (INSERT ... ON CONFLICT DO UPDATE), for any number."""
    total: Counter[tuple[int, int]] = Counter()
    for before, bought in added.values():
        total.update(pairs_added(before, bought))
    if not total:
        return
    rows = [
        {"book_id": x, "other_book_id": y, "customers": n} for (x, y), n in sorted(total.items())
    ]
    for first in range(0, len(rows), BATCH):
        db.session.execute(_upsert(), rows[first : first + BATCH])


def _upsert():
    """INSERT of a pair's count that adds to the stored count when the pair exists."""
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        pg = postgresql.insert(RetailCoPurchase)
        return pg.on_conflict_do_update(
            index_elements=["book_id", "other_book_id"],
            set_={"customers": RetailCoPurchase.customers + pg.excluded.customers},
        )
    from sqlalchemy.dialects import sqlite

    lite = sqlite.insert(RetailCoPurchase)
    return lite.on_conflict_do_update(
        index_elements=["book_id", "other_book_id"],
        set_={"customers": RetailCoPurchase.customers + lite.excluded.customers},
    )


#: Co-purchase pairs a recommendation reads per title the customer owns: its strongest.
TOP_PAIRS = 5


def _pairs(ids: list[int], per_title: int | None, leaving_out: Iterable[int]):
    """The statement reading (title, other title, customers) for ``ids``: every kept pair,
    or, with ``per_title``, each title's ``per_title`` pairs bought together most (ranked in
    SQL by a window function), never with itself nor with a title in ``leaving_out``."""
    pair = RetailCoPurchase
    if per_title is None:
        return select(pair.book_id, pair.other_book_id, pair.customers).where(
            pair.book_id.in_(ids or [0])
        )
    rank = func.row_number().over(
        partition_by=pair.book_id, order_by=(pair.customers.desc(), pair.other_book_id)
    )
    ranked = (
        select(pair.book_id, pair.other_book_id, pair.customers, rank.label("rank"))
        .where(
            pair.book_id.in_(ids or [0]),
            pair.other_book_id != pair.book_id,
            pair.other_book_id.not_in(list(leaving_out) or [0]),
            pair.customers > 0,
        )
        .subquery()
    )
    # each title's buyers ride along on its pairs' rows (its pair with itself), so the rows
    # read are the pairs kept, not one more per title they involve
    mine, theirs = aliased(RetailCoPurchase), aliased(RetailCoPurchase)
    return (
        select(
            ranked.c.book_id,
            ranked.c.other_book_id,
            ranked.c.customers,
            mine.customers,
            theirs.customers,
        )
        .join(mine, and_(mine.book_id == ranked.c.book_id, mine.other_book_id == ranked.c.book_id))
        .join(
            theirs,
            and_(
                theirs.book_id == ranked.c.other_book_id,
                theirs.other_book_id == ranked.c.other_book_id,
            ),
        )
        .where(ranked.c.rank <= per_title)
    )


def neighbours(
    book_ids: Iterable[int], per_title: int | None = None, leaving_out: Iterable[int] = ()
) -> tuple[dict[tuple[int, int], int], dict[int, int]]:
    """``(co, buyers)`` for these titles, as :func:`dcx.retail.recommender.rank_by_cosine`
    takes them: ``co[(i, j)]`` customers who bought both (i among ``book_ids``), ``buyers[i]``
    customers who bought i, for every title involved. Two indexed reads. With ``per_title``,
    only each title's strongest pairs with titles not in ``leaving_out`` are read, with both
    titles' buyers, in one statement: at most ``per_title`` rows per title, however many
    customers buy."""
    ids = list(book_ids)
    co: dict[tuple[int, int], int] = {}
    if per_title is not None:
        buyers: dict[int, int] = {}
        for i, j, n, of_i, of_j in db.session.execute(_pairs(ids, per_title, leaving_out)):
            co[i, j] = n
            buyers[i], buyers[j] = int(of_i), int(of_j)
        return co, buyers
    for i, j, n in db.session.execute(_pairs(ids, per_title, leaving_out)).all():
        if i != j and n > 0:
            co[i, j] = n
    involved = {i for i, _j in co} | {j for _i, j in co}
    buyers = {
        int(i): int(n)
        for i, n in db.session.execute(
            select(RetailCoPurchase.book_id, RetailCoPurchase.customers).where(
                RetailCoPurchase.book_id.in_(involved or {0}),
                RetailCoPurchase.other_book_id == RetailCoPurchase.book_id,
            )
        ).all()
    }
    return co, buyers
