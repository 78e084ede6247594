"""The life of a bookshop period: orders arrive, café reservations close, reviews and events.

Every customer who has bought before shops on about one day in twenty (a persona one in
twelve), one or two titles they do not own yet, so their recommendations (read from order
history and the co-purchase counts kept with it) move. A café reservation whose day has
passed is closed: each title still waiting is kept (bought, in the reservation's one café
order) or returned to the shelf. About a third of the titles bought are reviewed ten days
later, rated in half stars. Each of the shop's events comes back four weeks after its
latest date, announced three weeks ahead, and customers take its seats; past ones pass.

Natural keys keep it idempotent: an order by its reference (``SIM-<customer>-<day>``, a café
order ``CAFE-<reservation>`` as the shop writes it), a line by (order, title), a review by
(customer, title), an event by its slug (``<slug>~<date>``), a seat by (event, customer).
Draws are fixed by what they are about (a customer and a day, a title), so "+1 week" four
times lives the same month as "+1 month". Set-based: a fixed number of queries, one insert
per batch of rows.

Over the seeded past (``ctx.history``) the shop's customers shop and review as they do after
it; a persona's orders, reviews and seats up to the seed are the showcase file's, and so
are the events still to come.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from dcx.extensions import db
from dcx.platform.links import link
from dcx.platform.simulation import insert_batches
from dcx.platform.timeline.services import record_bulk
from dcx.retail import co_purchases
from dcx.retail.models import (
    RetailBook,
    RetailEvent,
    RetailOrder,
    RetailOrderLine,
    RetailReservation,
    RetailReservationItem,
    RetailReview,
    RetailRsvp,
)
from dcx.verticals import SimulationContext

SHOPPING_DAYS = 0.05
PERSONA_SHOPPING_DAYS = 0.08
REVIEWED = 0.3
REVIEW_AFTER = timedelta(days=10)
EVENT_EVERY = timedelta(days=28)
ANNOUNCED = timedelta(days=21)
RSVP_SHARE = 0.12
SERIES = "~"


def _aware(value: Any) -> datetime:
    if isinstance(value, str):  # SQLite's max() of a decorated column comes back raw
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _days(start: datetime, end: datetime) -> list[date]:
    day, days = start.date(), []
    while day <= end.date():
        days.append(day)
        day += timedelta(days=1)
    return days


def period(ctx: SimulationContext, start: datetime, end: datetime) -> int:
    """Live ``[start, end)`` for every customer of the shop; returns the rows written."""
    books = {
        book_id: (price, currency)
        for book_id, price, currency in db.session.execute(
            select(RetailBook.id, RetailBook.price_minor, RetailBook.currency).order_by(
                RetailBook.id
            )
        )
    }
    if not books:
        return 0
    owned: dict[int, set[int]] = defaultdict(set)
    for user_id, book_id in db.session.execute(
        select(RetailOrder.user_id, RetailOrderLine.book_id)
        .join(RetailOrderLine, RetailOrderLine.order_id == RetailOrder.id)
        .distinct()
    ):
        owned[user_id].add(book_id)
    written = _orders(ctx, start, end, books, owned)
    written += _reviews(ctx, start, end)
    personas = set(ctx.users.values()) if ctx.history else set()
    written += _events(ctx, start, end, sorted(set(owned) - personas))
    return written


def _orders(
    ctx: SimulationContext,
    start: datetime,
    end: datetime,
    books: dict[int, tuple[int, str]],
    owned: dict[int, set[int]],
) -> int:
    placed = set(
        db.session.execute(
            select(RetailOrder.reference).where(
                RetailOrder.placed_at >= start, RetailOrder.placed_at < end
            )
        ).scalars()
    )
    before = {user_id: set(titles) for user_id, titles in owned.items()}
    personas = set(ctx.users.values())
    # a persona's shopping up to the seed is the showcase file's
    shoppers = sorted(u for u in owned if not (ctx.history and u in personas))
    orders: list[dict[str, Any]] = []
    catalogue = sorted(books)
    shares = [
        (user_id, PERSONA_SHOPPING_DAYS if user_id in personas else SHOPPING_DAYS)
        for user_id in shoppers
    ]
    closing = _close_reservations(ctx, start, end)
    for day in _days(start, end):
        # the café orders of reservations that closed at midnight come first that day
        for order in closing.get(day, []):
            owned[order["user_id"]].update(order["books"])
            orders.append(order)
        # the day once: its text (what a draw is about), its opening hour, its stamp
        day_text, ten, stamp = (
            str(day),
            datetime.combine(day, time(10), tzinfo=UTC),
            f"{day:%Y%m%d}",
        )
        for user_id, share in shares:
            if ctx.draw("shop", user_id, day_text) >= share:
                continue
            at = ten + timedelta(minutes=int(600 * ctx.draw("at", user_id, day_text)))
            reference = f"SIM-{user_id}-{stamp}"
            if not start <= at < end or reference in placed:
                continue
            choices = [b for b in catalogue if b not in owned[user_id]]
            if not choices:
                continue
            rng = ctx.rng("basket", user_id, day_text)
            basket = rng.sample(choices, min(len(choices), 1 + int(rng.random() < 0.3)))
            owned[user_id].update(basket)
            orders.append(
                {"user_id": user_id, "reference": reference, "source": "online", "at": at}
                | {"books": basket}
            )
    return _place(orders, books, before)


def _close_reservations(
    ctx: SimulationContext, start: datetime, end: datetime
) -> dict[date, list[dict[str, Any]]]:
    """Close the café reservations whose day ended in the period: keep or return each title
    still waiting; returns the café orders of the kept ones by the day they closed on."""
    rows = db.session.execute(
        select(
            RetailReservationItem.id,
            RetailReservationItem.book_id,
            RetailReservation.id,
            RetailReservation.user_id,
            RetailReservation.day,
        )
        .join(RetailReservation, RetailReservation.id == RetailReservationItem.reservation_id)
        .where(
            RetailReservationItem.outcome == "pending",
            RetailReservation.day >= start.date() - timedelta(days=1),
            RetailReservation.day < end.date(),
        )
    ).all()
    kept: list[int] = []
    returned: list[int] = []
    cafe: dict[int, dict[str, Any]] = {}
    for item_id, book_id, reservation_id, user_id, day in rows:
        closes = datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC)
        if not start <= closes < end:
            continue
        if ctx.draw("keep", item_id) < 0.5:
            kept.append(item_id)
            order = cafe.setdefault(
                reservation_id,
                {
                    "user_id": user_id,
                    "reference": f"CAFE-{reservation_id:06d}",
                    "source": "cafe",
                    "at": closes - timedelta(hours=6),
                    "books": [],
                    "reservation_id": reservation_id,
                },
            )
            order["books"].append(book_id)
        else:
            returned.append(item_id)
    for outcome, ids in (("kept", kept), ("returned", returned)):
        if ids:
            db.session.execute(
                update(RetailReservationItem)
                .where(RetailReservationItem.id.in_(ids))
                .values(outcome=outcome)
                .execution_options(synchronize_session=False)
            )
    by_day: dict[date, list[dict[str, Any]]] = defaultdict(list)
    for order in cafe.values():
        by_day[(order["at"] + timedelta(hours=6)).date()].append(order)
    return by_day


def _place(
    orders: list[dict[str, Any]],
    books: dict[int, tuple[int, str]],
    before: dict[int, set[int]],
) -> int:
    """Insert the orders, their lines, the co-purchase counts and the timeline events."""
    if not orders:
        return 0
    insert_batches(
        RetailOrder,
        [
            {
                "user_id": o["user_id"],
                "reference": o["reference"],
                "source": o["source"],
                "total_minor": sum(books[b][0] for b in o["books"]),
                "currency": books[o["books"][0]][1],
                "placed_at": o["at"],
            }
            for o in orders
        ],
    )
    ids = dict(
        db.session.execute(
            select(RetailOrder.reference, RetailOrder.id).where(
                RetailOrder.reference.in_([o["reference"] for o in orders])
            )
        ).all()
    )
    lines = [
        {"order_id": ids[o["reference"]], "book_id": b, "quantity": 1, "price_minor": books[b][0]}
        for o in orders
        for b in o["books"]
    ]
    insert_batches(RetailOrderLine, lines)
    for o in orders:
        if "reservation_id" in o:
            db.session.execute(
                update(RetailReservation)
                .where(
                    RetailReservation.id == o["reservation_id"],
                    RetailReservation.order_id.is_(None),
                )
                .values(order_id=ids[o["reference"]])
                .execution_options(synchronize_session=False)
            )
    bought: dict[int, set[int]] = defaultdict(set)
    for o in orders:
        bought[o["user_id"]].update(o["books"])
    co_purchases.record_purchases(
        {user_id: (before.get(user_id, set()), titles) for user_id, titles in bought.items()}
    )
    events = [
        {
            "user_id": o["user_id"],
            "vertical": "retail",
            "kind": "order_placed",
            "subject": _l("Order %(ref)s placed", ref=o["reference"]),
            "data": {"order_id": ids[o["reference"]]},
            "link": link("retail.order", order_id=ids[o["reference"]]),
            "key": f"retail.order:{ids[o['reference']]}",
            "occurred_at": o["at"],
        }
        for o in orders
    ]
    return len(orders) + len(lines) + record_bulk(events)


def _reviews(ctx: SimulationContext, start: datetime, end: datetime) -> int:
    """A share of the titles bought ten days before each day of the period are reviewed."""
    rows = db.session.execute(
        select(RetailOrder.user_id, RetailOrderLine.book_id, RetailOrder.placed_at)
        .join(RetailOrderLine, RetailOrderLine.order_id == RetailOrder.id)
        .where(
            RetailOrder.placed_at >= start - REVIEW_AFTER,
            RetailOrder.placed_at < end - REVIEW_AFTER,
        )
    ).all()
    personas = set(ctx.users.values()) if ctx.history else set()
    reviews, events = [], []
    for user_id, book_id, placed_at in rows:
        at = _aware(placed_at) + REVIEW_AFTER
        if not start <= at < end or ctx.draw("review", user_id, book_id) >= REVIEWED:
            continue
        if user_id in personas:
            continue  # a persona's reviews up to the seed are the showcase file's
        half_stars = 5 + int(6 * ctx.draw("stars", user_id, book_id))  # 2.5 to 5 stars
        title = "★" * (half_stars // 2) + ("½" if half_stars % 2 else "")
        reviews.append(
            {
                "user_id": user_id,
                "book_id": book_id,
                "half_stars": half_stars,
                "title": title,
                "body": "",
                "hidden": False,
                "created_at": at,
                "updated_at": at,
            }
        )
        events.append(
            {
                "user_id": user_id,
                "vertical": "retail",
                "kind": "review_written",
                "subject": title,
                "data": {"book_id": book_id},
                "link": link("retail.book", book_id=book_id),
                "key": f"retail.review:{book_id}",
                "occurred_at": at,
            }
        )
    return insert_batches(RetailReview, reviews) + record_bulk(events)


def _events(ctx: SimulationContext, start: datetime, end: datetime, customers: list[int]) -> int:
    """Each event series comes back four weeks after its latest date, announced three weeks
    ahead; customers take its seats up to its capacity."""
    latest: dict[str, RetailEvent] = {}
    for event in db.session.execute(select(RetailEvent).order_by(RetailEvent.starts_at)).scalars():
        latest[event.slug.split(SERIES)[0]] = event
    new = []
    for series, event in sorted(latest.items()):
        at = _aware(event.starts_at) + EVENT_EVERY
        while at - ANNOUNCED < end:
            # over the seeded past, only events already held: the coming ones are the file's
            if at - ANNOUNCED >= start and not (ctx.history and at >= end):
                new.append(
                    {
                        "slug": f"{series}{SERIES}{at:%Y%m%d}",
                        "title": event.title,
                        "description": event.description,
                        "kind": event.kind,
                        "link": event.link,
                        "address": event.address,
                        "starts_at": at,
                        "ends_at": at + (_aware(event.ends_at) - _aware(event.starts_at)),
                        "capacity": event.capacity,
                        "book_id": event.book_id,
                    }
                )
            at += EVENT_EVERY
    if not new:
        return 0
    written = insert_batches(RetailEvent, new)
    made = db.session.execute(
        select(RetailEvent.id, RetailEvent.slug, RetailEvent.capacity, RetailEvent.starts_at).where(
            RetailEvent.slug.in_([e["slug"] for e in new])
        )
    ).all()
    seats: list[dict[str, Any]] = []
    for event_id, slug, capacity, starts_at in made:
        going = [c for c in customers if ctx.draw("rsvp", c, slug) < RSVP_SHARE][:capacity]
        answered = _aware(starts_at) - ANNOUNCED + timedelta(days=1)
        seats.extend(
            {
                "event_id": event_id,
                "user_id": user_id,
                "status": "going",
                "waitlisted_at": None,
                "updated_at": answered,
            }
            for user_id in going
        )
    return written + insert_batches(RetailRsvp, seats)
