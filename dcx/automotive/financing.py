"""Financing: the car loan, its level instalments and the bills they raise."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from dcx.automotive.models import (
    AutomotiveBill,
    AutomotiveLoan,
    BillKind,
)
from dcx.automotive.rules import KEY
from dcx.database import insert_ignoring_duplicates, rows_where
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.links import link
from dcx.platform.months import add_months
from dcx.platform.notify.services import in_locale, recipient_locales
from dcx.platform.timeline.services import record

#: Loan maths runs in ``Decimal`` and rounds each figure to a whole minor unit half-even
#: (banker's rounding): over a 48- or 72-month table the halves round up as often as down,
#: so the rounding does not drift one way, and the last instalment absorbs what is left.
ROUNDING = ROUND_HALF_EVEN


def _to_minor(value: Decimal) -> int:
    """A Decimal amount in minor units, rounded to a whole unit by :data:`ROUNDING`."""
    return int(value.quantize(Decimal(1), rounding=ROUNDING))


def monthly_rate(rate_bp: int) -> Decimal:
    """The monthly rate of a nominal yearly rate in basis points (to 28 digits)."""
    return Decimal(rate_bp) / Decimal(120_000)


def month_interest(balance_minor: int, rate_bp: int) -> int:
    """One month's interest on a balance, in minor units.

    One exact division of integers, rounded once: 10,060.00 at 6.9% earns 57.845, which
    rounds half-even to 57.84, where floats read 57.84500000000001 and charged 57.85.
    """
    return _to_minor(Decimal(balance_minor * rate_bp) / Decimal(120_000))


def monthly_payment(principal_minor: int, rate_bp: int, term_months: int) -> int:
    """The level monthly instalment that repays ``principal`` over the term (annuity)."""
    rate = monthly_rate(rate_bp)
    if rate == 0:
        return -(-principal_minor // term_months)
    return _to_minor(principal_minor * rate / (1 - (1 + rate) ** -term_months))


@dataclass(frozen=True)
class ScheduleRow:
    """One instalment of an amortisation table, in minor units."""

    number: int
    due_on: date
    payment: int
    interest: int
    principal: int
    balance: int


def amortisation(loan: AutomotiveLoan) -> tuple[ScheduleRow, ...]:
    """The full repayment schedule; the last instalment absorbs the rounding."""
    return _schedule(loan.principal_minor, loan.rate_bp, loan.term_months, loan.first_due_on)


@lru_cache(maxsize=8192)
def _schedule(
    principal_minor: int, rate_bp: int, term_months: int, first_due_on: date
) -> tuple[ScheduleRow, ...]:
    # A schedule is fixed by these four: the daily jobs that read every loan's (obligations,
    # instalments) work each out once, not once a day.
    payment = monthly_payment(principal_minor, rate_bp, term_months)
    balance = principal_minor
    rows = []
    for n in range(1, term_months + 1):
        interest = month_interest(balance, rate_bp)
        principal = payment - interest if n < term_months else balance
        balance -= principal
        rows.append(
            ScheduleRow(
                n,
                add_months(first_due_on, n - 1),
                principal + interest,
                interest,
                principal,
                balance,
            )
        )
    return tuple(rows)


def instalment_reference(loan: AutomotiveLoan, number: int) -> str:
    """The natural key of a loan's n-th instalment bill."""
    return f"{loan.reference}-{number:03d}"


#: Loans handled per statement by :func:`issue_instalments_many` (bounds each IN list).
ISSUE_BATCH = 500


def issue_instalments(loan: AutomotiveLoan, through: date, locale: str | None = None) -> int:
    """Create the instalment bills due up to ``through`` that do not exist yet; how many.

    A bill's title is stored text, written in the owner's ``locale`` (looked up when not
    given): the daily job that issues most of them runs in no one's language.
    """
    locales = None if locale is None else {loan.user_id: locale}
    return issue_instalments_many([loan], through, locales)


def issue_instalments_many(
    loans: Sequence[AutomotiveLoan], through: date, locales: Mapping[int, str] | None = None
) -> int:
    """:func:`issue_instalments` for many loans, set-based: per batch of loans, one count of
    the instalments each already has (GROUP BY loan), one insert of the missing ones
    (ON CONFLICT DO NOTHING), one count after, and the owners' languages (unless given) for
    the loans that have bills to issue. A loan whose due instalments are all issued adds no
    row. Returns how many bills were created."""
    created = 0
    for first in range(0, len(loans), ISSUE_BATCH):
        created += _issue_batch(loans[first : first + ISSUE_BATCH], through, locales)
    return created


