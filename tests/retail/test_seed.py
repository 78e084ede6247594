"""Seeding the bookstore twice changes nothing, and the story has what it needs."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from dcx.extensions import db
from dcx.platform.accounts.models import User
from dcx.platform.accounts.services import find_user
from dcx.platform.community import models as community_models
from dcx.platform.community import services as community
from dcx.platform.showcase import texts
from dcx.platform.showcase.loader import seed_showcase
from dcx.platform.timeline.models import Event
from dcx.retail import models, recommender, reviews, services, store_events
from dcx.retail.seed import _isbn

SEEDS = Path(__file__).resolve().parents[2] / "seeds" / "default"


def _counts():
    tables = [
        m
        for module in (models, community_models)
        for m in vars(module).values()
        if isinstance(m, type) and hasattr(m, "__tablename__")
    ]
    return {
        m.__tablename__: db.session.execute(select(func.count()).select_from(m)).scalar_one()
        for m in tables
    }


def test_seed_twice_changes_nothing_and_tells_the_story(app):
    seed_showcase(app.extensions["dcx_verticals"])
    db.session.commit()
    first = _counts()
    seed_showcase(app.extensions["dcx_verticals"])
    db.session.commit()
    assert _counts() == first

    assert first["retail_book"] == 300
    assert all(
        services.isbn13_is_valid(i)
        for i in db.session.execute(select(models.RetailBook.isbn)).scalars()
    )
    assert first["retail_order"] > 200 and first["retail_review"] > 100
    clubs = community.spaces("retail")
    assert first["retail_club"] == len(clubs) == 3
    assert sum(len(community.threads_of(club.id)) for club in clubs) >= 4
    alex = find_user("alex@dcx.example")
    recs = recommender.recommend(alex.id, limit=6)
    assert len(recs) == 6
    assert all(r.reason.startswith("Because you bought") for r in recs)
    full = db.session.execute(
        select(models.RetailEvent).where(models.RetailEvent.slug == "author-talk-crooked-harbour")
    ).scalar_one()
    assert store_events.seats_taken(full.id) == full.capacity
    assert len(store_events.waitlist(full.id)) == 2
    maria = find_user("maria@dcx.example")  # a regular holds a seat she can give up
    assert store_events.rsvp_for(full.id, maria.id).status == "going"
    assert reviews.open_reports()
    assert recommender.most_recommended()  # last month's picks, for the store view


def test_scale_gives_each_synthetic_customer_orders_from_the_catalogue_once(app):
    from dcx.platform.showcase.loader import scale_showcase

    registry = app.extensions["dcx_verticals"]
    seed_showcase(registry, "default", only=("retail",))
    db.session.commit()
    books = db.session.execute(select(func.count()).select_from(models.RetailBook)).scalar_one()
    retail = [v for v in registry if v.key == "retail"]
    assert scale_showcase(retail, "default", 5, batch=2) == 5
    events = db.session.execute(select(func.count(Event.id))).scalar_one()
    assert scale_showcase(retail, "default", 5, batch=2) == 0
    assert db.session.execute(select(func.count(Event.id))).scalar_one() == events
    # The catalogue is reused, never duplicated.
    assert (
        db.session.execute(select(func.count()).select_from(models.RetailBook)).scalar_one()
        == books
    )
    ids = db.session.execute(
        select(User.id).where(User.email.like("%@scale.dcx.example"))
    ).scalars()
    for uid in ids:
        orders = (
            db.session.execute(select(models.RetailOrder).where(models.RetailOrder.user_id == uid))
            .scalars()
            .all()
        )
        assert 2 <= len(orders) <= 6
        for order in orders:
            assert order.reference.startswith(f"SCALE-{uid}-")
            assert order.lines and order.total_minor == sum(
                line.price_minor * line.quantity for line in order.lines
            )
        bought = {line.book_id for order in orders for line in order.lines}
        read = set(
            db.session.execute(
                select(models.RetailShelfEntry.book_id).where(
                    models.RetailShelfEntry.user_id == uid, models.RetailShelfEntry.shelf != "want"
                )
            ).scalars()
        )
        assert read and read <= bought
        reviews = (
            db.session.execute(
                select(models.RetailReview).where(models.RetailReview.user_id == uid)
            )
            .scalars()
            .all()
        )
        assert {r.book_id for r in reviews} <= bought
        # Their timeline: each order placed and each review written, as the services say it.
        expected = {
            f"retail.order:{o.id}": (
                f"Order {o.reference} placed",
                ", ".join(line.book.title for line in o.lines),
                o.placed_at,
            )
            for o in orders
        } | {
            f"retail.review:{r.id}": (f"You reviewed {r.book.title}", r.title, r.created_at)
            for r in reviews
        }
        timeline = db.session.execute(select(Event).where(Event.user_id == uid)).scalars()
        assert {e.key: (e.subject, e.summary, e.occurred_at) for e in timeline} == expected
        # Recommendations work from the synthetic history.
        assert recommender.recommend(uid, limit=3)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("es", ("El testigo silencioso", "Altas horas", " en Lisboa", ": historias de ")),
        ("ro", ("Martorul tăcut", "Ore târzii", " la Lisabona", ": povești din ")),
    ],
)
def test_a_showcase_in_spanish_or_romanian_names_its_books_in_that_language(
    app, language, expected
):
    english = texts.load((SEEDS / "retail.yaml").read_text(encoding="utf-8"))
    phrases = [p for subject in english["subjects"].values() for p in subject]
    seed_showcase(app.extensions["dcx_verticals"], "default", only=("retail",), language=language)
    db.session.commit()
    books = dict(db.session.execute(select(models.RetailBook.isbn, models.RetailBook.title)).all())
    assert set(books) == {_isbn(i) for i in range(300)}  # the natural key stays the ISBN
    titles = " | ".join(books.values())
    for english_phrase in phrases:
        assert english_phrase not in titles, english_phrase
    for words in expected:
        assert words in titles, words
