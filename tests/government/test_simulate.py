"""Residents file street reports as the city's time passes."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from dcx.extensions import db
from dcx.government.models import GovernmentRepair, GovernmentRepairEvent
from dcx.platform import clock, simulation
from dcx.platform.showcase import presenter
from dcx.platform.showcase.loader import seed_showcase
from dcx.platform.timeline.models import Event
from dcx.verticals import registry


def _reports() -> int:
    return db.session.execute(
        select(func.count()).where(GovernmentRepair.reporter_id.is_not(None))
    ).scalar_one()


def test_residents_file_street_reports_over_a_month_each_once(app):
    with app.app_context():
        seed_showcase(registry(), "default", only=("government",))
        db.session.commit()
        before = _reports()
        start = clock.now()
        simulation.advance(start, clock.advance(timedelta(days=30)))
        db.session.commit()
        filed = _reports() - before
        assert 10 <= filed <= 60, filed  # about one a day across the city
        new = list(
            db.session.execute(
                select(GovernmentRepair).where(GovernmentRepair.created_at >= start)
            ).scalars()
        )
        assert {r.status for r in new} == {"reported"} and all(r.description for r in new)
        # each is on its reporter's timeline and starts its workflow, as a report from the form
        steps = db.session.execute(
            select(func.count()).where(
                GovernmentRepairEvent.repair_id.in_([r.id for r in new]),
                GovernmentRepairEvent.to_status == "reported",
            )
        ).scalar_one()
        events = db.session.execute(
            select(func.count()).where(Event.kind == "report_submitted", Event.occurred_at >= start)
        ).scalar_one()
        assert steps == events == len(new)


def test_four_weeks_file_the_same_reports_as_a_month(app):
    with app.app_context():
        seed_showcase(registry(), "default", only=("government",))
        db.session.commit()
        vertical = registry().get("government")
        users = {p["key"]: p["user"].id for p in presenter.personas() if p["user"]}
        start = clock.now()
        ctx = simulation._context(vertical, start, False, users)

        def filed() -> list[tuple]:
            return db.session.execute(
                select(
                    GovernmentRepair.reporter_id,
                    GovernmentRepair.category,
                    GovernmentRepair.location,
                )
                .where(GovernmentRepair.created_at >= start)
                .order_by(GovernmentRepair.created_at)
            ).all()

        vertical.simulate(ctx, start, start + timedelta(days=28))
        at_once = filed()
        vertical.simulate(ctx, start, start + timedelta(days=28))  # again: nothing more
        assert filed() == at_once and at_once
        db.session.rollback()
        for week in range(4):
            vertical.simulate(
                ctx, start + timedelta(days=7 * week), start + timedelta(days=7 * (week + 1))
            )
        assert filed() == at_once


def test_a_resident_sees_their_report_on_their_reports_page(app, client, auth):
    from dcx.government import photos
    from tests.conftest import make_user

    seed_showcase(registry(), "default", only=("government",))
    resident = make_user("resident@example.com")
    db.session.commit()
    start = clock.now()
    simulation.advance(start, clock.advance(timedelta(days=60)))
    db.session.commit()
    mine = photos.citizen_reports(resident.id)
    assert mine, "the only non-persona resident filed none in two months"
    auth.login(resident.email)
    page = client.get("/government/reports").get_data(as_text=True)
    assert mine[0].location in page


def test_a_day_whose_second_report_is_drawn_before_its_first_puts_both_on_the_timeline(app):
    # moved a day at a time, every day starts a period; on some of them the second report is
    # drawn earlier than the first, and it used to be left without its workflow step and event
    with app.app_context():
        seed_showcase(registry(), "default", only=("government",))
        db.session.commit()
        start = clock.now()
        for _ in range(60):
            simulation.advance(clock.now(), clock.advance(timedelta(days=1)))
            db.session.commit()
        new = [
            r.id
            for r in db.session.execute(
                select(GovernmentRepair).where(GovernmentRepair.created_at >= start)
            ).scalars()
        ]
        steps = db.session.execute(
            select(func.count()).where(
                GovernmentRepairEvent.repair_id.in_(new),
                GovernmentRepairEvent.to_status == "reported",
            )
        ).scalar_one()
        events = db.session.execute(
            select(func.count()).where(Event.kind == "report_submitted", Event.occurred_at >= start)
        ).scalar_one()
        assert len(new) >= 20 and steps == events == len(new)
