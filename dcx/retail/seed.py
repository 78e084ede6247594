"""Seed the corner bookstore: a few hundred books, readers with order histories, reviews,
book clubs with threads, and past and upcoming events.

Everything is planned first from ``ctx.random`` (so the plan never depends on what is already
in the database), then only what is missing is inserted, by natural key: ISBN, email, order
reference, (customer, book), group slug, (group, thread title), event slug, (event, customer).
Seeding twice changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from dcx.database import ids_in, insert_ignoring_duplicates
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.accounts.models import User
from dcx.platform.accounts.services import hash_password
from dcx.platform.community.models import CommunityMembership, CommunityPost, CommunityThread
from dcx.platform.timeline.services import record_bulk
from dcx.retail import co_purchases, reading_groups, recommender, services, synthetic
from dcx.retail.models import (
    RetailBook,
    RetailContentReport,
    RetailEvent,
    RetailOrder,
    RetailOrderLine,
    RetailReadingGoal,
    RetailRecommendationSent,
    RetailReservation,
    RetailReservationItem,
    RetailReview,
    RetailRsvp,
    RetailShelfEntry,
)
from dcx.retail.services import isbn13_check_digit, wrap_list
from dcx.verticals import SeedContext

REVIEW_TITLES = {
    10: [_l("Couldn't put it down"), _l("A new favourite"), _l("Perfect")],
    9: [_l("Wonderful"), _l("So good")],
    8: [_l("Really enjoyed it"), _l("Warmly recommended")],
    7: [_l("Good read"), _l("Solid")],
    6: [_l("Worth it"), _l("Pleasant")],
    5: [_l("Mixed feelings"), _l("Fine")],
    4: [_l("Slow going")],
    3: [_l("Not for me")],
}
LOW_BODIES = [
    _l("I wanted to love it, but it never caught me."),
    _l("Beautiful cover, slow story."),
    _l("Gave up halfway; maybe another time."),
]
REVIEW_BODIES = [
    _l("Read it in two evenings on the sofa."),
    _l("The middle drags a little but the ending makes up for it."),
    _l("Bought it at the café table and do not regret it."),
    _l("Lovely writing; I kept underlining sentences."),
    _l("Our book club argued about it for an hour."),
]


def _isbn(n: int) -> str:
    first12 = f"978{(100_000_000 + n * 3371) % 1_000_000_000:09d}"
    return first12 + str(isbn13_check_digit(first12))


def _plan_books(data: dict[str, Any], rng) -> tuple[list[dict], dict[str, list[int]]]:
    subjects = list(data["subjects"])
    names, _readers = synthetic.people(data)
    authors = [(name, subjects[k % len(subjects)]) for k, name in enumerate(names)]
    by_subject_authors = {s: [a for a, sub in authors if sub == s] for s in subjects}
    plans: list[dict] = []
    taken_titles: set[frozenset[str]] = set()
    index_by_subject: dict[str, list[int]] = {s: [] for s in subjects}
    today = clock.today()
    for i in range(data["counts"]["books"]):
        subject = subjects[i % len(subjects)]
        # Phrases, patterns and places are translated whole (``!t``), so a title reads
        # naturally in the showcase's language instead of being glued from English words.
        title = synthetic.distinct_title(
            rng,
            data["subjects"][subject],
            data["patterns"],
            data["places"],
            taken_titles,
            lambda title, number: gettext(
                "%(title)s, volume %(number)s", title=title, number=number
            ),
        )
        extra = [rng.choice(subjects)] if rng.random() < 0.2 else []
        author = rng.choice(by_subject_authors[subject])
        plans.append(
            {
                "isbn": _isbn(i),
                "title": title,
                "authors": wrap_list([author]),
                "subjects": wrap_list(dict.fromkeys([subject, *extra])),
                "description": gettext(
                    "A %(subject)s title by %(author)s: %(title)s, chosen by our booksellers.",
                    subject=subject.lower(),
                    author=author,
                    title=title,
                ),
                "price_minor": rng.randrange(899, 2999, 50),
                "currency": data["store"]["currency"],
                "stock": rng.choice([0, 2, 3, 4, 5, 6, 8, 12]),
                "published_on": today - timedelta(days=rng.randrange(0, 3650)),
            }
        )
        index_by_subject[subject].append(i)
    return plans, index_by_subject


def _pick(rng, pool: list[int]) -> int:
    # A few titles per subject sell far more than the rest, as in any shop.
    weights = [1 / (rank + 1) for rank in range(len(pool))]
    return rng.choices(pool, weights=weights)[0]


def seed(ctx: SeedContext) -> None:
    """Get-or-create the bookstore's catalogue, readers, orders, reviews, groups and events."""
    data = dict(ctx.data)
    if not data.get("subjects"):
        return
    rng = ctx.random
    now = clock.now()
    subjects = list(data["subjects"])

    # --- catalogue
    plans, by_subject = _plan_books(data, rng)
    existing = set(db.session.execute(select(RetailBook.isbn)).scalars())
    db.session.add_all(RetailBook(**p) for p in plans if p["isbn"] not in existing)
    db.session.flush()
    book_rows = {
        isbn: (bid, price)
        for isbn, bid, price in db.session.execute(
            select(RetailBook.isbn, RetailBook.id, RetailBook.price_minor)
        )
    }
    book_ids = [book_rows[p["isbn"]][0] for p in plans]
    prices = {book_rows[p["isbn"]][0]: book_rows[p["isbn"]][1] for p in plans}
    pools = {s: [book_ids[i] for i in idx] for s, idx in by_subject.items()}

    # --- readers (one argon2 hash, reused: hashing sixty passwords would take seconds)
    _authors, names = synthetic.people(data)
    emails = [f"reader{n}@dcx.example" for n in range(1, data["counts"]["readers"] + 1)]
    known = dict(
        db.session.execute(select(User.email, User.id).where(User.email.in_(emails))).all()
    )
    missing = [e for e in emails if e not in known]
    if missing:
        password_hash = hash_password(data.get("reader_password", "showcase-reader-2026"))
        for n, email in enumerate(emails, start=1):
            if email in missing:
                db.session.add(
                    User(
                        email=email,
                        name=names[n - 1],
                        role="customer",
                        password_hash=password_hash,
                    )
                )
        db.session.flush()
        known = dict(
            db.session.execute(select(User.email, User.id).where(User.email.in_(emails))).all()
        )
    readers = [known[e] for e in emails]
    alex, maria = ctx.user("alex"), ctx.user("maria")

    # --- order history
    order_plans: list[tuple[str, int, list[int], datetime]] = []
    tastes: dict[int, list[str]] = {}
    for n, uid in enumerate(readers, start=1):
        tastes[uid] = rng.sample(subjects, rng.choice([1, 2]))
        for k in range(rng.randint(3, 6)):
            picked: set[int] = set()
            for _b in range(rng.randint(1, 3)):
                subject = rng.choice(tastes[uid]) if rng.random() < 0.8 else rng.choice(subjects)
                picked.add(_pick(rng, pools[subject]))
            when = now - timedelta(days=rng.randrange(3, 400), hours=rng.randrange(0, 10))
            order_plans.append((f"SEED-R{n:03d}-{k}", uid, sorted(picked), when))
    likes = data.get("alex", {}).get("likes", subjects[:2])
    for k, subject in enumerate([*likes, *likes]):
        books = sorted({pools[subject][k % 3], _pick(rng, pools[subject])})
        order_plans.append((f"SEED-ALEX-{k}", alex.id, books, now - timedelta(days=20 + 45 * k)))
    order_plans.append(
        (
            "SEED-MARIA-0",
            maria.id,
            [pools[subjects[3]][0], pools[subjects[6]][0]],
            now - timedelta(days=33),
        )
    )
    refs = set(db.session.execute(select(RetailOrder.reference)).scalars())
    for reference, uid, books, when in order_plans:
        if reference in refs:
            continue
        order = RetailOrder(
            user_id=uid,
            reference=reference,
            source="online",
            currency=data["store"]["currency"],
            total_minor=sum(prices[b] for b in books),
            placed_at=when,
        )
        order.lines = [RetailOrderLine(book_id=b, quantity=1, price_minor=prices[b]) for b in books]
        db.session.add(order)
    db.session.flush()

    # --- reviews (planned from the order history, so the same every time)
    review_plans = {}
    for _ref, uid, books, when in order_plans:
        for b in books:
            if uid != alex.id and rng.random() < 0.35:
                half = rng.choices([10, 9, 8, 7, 6, 5, 4, 3], weights=[5, 6, 8, 6, 4, 2, 1, 1])[0]
                review_plans[(uid, b)] = (
                    half,
                    str(rng.choice(REVIEW_TITLES[half])),
                    str(rng.choice(REVIEW_BODIES if half >= 6 else LOW_BODIES)),
                    when,
                )
    have = {
        tuple(r) for r in db.session.execute(select(RetailReview.user_id, RetailReview.book_id))
    }
    for (uid, b), (half, title, body, when) in review_plans.items():
        if (uid, b) not in have:
            stamp = when + timedelta(days=10)
            db.session.add(
                RetailReview(
                    user_id=uid,
                    book_id=b,
                    half_stars=half,
                    title=title,
                    body=body,
                    created_at=stamp,
                    updated_at=stamp,
                )
            )
    db.session.flush()

    # --- alex's shelves and goal
    shelf_plan = [
        (pools[likes[0]][5], "reading"),
        (pools[likes[1]][6], "want"),
        (pools[subjects[2]][4], "want"),
        (pools[likes[0]][0], "read"),
        (pools[likes[1]][0], "read"),
    ]
    shelved = set(
        db.session.execute(
            select(RetailShelfEntry.book_id).where(RetailShelfEntry.user_id == alex.id)
        ).scalars()
    )
    for k, (b, shelf) in enumerate(shelf_plan):
        if b not in shelved:
            db.session.add(
                RetailShelfEntry(
                    user_id=alex.id,
                    book_id=b,
                    shelf=shelf,
                    finished_on=now.date() - timedelta(days=k) if shelf == "read" else None,
                )
            )
    year = now.year
    if not db.session.execute(
        select(RetailReadingGoal.id).where(
            RetailReadingGoal.user_id == alex.id, RetailReadingGoal.year == year
        )
    ).first():
        db.session.add(
            RetailReadingGoal(
                user_id=alex.id, year=year, target=data.get("alex", {}).get("goal", 24)
            )
        )

    _seed_groups(data, rng, pools, readers, maria.id, now)
    _seed_events(data, rng, pools, readers, now, ctx.users)
    _seed_cafe_and_reports(rng, readers, pools, subjects, now)
    _seed_last_months_picks(now)
    db.session.flush()
    co_purchases.rebuild()  # the orders above were written directly: count their pairs once


