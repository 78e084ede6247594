"""Statuses and kinds are held to their enums by the database itself: a CHECK constraint
(``ck_<table>_<column>``) refuses a value the code does not know, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from dcx.extensions import db
from tests.conftest import make_user


def _car_loan() -> tuple[type, int]:
    from dcx.automotive.models import AutomotiveLoan
    from tests.automotive.conftest import make_loan, make_vehicle

    user = make_user()
    return AutomotiveLoan, make_loan(user, make_vehicle(user)).id


def _bank_transaction() -> tuple[type, int]:
    from datetime import date

    from dcx.banking import accounts
    from dcx.banking.models import BankingTransaction
    from tests.banking.conftest import add_tx

    account = accounts.open_current_account(make_user().id, date(2026, 1, 5), None)
    tx = add_tx(account, date(2026, 1, 5), 10_000)
    db.session.commit()
    return BankingTransaction, tx.id


def _city_crew() -> tuple[type, int]:
    from dcx.government.models import GovernmentCrew
    from tests.government.conftest import build_city

    build_city()
    return GovernmentCrew, db.session.execute(db.select(GovernmentCrew.id)).scalars().first()


def _meal() -> tuple[type, int]:
    from datetime import date

    from dcx.health.models import HealthMeal

    meal = HealthMeal(patient_id=make_user().id, eaten_on=date(2026, 1, 5), kind="lunch")
    db.session.add(meal)
    db.session.commit()
    return HealthMeal, meal.id


def _store_event() -> tuple[type, int]:
    from datetime import timedelta

    from dcx.platform import clock
    from dcx.retail.models import RetailEvent

    starts = clock.now().replace(microsecond=0)
    event = RetailEvent(
        slug="talk",
        title="Author talk",
        description="An evening with an author.",
        kind="in_store",
        link="",
        address="12 Linden Street",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        capacity=2,
    )
    db.session.add(event)
    db.session.commit()
    return RetailEvent, event.id


def _question() -> tuple[type, int]:
    from dcx.education.models import EducationQuestion
    from tests.education.conftest import build_course

    build_course(make_user("prof@example.com", "Prof", role="staff", department="education"))
    return EducationQuestion, db.session.execute(db.select(EducationQuestion.id)).scalars().first()


def _user() -> tuple[type, int]:
    from dcx.platform.accounts.models import User

    return User, make_user().id


#: column -> a function that commits one row of its table and returns (model, id)
ROWS: dict[str, Callable[[], tuple[type, int]]] = {
    "automotive_loan.kind": _car_loan,
    "banking_transaction.status": _bank_transaction,
    "government_crew.status": _city_crew,
    "health_meal.kind": _meal,
    "retail_event.kind": _store_event,
    "education_question.kind": _question,
    "account_user.role": _user,
}


@pytest.mark.parametrize("column", sorted(ROWS))
def test_the_database_refuses_an_unknown_status(app, column):
    model, ident = ROWS[column]()
    name = column.split(".")[1]
    with pytest.raises(IntegrityError) as refused:
        db.session.execute(update(model).where(model.id == ident).values({name: "bogus"}))
        db.session.flush()
    db.session.rollback()
    assert f"ck_{column.replace('.', '_')}" in str(refused.value)


def test_a_status_enum_compares_and_stores_as_its_value(app):
    from dcx.automotive.models import AutomotiveLoan, LoanKind

    model, ident = _car_loan()
    db.session.execute(update(model).where(model.id == ident).values(kind=LoanKind.LEASE))
    db.session.commit()
    assert db.session.get(AutomotiveLoan, ident).kind == "lease" == LoanKind.LEASE
