"""Reviews of books: one per customer and book, helpful votes, reports and moderation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.staff_lists import clamped_page
from dcx.platform.timeline.services import record
from dcx.retail.models import (
    RetailBook,
    RetailContentReport,
    RetailHelpfulVote,
    RetailReview,
)
from dcx.retail.services import KEY, RetailError

# --- reviews ---------------------------------------------------------------------------------


def review_by(user_id: int, book_id: int) -> RetailReview | None:
    """The customer's own review of the book (hidden or not), or None if they wrote none."""
    return db.session.execute(
        select(RetailReview).where(RetailReview.user_id == user_id, RetailReview.book_id == book_id)
    ).scalar_one_or_none()


def save_review(
    user_id: int,
    book_id: int,
    half_stars: int,
    title: str,
    body: str,
    review: RetailReview | None = None,
) -> RetailReview:
    """Write the customer's review of a book, or edit the one they wrote (one per book)."""
    if not 1 <= half_stars <= 10:
        raise RetailError(_l("A rating is from half a star to five stars."))
    if review is None:
        review = review_by(user_id, book_id)
    created = review is None
    if review is None:
        review = RetailReview(user_id=user_id, book_id=book_id)
        db.session.add(review)
    review.half_stars = half_stars
    review.title = title.strip()
    review.body = (body or "").strip()
    review.updated_at = clock.now()
    db.session.flush()
    if created:
        book = db.session.get_one(RetailBook, book_id)
        record(
            user_id,
            KEY,
            "review_written",
            _l("You reviewed %(title)s", title=book.title),
            review.title,
            {"review_id": review.id, "stars": review.stars},
            key=f"retail.review:{review.id}",
        )
    return review


@dataclass(frozen=True)
class RatingSummary:
    """A book's ratings: how many, their average in stars and the count per half star."""

    count: int
    average: float | None
    distribution: Mapping[int, int]


def format_rating(stars: float | None) -> str:
    """A rating in stars for people, in the current locale: "4.5" in English, "4,5" in Spanish.

    Up to two decimals (an average), none when whole; "" for no rating at all.
    """
    if stars is None:
        return ""
    return format_decimal(stars, format="0.##")


def rating_summary(book_id: int) -> RatingSummary:
    """The visible reviews' count, average (stars, 2 decimals) and distribution (1..10):
    counted in SQL, one row however many reviews there are."""
    half = RetailReview.half_stars
    row = db.session.execute(
        select(
            *(func.coalesce(func.sum(case((half == h, 1), else_=0)), 0) for h in range(1, 11))
        ).where(RetailReview.book_id == book_id, RetailReview.hidden.is_(False))
    ).one()
    distribution = {h: int(n) for h, n in zip(range(1, 11), row, strict=True)}
    count = sum(distribution.values())
    total = sum(h * n for h, n in distribution.items())
    average = round(total / count / 2, 2) if count else None
    return RatingSummary(count=count, average=average, distribution=distribution)


#: Reviews on one page of a book; the rest are a pager away.
REVIEWS_PAGE = 5


def reviews_of(
    book_id: int, offset: int = 0, limit: int | None = None
) -> list[tuple[RetailReview, int]]:
    """The book's visible reviews with their helpful votes, most helpful first (``limit`` of
    them after ``offset``, or all), votes counted in SQL for this book's reviews only."""
    of_book = select(RetailReview.id).where(RetailReview.book_id == book_id)
    votes = (
        select(RetailHelpfulVote.review_id, func.count(RetailHelpfulVote.id).label("n"))
        .where(RetailHelpfulVote.review_id.in_(of_book))
        .group_by(RetailHelpfulVote.review_id)
        .subquery()
    )
    rows = db.session.execute(
        select(RetailReview, func.coalesce(votes.c.n, 0))
        .outerjoin(votes, votes.c.review_id == RetailReview.id)
        .where(RetailReview.book_id == book_id, RetailReview.hidden.is_(False))
        .options(selectinload(RetailReview.author))
        .order_by(
            func.coalesce(votes.c.n, 0).desc(), RetailReview.updated_at.desc(), RetailReview.id
        )
        .offset(offset)
        .limit(limit)
    ).all()
    return [(r, n) for r, n in rows]


