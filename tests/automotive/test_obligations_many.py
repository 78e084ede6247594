"""The batch ``obligations_many`` hook answers what ``obligations`` answers, in two queries.

Banking's daily alerts ask it once for every customer; it must give each customer exactly
the unpaid bills the per-customer hook gives the pages, whatever the number of customers.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from dcx.automotive import financing
from dcx.automotive import obligations as owed
from dcx.automotive.models import AutomotiveBill
from dcx.extensions import db
from dcx.verticals import registry
from tests.automotive.conftest import VIN_RAV4, make_loan, make_vehicle
from tests.conftest import make_user

FIRST_DUE = date(2026, 9, 20)


def _invoice(user, vehicle, reference: str, due_on: date, amount_minor: int) -> AutomotiveBill:
    """A service invoice bill (not an instalment), unpaid."""
    bill = AutomotiveBill(
        user_id=user.id,
        vehicle_id=vehicle.id,
        reference=reference,
        kind="service",  # a service invoice
        title=f"Service invoice {reference}",
        amount_minor=amount_minor,
        currency="EUR",
        due_on=due_on,
    )
    db.session.add(bill)
    db.session.flush()
    return bill


@pytest.fixture
def owners(app) -> dict[str, int]:
    """Customers with different bills: instalments paid and unpaid, an invoice, nothing."""
    loaned = make_user("loan@example.com")
    golf = make_vehicle(loaned)
    loan = make_loan(loaned, golf, reference="LN-MANY-1", first_due_on=FIRST_DUE)
    financing.issue_instalments(loan, date(2027, 1, 31))  # 20 Sep .. 20 Jan: five
    paid = db.session.execute(
        select(AutomotiveBill).where(
            AutomotiveBill.loan_id == loan.id, AutomotiveBill.due_on == date(2026, 10, 20)
        )
    ).scalar_one()
    paid.paid_at = datetime(2026, 10, 19, 9, tzinfo=UTC)

    mixed = make_user("mixed@example.com")
    rav4 = make_vehicle(mixed, vin=VIN_RAV4, make="Toyota", model="RAV4")
    other_loan = make_loan(mixed, rav4, reference="LN-MANY-2", first_due_on=date(2026, 11, 5))
    financing.issue_instalments(other_loan, date(2026, 12, 31))  # 5 Nov and 5 Dec
    _invoice(mixed, rav4, "INV-MANY-1", date(2026, 11, 20), 12_000)
    _invoice(mixed, rav4, "INV-MANY-2", date(2026, 11, 20), 4_500)  # same day: by bill id
    settled = _invoice(mixed, rav4, "INV-MANY-3", date(2026, 11, 21), 9_900)
    settled.paid_at = datetime(2026, 11, 21, 10, tzinfo=UTC)

    carless = make_user("carless@example.com")
    db.session.commit()
    return {"loaned": loaned.id, "mixed": mixed.id, "carless": carless.id}


WINDOWS = [
    (date(2026, 8, 1), date(2027, 3, 1)),  # everything
    (date(2026, 11, 5), date(2026, 11, 20)),  # both ends fall on due dates: inclusive
    (date(2026, 11, 6), date(2026, 11, 19)),  # between dates: nothing
    (date(2026, 10, 20), date(2026, 10, 20)),  # only a paid instalment: nothing
    (date(2025, 1, 1), date(2025, 12, 31)),  # before any bill
]


@pytest.mark.parametrize("start,end", WINDOWS)
def test_obligations_many_answers_what_obligations_answers_per_customer(app, owners, start, end):
    ids = [owners["loaned"], owners["mixed"], owners["carless"], 999_999]  # and no such customer
    many = owed.obligations_many([*ids, owners["mixed"]], start, end)  # repeated: one key
    assert list(many) == ids
    assert many == {user_id: owed.obligations(user_id, start, end) for user_id in ids}


def test_obligations_many_lists_each_customers_unpaid_bills_by_due_date(app, owners):
    many = owed.obligations_many(list(owners.values()), date(2026, 8, 1), date(2027, 3, 1))
    loaned = many[owners["loaned"]]
    assert [o.due_on for o in loaned] == [
        date(2026, 9, 20),
        date(2026, 11, 20),  # 20 Oct was paid
        date(2026, 12, 20),
        date(2027, 1, 20),
        date(2027, 2, 20),  # not issued yet: owed on the lender's schedule all the same
    ]
    assert all(o.vertical == "automotive" and o.currency == "EUR" for o in loaned)
    assert all(o.title.startswith("DCX Motor Finance instalment") for o in loaned)
    assert all(o.payee == "DCX Motor Finance" for o in loaned)
    assert loaned[-1].title == "DCX Motor Finance instalment 6 of 48"
    assert len({o.link for o in loaned}) == 5
    assert all(o.link.startswith("/automotive/financing#bill-") for o in loaned[:4])
    assert loaned[-1].link.startswith("/automotive/financing#loan-")
    mixed = many[owners["mixed"]]
    assert [(o.due_on, o.amount_minor) for o in mixed if "invoice" in o.title] == [
        (date(2026, 11, 20), 12_000),
        (date(2026, 11, 20), 4_500),
    ]  # the paid invoice of 21 Nov is not owed
    assert [o.due_on for o in mixed] == sorted(o.due_on for o in mixed)
    assert [o.payee for o in mixed if "invoice" in o.title] == ["", ""]  # no lender to name
    assert len(mixed) == 6  # 5 Nov, 5 Dec issued; 5 Jan, 5 Feb on the schedule; two invoices
    assert many[owners["carless"]] == []
    window = owed.obligations_many([owners["loaned"]], date(2026, 11, 20), date(2026, 12, 20))
    assert [o.due_on for o in window[owners["loaned"]]] == [date(2026, 11, 20), date(2026, 12, 20)]
    assert owed.obligations_many([], date(2026, 8, 1), date(2027, 3, 1)) == {}


def test_obligations_many_runs_two_queries_whatever_the_number_of_customers(
    app, owners, query_counter
):
    start, end = date(2026, 8, 1), date(2027, 3, 1)
    owed.obligations_many([owners["loaned"]], start, end)  # the language, read once a context
    with query_counter() as one:
        owed.obligations_many([owners["loaned"]], start, end)
    extra = [make_user(f"more{n}@example.com").id for n in range(6)]
    db.session.commit()
    with query_counter() as many:
        answers = owed.obligations_many([*owners.values(), *extra], start, end)
    assert one() == many() == 2  # their bills, their loans
    assert len(answers) == 3 + 6 and sum(map(len, answers.values())) == 5 + 6


def test_obligations_many_gives_the_same_answers_in_small_batches(
    app, owners, query_counter, monkeypatch
):
    ids = list(owners.values())
    start, end = date(2026, 8, 1), date(2027, 3, 1)
    whole = owed.obligations_many(ids, start, end)
    monkeypatch.setattr(owed, "OBLIGATIONS_BATCH", 2)
    with query_counter() as queries:
        assert owed.obligations_many(ids, start, end) == whole
    assert queries() == 2 * 2  # three customers, two per round of two queries


def test_the_vertical_offers_both_hooks(app):
    automotive = registry().get("automotive")
    assert automotive.obligations is owed.obligations
    assert automotive.obligations_many is owed.obligations_many
