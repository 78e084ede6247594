"""One car loan, one truth: the lender's dates, counted once in banking and in the calendar."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from dcx.automotive import financing, vehicles
from dcx.automotive.models import AutomotiveLoan
from dcx.banking import bills, safe_to_spend
from dcx.banking.models import BankingTransaction
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.accounts.models import User
from dcx.platform.showcase.loader import seed_showcase
from dcx.platform.timeline.calendar import entries_for
from dcx.verticals import registry
from tests.automotive.conftest import make_loan, make_vehicle
from tests.banking.conftest import add_tx
from tests.conftest import make_user

LENDER = "DCX Motor Finance"


def _alex():
    seed_showcase(registry(), only=("automotive", "banking"))
    db.session.commit()
    return db.session.execute(select(User).where(User.email == "alex@dcx.example")).scalar_one()


@pytest.mark.parametrize("days_later", [0, 5, 10, 20])
def test_the_seeded_car_loan_is_one_obligation_on_one_date_everywhere(app, days_later):
    clock.advance(timedelta(days=days_later))  # whatever day of the month the demo runs on
    alex = _alex()
    today = clock.today()

    # Banking keeps no bill of its own for the lender: the lender reports its instalments.
    assert LENDER not in {bill.merchant for bill in bills.bills(alex.id)}

    # The bank statement pays the instalments on the loan's own due day, and not the overdue one.
    loan = db.session.execute(
        select(AutomotiveLoan).where(AutomotiveLoan.user_id == alex.id)
    ).scalar_one()
    paid_on = set(
        db.session.execute(
            select(BankingTransaction.booked_on).where(
                BankingTransaction.user_id == alex.id, BankingTransaction.merchant == LENDER
            )
        ).scalars()
    )
    schedule = {row.due_on for row in financing.amortisation(loan)}
    assert paid_on and paid_on <= schedule
    overdue = [b for b in financing.bills_of(alex.id, unpaid_only=True) if b.due_on < today]
    assert len(overdue) == 1 and overdue[0].due_on not in paid_on

    # Safe to spend counts each instalment once, on the lender's date, the overdue one included.
    sts = safe_to_spend.safe_to_spend(alex.id, today)
    instalments = [d for d in sts.dues if LENDER in d.title]
    assert all(d.source == "automotive" and d.due_on in schedule for d in instalments)
    assert len({d.due_on for d in instalments}) == len(instalments)
    assert [d.due_on for d in instalments if d.overdue] == [overdue[0].due_on]
    due_before_payday = [day for day in schedule if today <= day < sts.payday]
    assert sorted(d.due_on for d in instalments if not d.overdue) == sorted(due_before_payday)
    assert safe_to_spend.safe_to_spend_many([alex.id], today)[alex.id] == sts

    # The calendar shows each coming instalment once, and when each car's service is due.
    entries = entries_for(alex.id)
    lender_days = Counter(e.starts_at.date() for _key, e in entries if LENDER in e.title)
    assert lender_days and set(lender_days.values()) == {1}
    assert set(lender_days) <= schedule
    assert all(key == "automotive" for key, e in entries if LENDER in e.title)
    service_due = [e for key, e in entries if e.uid.startswith("automotive-service-due-")]
    assert len(service_due) == len(vehicles.vehicles_of(alex.id)) == 2


def test_a_bill_banking_found_for_the_lender_gives_way_to_the_lenders_dates(app, current_account):
    """Banking guessed the 11th from past payments; the lender says the 24th: one instalment."""
    user = make_user()
    today = date(2026, 11, 12)
    account = current_account(user.id, date(2026, 6, 1), 900_000)
    add_tx(account, date(2026, 10, 25), 300_000, "Employer", "Income", "Salary")
    car = make_vehicle(user)
    loan = make_loan(user, car, first_due_on=date(2026, 7, 24))
    payment = financing.amortisation(loan)[0].payment
    for month in (7, 8, 9, 10):
        add_tx(account, date(2026, month, 11), -payment, LENDER, "Transport", "Car instalment")
        add_tx(account, date(2026, month, 15), -2_500, "PhoneCo", "Subscriptions", "Phone")
    financing.issue_instalments(loan, date(2026, 10, 24))
    for bill in financing.bills_of(user.id):
        financing.pay_bill(bill)
    db.session.commit()

    found = bills.detect_bills(user.id, today)
    assert [bill.merchant for bill in found] == ["PhoneCo"]  # the lender is not guessed
    by_hand = bills.add_bill(user.id, LENDER, payment, date(2026, 11, 11))  # typed in anyway
    assert by_hand.merchant == LENDER

    sts = safe_to_spend.safe_to_spend(user.id, today)
    assert [(d.source, d.due_on) for d in sts.dues if LENDER in d.title] == [
        ("automotive", date(2026, 11, 24))
    ]
    assert sts.bills_minor == payment + 2_500
