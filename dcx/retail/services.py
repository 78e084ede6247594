"""The bookstore's rules: catalogue, orders, café reservations, shelves, reviews, groups,
events with a waitlist, and item-to-item recommendations from order history.

Functions take explicit ids and add + flush; the view or job commits.
"""

from __future__ import annotations

import math
import secrets
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import url_for
from flask_babel import LazyString, format_datetime, format_decimal, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from dcx.extensions import db
from dcx.platform import brand, clock
from dcx.platform.notify.services import in_locale, notify, recipient_locales
from dcx.platform.timeline.calendar import ics_file
from dcx.platform.timeline.services import record
from dcx.retail.models import (
    SHELVES,
    RetailBook,
    RetailContentReport,
    RetailEvent,
    RetailGroup,
    RetailHelpfulVote,
    RetailMembership,
    RetailOrder,
    RetailOrderLine,
    RetailPost,
    RetailReadingGoal,
    RetailRecommendationSent,
    RetailReservation,
    RetailReservationItem,
    RetailReview,
    RetailRsvp,
    RetailShelfEntry,
    RetailThread,
)
from dcx.verticals import CalendarEntry

KEY = "retail"
MAX_CAFE_TITLES = 5
CAFE_DAYS_AHEAD = 14


class RetailError(ValueError):
    """A bookstore rule was broken; the message is safe to show to the customer.

    It is raised with a lazy string, so ``str(exc)`` speaks the language of whoever reads it
    (the visitor of the page showing the error), not the one current where it was raised.
    """


# --- catalogue -------------------------------------------------------------------------------


