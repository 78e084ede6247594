"""The life of a bookshop period: orders, café reservations closed, reviews and events."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from dcx.extensions import db
from dcx.platform import clock, simulation
from dcx.platform.showcase import presenter
from dcx.platform.showcase.loader import seed_showcase
from dcx.retail import recommender, services
from dcx.retail.models import (
    RetailBook,
    RetailCoPurchase,
    RetailEvent,
    RetailOrder,
    RetailOrderLine,
    RetailReservationItem,
    RetailReview,
    RetailRsvp,
)
from dcx.verticals import registry

TABLES = (RetailOrder, RetailOrderLine, RetailReview, RetailEvent, RetailRsvp)


def _count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _seeded() -> None:
    seed_showcase(registry(), "default", only=("retail",))
    db.session.commit()


def test_after_a_month_orders_reviews_and_events_arrived_and_recommendations_moved(app):
    with app.app_context():
        _seeded()
        maria = presenter.persona_user("maria")
        assert maria is not None
        before = {model.__tablename__: _count(model) for model in TABLES}
        picks = [r.book.id for r in recommender.recommend(maria.id)]
        pairs = db.session.execute(select(func.sum(RetailCoPurchase.customers))).scalar_one()
        start = clock.now()
        simulation.advance(start, clock.advance(timedelta(days=30)))
        db.session.commit()
        after = {model.__tablename__: _count(model) for model in TABLES}
        assert all(after[name] > before[name] for name in before), (before, after)
        # the co-purchase counts the recommender reads grew with the orders
        assert db.session.execute(select(func.sum(RetailCoPurchase.customers))).scalar_one() > pairs
        assert [r.book.id for r in recommender.recommend(maria.id)] != picks
        # an event comes back four weeks after its latest date; the past ones have passed
        assert db.session.execute(
            select(func.count()).where(RetailEvent.slug.contains("~"))
        ).scalar_one()


def test_a_cafe_reservation_whose_day_passed_is_kept_or_returned(app):
    with app.app_context():
        _seeded()
        maria = presenter.persona_user("maria")
        assert maria is not None
        books = list(
            db.session.execute(select(RetailBook).order_by(RetailBook.id).limit(3)).scalars()
        )
        reservation = services.reserve_for_cafe(maria.id, clock.today(), [b.id for b in books])
        db.session.commit()
        start = clock.now()
        simulation.advance(start, clock.advance(timedelta(days=3)))
        db.session.commit()
        outcomes = set(
            db.session.execute(
                select(RetailReservationItem.outcome).where(
                    RetailReservationItem.reservation_id == reservation.id
                )
            ).scalars()
        )
        assert "pending" not in outcomes
        db.session.refresh(reservation)
        assert ("kept" in outcomes) == (reservation.order_id is not None)


def test_a_month_lived_twice_or_in_four_weeks_writes_the_same(app):
    with app.app_context():
        _seeded()
        vertical = registry().get("retail")
        users = {p["key"]: p["user"].id for p in presenter.personas() if p["user"]}
        start = clock.now()
        ctx = simulation._context(vertical, start, False, users)
        vertical.simulate(ctx, start, start + timedelta(days=28))
        db.session.flush()
        at_once = [_count(model) for model in (*TABLES, RetailCoPurchase)]
        pairs = db.session.execute(select(func.sum(RetailCoPurchase.customers))).scalar_one()
        vertical.simulate(ctx, start, start + timedelta(days=28))
        db.session.flush()
        assert [_count(model) for model in (*TABLES, RetailCoPurchase)] == at_once
        assert (
            db.session.execute(select(func.sum(RetailCoPurchase.customers))).scalar_one() == pairs
        )
        db.session.rollback()
        for week in range(4):
            vertical.simulate(
                ctx, start + timedelta(days=7 * week), start + timedelta(days=7 * (week + 1))
            )
            db.session.flush()
        assert [_count(model) for model in (*TABLES, RetailCoPurchase)] == at_once
        assert (
            db.session.execute(select(func.sum(RetailCoPurchase.customers))).scalar_one() == pairs
        )