def _seed_groups(data, rng, pools, readers, maria_id, now) -> None:
    for spec in data.get("groups", []):
        members = [maria_id, *rng.sample(readers, 10)]
        start = now.date() - timedelta(days=7)
        group = reading_groups.create_group(
            spec["slug"],
            spec["name"],
            spec["description"],
            current_book_id=pools[spec["subject"]][1],
            schedule=[
                (start + timedelta(days=7 * w), f"Chapters {w * 5 + 1}-{w * 5 + 5}")
                for w in range(4)
            ],
        )
        if not db.session.execute(
            select(CommunityMembership.id).where(CommunityMembership.space_id == group.id)
        ).first():
            db.session.add_all(CommunityMembership(space_id=group.id, user_id=u) for u in members)
            db.session.flush()
        titles = set(
            db.session.execute(
                select(CommunityThread.title).where(CommunityThread.space_id == group.id)
            ).scalars()
        )
        for t, thread_spec in enumerate(spec.get("threads", [])):
            if thread_spec["title"] in titles:
                continue
            opened = now - timedelta(days=6 - t)
            thread = CommunityThread(
                space_id=group.id, user_id=members[1], title=thread_spec["title"], created_at=opened
            )
            thread.posts = [
                CommunityPost(
                    space_id=group.id,
                    user_id=members[(p + 1) % len(members)],
                    body=body,
                    created_at=opened + timedelta(hours=p * 5),
                )
                for p, body in enumerate(thread_spec["posts"])
            ]
            db.session.add(thread)
    db.session.flush()