def isbn13_check_digit(first12: str) -> int:
    """The ISBN-13 check digit of the first twelve digits (weights 1, 3, 1, 3 ...)."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return (10 - total % 10) % 10


def normalise_isbn(raw: str) -> str:
    """Digits only: ``978-0-306-40615-7`` becomes ``9780306406157``."""
    return "".join(ch for ch in raw if ch.isdigit())


def isbn13_is_valid(raw: str) -> bool:
    """True for thirteen digits starting 978/979 whose check digit is right."""
    isbn = normalise_isbn(raw)
    if len(isbn) != 13 or not isbn.startswith(("978", "979")):
        return False
    if len(raw.replace("-", "").replace(" ", "")) != 13:
        return False
    return isbn13_check_digit(isbn[:12]) == int(isbn[12])


def wrap_list(values: Iterable[str]) -> str:
    """Store a list as ``;a;b;`` so one member matches ``LIKE '%;a;%'`` exactly."""
    cleaned = [v.strip().replace(";", ",") for v in values if v and v.strip()]
    return ";" + ";".join(cleaned) + ";" if cleaned else ""


def add_book(
    isbn: str,
    title: str,
    authors: Iterable[str],
    subjects: Iterable[str],
    price_minor: int,
    currency: str = "EUR",
    stock: int = 0,
    description: str = "",
    published_on: date | None = None,
) -> RetailBook:
    """Add a title to the catalogue; refuses an invalid or already-listed ISBN-13."""
    if not isbn13_is_valid(isbn):
        raise RetailError(_l("%(isbn)s is not a valid ISBN-13.", isbn=isbn))
    digits = normalise_isbn(isbn)
    if db.session.execute(select(RetailBook.id).where(RetailBook.isbn == digits)).first():
        raise RetailError(_l("This ISBN is already in the catalogue."))
    if price_minor < 0 or stock < 0:
        raise RetailError(_l("Price and stock cannot be negative."))
    book = RetailBook(
        isbn=digits,
        title=title.strip(),
        authors=wrap_list(authors),
        subjects=wrap_list(subjects),
        price_minor=price_minor,
        currency=currency,
        stock=stock,
        description=description,
        published_on=published_on,
    )
    db.session.add(book)
    db.session.flush()
    return book


def search_books(q: str = "", subject: str = "", author: str = ""):
    """A select of books matching the words of ``q`` and, if given, one subject and one author."""
    stmt = select(RetailBook)
    for word in q.split()[:6]:
        pattern = f"%{word}%"
        stmt = stmt.where(
            or_(
                RetailBook.title.ilike(pattern),
                RetailBook.authors.ilike(pattern),
                RetailBook.isbn == word,
            )
        )
    if subject:
        stmt = stmt.where(RetailBook.subjects.like(f"%;{subject};%"))
    if author:
        stmt = stmt.where(RetailBook.authors.like(f"%;{author};%"))
    return stmt.order_by(RetailBook.title, RetailBook.id)


def all_subjects() -> list[str]:
    """Every subject in the catalogue, sorted."""
    rows = db.session.execute(select(RetailBook.subjects).distinct()).scalars()
    return sorted({s for row in rows for s in row.split(";") if s})


def get_book(book_id) -> RetailBook | None:
    """One book by id, or None for a missing or malformed id."""
    try:
        return db.session.get(RetailBook, int(book_id))
    except (TypeError, ValueError):
        return None


# --- orders and the café table ---------------------------------------------------------------


def _new_reference(prefix: str) -> str:
    # Random, not a running count: two orders placed at once must not get the same number.
    return f"{prefix}-{clock.now():%Y%m%d}-{secrets.token_hex(3).upper()}"


def place_order(
    user_id: int,
    book_ids: Iterable[int],
    source: str = "online",
    reference: str | None = None,
    placed_at: datetime | None = None,
    take_stock: bool = True,
) -> RetailOrder:
    """Buy these titles (one copy each); refuses an empty order and a title out of stock."""
    ids = list(dict.fromkeys(int(b) for b in book_ids))
    if not ids:
        raise RetailError(_l("Choose at least one book."))
    books = {
        b.id: b
        for b in db.session.execute(select(RetailBook).where(RetailBook.id.in_(ids))).scalars()
    }
    if len(books) != len(ids):
        raise RetailError(_l("One of these books is not in the catalogue."))
    currencies = {b.currency for b in books.values()}
    if len(currencies) != 1:
        raise RetailError(_l("One order holds books priced in one currency."))
    order = RetailOrder(
        user_id=user_id,
        reference=reference or _new_reference("ORD"),
        source=source,
        total_minor=0,
        currency=currencies.pop(),
        placed_at=placed_at or clock.now(),
    )
    db.session.add(order)
    for book_id in ids:
        _add_line(order, books[book_id], take_stock)
    db.session.flush()
    if take_stock:
        record(
            user_id,
            KEY,
            "order_placed",
            _l("Order %(ref)s placed", ref=order.reference),
            ", ".join(books[i].title for i in ids),
            {"order_id": order.id, "total_minor": order.total_minor},
            link=url_for("retail.order", order_id=order.id) if _has_request() else "",
            key=f"retail.order:{order.id}",
        )
    return order


def _add_line(order: RetailOrder, book: RetailBook, take_stock: bool) -> None:
    if take_stock:
        if book.stock < 1:
            raise RetailError(_l("%(title)s is out of stock.", title=book.title))
        book.stock -= 1
    order.lines.append(RetailOrderLine(book_id=book.id, quantity=1, price_minor=book.price_minor))
    order.total_minor += book.price_minor


def _has_request() -> bool:
    from flask import has_request_context

    return has_request_context()


def owned_book_ids(user_id: int) -> set[int]:
    """The books the customer has bought."""
    return set(
        db.session.execute(
            select(RetailOrderLine.book_id)
            .join(RetailOrder)
            .where(RetailOrder.user_id == user_id)
            .distinct()
        ).scalars()
    )


def orders_for(user_id: int) -> list[RetailOrder]:
    """The customer's orders, newest first, with their lines and books."""
    return list(
        db.session.execute(
            select(RetailOrder)
            .where(RetailOrder.user_id == user_id)
            .options(selectinload(RetailOrder.lines).selectinload(RetailOrderLine.book))
            .order_by(RetailOrder.placed_at.desc(), RetailOrder.id.desc())
        ).scalars()
    )


def _cafe_limit_text(limit: int) -> str:
    """Why a café selection was refused: it must hold 1 to ``limit`` titles."""
    return ngettext(
        "Choose between 1 and %(num)d book.", "Choose between 1 and %(num)d books.", limit
    )


def _cafe_subject(count: int) -> str:
    """The timeline subject of a café reservation of ``count`` titles."""
    return ngettext(
        "%(num)d book set aside at the café table",
        "%(num)d books set aside at the café table",
        count,
    )


