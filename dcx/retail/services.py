"""The bookstore's rules: catalogue, orders, café reservations, shelves and the reading goal.

Reviews, reading groups, events and recommendations have modules of their own beside this one.

Functions take explicit ids and add + flush; the view or job commits.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import url_for
from flask_babel import LazyString, ngettext
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.inputs import db_int
from dcx.platform.timeline.services import record
from dcx.retail import co_purchases
from dcx.retail.models import (
    SHELVES,
    ReservationOutcome,
    RetailBook,
    RetailOrder,
    RetailOrderLine,
    RetailReadingGoal,
    RetailReservation,
    RetailReservationItem,
    RetailShelfEntry,
)

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


def book_page(
    q: str = "", subject: str = "", author: str = "", page: int = 1, per_page: int = 24
) -> Pagination:
    """One page of :func:`search_books` (a page past the end, or below 1, is no error)."""
    return db.paginate(
        search_books(q, subject, author), page=page, per_page=per_page, error_out=False
    )


def all_subjects() -> list[str]:
    """Every subject in the catalogue, sorted."""
    rows = db.session.execute(select(RetailBook.subjects).distinct()).scalars()
    return sorted({s for row in rows for s in row.split(";") if s})


def get_book(book_id) -> RetailBook | None:
    """One book by id, or None for a missing or malformed id."""
    try:
        return db.session.get(RetailBook, db_int(book_id))
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
    owned_before = owned_book_ids(user_id)
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
    co_purchases.record_purchases({user_id: (owned_before, ids)})
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
    if outcome not in (ReservationOutcome.KEPT, ReservationOutcome.RETURNED):
        raise RetailError(_l("Keep or return the book."))
    item = next((i for i in reservation.items if i.id == item_id), None)
    if item is None:
        raise LookupError(item_id)
    if item.outcome != ReservationOutcome.PENDING:
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
    entry = shelf_entry(user_id, book_id)
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


def shelf_entry(user_id: int, book_id: int) -> RetailShelfEntry | None:
    """Where the customer keeps the book (their shelf entry), or None if it is on no shelf."""
    return db.session.execute(
        select(RetailShelfEntry).where(
            RetailShelfEntry.user_id == user_id, RetailShelfEntry.book_id == book_id
        )
    ).scalar_one_or_none()


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