def _seed_events(data, rng, pools, readers, now, personas) -> None:
    events = {e.slug: e for e in db.session.execute(select(RetailEvent)).scalars()}
    address = f"{data['store']['name']}, {data['store']['address']}"
    for spec in data.get("events", []):
        day = now.date() + timedelta(days=spec["days"])
        starts = datetime.combine(day, time(spec["hour"]), tzinfo=UTC)
        waiting, curious = spec.get("waitlisted", 0), spec.get("interested", 0)
        attendees = rng.sample(readers, spec["going"] + waiting + curious)
        # A persona listed as a regular holds one of the seats, so a presenter can cancel it.
        for k, key in enumerate(spec.get("regulars", [])[: spec["going"]]):
            if key in personas:
                attendees[k] = personas[key].id
        event = events.get(spec["slug"])
        if event is not None:
            continue
        event = RetailEvent(
            slug=spec["slug"],
            title=spec["title"],
            description=spec["description"],
            kind=spec["kind"],
            link=f"https://meet.dcx.example/{spec['slug']}" if spec["kind"] == "virtual" else "",
            address=address if spec["kind"] == "in_store" else "",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            capacity=spec["capacity"],
            book_id=pools[spec["subject"]][0],
        )
        db.session.add(event)
        db.session.flush()
        for k, uid in enumerate(attendees):
            status = "going"
            if k >= spec["going"]:
                status = "waitlisted" if k < spec["going"] + waiting else "interested"
            db.session.add(
                RetailRsvp(
                    event_id=event.id,
                    user_id=uid,
                    status=status,
                    waitlisted_at=now - timedelta(hours=len(attendees) - k)
                    if status == "waitlisted"
                    else None,
                )
            )
    db.session.flush()