def reserve_for_cafe(user_id: int, day: date, book_ids: Iterable[int]) -> RetailReservation:
    """Set these titles aside at the café table for ``day`` (today up to two weeks ahead)."""
    ids = list(dict.fromkeys(int(b) for b in book_ids))
    today = clock.today()
    if not today <= day <= today + timedelta(days=CAFE_DAYS_AHEAD):
        raise RetailError(_l("Choose a day from today up to two weeks ahead."))
    if not 1 <= len(ids) <= MAX_CAFE_TITLES:
        # LazyString, like _l: worded when read, in the reader's language; the text is a
        # function of its own so the extractor sees the ngettext call (it skips lazy_ngettext).
        raise RetailError(LazyString(_cafe_limit_text, MAX_CAFE_TITLES))
    books = list(db.session.execute(select(RetailBook).where(RetailBook.id.in_(ids))).scalars())
    if len(books) != len(ids):
        raise RetailError(_l("One of these books is not in the catalogue."))
    for book in books:
        if book.stock < 1:
            raise RetailError(_l("%(title)s is out of stock.", title=book.title))
    reservation = RetailReservation(user_id=user_id, day=day)
    reservation.items = [RetailReservationItem(book_id=i) for i in ids]
    db.session.add(reservation)
    db.session.flush()
    record(
        user_id,
        KEY,
        "cafe_reserved",
        LazyString(_cafe_subject, len(ids)),  # record() words it in the customer's language
        ", ".join(b.title for b in books),
        {"reservation_id": reservation.id, "day": day.isoformat()},
        key=f"retail.reservation:{reservation.id}",
    )
    return reservation


def decide_reservation_item(reservation: RetailReservation, item_id: int, outcome: str) -> None:
    """Keep (buy) or return one title of a café reservation; kept titles share one order."""
    if outcome not in ("kept", "returned"):
        raise RetailError(_l("Keep or return the book."))
    item = next((i for i in reservation.items if i.id == item_id), None)
    if item is None:
        raise LookupError(item_id)
    if item.outcome != "pending":
        raise RetailError(_l("You already decided about this book."))
    item.outcome = outcome
    if outcome == "kept":
        if reservation.order_id is None:
            order = place_order(
                reservation.user_id,
                [item.book_id],
                source="cafe",
                reference=f"CAFE-{reservation.id:06d}",
            )
            reservation.order_id = order.id
        else:
            order = db.session.get_one(RetailOrder, reservation.order_id)
            _add_line(order, item.book, take_stock=True)
    db.session.flush()


def reservations_for(user_id: int) -> list[RetailReservation]:
    """The customer's café reservations, soonest day first."""
    return list(
        db.session.execute(
            select(RetailReservation)
            .where(RetailReservation.user_id == user_id)
            .options(selectinload(RetailReservation.items).selectinload(RetailReservationItem.book))
            .order_by(RetailReservation.day.desc(), RetailReservation.id.desc())
        ).scalars()
    )


def cafe_table_by_day(start: date, days: int = 7) -> dict[date, list[RetailReservation]]:
    """Staff: the reservations of each day from ``start``, with their titles."""
    rows = db.session.execute(
        select(RetailReservation)
        .where(RetailReservation.day >= start, RetailReservation.day < start + timedelta(days=days))
        .options(
            selectinload(RetailReservation.items).selectinload(RetailReservationItem.book),
            selectinload(RetailReservation.user),
        )
        .order_by(RetailReservation.day, RetailReservation.id)
    ).scalars()
    by_day: dict[date, list[RetailReservation]] = defaultdict(list)
    for r in rows:
        by_day[r.day].append(r)
    return dict(by_day)


# --- shelves and the reading goal -------------------------------------------------------------


def shelve(user_id: int, book_id: int, shelf: str) -> RetailShelfEntry | None:
    """Put the book on a shelf (want, reading, read); an empty shelf takes it off."""
    entry = db.session.execute(
        select(RetailShelfEntry).where(
            RetailShelfEntry.user_id == user_id, RetailShelfEntry.book_id == book_id
        )
    ).scalar_one_or_none()
    if not shelf:
        if entry is not None:
            db.session.delete(entry)
            db.session.flush()
        return None
    if shelf not in SHELVES:
        raise RetailError(_l("Unknown shelf."))
    if entry is None:
        entry = RetailShelfEntry(user_id=user_id, book_id=book_id, shelf=shelf)
        db.session.add(entry)
    entry.shelf = shelf
    entry.finished_on = clock.today() if shelf == "read" else None
    entry.updated_at = clock.now()
    db.session.flush()
    return entry


