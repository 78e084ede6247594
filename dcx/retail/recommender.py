"""Item-to-item recommendations from order history, and their weekly message."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.community import services as community
from dcx.retail import co_purchases as kept_co_purchases
from dcx.retail.models import (
    RetailBook,
    RetailOrder,
    RetailOrderLine,
    RetailRecommendationSent,
    RetailReview,
    RetailShelfEntry,
)
from dcx.retail.services import KEY, _has_request, goal_progress, owned_book_ids

# --- recommendations -------------------------------------------------------------------------


@dataclass(frozen=True)
class Recommendation:
    """A title suggested to a customer, with the reason shown beside it."""

    book: RetailBook
    score: float
    reason: str
    because: RetailBook | None = None


def co_purchases(
    book_ids: Iterable[int] | None = None,
) -> tuple[dict[tuple[int, int], int], dict[int, int]]:
    """Co-purchase counts and buyers per book, aggregated in SQL.

    Returns ``(co, buyers)``: ``co[(i, j)]`` is how many customers bought both i and j
    (only pairs with i in ``book_ids`` when given), ``buyers[i]`` how many bought i.
    """
    p = kept_co_purchases.purchases()
    a, b = aliased(p), aliased(p)
    stmt = (
        select(a.c.book_id, b.c.book_id, func.count())
        .join(b, and_(a.c.user_id == b.c.user_id, a.c.book_id != b.c.book_id))
        .group_by(a.c.book_id, b.c.book_id)
    )
    if book_ids is not None:
        stmt = stmt.where(a.c.book_id.in_(list(book_ids)))
    co = {(i, j): n for i, j, n in db.session.execute(stmt).all()}
    involved = {i for i, _j in co} | {j for _i, j in co}
    buyers: dict[int, int] = {}
    if involved:
        buyers = dict(
            db.session.execute(
                select(p.c.book_id, func.count())
                .where(p.c.book_id.in_(involved))
                .group_by(p.c.book_id)
            ).all()
        )
    return co, buyers


#: One pair of :func:`pairs_by_book`: (book, other book, their cosine).
IndexedPair = tuple[int, int, float]


def pairs_by_book(
    co: Mapping[tuple[int, int], int], buyers: Mapping[int, int]
) -> dict[int, list[IndexedPair]]:
    """``co``'s pairs by their first book, in ``co``'s order, with each pair's cosine worked
    out once: a customer's ranking reads the pairs of the books they own, not the whole
    catalogue's, and computes nothing the next customer would compute again."""
    found: dict[int, list[IndexedPair]] = defaultdict(list)
    for (i, j), both in co.items():
        found[i].append((i, j, both / math.sqrt(buyers[i] * buyers[j])))
    return found


def rank_by_cosine(
    owned: set[int],
    co: Mapping[tuple[int, int], int],
    buyers: Mapping[int, int],
    limit: int = 10,
    by_book: Mapping[int, list[IndexedPair]] | None = None,
) -> list[tuple[int, float, int]]:
    """Item-to-item scores for one customer: ``(book, score, because_book)``, best first.

    Each book is the vector of its buyers, so the cosine of two books is
    ``both / sqrt(buyers_i * buyers_j)``. A candidate's score sums its cosine with every
    book the customer owns, the owned books taken by id (one order, so a score is the same to
    the last bit however ``co`` was read); the reason is the owned book it is closest to.
    Owned books are never suggested; ties break by book id so the ranking is stable.
    ``by_book`` (see :func:`pairs_by_book`) is ``co`` indexed once for many customers.
    """
    if by_book is None:
        by_book = pairs_by_book({pair: n for pair, n in co.items() if pair[0] in owned}, buyers)
    scores: dict[int, float] = defaultdict(float)
    best: dict[int, tuple[float, int]] = {}
    for book in sorted(owned):
        for i, j, cosine in by_book.get(book, ()):
            if j in owned:
                continue
            scores[j] += cosine
            closest = best.get(j)
            if closest is None or cosine > closest[0] or (cosine == closest[0] and i < closest[1]):
                best[j] = (cosine, i)
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return [(j, round(s, 6), best[j][1]) for j, s in ranked]


def recommend(user_id: int, limit: int = 6, exclude: Iterable[int] = ()) -> list[Recommendation]:
    """Titles for this customer: bought-together ones first, then subject/author matches."""
    owned = owned_book_ids(user_id)
    skip = owned | set(exclude)
    ranked: list[tuple[int, float, int]] = []
    if owned:
        co, buyers = kept_co_purchases.neighbours(
            owned, per_title=kept_co_purchases.TOP_PAIRS, leaving_out=skip
        )
        ranked = [
            r for r in rank_by_cosine(owned, co, buyers, limit + len(skip)) if r[0] not in skip
        ]
        ranked = ranked[:limit]
    books = _books_by_id({j for j, _s, _b in ranked} | {b for _j, _s, b in ranked})
    result = [
        Recommendation(
            book=books[j],
            score=score,
            reason=_("Because you bought %(title)s", title=books[because].title),
            because=books[because],
        )
        for j, score, because in ranked
    ]
    if len(result) < limit:
        result += _fallback(user_id, skip | {r.book.id for r in result}, limit - len(result))
    return result


def _books_by_id(ids: Iterable[int]) -> dict[int, RetailBook]:
    ids = list(ids)
    if not ids:
        return {}
    return {
        b.id: b
        for b in db.session.execute(select(RetailBook).where(RetailBook.id.in_(ids))).scalars()
    }