def _issued(loan_ids: list[int]) -> dict[int, int]:
    """How many instalment bills each of these loans has."""
    rows = db.session.execute(
        select(AutomotiveBill.loan_id, func.count())
        .where(AutomotiveBill.loan_id.in_(loan_ids), AutomotiveBill.kind == BillKind.INSTALMENT)
        .group_by(AutomotiveBill.loan_id)
    ).all()
    return {int(loan_id): int(n) for loan_id, n in rows if loan_id is not None}


def _issue_batch(
    loans: Sequence[AutomotiveLoan], through: date, locales: Mapping[int, str] | None
) -> int:
    """:func:`issue_instalments_many` for one batch of loans."""
    before = _issued([loan.id for loan in loans])
    short = []
    for loan in loans:
        due = [row for row in amortisation(loan) if row.due_on <= through]
        if len(due) > before.get(loan.id, 0):  # not every instalment due so far is issued
            short.append((loan, due))
    if not short:
        return 0
    if locales is None:
        locales = recipient_locales(loan.user_id for loan, _due in short)
    rows: list[dict] = []
    for loan, due in short:
        with in_locale(locales.get(loan.user_id, "")):
            rows.extend(
                {
                    "user_id": loan.user_id,
                    "vehicle_id": loan.vehicle_id,
                    "loan_id": loan.id,
                    "reference": instalment_reference(loan, row.number),
                    "kind": BillKind.INSTALMENT.value,
                    "title": _(
                        "%(lender)s instalment %(n)s of %(term)s",
                        lender=loan.lender,
                        n=row.number,
                        term=loan.term_months,
                    ),
                    "amount_minor": row.payment,
                    "currency": loan.currency,
                    "due_on": row.due_on,
                }
                for row in due
            )
    db.session.execute(insert_ignoring_duplicates(AutomotiveBill), rows)
    after = _issued([loan.id for loan, _due in short])
    return sum(after.get(loan.id, 0) - before.get(loan.id, 0) for loan, _due in short)


@dataclass(frozen=True)
class LoanPosition:
    """Where a loan stands today: instalments paid, balance, next due date, payoff figure."""

    payment: int
    paid_count: int
    balance: int
    next_due_on: date | None
    payoff: int


def loan_position(loan: AutomotiveLoan, today: date) -> LoanPosition:
    """Balance after the instalments paid; the payoff adds the interest accrued since the last."""
    schedule = amortisation(loan)
    paid = db.session.execute(
        select(func.count()).where(
            AutomotiveBill.loan_id == loan.id, AutomotiveBill.paid_at.is_not(None)
        )
    ).scalar_one()
    balance = schedule[paid - 1].balance if paid else loan.principal_minor
    next_row = schedule[paid] if paid < len(schedule) else None
    last_due = schedule[paid - 1].due_on if paid else add_months(loan.first_due_on, -1)
    # Interest accrues day by day through the current instalment period, so on the due
    # date the payoff is exactly the balance plus that instalment's interest.
    period_end = next_row.due_on if next_row else last_due
    period_days = max(1, (period_end - last_due).days)
    days = min(max(0, (today - last_due).days), period_days)
    accrued = _to_minor(Decimal(balance * loan.rate_bp * days) / Decimal(120_000 * period_days))
    return LoanPosition(
        payment=schedule[0].payment,
        paid_count=paid,
        balance=balance,
        next_due_on=next_row.due_on if next_row else None,
        payoff=balance + accrued if balance else 0,
    )


def loans_of(user_id: int) -> list[AutomotiveLoan]:
    """The customer's loans and leases."""
    return rows_where(
        AutomotiveLoan, AutomotiveLoan.user_id == user_id, order_by=(AutomotiveLoan.id,)
    )


def bills_of(user_id: int, unpaid_only: bool = False) -> list[AutomotiveBill]:
    """The customer's bills, unpaid and most urgent first."""
    stmt = select(AutomotiveBill).where(AutomotiveBill.user_id == user_id)
    if unpaid_only:
        stmt = stmt.where(AutomotiveBill.paid_at.is_(None))
    return list(
        db.session.execute(
            stmt.order_by(
                AutomotiveBill.paid_at.is_not(None),
                AutomotiveBill.due_on.desc() if not unpaid_only else AutomotiveBill.due_on,
            )
        ).scalars()
    )


def pay_bill(bill: AutomotiveBill) -> bool:
    """Record the payment of a bill; False if it was already paid."""
    if bill.paid_at is not None:
        return False
    bill.paid_at = clock.now()
    db.session.flush()
    record(
        bill.user_id,
        KEY,
        "bill_paid",
        _l("Paid: %(title)s", title=bill.title),
        data={"amount_minor": bill.amount_minor, "currency": bill.currency},
        link=link("automotive.financing"),
        key=f"automotive.bill_paid:{bill.id}",
    )
    return True