def shelves_for(user_id: int) -> dict[str, list[RetailShelfEntry]]:
    """The customer's three shelves."""
    result: dict[str, list[RetailShelfEntry]] = {s: [] for s in SHELVES}
    rows = db.session.execute(
        select(RetailShelfEntry)
        .where(RetailShelfEntry.user_id == user_id)
        .options(selectinload(RetailShelfEntry.book))
        .order_by(RetailShelfEntry.updated_at.desc())
    ).scalars()
    for entry in rows:
        result[entry.shelf].append(entry)
    return result


@dataclass(frozen=True)
class GoalProgress:
    """A year's reading goal and how far the customer is."""

    year: int
    target: int | None
    read: int

    @property
    def percent(self) -> int:
        """Progress in percent, capped at 100."""
        if not self.target:
            return 0
        return min(100, round(100 * self.read / self.target))


def set_goal(user_id: int, year: int, target: int) -> RetailReadingGoal:
    """Set (or change) the number of books to read in ``year``."""
    if not 1 <= target <= 500:
        raise RetailError(_l("A goal is between 1 and 500 books."))
    goal = db.session.execute(
        select(RetailReadingGoal).where(
            RetailReadingGoal.user_id == user_id, RetailReadingGoal.year == year
        )
    ).scalar_one_or_none()
    if goal is None:
        goal = RetailReadingGoal(user_id=user_id, year=year, target=target)
        db.session.add(goal)
    goal.target = target
    db.session.flush()
    return goal


def goal_progress(user_id: int, year: int) -> GoalProgress:
    """The year's goal and the books finished that year."""
    target = db.session.execute(
        select(RetailReadingGoal.target).where(
            RetailReadingGoal.user_id == user_id, RetailReadingGoal.year == year
        )
    ).scalar_one_or_none()
    read = db.session.execute(
        select(func.count(RetailShelfEntry.id)).where(
            RetailShelfEntry.user_id == user_id,
            RetailShelfEntry.shelf == "read",
            RetailShelfEntry.finished_on >= date(year, 1, 1),
            RetailShelfEntry.finished_on <= date(year, 12, 31),
        )
    ).scalar_one()
    return GoalProgress(year=year, target=target, read=read)


# --- reviews ---------------------------------------------------------------------------------


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
        review = db.session.execute(
            select(RetailReview).where(
                RetailReview.user_id == user_id, RetailReview.book_id == book_id
            )
        ).scalar_one_or_none()
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
    """The visible reviews' count, average (stars, 2 decimals) and distribution (1..10)."""
    rows = db.session.execute(
        select(RetailReview.half_stars, func.count(RetailReview.id))
        .where(RetailReview.book_id == book_id, RetailReview.hidden.is_(False))
        .group_by(RetailReview.half_stars)
    ).all()
    distribution = {h: 0 for h in range(1, 11)}
    for half, n in rows:
        distribution[half] = n
    count = sum(distribution.values())
    total = sum(h * n for h, n in distribution.items())
    average = round(total / count / 2, 2) if count else None
    return RatingSummary(count=count, average=average, distribution=distribution)


def reviews_of(book_id: int) -> list[tuple[RetailReview, int]]:
    """The book's visible reviews with their helpful votes, most helpful first."""
    votes = (
        select(RetailHelpfulVote.review_id, func.count(RetailHelpfulVote.id).label("n"))
        .group_by(RetailHelpfulVote.review_id)
        .subquery()
    )
    rows = db.session.execute(
        select(RetailReview, func.coalesce(votes.c.n, 0))
        .outerjoin(votes, votes.c.review_id == RetailReview.id)
        .where(RetailReview.book_id == book_id, RetailReview.hidden.is_(False))
        .options(selectinload(RetailReview.author))
        .order_by(func.coalesce(votes.c.n, 0).desc(), RetailReview.updated_at.desc())
    ).all()
    return [(r, n) for r, n in rows]


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