def _fallback(user_id: int, exclude: set[int], limit: int) -> list[Recommendation]:
    """For new customers: books sharing a subject or author with what they shelved or bought,
    else the shop's best sellers; each with its reason."""
    liked_ids = set(
        db.session.execute(
            select(RetailShelfEntry.book_id).where(RetailShelfEntry.user_id == user_id)
        ).scalars()
    ) | owned_book_ids(user_id)
    subjects: Counter = Counter()
    authors: Counter = Counter()
    for book in _books_by_id(liked_ids).values():
        subjects.update(book.subject_list)
        authors.update(book.author_list)
    popularity = (
        select(RetailOrderLine.book_id, func.count(RetailOrderLine.id).label("n"))
        .group_by(RetailOrderLine.book_id)
        .subquery()
    )
    base = (
        select(RetailBook)
        .outerjoin(popularity, popularity.c.book_id == RetailBook.id)
        .where(RetailBook.stock > 0)
        .order_by(func.coalesce(popularity.c.n, 0).desc(), RetailBook.id)
    )
    if exclude:
        base = base.where(RetailBook.id.not_in(exclude))
    top_authors = [a for a, _n in authors.most_common(3)]
    top_subjects = [s for s, _n in subjects.most_common(3)]
    result: list[Recommendation] = []
    if top_authors or top_subjects:
        conditions = [RetailBook.authors.like(f"%;{a};%") for a in top_authors] + [
            RetailBook.subjects.like(f"%;{s};%") for s in top_subjects
        ]
        for book in db.session.execute(base.where(or_(*conditions)).limit(limit)).scalars():
            author = next((a for a in top_authors if a in book.author_list), None)
            if author:
                reason = _("More by %(author)s, whom you read", author=author)
            else:
                subject = next(s for s in top_subjects if s in book.subject_list)
                reason = _("Because you like %(subject)s", subject=subject)
            result.append(Recommendation(book=book, score=0.0, reason=reason))
    if len(result) < limit:
        taken = exclude | {r.book.id for r in result}
        stmt = base.where(RetailBook.id.not_in(taken)) if taken else base
        for book in db.session.execute(stmt.limit(limit - len(result))).scalars():
            result.append(
                Recommendation(book=book, score=0.0, reason=_("Popular with readers at the shop"))
            )
    return result


def most_recommended(limit: int = 5) -> list[tuple[RetailBook, int]]:
    """Staff: the titles most often recommended in "new for you" messages."""
    rows = db.session.execute(
        select(RetailBook, func.count(RetailRecommendationSent.id))
        .join(RetailRecommendationSent, RetailRecommendationSent.book_id == RetailBook.id)
        .group_by(RetailBook.id)
        .order_by(func.count(RetailRecommendationSent.id).desc(), RetailBook.title)
        .limit(limit)
    ).all()
    return [(b, n) for b, n in rows]


def monthly_picks(period: str, per_customer: int = 3) -> list[dict]:
    """The "new for you" picks of every customer with orders for ``period`` (YYYY-MM).

    The co-purchase matrix is aggregated once in SQL for the whole catalogue, then each
    customer is ranked in memory; titles recommended in an earlier month are skipped.
    """
    owned_rows = db.session.execute(
        select(RetailOrder.user_id, RetailOrderLine.book_id)
        .join(RetailOrderLine, RetailOrderLine.order_id == RetailOrder.id)
        .distinct()
    ).all()
    owned: dict[int, set[int]] = defaultdict(set)
    for user_id, book_id in owned_rows:
        owned[user_id].add(book_id)
    already_sent: dict[int, set[int]] = defaultdict(set)
    for user_id, book_id, sent_period in db.session.execute(
        select(
            RetailRecommendationSent.user_id,
            RetailRecommendationSent.book_id,
            RetailRecommendationSent.period,
        )
    ).all():
        if sent_period != period:
            already_sent[user_id].add(book_id)
    co, buyers = co_purchases()
    by_book = pairs_by_book(co, buyers)
    picks = []
    for user_id, books in owned.items():
        limit = per_customer + len(already_sent[user_id])
        ranked = rank_by_cosine(books, co, buyers, limit, by_book)
        chosen = [r for r in ranked if r[0] not in already_sent[user_id]][:per_customer]
        for book_id, score, because in chosen:
            picks.append(
                {"user_id": user_id, "book_id": book_id, "because": because, "score": score}
            )
    return picks


def summary_card(user_id: int) -> dict | None:
    """Extension point: the staff customer-360 card for the bookstore.

    Written now, in the language of the staff member looking at it, with plural forms.
    """
    orders = db.session.execute(
        select(
            func.count(RetailOrder.id), func.coalesce(func.sum(RetailOrder.total_minor), 0)
        ).where(RetailOrder.user_id == user_id)
    ).one()
    reviews = db.session.execute(
        select(func.count(RetailReview.id)).where(RetailReview.user_id == user_id)
    ).scalar_one()
    groups = community.memberships_of(user_id, KEY)
    if not orders[0] and not reviews and not groups:
        return None
    progress = goal_progress(user_id, clock.today().year)
    lines = [
        ngettext("%(num)d order", "%(num)d orders", orders[0]),
        ", ".join(
            (
                ngettext("%(num)d review", "%(num)d reviews", reviews),
                ngettext("%(num)d book club", "%(num)d book clubs", groups),
            )
        ),
    ]
    if progress.target:
        lines.append(
            _("Reading goal: %(read)s of %(target)s", read=progress.read, target=progress.target)
        )
    return {
        "title": _("Bookstore"),
        "lines": lines,
        "link": url_for("retail.staff.home") if _has_request() else "",
    }
