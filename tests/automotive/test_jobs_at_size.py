"""The daily bills job is set-based: the same statements for ten loans as for forty, and a
loan with years of bills costs no more than a new one."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from dcx.automotive import jobs
from dcx.automotive.models import AutomotiveBill, AutomotiveLoan, AutomotiveVehicle
from dcx.extensions import db
from dcx.platform import clock
from tests.conftest import insert_customers
from tests.page_cost import page_cost


def _loans(n: int, start: int) -> None:
    """``n`` owners with a car and a loan whose instalments started two years ago."""
    owners = insert_customers(n) if start == 0 else _more_customers(n, start)
    for i, owner in enumerate(owners, start=start):
        car = AutomotiveVehicle(
            user_id=owner,
            vin=f"TESTVIN{i:010d}",
            make="Skoda",
            model="Octavia",
            year=2023,
            last_service_on=clock.today(),
        )
        db.session.add(car)
        db.session.flush()
        db.session.add(
            AutomotiveLoan(
                user_id=owner,
                vehicle_id=car.id,
                reference=f"LN-{i:05d}",
                lender="DCX Motor Finance",
                principal_minor=1_800_000,
                currency="EUR",
                rate_bp=590,
                term_months=48,
                first_due_on=clock.today() - timedelta(days=730),
            )
        )
    db.session.commit()


def _more_customers(n: int, start: int) -> list[int]:
    from tests.conftest import make_user

    return [make_user(f"more{start + i}@example.com", f"More {i}").id for i in range(n)]


def _bills() -> int:
    return db.session.execute(select(func.count()).select_from(AutomotiveBill)).scalar_one()


def test_bills_due_runs_the_same_statements_for_more_loans(app):
    _loans(10, 0)
    with page_cost(db.engine) as first_few:
        jobs.bills_due(clock.now())
    db.session.commit()
    issued = _bills()
    assert issued >= 10 * 24  # two years of instalments each
    with page_cost(db.engine) as again_few:
        jobs.bills_due(clock.now())
    db.session.commit()
    assert _bills() == issued  # nothing twice

    _loans(30, 10)
    with page_cost(db.engine) as first_many:
        jobs.bills_due(clock.now())
    db.session.commit()
    with page_cost(db.engine) as again_many:
        jobs.bills_due(clock.now())
    db.session.commit()
    assert _bills() == issued * 4
    assert first_many.statements == first_few.statements, (first_few.sql, first_many.sql)
    assert again_many.statements == again_few.statements