def report_content(
    user_id: int, reason: str, review: RetailReview | None = None, post: RetailPost | None = None
) -> RetailContentReport | None:
    """Report a review or a post to the staff; a second report by the same customer is ignored."""
    if review is not None:
        reported = RetailContentReport.review_id == review.id
    elif post is not None:
        reported = RetailContentReport.post_id == post.id
    else:
        raise ValueError("report a review or a post")
    stmt = select(RetailContentReport).where(RetailContentReport.user_id == user_id, reported)
    if db.session.execute(stmt).first():
        return None
    report = RetailContentReport(
        user_id=user_id,
        review_id=review.id if review else None,
        post_id=post.id if post else None,
        reason=reason.strip()[:200],
    )
    db.session.add(report)
    db.session.flush()
    return report


def open_reports() -> list[RetailContentReport]:
    """Staff: reports not yet resolved, oldest first."""
    return list(
        db.session.execute(
            select(RetailContentReport)
            .where(RetailContentReport.resolution == "")
            .options(
                selectinload(RetailContentReport.review).selectinload(RetailReview.book),
                selectinload(RetailContentReport.post).selectinload(RetailPost.thread),
            )
            .order_by(RetailContentReport.created_at, RetailContentReport.id)
        ).scalars()
    )


def moderate(report: RetailContentReport, action: str) -> int:
    """Hide the reported content or dismiss the report; resolves every open report on it."""
    if action not in ("hidden", "dismissed"):
        raise RetailError(_l("Hide or dismiss."))
    if action == "hidden":
        content = report.review or report.post
        if content is None:
            raise LookupError(f"report {report.id} is about neither a review nor a post")
        content.hidden = True
    same = select(RetailContentReport).where(RetailContentReport.resolution == "")
    same = same.where(
        RetailContentReport.review_id == report.review_id
        if report.review_id
        else RetailContentReport.post_id == report.post_id
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


# --- groups ----------------------------------------------------------------------------------


def is_member(group_id: int, user_id: int) -> bool:
    """True when the customer belongs to the group."""
    return (
        db.session.execute(
            select(RetailMembership.id).where(
                RetailMembership.group_id == group_id, RetailMembership.user_id == user_id
            )
        ).first()
        is not None
    )


def join_group(group: RetailGroup, user_id: int) -> bool:
    """Join the group; False if already a member."""
    if is_member(group.id, user_id):
        return False
    db.session.add(RetailMembership(group_id=group.id, user_id=user_id))
    db.session.flush()
    record(
        user_id,
        KEY,
        "group_joined",
        _l("You joined %(name)s", name=group.name),
        key=f"retail.group:{group.id}:{user_id}",
    )
    return True


def leave_group(group: RetailGroup, user_id: int) -> None:
    """Leave the group."""
    membership = db.session.execute(
        select(RetailMembership).where(
            RetailMembership.group_id == group.id, RetailMembership.user_id == user_id
        )
    ).scalar_one_or_none()
    if membership is not None:
        db.session.delete(membership)
        db.session.flush()


def groups_with_counts(user_id: int | None) -> list[tuple[RetailGroup, int, bool]]:
    """Every group with its member count and whether this customer is one."""
    counts = dict(
        db.session.execute(
            select(RetailMembership.group_id, func.count(RetailMembership.id)).group_by(
                RetailMembership.group_id
            )
        ).all()
    )
    mine = (
        set(
            db.session.execute(
                select(RetailMembership.group_id).where(RetailMembership.user_id == user_id)
            ).scalars()
        )
        if user_id
        else set()
    )
    groups = db.session.execute(
        select(RetailGroup)
        .options(selectinload(RetailGroup.current_book))
        .order_by(RetailGroup.name)
    ).scalars()
    return [(g, counts.get(g.id, 0), g.id in mine) for g in groups]


def start_thread(group: RetailGroup, user_id: int, title: str, body: str) -> RetailThread:
    """Open a conversation in a group the customer belongs to."""
    if not is_member(group.id, user_id):
        raise RetailError(_l("Join the group to start a thread."))
    if db.session.execute(
        select(RetailThread.id).where(
            RetailThread.group_id == group.id, RetailThread.title == title.strip()
        )
    ).first():
        raise RetailError(_l("This group already has a thread with that title."))
    thread = RetailThread(group_id=group.id, user_id=user_id, title=title.strip())
    thread.posts = [RetailPost(user_id=user_id, body=body.strip())]
    db.session.add(thread)
    db.session.flush()
    return thread


def reply(thread: RetailThread, user_id: int, body: str) -> RetailPost:
    """Reply in a thread of a group the customer belongs to."""
    if not is_member(thread.group_id, user_id):
        raise RetailError(_l("Join the group to reply."))
    post = RetailPost(thread_id=thread.id, user_id=user_id, body=body.strip())
    db.session.add(post)
    db.session.flush()
    return post


def threads_of(group_id: int) -> list[tuple[RetailThread, int]]:
    """The group's threads, most recently active first, with their post counts."""
    rows = db.session.execute(
        select(RetailThread, func.count(RetailPost.id), func.max(RetailPost.created_at))
        .join(RetailPost, RetailPost.thread_id == RetailThread.id)
        .where(RetailThread.group_id == group_id)
        .group_by(RetailThread.id)
        .order_by(func.max(RetailPost.created_at).desc())
    ).all()
    return [(t, n) for t, n, _last in rows]


# --- events and the waitlist -----------------------------------------------------------------


def seats_taken(event_id: int) -> int:
    """How many customers are going."""
    return db.session.execute(
        select(func.count(RetailRsvp.id)).where(
            RetailRsvp.event_id == event_id, RetailRsvp.status == "going"
        )
    ).scalar_one()


def rsvp_for(event_id: int, user_id: int) -> RetailRsvp | None:
    """The customer's answer to the event, or None."""
    return db.session.execute(
        select(RetailRsvp).where(RetailRsvp.event_id == event_id, RetailRsvp.user_id == user_id)
    ).scalar_one_or_none()


def answer_event(event: RetailEvent, user_id: int, answer: str) -> RetailRsvp:
    """RSVP going / interested / not going; "going" to a full event joins the waitlist.

    When someone who was going answers otherwise, their seat goes at once to the first
    customer on the waitlist, who is told.
    """
    if answer not in ("going", "interested", "not_going"):
        raise RetailError(_l("Answer going, interested or not going."))
    now = clock.now()
    if event.starts_at <= now:
        raise RetailError(_l("This event has already started."))
    # Lock the event row (PostgreSQL) so two answers cannot both take the last seat.
    db.session.execute(select(RetailEvent.id).where(RetailEvent.id == event.id).with_for_update())
    rsvp = rsvp_for(event.id, user_id)
    previous = rsvp.status if rsvp else None
    if answer == "going" and rsvp is not None and previous in ("going", "waitlisted"):
        return rsvp
    # Counted before this answer is added, so it never takes its own seat.
    full = seats_taken(event.id) >= event.capacity
    if rsvp is None:
        rsvp = RetailRsvp(event_id=event.id, user_id=user_id, status=answer)
        db.session.add(rsvp)
    if answer == "going" and full:
        rsvp.status = "waitlisted"
        rsvp.waitlisted_at = now
    else:
        rsvp.status = answer
        rsvp.waitlisted_at = None
    rsvp.updated_at = now
    db.session.flush()
    if rsvp.status == "going":
        _seat_confirmed(event, rsvp, promoted=False)
    if previous == "going" and rsvp.status != "going":
        promote_from_waitlist(event)
    return rsvp


def promote_from_waitlist(event: RetailEvent) -> list[RetailRsvp]:
    """Give every free seat to the first customers on the waitlist and tell each at once."""
    promoted: list[RetailRsvp] = []
    free = event.capacity - seats_taken(event.id)
    if free <= 0:
        return promoted
    queue = list(
        db.session.execute(
            select(RetailRsvp)
            .where(RetailRsvp.event_id == event.id, RetailRsvp.status == "waitlisted")
            .order_by(RetailRsvp.waitlisted_at, RetailRsvp.id)
            .limit(free)
        ).scalars()
    )
    locales = recipient_locales(rsvp.user_id for rsvp in queue)
    for rsvp in queue:
        joined = rsvp.waitlisted_at
        rsvp.status = "going"
        rsvp.waitlisted_at = None
        rsvp.updated_at = clock.now()
        promoted.append(rsvp)
        with in_locale(locales[rsvp.user_id]):
            title = _("A seat is yours: %(title)s", title=event.title)
            body = _(
                "A seat freed up and you were first on the waitlist. See you on %(when)s.",
                when=format_datetime(event.starts_at, "dd MMM yyyy HH:mm") + " UTC",
            )
        notify(
            rsvp.user_id,
            "retail.waitlist_promoted",
            title,
            body,
            link=_event_link(event),
            key=f"retail.promoted:{rsvp.id}:{int(joined.timestamp()) if joined else 0}",
        )
        _seat_confirmed(event, rsvp, promoted=True)
    db.session.flush()
    return promoted


def _event_link(event: RetailEvent) -> str:
    return url_for("retail.event", event_id=event.id) if _has_request() else ""


def _seat_confirmed(event: RetailEvent, rsvp: RetailRsvp, promoted: bool) -> None:
    record(
        rsvp.user_id,
        KEY,
        "seat_confirmed",
        _l("Your seat at %(title)s", title=event.title),
        _l("Promoted from the waitlist") if promoted else "",
        {"event_id": event.id},
        link=_event_link(event),
        key=f"retail.seat:{rsvp.id}:{int(clock.now().timestamp())}",
    )


def rsvp_counts(event_ids: Iterable[int]) -> dict[int, Counter]:
    """Per event, the number of answers of each status (one query)."""
    ids = list(event_ids)
    result: dict[int, Counter] = {i: Counter() for i in ids}
    if not ids:
        return result
    rows = db.session.execute(
        select(RetailRsvp.event_id, RetailRsvp.status, func.count(RetailRsvp.id))
        .where(RetailRsvp.event_id.in_(ids))
        .group_by(RetailRsvp.event_id, RetailRsvp.status)
    ).all()
    for event_id, status, n in rows:
        result[event_id][status] = n
    return result


def upcoming_events(now: datetime, limit: int = 50) -> list[RetailEvent]:
    """Events that have not ended, soonest first."""
    return list(
        db.session.execute(
            select(RetailEvent)
            .where(RetailEvent.ends_at > now)
            .order_by(RetailEvent.starts_at)
            .limit(limit)
        ).scalars()
    )


def past_events(now: datetime, limit: int = 10) -> list[RetailEvent]:
    """Events that have ended, latest first."""
    return list(
        db.session.execute(
            select(RetailEvent)
            .where(RetailEvent.ends_at <= now)
            .order_by(RetailEvent.starts_at.desc())
            .limit(limit)
        ).scalars()
    )


def waitlist(event_id: int) -> list[RetailRsvp]:
    """The event's waitlist in order."""
    return list(
        db.session.execute(
            select(RetailRsvp)
            .where(RetailRsvp.event_id == event_id, RetailRsvp.status == "waitlisted")
            .options(selectinload(RetailRsvp.user))
            .order_by(RetailRsvp.waitlisted_at, RetailRsvp.id)
        ).scalars()
    )


def waitlists(event_ids: Iterable[int]) -> dict[int, list[RetailRsvp]]:
    """Staff: each event's waitlist in order, for many events in one query."""
    ids = list(event_ids)
    result: dict[int, list[RetailRsvp]] = {i: [] for i in ids}
    if not ids:
        return result
    rows = db.session.execute(
        select(RetailRsvp)
        .where(RetailRsvp.event_id.in_(ids), RetailRsvp.status == "waitlisted")
        .options(selectinload(RetailRsvp.user))
        .order_by(RetailRsvp.waitlisted_at, RetailRsvp.id)
    ).scalars()
    for rsvp in rows:
        result[rsvp.event_id].append(rsvp)
    return result


def event_ics(event: RetailEvent) -> bytes:
    """The event as an iCalendar file (one VEVENT), built by the platform's calendar."""
    entry = CalendarEntry(
        uid=f"retail-event-{event.id}@dcx.example",
        title=event.title,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        location=event.where,
        description=event.description,
        url=event.link if event.kind == "virtual" and event.link else "",
    )
    return ics_file([("retail", entry)], event.title, brand.name())


def calendar(user_id: int) -> list[CalendarEntry]:
    """Extension point: the customer's upcoming events (going or waitlisted) and café days."""
    now = clock.now()
    entries = [
        CalendarEntry(
            uid=f"retail-event-{e.id}@dcx.example",
            title=e.title if status == "going" else _("%(title)s (waitlist)", title=e.title),
            starts_at=e.starts_at,
            ends_at=e.ends_at,
            location=e.where,
            description=e.description,
        )
        for e, status in db.session.execute(
            select(RetailEvent, RetailRsvp.status)
            .join(RetailRsvp, RetailRsvp.event_id == RetailEvent.id)
            .where(
                RetailRsvp.user_id == user_id,
                RetailRsvp.status.in_(("going", "waitlisted")),
                RetailEvent.ends_at > now,
            )
            .order_by(RetailEvent.starts_at)
        ).all()
    ]
    for r in db.session.execute(
        select(RetailReservation).where(
            RetailReservation.user_id == user_id, RetailReservation.day >= now.date()
        )
    ).scalars():
        start = datetime.combine(r.day, time(10), tzinfo=UTC)
        entries.append(
            CalendarEntry(
                uid=f"retail-cafe-{r.id}@dcx.example",
                title=_("Books waiting at the café table"),
                starts_at=start,
                ends_at=start + timedelta(hours=8),
                location=_("The bookstore café"),
            )
        )
    return entries


# --- recommendations -------------------------------------------------------------------------


@dataclass(frozen=True)
class Recommendation:
    """A title suggested to a customer, with the reason shown beside it."""

    book: RetailBook
    score: float
    reason: str
    because: RetailBook | None = None


def _purchases():
    """Distinct (customer, book) pairs: each book's vector of buyers."""
    return (
        select(RetailOrder.user_id.label("user_id"), RetailOrderLine.book_id.label("book_id"))
        .join(RetailOrderLine, RetailOrderLine.order_id == RetailOrder.id)
        .distinct()
        .subquery()
    )


def co_purchases(
    book_ids: Iterable[int] | None = None,
) -> tuple[dict[tuple[int, int], int], dict[int, int]]:
    """Co-purchase counts and buyers per book, aggregated in SQL.

    Returns ``(co, buyers)``: ``co[(i, j)]`` is how many customers bought both i and j
    (only pairs with i in ``book_ids`` when given), ``buyers[i]`` how many bought i.
    """
    p = _purchases()
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


def rank_by_cosine(
    owned: set[int],
    co: Mapping[tuple[int, int], int],
    buyers: Mapping[int, int],
    limit: int = 10,
) -> list[tuple[int, float, int]]:
    """Item-to-item scores for one customer: ``(book, score, because_book)``, best first.

    Each book is the vector of its buyers, so the cosine of two books is
    ``both / sqrt(buyers_i * buyers_j)``. A candidate's score sums its cosine with every
    book the customer owns; the reason is the owned book it is closest to. Owned books are
    never suggested; ties break by book id so the ranking is stable.
    """
    scores: dict[int, float] = defaultdict(float)
    best: dict[int, tuple[float, int]] = {}
    for (i, j), both in co.items():
        if i not in owned or j in owned:
            continue
        cosine = both / math.sqrt(buyers[i] * buyers[j])
        scores[j] += cosine
        if j not in best or (cosine, -i) > (best[j][0], -best[j][1]):
            best[j] = (cosine, i)
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return [(j, round(s, 6), best[j][1]) for j, s in ranked]


def recommend(user_id: int, limit: int = 6, exclude: Iterable[int] = ()) -> list[Recommendation]:
    """Titles for this customer: bought-together ones first, then subject/author matches."""
    owned = owned_book_ids(user_id)
    skip = owned | set(exclude)
    ranked: list[tuple[int, float, int]] = []
    if owned:
        co, buyers = co_purchases(owned)
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
    picks = []
    for user_id, books in owned.items():
        ranked = rank_by_cosine(books, co, buyers, per_customer + len(already_sent[user_id]))
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
    groups = db.session.execute(
        select(func.count(RetailMembership.id)).where(RetailMembership.user_id == user_id)
    ).scalar_one()
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
        "link": url_for("retail.staff") if _has_request() else "",
    }