def _seed_cafe_and_reports(rng, readers, pools, subjects, now) -> None:
    plans = []
    for k in range(6):
        uid = readers[k * 7 % len(readers)]
        day = now.date() + timedelta(days=k % 4)
        books = sorted({_pick(rng, pools[subjects[k % len(subjects)]]) for _ in range(2)})
        plans.append((uid, day, books))
    have = {
        tuple(r)
        for r in db.session.execute(select(RetailReservation.user_id, RetailReservation.day))
    }
    for uid, day, books in plans:
        if (uid, day) not in have:
            reservation = RetailReservation(user_id=uid, day=day)
            reservation.items = [RetailReservationItem(book_id=b) for b in books]
            db.session.add(reservation)
    # One reported review waits for the bookseller.
    reporter = readers[-1]
    review = db.session.execute(
        select(RetailReview)
        .where(RetailReview.half_stars <= 4, RetailReview.user_id != reporter)
        .order_by(RetailReview.id)
        .limit(1)
    ).scalar_one_or_none()
    if (
        review is not None
        and not db.session.execute(
            select(RetailContentReport.id).where(
                RetailContentReport.user_id == reporter, RetailContentReport.review_id == review.id
            )
        ).first()
    ):
        db.session.add(
            RetailContentReport(
                user_id=reporter, review_id=review.id, reason=gettext("Spoils the ending.")
            )
        )