class _ReviewPagination(Pagination):
    """A page of a book's reviews; the total is the rating summary's count, already known."""

    def _query_items(self) -> list[tuple[RetailReview, int]]:
        return reviews_of(self._query_args["book_id"], self._query_offset, self.per_page)

    def _query_count(self) -> int:
        return int(self._query_args["total"])


def reviews_page(book_id: int, page: int, total: int) -> Pagination:
    """Page ``page`` of the book's ``total`` visible reviews, most helpful first: one statement
    of at most ``REVIEWS_PAGE`` reviews. A page below 1 or past the last is clamped to it."""
    return _ReviewPagination(
        page=clamped_page(page, total, REVIEWS_PAGE),
        per_page=REVIEWS_PAGE,
        max_per_page=None,
        error_out=False,
        book_id=book_id,
        total=total,
    )


def vote_helpful(review: RetailReview, user_id: int) -> bool:
    """Count the customer's helpful vote once; False if they had voted already."""
    if review.user_id == user_id:
        raise RetailError(_l("You cannot vote for your own review."))
    exists = db.session.execute(
        select(RetailHelpfulVote.id).where(
            RetailHelpfulVote.review_id == review.id, RetailHelpfulVote.user_id == user_id
        )
    ).first()
    if exists:
        return False
    db.session.add(RetailHelpfulVote(review_id=review.id, user_id=user_id))
    db.session.flush()
    return True


def report_content(user_id: int, reason: str, review: RetailReview) -> RetailContentReport | None:
    """Report a review to the staff; a second report by the same customer is ignored.

    Book-club posts are reported through the community
    (:func:`dcx.retail.reading_groups.report_post`).
    """
    stmt = select(RetailContentReport).where(
        RetailContentReport.user_id == user_id, RetailContentReport.review_id == review.id
    )
    if db.session.execute(stmt).first():
        return None
    report = RetailContentReport(user_id=user_id, review_id=review.id, reason=reason.strip()[:200])
    db.session.add(report)
    db.session.flush()
    return report


def open_reports() -> list[RetailContentReport]:
    """Staff: review reports not yet resolved, oldest first."""
    return list(
        db.session.execute(
            select(RetailContentReport)
            .where(RetailContentReport.resolution == "")
            .options(selectinload(RetailContentReport.review).selectinload(RetailReview.book))
            .order_by(RetailContentReport.created_at, RetailContentReport.id)
        ).scalars()
    )


def moderate(report: RetailContentReport, action: str) -> int:
    """Hide the reported review or dismiss the report; resolves every open report on it."""
    if action not in ("hidden", "dismissed"):
        raise RetailError(_l("Hide or dismiss."))
    if action == "hidden":
        report.review.hidden = True
    same = select(RetailContentReport).where(
        RetailContentReport.resolution == "",
        RetailContentReport.review_id == report.review_id,
    )
    resolved = 0
    for other in db.session.execute(same).scalars():
        other.resolution = action
        resolved += 1
    db.session.flush()
    return resolved


def top_reviewed(limit: int = 5) -> list[tuple[RetailBook, int, float]]:
    """Staff: the books with the most visible reviews, with count and average stars."""
    rows = db.session.execute(
        select(RetailBook, func.count(RetailReview.id), func.avg(RetailReview.half_stars))
        .join(RetailReview, RetailReview.book_id == RetailBook.id)
        .where(RetailReview.hidden.is_(False))
        .group_by(RetailBook.id)
        .order_by(func.count(RetailReview.id).desc(), RetailBook.title)
        .limit(limit)
    ).all()
    return [(b, n, round(float(avg) / 2, 2)) for b, n, avg in rows]