def _seed_last_months_picks(now) -> None:
    """Last month's "new for you" picks, so the store view's most-recommended list has data."""
    last_month = (now.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    sent = select(RetailRecommendationSent.id).where(RetailRecommendationSent.period == last_month)
    if db.session.execute(sent.limit(1)).first() is not None:
        return  # picked once: seeded again after the history was lived, the picks would differ
    values = [
        {
            "user_id": p["user_id"],
            "book_id": p["book_id"],
            "because_book_id": p["because"],
            "period": last_month,
            "created_at": now,
        }
        for p in recommender.monthly_picks(last_month)
    ]
    for start in range(0, len(values), 500):
        db.session.execute(
            insert_ignoring_duplicates(RetailRecommendationSent), values[start : start + 500]
        )


def scale(ctx: SeedContext, customers: list[User]) -> None:
    """Give each synthetic customer a bookshop history: orders, reviews, shelves and a goal.

    Uses the catalogue the seed created (looked up once per batch, never duplicated); a
    customer who already has an order is skipped, so running it twice adds nothing. Their
    timeline shows each order placed and each review written, as the app records them. Rows
    are built in Python and added in bulk: a handful of queries per batch, none per customer.
    """
    if not customers:
        return
    rng = ctx.random
    now = clock.now()
    pools: dict[str, list[tuple[int, int]]] = {}
    titles: dict[int, str] = {}
    for book_id, price, book_subjects, title in db.session.execute(
        select(
            RetailBook.id, RetailBook.price_minor, RetailBook.subjects, RetailBook.title
        ).order_by(RetailBook.id)
    ):
        main = book_subjects.strip(";").split(";")[0] if book_subjects else ""
        pools.setdefault(main or "General", []).append((book_id, price))
        titles[book_id] = title
    if not pools:
        return  # no catalogue yet: the seed makes it
    subjects = sorted(pools)
    currency = ctx.data.get("store", {}).get("currency", "EUR")
    ids = [c.id for c in customers]
    have_orders = ids_in(RetailOrder.user_id, ids)

    rows: list[Any] = []
    purchases: dict[int, tuple[tuple[int, ...], set[int]]] = {}
    for customer in customers:
        if customer.id in have_orders:
            continue
        tastes = rng.sample(subjects, min(len(subjects), rng.choice([1, 2, 2, 3])))
        bought: dict[int, datetime] = {}
        for k in range(rng.randint(2, 6)):
            when = now - timedelta(days=rng.randrange(3, 540), hours=rng.randrange(0, 10))
            lines: dict[int, int] = {}
            for _b in range(rng.choices([1, 2, 3], weights=[5, 3, 1])[0]):
                subject = rng.choice(tastes) if rng.random() < 0.8 else rng.choice(subjects)
                pool = pools[subject]
                book_id, price = pool[_pick(rng, list(range(len(pool))))]
                lines[book_id] = price
            bought.update(dict.fromkeys(lines, when))
            order = RetailOrder(
                user_id=customer.id,
                reference=f"SCALE-{customer.id}-{k}",
                source=rng.choices(["online", "in_store"], weights=[3, 2])[0],
                currency=currency,
                total_minor=sum(lines.values()),
                placed_at=when,
            )
            order.lines = [
                RetailOrderLine(book_id=b, quantity=1, price_minor=p) for b, p in lines.items()
            ]
            rows.append(order)
        for book_id, when in bought.items():
            if rng.random() < 0.3:
                half = rng.choices([10, 9, 8, 7, 6, 5, 4, 3], weights=[5, 6, 8, 6, 4, 2, 1, 1])[0]
                stamp = min(now, when + timedelta(days=rng.randrange(3, 30)))
                rows.append(
                    RetailReview(
                        user_id=customer.id,
                        book_id=book_id,
                        half_stars=half,
                        title=str(rng.choice(REVIEW_TITLES[half])),
                        body=str(rng.choice(REVIEW_BODIES if half >= 6 else LOW_BODIES)),
                        created_at=stamp,
                        updated_at=stamp,
                    )
                )
        shelved = list(bought.items())
        rng.shuffle(shelved)
        for n, (book_id, when) in enumerate(shelved[:4]):
            reading = n == 0 and rng.random() < 0.5
            rows.append(
                RetailShelfEntry(
                    user_id=customer.id,
                    book_id=book_id,
                    shelf="reading" if reading else "read",
                    finished_on=None
                    if reading
                    else min(now, when + timedelta(days=rng.randrange(5, 60))).date(),
                    updated_at=when,
                )
            )
        want_pool = pools[rng.choice(tastes)]
        wanted = want_pool[rng.randrange(max(1, len(want_pool) // 2))][0]
        if wanted not in bought:
            rows.append(RetailShelfEntry(user_id=customer.id, book_id=wanted, shelf="want"))
        if rng.random() < 0.4:
            rows.append(
                RetailReadingGoal(
                    user_id=customer.id, year=now.year, target=rng.choice([6, 12, 20, 30])
                )
            )
    db.session.add_all(rows)
    db.session.flush()
    for row in rows:
        if isinstance(row, RetailOrder):
            purchases.setdefault(row.user_id, ((), set()))[1].update(
                line.book_id for line in row.lines
            )
    co_purchases.record_purchases(purchases)
    record_bulk(
        [_order_event(row, titles) for row in rows if isinstance(row, RetailOrder)]
        + [_review_event(row, titles) for row in rows if isinstance(row, RetailReview)]
    )


# The timeline entries of a synthetic reader's history: the texts and keys the services record
# for the same events (place_order, save_review; with no request, no link).


def _order_event(order: RetailOrder, titles: dict[int, str]) -> dict[str, Any]:
    return {
        "user_id": order.user_id,
        "vertical": services.KEY,
        "kind": "order_placed",
        "subject": _l("Order %(ref)s placed", ref=order.reference),
        "summary": ", ".join(titles[line.book_id] for line in order.lines),
        "data": {"order_id": order.id, "total_minor": order.total_minor},
        "key": f"retail.order:{order.id}",
        "occurred_at": order.placed_at,
    }


def _review_event(review: RetailReview, titles: dict[int, str]) -> dict[str, Any]:
    return {
        "user_id": review.user_id,
        "vertical": services.KEY,
        "kind": "review_written",
        "subject": _l("You reviewed %(title)s", title=titles[review.book_id]),
        "summary": review.title,
        "data": {"review_id": review.id, "stars": review.stars},
        "key": f"retail.review:{review.id}",
        "occurred_at": review.created_at,
    }
