"""Banking rules: accounts, savings, goals, bills, safe to spend and the monthly report.

Money is always an integer of minor units (cents) with an ISO 4217 code. Functions take the
customer's id and the date explicitly (``today``) so tests can pin time; they add and flush,
the caller commits.
"""

from __future__ import annotations

import calendar
import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from babel.dates import format_skeleton
from flask import current_app, has_request_context, url_for
from flask_babel import format_date, get_locale, gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import and_, case, func, or_, select

from dcx import filters
from dcx.banking.models import (
    BankingAccount,
    BankingBill,
    BankingGoal,
    BankingGoalMovement,
    BankingTransaction,
)
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.accounts.models import User
from dcx.platform.notify.services import in_locale, recipient_locales
from dcx.platform.timeline.services import record
from dcx.verticals import CalendarEntry, Obligation, registry

KEY = "banking"
CURRENCY = "EUR"
BUFFER_MINOR = 5_000  # a cushion kept back from safe-to-spend for the unexpected
LOW_PER_DAY_MINOR = 1_000  # below this much a day until payday, the customer is warned
OVERDUE_DAYS = 90  # other industries' unpaid bills this old still count as owed
SAME_PAYMENT_DAYS = 5  # an obligation this close to a known bill of the same amount is that bill
INCOME = "Income"
TRANSFERS = "Transfers"

# Two levels: category -> subcategories. Transfers between own accounts are neither income
# nor spending, so reports leave them out.
CATEGORIES: dict[str, tuple[str, ...]] = {
    INCOME: ("Salary", "Refunds", "Other income"),
    "Housing": ("Rent", "Utilities", "Insurance"),
    "Food": ("Groceries", "Restaurants", "Coffee"),
    "Transport": ("Public transport", "Fuel", "Car instalment", "Taxi"),
    "Subscriptions": ("Streaming", "Phone", "Gym", "Software"),
    "Shopping": ("Clothes", "Electronics", "Home"),
    "Leisure": ("Travel", "Events", "Books"),
    "Health": ("Pharmacy", "Doctor"),
    TRANSFERS: ("Savings", "Internal"),
    "Other": ("Other",),
}


@dataclass(frozen=True)
class Product:
    """A savings product on offer: its nominal yearly rate and how often interest compounds.

    ``name`` is what an opened account stores as its name (English, like every stored key);
    ``label`` is the same name marked for translation, which pages show instead.
    """

    key: str
    name: str
    label: Any
    rate_bp: int  # nominal yearly rate in basis points: 300 = 3.00 %
    compounding: int  # times a year
    min_deposit_minor: int

    @property
    def apy(self) -> Decimal:
        """The annual percentage yield as a fraction."""
        return apy(self.rate_bp, self.compounding)


PRODUCTS: dict[str, Product] = {
    p.key: p
    for p in (
        Product("easy_access", "Easy Access Saver", _l("Easy Access Saver"), 300, 12, 100),
        Product("bonus_saver", "Bonus Saver", _l("Bonus Saver"), 410, 365, 2_500),
        Product("fixed_1y", "One-Year Fixed Saver", _l("One-Year Fixed Saver"), 375, 1, 100_000),
    )
}


class BankingError(ValueError):
    """A banking rule refused the request; ``field`` names the form field at fault.

    The rules raise it with a lazy message (``lazy_gettext``): ``str(exc)`` renders it in the
    language in force where it is shown, so a form error reads in the visitor's language.
    """

    def __init__(self, message: Any, field: str = ""):
        super().__init__(message)
        self.field = field


# --- money and dates --------------------------------------------------------------------


def parse_amount(text: str | None) -> int:
    """Parse ``"1,234.56"`` or ``"12"`` into minor units; ValueError for anything else."""
    cleaned = (text or "").strip().replace(",", "").replace("€", "").replace(" ", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError("not an amount") from None
    if not value.is_finite() or value != value.quantize(Decimal("0.01")):
        raise ValueError("use at most two decimals")
    return int(value * 100)


def apy(rate_bp: int, compounding: int) -> Decimal:
    """APY = (1 + r/n)^n - 1 for a nominal rate ``r`` (basis points) compounded n times a year."""
    if compounding <= 0:
        return Decimal(rate_bp) / Decimal(10_000)
    r = Decimal(rate_bp) / Decimal(10_000)
    return (1 + r / compounding) ** compounding - 1


def percent(fraction: Decimal, places: str = "0.01") -> Decimal:
    """A fraction shown as a percentage, rounded half up: 0.030416 -> 3.04."""
    return (fraction * 100).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's last day (31 Jan + 1 = 28 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def month_start(day: date) -> date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """The first day of the month and the first day of the next one (half-open)."""
    start = date(year, month, 1)
    return start, add_months(start, 1)


def period_key(day: date) -> str:
    """``2026-10`` for any day of October 2026."""
    return f"{day.year:04d}-{day.month:02d}"


def report_path(year: int, month: int) -> str:
    """The report page's path; usable outside a request (jobs write it into messages)."""
    return f"/banking/reports/{year:04d}-{month:02d}"


def _in_their_format(formatter: Any, *args: Any) -> LazyString:
    """A money amount, date or number formatted when its text is rendered, not now.

    A timeline event's lazy text is rendered in its customer's language (``record``); the
    amounts in it must follow that language too, not the one in force when it happened.
    """
    return LazyString(formatter, *args)


def _link(endpoint: str, fallback: str, **values: Any) -> str:
    return url_for(endpoint, **values) if has_request_context() else fallback


# --- goals ------------------------------------------------------------------------------


def months_left(from_day: date, target_date: date) -> int:
    """How many monthly contributions remain, counting ``from_day``'s month; 0 once passed."""
    if target_date <= from_day:
        return 0
    return (target_date.year - from_day.year) * 12 + target_date.month - from_day.month + 1


def monthly_contribution_needed(
    target_minor: int, saved_minor: int, target_date: date, from_day: date
) -> int:
    """Remaining amount over the months left, rounded up to the cent.

    When the goal date has passed, everything still missing is due now.
    """
    remaining = max(0, target_minor - saved_minor)
    if remaining == 0:
        return 0
    months = months_left(from_day, target_date)
    if months == 0:
        return remaining
    return -(-remaining // months)


def is_on_track(
    target_minor: int, saved_minor: int, started_on: date, target_date: date, today: date
) -> bool:
    """On track when saved at least the straight-line share of the target for the time gone."""
    if saved_minor >= target_minor:
        return True
    if today >= target_date:
        return False
    total = max(1, (target_date - started_on).days)
    elapsed = min(total, max(0, (today - started_on).days))
    return saved_minor * total >= target_minor * elapsed


@dataclass
class GoalView:
    """A goal with the numbers a customer needs to see about it."""

    goal: BankingGoal
    needed_this_month: int
    contributed_this_month: int
    status: str  # reached, on_track, behind

    @property
    def outstanding_this_month(self) -> int:
        """What is still to put in this month to stay on plan."""
        return max(0, self.needed_this_month - self.contributed_this_month)

    @property
    def progress_percent(self) -> int:
        """Saved as a whole percentage of the target (0-100)."""
        if self.goal.target_minor <= 0:
            return 100
        return min(100, self.goal.saved_minor * 100 // self.goal.target_minor)


def goal_views(user_id: int, today: date, goals: Iterable[BankingGoal] | None = None):
    """Every goal of the customer with this month's plan (two queries)."""
    if goals is None:
        goals = db.session.execute(
            select(BankingGoal).where(BankingGoal.user_id == user_id).order_by(BankingGoal.id)
        ).scalars()
    goals = list(goals)
    start = month_start(today)
    moved = dict(
        db.session.execute(
            select(BankingGoalMovement.goal_id, func.sum(BankingGoalMovement.amount_minor))
            .where(
                BankingGoalMovement.goal_id.in_([g.id for g in goals] or [0]),
                BankingGoalMovement.moved_on >= start,
            )
            .group_by(BankingGoalMovement.goal_id)
        ).all()
    )
    return _plan_goals(goals, moved, today)


def _plan_goals(goals: Iterable[BankingGoal], moved: dict[int, Any], today: date) -> list[GoalView]:
    """Each goal's plan for ``today``'s month, given the net sum moved per goal id this month.

    The rule shared by :func:`goal_views` (one customer) and :func:`safe_to_spend_many`
    (many), so both give the same answer.
    """
    start = month_start(today)
    views = []
    for goal in goals:
        this_month = int(moved.get(goal.id) or 0)
        # The plan is fixed at the start of each month: recalculated monthly, not daily.
        saved_at_start = goal.saved_minor - this_month
        needed = monthly_contribution_needed(
            goal.target_minor, saved_at_start, goal.target_date, start
        )
        if goal.saved_minor >= goal.target_minor:
            status = "reached"
            needed = 0
        elif is_on_track(
            goal.target_minor, goal.saved_minor, goal.started_on, goal.target_date, today
        ):
            status = "on_track"
        else:
            status = "behind"
        views.append(GoalView(goal, needed, max(0, this_month), status))
    return views


def create_goal(
    user_id: int,
    name: str,
    target_minor: int,
    target_date: date,
    today: date,
    account_id: int | None = None,
) -> BankingGoal:
    """Set a new savings goal; the linked account must be the customer's savings account."""
    if target_minor <= 0:
        raise BankingError(_l("The target must be more than zero."), "target")
    if target_date <= today:
        raise BankingError(_l("Pick a date in the future."), "target_date")
    if account_id is not None:
        account = db.session.get(BankingAccount, account_id)
        if account is None or account.user_id != user_id or account.kind != "savings":
            raise BankingError(_l("Choose one of your savings accounts."), "account_id")
    exists = db.session.execute(
        select(BankingGoal.id).where(BankingGoal.user_id == user_id, BankingGoal.name == name)
    ).first()
    if exists:
        raise BankingError(_l("You already have a goal with this name."), "name")
    goal = BankingGoal(
        user_id=user_id,
        name=name,
        target_minor=target_minor,
        target_date=target_date,
        started_on=today,
        account_id=account_id,
        currency=CURRENCY,
    )
    db.session.add(goal)
    db.session.flush()
    record(
        user_id,
        KEY,
        "goal_created",
        name,
        _l(
            "Target %(amount)s by %(day)s",
            amount=_in_their_format(filters.money, target_minor, CURRENCY),
            day=_in_their_format(format_date, target_date),
        ),
        link=_link("banking.goals", "/banking/goals"),
        key=f"banking.goal_created:{goal.id}",
    )
    return goal


def move_goal_money(goal: BankingGoal, amount_minor: int, today: date) -> bool:
    """Contribute (positive) to or withdraw (negative) from a goal; True if it was just reached.

    A contribution moves money from the current account to the goal's savings account (and a
    withdrawal back), so safe-to-spend and balances follow.
    """
    if amount_minor == 0:
        raise BankingError(_l("Enter an amount."), "amount")
    if amount_minor < 0 and -amount_minor > goal.saved_minor:
        raise BankingError(_l("You cannot withdraw more than the goal holds."), "amount")
    current = primary_current_account(goal.user_id)
    if amount_minor > 0 and current is not None and available_balance(current.id) < amount_minor:
        raise BankingError(_l("Your current account does not hold that much."), "amount")
    stamp = secrets.token_hex(6)
    # Stored text, written once in the language of the customer moving the money.
    merchant = gettext("Goal: %(name)s", name=goal.name)
    if current is not None:
        _book(current, -amount_minor, today, merchant, TRANSFERS, "Savings", stamp)
    if goal.account is not None:
        _book(goal.account, amount_minor, today, merchant, TRANSFERS, "Savings", stamp)
    goal.saved_minor += amount_minor
    db.session.add(
        BankingGoalMovement(
            goal_id=goal.id, user_id=goal.user_id, amount_minor=amount_minor, moved_on=today
        )
    )
    db.session.flush()
    if goal.saved_minor >= goal.target_minor and goal.reached_at is None:
        goal.reached_at = clock.now()
        record(
            goal.user_id,
            KEY,
            "goal_reached",
            goal.name,
            _l(
                "Saved %(amount)s",
                amount=_in_their_format(filters.money, goal.target_minor, goal.currency),
            ),
            link=_link("banking.goals", "/banking/goals"),
            key=f"banking.goal_reached:{goal.id}",
        )
        db.session.flush()
        return True
    return False


def _book(account, amount, day, merchant, category, subcategory, stamp, status="booked"):
    db.session.add(
        BankingTransaction(
            user_id=account.user_id,
            account_id=account.id,
            booked_on=day,
            amount_minor=amount,
            currency=account.currency,
            status=status,
            merchant=merchant[:120],
            category=category,
            subcategory=subcategory,
            description=merchant[:200],
            reference=f"{stamp}-{account.id}",
        )
    )


# --- accounts ---------------------------------------------------------------------------


def accounts(user_id: int) -> list[BankingAccount]:
    """The customer's accounts, current first."""
    return list(
        db.session.execute(
            select(BankingAccount)
            .where(BankingAccount.user_id == user_id)
            .order_by(BankingAccount.kind, BankingAccount.id)
        ).scalars()
    )


def primary_current_account(user_id: int) -> BankingAccount | None:
    """The customer's first current account, or None."""
    return db.session.execute(
        select(BankingAccount)
        .where(BankingAccount.user_id == user_id, BankingAccount.kind == "current")
        .order_by(BankingAccount.id)
        .limit(1)
    ).scalar_one_or_none()


def balances(user_id: int) -> dict[int, int]:
    """Booked balance of each of the customer's accounts, by account id (one query)."""
    rows = db.session.execute(
        select(BankingTransaction.account_id, func.sum(BankingTransaction.amount_minor))
        .where(BankingTransaction.user_id == user_id, BankingTransaction.status == "booked")
        .group_by(BankingTransaction.account_id)
    ).all()
    return {account_id: int(total or 0) for account_id, total in rows}


def available_balance(account_id: int) -> int:
    """Booked balance of one account."""
    total = db.session.execute(
        select(func.sum(BankingTransaction.amount_minor)).where(
            BankingTransaction.account_id == account_id, BankingTransaction.status == "booked"
        )
    ).scalar()
    return int(total or 0)


def new_account_number() -> str:
    """A fresh, unused account number."""
    while True:
        number = "DCXB" + "".join(str(secrets.randbelow(10)) for _ in range(10))
        taken = db.session.execute(
            select(BankingAccount.id).where(BankingAccount.number == number)
        ).first()
        if not taken:
            return number


def open_current_account(user_id: int, today: date, number: str | None = None) -> BankingAccount:
    """Open a current account (seeds and tests; in real life it predates the app).

    Its name is stored in the language in force, as the showcase seed stores it.
    """
    account = BankingAccount(
        user_id=user_id,
        kind="current",
        name=gettext("Everyday account"),
        number=number or new_account_number(),
        currency=CURRENCY,
        opened_on=today,
    )
    db.session.add(account)
    db.session.flush()
    return account


@dataclass
class SavingsApplication:
    """Everything the open-a-savings-account form collects, already parsed."""

    full_name: str
    date_of_birth: date
    phone: str
    address: str
    last4: str
    purpose: str
    source_of_funds: str
    product: str
    source_account_id: int
    deposit_minor: int
    consent_terms: bool
    consent_privacy: bool
    consent_marketing: bool = False


def open_savings_account(
    user_id: int, application: SavingsApplication, today: date
) -> BankingAccount:
    """Check the application and open the account with its first deposit from current.

    Raises BankingError naming the field at fault; nothing is written then.
    """
    if add_months(application.date_of_birth, 18 * 12) > today:
        raise BankingError(
            _l("You must be 18 or older to open a savings account."), "date_of_birth"
        )
    source = db.session.get(BankingAccount, application.source_account_id)
    if source is None or source.user_id != user_id or source.kind != "current":
        raise BankingError(_l("Choose one of your current accounts."), "source_account_id")
    if source.number[-4:] != application.last4:
        raise BankingError(_l("Those digits do not match your current account."), "last4")
    product = PRODUCTS.get(application.product)
    if product is None:
        raise BankingError(_l("Choose a product."), "product")
    if application.deposit_minor < product.min_deposit_minor:
        raise BankingError(
            _l(
                "%(product)s needs at least %(amount)s.",
                product=product.label,
                amount=filters.money(product.min_deposit_minor, CURRENCY),
            ),
            "deposit",
        )
    if application.deposit_minor > available_balance(source.id):
        raise BankingError(_l("Your current account does not hold that much."), "deposit")
    if not (application.consent_terms and application.consent_privacy):
        raise BankingError(_l("Please accept the terms and the privacy notice."), "consent_terms")
    account = BankingAccount(
        user_id=user_id,
        kind="savings",
        name=product.name,
        number=new_account_number(),
        currency=CURRENCY,
        product=product.key,
        nominal_rate_bp=product.rate_bp,
        compounding=product.compounding,
        holder_name=application.full_name,
        marketing_consent=application.consent_marketing,
        opened_on=today,
    )
    db.session.add(account)
    db.session.flush()
    stamp = "open-" + secrets.token_hex(6)
    # The account keeps the product's stored name; the transfer's text is written once, in
    # the language of the customer opening the account.
    label = gettext("First deposit to %(product)s", product=product.label)
    _book(source, -application.deposit_minor, today, label, TRANSFERS, "Savings", stamp)
    _book(account, application.deposit_minor, today, label, TRANSFERS, "Savings", stamp)
    db.session.flush()
    record(
        user_id,
        KEY,
        "account_opened",
        product.label,
        _l(
            "Account %(number)s at %(apy)s %% APY",
            number=account.number,
            apy=_in_their_format(filters.number, percent(product.apy), 2),
        ),
        link=_link("banking.account", f"/banking/accounts/{account.id}", account_id=account.id),
        key=f"banking.account_opened:{account.id}",
    )
    return account


# --- transactions -----------------------------------------------------------------------


@dataclass
class TransactionFilter:
    """What the customer searches for in an account's transactions."""

    q: str = ""
    category: str = ""
    direction: str = ""  # "in", "out" or ""
    status: str = ""
    date_from: date | None = None
    date_to: date | None = None


def transactions_with_balance(account: BankingAccount, flt: TransactionFilter, limit: int = 200):
    """Transactions of one account, newest first, each with the booked balance after it.

    The running balance is a window function over the whole account, computed before the
    filter, so a filtered list still shows the true balance after each row.
    """
    t = BankingTransaction
    running = (
        func.sum(case((t.status == "booked", t.amount_minor), else_=0))
        .over(partition_by=t.account_id, order_by=(t.booked_on, t.id))
        .label("balance_after")
    )
    inner = select(t.id.label("tid"), running).where(t.account_id == account.id).subquery()
    stmt = select(t, inner.c.balance_after).join(inner, inner.c.tid == t.id)
    if flt.q:
        like = f"%{flt.q}%"
        stmt = stmt.where(or_(t.merchant.ilike(like), t.description.ilike(like)))
    if flt.category:
        stmt = stmt.where(t.category == flt.category)
    if flt.direction == "in":
        stmt = stmt.where(t.amount_minor > 0)
    elif flt.direction == "out":
        stmt = stmt.where(t.amount_minor < 0)
    if flt.status:
        stmt = stmt.where(t.status == flt.status)
    if flt.date_from:
        stmt = stmt.where(t.booked_on >= flt.date_from)
    if flt.date_to:
        stmt = stmt.where(t.booked_on <= flt.date_to)
    stmt = stmt.order_by(t.booked_on.desc(), t.id.desc()).limit(limit)
    return [(row[0], int(row[1] or 0)) for row in db.session.execute(stmt).all()]


# --- bills ------------------------------------------------------------------------------


def bills(user_id: int) -> list[BankingBill]:
    """The customer's active bills, by next date."""
    return list(
        db.session.execute(
            select(BankingBill)
            .where(BankingBill.user_id == user_id, BankingBill.active.is_(True))
            .order_by(BankingBill.next_due_on)
        ).scalars()
    )


def add_bill(
    user_id: int, name: str, amount_minor: int, next_due_on: date, merchant: str = ""
) -> BankingBill:
    """Add a recurring monthly bill by hand."""
    if amount_minor <= 0:
        raise BankingError(_l("The amount must be more than zero."), "amount")
    exists = db.session.execute(
        select(BankingBill.id).where(BankingBill.user_id == user_id, BankingBill.name == name)
    ).first()
    if exists:
        raise BankingError(_l("You already have a bill with this name."), "name")
    bill = BankingBill(
        user_id=user_id,
        name=name,
        merchant=merchant or name,
        amount_minor=amount_minor,
        currency=CURRENCY,
        next_due_on=next_due_on,
        source="manual",
    )
    db.session.add(bill)
    db.session.flush()
    return bill


def detect_bills(user_id: int, today: date) -> list[BankingBill]:
    """Find recurring payments in the last four months and add the ones not yet known.

    A merchant paid in at least three different months with amounts within 10 % of each other
    is a recurring bill; the next date is a month after the last payment. A payee another
    industry reports obligations for (a car lender) is left to that industry's dates.
    """
    since = add_months(today, -4)
    rows = db.session.execute(
        select(
            BankingTransaction.merchant,
            BankingTransaction.category,
            BankingTransaction.booked_on,
            BankingTransaction.amount_minor,
        )
        .where(
            BankingTransaction.user_id == user_id,
            BankingTransaction.amount_minor < 0,
            BankingTransaction.booked_on >= since,
            BankingTransaction.category.notin_([TRANSFERS, INCOME]),
            BankingTransaction.merchant != "",
        )
        .order_by(BankingTransaction.booked_on)
    ).all()
    by_merchant: dict[str, list] = defaultdict(list)
    for row in rows:
        by_merchant[row.merchant].append(row)
    known = {
        name
        for (name,) in db.session.execute(
            select(BankingBill.merchant).where(BankingBill.user_id == user_id)
        )
    }
    # A lender (or school) that reports its own dates is not a bill to guess from payments.
    reported = _payees(other_obligations(user_id, since, add_months(today, 2)))
    found = []
    for merchant, payments in by_merchant.items():
        months = {(p.booked_on.year, p.booked_on.month) for p in payments}
        if len(months) < 3 or len(payments) > len(months) + 1 or merchant in known:
            continue
        if merchant.casefold() in reported:
            continue
        amounts = [-p.amount_minor for p in payments]
        if max(amounts) > min(amounts) * 1.1:
            continue
        last = payments[-1]
        next_due = add_months(last.booked_on, 1)
        while next_due < today:
            next_due = add_months(next_due, 1)
        bill = BankingBill(
            user_id=user_id,
            name=merchant[:80],
            merchant=merchant,
            category=last.category,
            amount_minor=-last.amount_minor,
            currency=CURRENCY,
            next_due_on=next_due,
            source="detected",
        )
        db.session.add(bill)
        found.append(bill)
    db.session.flush()
    return found


def bill_dates(bill: BankingBill, start: date, end: date) -> list[date]:
    """The bill's monthly due dates in [start, end), rolled forward from its next date."""
    dates: list[date] = []
    k = 0
    while True:
        day = add_months(bill.next_due_on, k)
        if day >= end:
            return dates
        if day >= start:
            dates.append(day)
        k += 1
        if k > 600:  # a bill dated decades ago must not loop for long
            return dates


@dataclass(frozen=True)
class Due:
    """One amount due on a date, from a banking bill or another industry."""

    title: str
    due_on: date
    amount_minor: int
    source: str  # "banking" or another vertical's key
    link: str = ""
    overdue: bool = False


def _obligation_sources() -> list[Any]:
    """The other loaded verticals that expose an ``obligations`` (or ``obligations_many``) hook."""
    return [
        v
        for v in registry()
        if v.key != KEY and (v.obligations is not None or v.obligations_many is not None)
    ]


def other_obligations(user_id: int, start: date, end: date) -> list[Obligation]:
    """Bills other industries expose (a car instalment, tuition), through the registry.

    One customer's answer of :func:`other_obligations_many`, so the pages and the jobs count
    the same bills.
    """
    return other_obligations_many([user_id], start, end)[int(user_id)]


def other_obligations_many(
    user_ids: Iterable[int], start: date, end: date
) -> dict[int, list[Obligation]]:
    """Bills other industries expose for each given customer, by id (every id a key).

    A vertical offering the batch hook ``obligations_many`` is asked once for all of them (its
    queries do not grow with the number of customers); one offering only ``obligations`` is
    asked once per customer. A hook that raises is logged and skipped: for the whole batch
    when it is the batch hook, for that customer when it is the per-customer one.
    """
    ids = list(dict.fromkeys(int(user_id) for user_id in user_ids))
    found: dict[int, list[Obligation]] = {user_id: [] for user_id in ids}
    if not ids:
        return found
    for vertical in _obligation_sources():
        if vertical.obligations_many is not None:
            try:
                answered = vertical.obligations_many(ids, start, end)
                # read every answer before keeping any: a failure keeps nothing half-added
                per_customer = {user_id: list(answered.get(user_id, ())) for user_id in ids}
            except Exception:  # one industry's fault must not hide the customer's money
                current_app.logger.exception("obligations_many of %s failed", vertical.key)
                continue
            for user_id in ids:
                found[user_id].extend(per_customer[user_id])
            continue
        for user_id in ids:
            try:
                found[user_id].extend(vertical.obligations(user_id, start, end))
            except Exception:  # one industry's fault must not hide the customer's money
                current_app.logger.exception("obligations of %s failed", vertical.key)
    return found


def dues_between(user_id: int, start: date, end: date) -> list[Due]:
    """Everything the customer owes in [start, end): own bills and other industries'.

    Another industry's bill that fell due before ``start`` and is still unpaid (it still
    reports it) is owed now, so it counts too, marked overdue.
    """
    found: list[Obligation] = []
    if end > start:
        found = other_obligations(
            user_id, start - timedelta(days=OVERDUE_DAYS), end - timedelta(days=1)
        )
    return _with_obligations(_own_dues(bills(user_id), start, end, found), found, start, end)


def _own_dues(
    owned_bills: Iterable[BankingBill], start: date, end: date, found: Iterable[Obligation] = ()
) -> list[Due]:
    """The customer's banking bills as dated amounts in [start, end).

    A bill paid to a payee another industry reports (``found``) is that industry's: its dates
    are the payee's, counted once from there, never guessed again here.
    """
    reported = _payees(found)
    return [
        Due(bill.name, day, bill.amount_minor, KEY)
        for bill in owned_bills
        if bill.merchant.casefold() not in reported
        for day in bill_dates(bill, start, end)
    ]


def _payees(found: Iterable[Obligation]) -> set[str]:
    """Who the other industries' obligations are paid to, as bank statements name them."""
    return {o.payee.casefold() for o in found if o.payee}


def _with_obligations(
    own: list[Due], found: Iterable[Obligation], start: date, end: date
) -> list[Due]:
    """Own bills plus other industries' obligations, by date.

    ``found`` is what the obligations hooks answered for [start - OVERDUE_DAYS, end - 1 day];
    shared by :func:`dues_between` and :func:`safe_to_spend_many`.
    """
    dues = list(own)
    since = start - timedelta(days=OVERDUE_DAYS)
    for o in found:
        if not since <= o.due_on < end:
            continue
        # The car instalment the dealer reports is often already a bill we detected from
        # the payments history: same amount within a few days is the same payment.
        if any(
            d.amount_minor == o.amount_minor
            and abs((d.due_on - o.due_on).days) <= SAME_PAYMENT_DAYS
            for d in own
        ):
            continue
        dues.append(Due(o.title, o.due_on, o.amount_minor, o.vertical, o.link, o.due_on < start))
    return sorted(dues, key=lambda d: (d.due_on, d.title))


# --- safe to spend ----------------------------------------------------------------------


def _recent_salary(today: date) -> tuple[Any, ...]:
    """The conditions of a salary credit recent enough to predict the next payday."""
    t = BankingTransaction
    return (
        t.category == INCOME,
        t.subcategory == "Salary",
        t.amount_minor > 0,
        t.booked_on >= add_months(today, -2),
    )


def next_payday(user_id: int, today: date) -> date | None:
    """A month after the last salary (rolled forward past today); None without income."""
    last = db.session.execute(
        select(func.max(BankingTransaction.booked_on)).where(
            BankingTransaction.user_id == user_id, *_recent_salary(today)
        )
    ).scalar()
    return _payday_after(last, today)


def _payday_after(last: date | None, today: date) -> date | None:
    """A month after the last salary ``last``, rolled forward past today; None without one."""
    if last is None:
        return None
    payday = add_months(last, 1)
    while payday <= today:
        payday = add_months(payday, 1)
    return payday


@dataclass
class SafeToSpend:
    """The safe-to-spend figure and the steps that lead to it."""

    available_minor: int
    pending_minor: int
    bills_minor: int
    goals_minor: int
    buffer_minor: int
    days: int
    payday: date | None = None
    dues: list[Due] = field(default_factory=list)
    goals: list[GoalView] = field(default_factory=list)
    currency: str = CURRENCY

    @property
    def amount_minor(self) -> int:
        """Available minus pending debits, bills, goal contributions and the buffer."""
        return (
            self.available_minor
            - self.pending_minor
            - self.bills_minor
            - self.goals_minor
            - self.buffer_minor
        )

    @property
    def per_day_minor(self) -> int:
        """Safe to spend per day until payday, never below zero."""
        return max(0, self.amount_minor) // max(1, self.days)

    def steps(self) -> list[tuple[str, int]]:
        """The waterfall: start, then each deduction as a negative amount."""
        return [
            (_l("Available balance"), self.available_minor),
            (_l("Pending payments"), -self.pending_minor),
            (_l("Bills before payday"), -self.bills_minor),
            (_l("Goal contributions"), -self.goals_minor),
            (_l("Buffer"), -self.buffer_minor),
        ]


def compute_safe_to_spend(
    available_minor: int,
    pending_minor: int,
    bills_minor: int,
    goals_minor: int,
    days: int,
    buffer_minor: int = BUFFER_MINOR,
) -> SafeToSpend:
    """The pure rule, in minor units; inputs are amounts (deductions as positive numbers)."""
    return SafeToSpend(
        available_minor=available_minor,
        pending_minor=max(0, pending_minor),
        bills_minor=max(0, bills_minor),
        goals_minor=max(0, goals_minor),
        buffer_minor=max(0, buffer_minor),
        days=max(1, days),
    )


def _available_and_pending() -> tuple[Any, Any]:
    """Booked balance, and pending debits as a positive amount, summed over transactions."""
    t = BankingTransaction
    booked = func.sum(case((t.status == "booked", t.amount_minor)))
    pending = func.sum(case((and_(t.status == "pending", t.amount_minor < 0), -t.amount_minor)))
    return booked, pending


def _horizon(payday: date | None, today: date) -> date:
    """The day the plan runs to: payday, or without a salary the first of next month."""
    return payday or add_months(month_start(today), 1)


def _assemble_safe_to_spend(
    available: int,
    pending: int,
    payday: date | None,
    dues: list[Due],
    goals: list[GoalView],
    today: date,
) -> SafeToSpend:
    """The figure from its loaded parts (goals already planned, reached ones included)."""
    views = [v for v in goals if v.status != "reached"]
    result = compute_safe_to_spend(
        available,
        pending,
        sum(d.amount_minor for d in dues),
        sum(v.outstanding_this_month for v in views),
        (_horizon(payday, today) - today).days,
    )
    result.payday, result.dues, result.goals = payday, dues, views
    return result


def safe_to_spend(user_id: int, today: date) -> SafeToSpend:
    """What the customer can spend until payday after everything already spoken for.

    One customer, for the pages (several queries); a job over many customers uses
    :func:`safe_to_spend_many`, which answers the same in a fixed number of queries.
    """
    current_ids = [a.id for a in accounts(user_id) if a.kind == "current"]
    available, pending = 0, 0
    if current_ids:
        row = db.session.execute(
            select(*_available_and_pending()).where(BankingTransaction.account_id.in_(current_ids))
        ).one()
        available, pending = int(row[0] or 0), int(row[1] or 0)
    payday = next_payday(user_id, today)
    dues = dues_between(user_id, today, _horizon(payday, today))
    return _assemble_safe_to_spend(
        available, pending, payday, dues, goal_views(user_id, today), today
    )


# Customers per round of queries: each IN list stays far below the bound parameters a
# statement may carry (32,766 in SQLite, 65,535 in PostgreSQL).
SAFE_TO_SPEND_BATCH = 5_000


def safe_to_spend_many(user_ids: Iterable[int], today: date) -> dict[int, SafeToSpend]:
    """:func:`safe_to_spend` for many customers at once, by customer id, set-based.

    For each batch of up to ``SAFE_TO_SPEND_BATCH`` customers, five queries load what the
    rule needs for all of them: current-account balances and pending debits (GROUP BY
    customer), the last salary (GROUP BY customer), active bills, goals, and this month's
    goal movements (GROUP BY goal). The rule itself is the same code as the single-customer
    path, so every answer equals ``safe_to_spend(user_id, today)``.

    Other industries' bills come through :func:`other_obligations_many`, asked once per batch
    for the widest window any of its customers needs: a vertical with the batch hook
    ``obligations_many`` (automotive) adds a fixed number of queries, one offering only the
    per-customer ``obligations`` hook is called once per customer.
    """
    ids = list(dict.fromkeys(int(user_id) for user_id in user_ids))
    found: dict[int, SafeToSpend] = {}
    for first in range(0, len(ids), SAFE_TO_SPEND_BATCH):
        found.update(_safe_to_spend_batch(ids[first : first + SAFE_TO_SPEND_BATCH], today))
    return found


def _safe_to_spend_batch(ids: list[int], today: date) -> dict[int, SafeToSpend]:
    """:func:`safe_to_spend_many` for one batch of distinct customer ids.

    Five queries, plus what the other industries' obligations hooks cost for the batch.
    """
    t, a, g, m = BankingTransaction, BankingAccount, BankingGoal, BankingGoalMovement
    money = {
        user_id: (int(booked or 0), int(pending or 0))
        for user_id, booked, pending in db.session.execute(
            select(a.user_id, *_available_and_pending())
            .select_from(t)
            .join(a, a.id == t.account_id)
            .where(a.user_id.in_(ids), a.kind == "current")
            .group_by(a.user_id)
        ).all()
    }
    last_salary = dict(
        db.session.execute(
            select(t.user_id, func.max(t.booked_on))
            .where(t.user_id.in_(ids), *_recent_salary(today))
            .group_by(t.user_id)
        ).all()
    )
    bills_of: dict[int, list[BankingBill]] = defaultdict(list)
    for bill in db.session.execute(
        select(BankingBill)
        .where(BankingBill.user_id.in_(ids), BankingBill.active.is_(True))
        .order_by(BankingBill.next_due_on)
    ).scalars():
        bills_of[bill.user_id].append(bill)
    goals_of: dict[int, list[BankingGoal]] = defaultdict(list)
    for goal in db.session.execute(select(g).where(g.user_id.in_(ids)).order_by(g.id)).scalars():
        goals_of[goal.user_id].append(goal)
    moved = dict(
        db.session.execute(
            select(m.goal_id, func.sum(m.amount_minor))
            .join(g, g.id == m.goal_id)
            .where(g.user_id.in_(ids), m.moved_on >= month_start(today))
            .group_by(m.goal_id)
        ).all()
    )
    paydays = {user_id: _payday_after(last_salary.get(user_id), today) for user_id in ids}
    horizons = {user_id: _horizon(payday, today) for user_id, payday in paydays.items()}
    since = today - timedelta(days=OVERDUE_DAYS)
    # One window for the whole batch, up to the latest horizon: ``_with_obligations`` keeps
    # for each customer only what falls in their own window, as the per-customer path asks.
    others: dict[int, list[Obligation]] = {}
    if ids and _obligation_sources():
        others = other_obligations_many(ids, since, max(horizons.values()) - timedelta(days=1))
    found = {}
    for user_id in ids:
        available, pending = money.get(user_id, (0, 0))
        payday, horizon = paydays[user_id], horizons[user_id]
        dues = _with_obligations(
            _own_dues(bills_of[user_id], today, horizon, others.get(user_id, [])),
            others.get(user_id, []),
            today,
            horizon,
        )
        goals = _plan_goals(goals_of[user_id], moved, today)
        found[user_id] = _assemble_safe_to_spend(available, pending, payday, dues, goals, today)
    return found


# --- the monthly report -----------------------------------------------------------------

_COUNTED = BankingTransaction.category != TRANSFERS


def _income_spending_columns(t=BankingTransaction):
    income = func.coalesce(func.sum(case((t.amount_minor > 0, t.amount_minor), else_=0)), 0)
    spending = func.coalesce(func.sum(case((t.amount_minor < 0, -t.amount_minor), else_=0)), 0)
    return income.label("income"), spending.label("spending")


def month_totals(user_id: int, start: date, end: date) -> tuple[int, int]:
    """(income, spending) of booked, non-transfer transactions in [start, end)."""
    row = db.session.execute(
        select(*_income_spending_columns()).where(
            BankingTransaction.user_id == user_id,
            BankingTransaction.status == "booked",
            _COUNTED,
            BankingTransaction.booked_on >= start,
            BankingTransaction.booked_on < end,
        )
    ).one()
    return int(row.income), int(row.spending)


def category_totals(user_id: int, start: date, end: date) -> dict[str, int]:
    """Spending per top-level category in [start, end), as positive minor units."""
    rows = db.session.execute(
        select(BankingTransaction.category, func.sum(-BankingTransaction.amount_minor))
        .where(
            BankingTransaction.user_id == user_id,
            BankingTransaction.status == "booked",
            BankingTransaction.amount_minor < 0,
            _COUNTED,
            BankingTransaction.booked_on >= start,
            BankingTransaction.booked_on < end,
        )
        .group_by(BankingTransaction.category)
    ).all()
    return {category: int(total) for category, total in rows}


def savings_rate(income_minor: int, spending_minor: int) -> Decimal | None:
    """Share of income not spent, as a percentage with one decimal; None without income."""
    if income_minor <= 0:
        return None
    return percent(Decimal(income_minor - spending_minor) / Decimal(income_minor), "0.1")


@dataclass
class CategoryLine:
    """One category of a monthly report with last month's figure for comparison."""

    category: str
    amount_minor: int
    previous_minor: int

    @property
    def change_minor(self) -> int:
        """Difference from last month (positive = spent more)."""
        return self.amount_minor - self.previous_minor

    @property
    def change_percent(self) -> Decimal | None:
        """Change from last month as a percentage; None when nothing was spent last month."""
        if self.previous_minor == 0:
            return None
        return percent(Decimal(self.change_minor) / Decimal(self.previous_minor), "1")


@dataclass
class MonthlyReport:
    """A customer's month: income, spending, categories, merchants, savings and goals."""

    year: int
    month: int
    income_minor: int
    spending_minor: int
    categories: list[CategoryLine]
    merchants: list[tuple[str, int]]
    goals: list[dict[str, Any]]
    history: list[tuple[str, int, int]]  # (YYYY-MM, income, spending) for six months
    currency: str = CURRENCY

    @property
    def savings_rate(self) -> Decimal | None:
        """Share of income not spent this month."""
        return savings_rate(self.income_minor, self.spending_minor)

    @property
    def net_minor(self) -> int:
        """Income minus spending."""
        return self.income_minor - self.spending_minor


def monthly_report(user_id: int, year: int, month: int) -> MonthlyReport:
    """Build the report of one month for one customer."""
    start, end = month_bounds(year, month)
    previous_start = add_months(start, -1)
    income, spending = month_totals(user_id, start, end)
    now_by_cat = category_totals(user_id, start, end)
    before_by_cat = category_totals(user_id, previous_start, start)
    categories = sorted(
        (
            CategoryLine(c, now_by_cat.get(c, 0), before_by_cat.get(c, 0))
            for c in set(now_by_cat) | set(before_by_cat)
        ),
        key=lambda line: (-line.amount_minor, line.category),
    )
    merchants = [
        (merchant, int(total))
        for merchant, total in db.session.execute(
            select(BankingTransaction.merchant, func.sum(-BankingTransaction.amount_minor))
            .where(
                BankingTransaction.user_id == user_id,
                BankingTransaction.status == "booked",
                BankingTransaction.amount_minor < 0,
                _COUNTED,
                BankingTransaction.booked_on >= start,
                BankingTransaction.booked_on < end,
            )
            .group_by(BankingTransaction.merchant)
            .order_by(func.sum(-BankingTransaction.amount_minor).desc())
            .limit(5)
        ).all()
    ]
    goal_rows = db.session.execute(
        select(BankingGoal).where(BankingGoal.user_id == user_id, BankingGoal.started_on < end)
    ).scalars()
    later = dict(
        db.session.execute(
            select(BankingGoalMovement.goal_id, func.sum(BankingGoalMovement.amount_minor))
            .where(BankingGoalMovement.user_id == user_id, BankingGoalMovement.moved_on >= end)
            .group_by(BankingGoalMovement.goal_id)
        ).all()
    )
    goals = []
    for goal in goal_rows:
        saved = goal.saved_minor - int(later.get(goal.id) or 0)
        goals.append(
            {
                "name": goal.name,
                "saved_minor": saved,
                "target_minor": goal.target_minor,
                "percent": min(100, saved * 100 // goal.target_minor) if goal.target_minor else 0,
            }
        )
    history = []
    for k in range(5, -1, -1):
        s = add_months(start, -k)
        history.append((period_key(s), *month_totals(user_id, s, add_months(s, 1))))
    return MonthlyReport(year, month, income, spending, categories, merchants, goals, history)


def latest_report_month(owned: Iterable[BankingAccount], today: date) -> date | None:
    """The first day of the latest ended month the customer held an account in, or None."""
    opened = [a.opened_on for a in owned]
    last = add_months(month_start(today), -1)
    if not opened or min(opened) >= add_months(last, 1):
        return None
    return last


def calendar_entries(user_id: int) -> list[CalendarEntry]:
    """Bills due in the next two months, for the customer's calendar feed.

    Titles and descriptions are rendered now, in the language in force (the calendar page's
    visitor, or the feed's owner).
    """
    today = clock.today()
    return [
        CalendarEntry(
            uid=f"banking-bill-{due.due_on.isoformat()}-{_slug(due.title)}@dcx",
            title=f"{due.title}: {filters.money(due.amount_minor, CURRENCY)}",
            starts_at=datetime.combine(due.due_on, time(9, 0), tzinfo=UTC),
            description=gettext("Expected payment"),
        )
        for due in dues_between(user_id, today, add_months(today, 2))
        if due.source == KEY
    ]


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower())[:40]


def monthly_summary_rows(year: int, month: int) -> list[dict[str, Any]]:
    """One message per customer with a banking account, in ONE set-based query.

    Income and spending of the month are aggregated with GROUP BY over every customer's
    transactions, goal progress likewise, joined to the customers who held an account. Each
    message is written in its recipient's language (one more query reads them all).
    """
    start, end = month_bounds(year, month)
    t, g, a = BankingTransaction, BankingGoal, BankingAccount
    income, spending = _income_spending_columns(t)
    tx = (
        select(t.user_id, income, spending)
        .where(t.status == "booked", t.category != TRANSFERS)
        .where(t.booked_on >= start, t.booked_on < end)
        .group_by(t.user_id)
        .subquery()
    )
    goals = (
        select(
            g.user_id,
            func.sum(g.saved_minor).label("saved"),
            func.sum(g.target_minor).label("target"),
            func.count().label("goals"),
        )
        .where(g.started_on < end)
        .group_by(g.user_id)
        .subquery()
    )
    owners = select(a.user_id).where(a.opened_on < end).group_by(a.user_id).subquery()
    stmt = (
        select(
            owners.c.user_id,
            func.coalesce(tx.c.income, 0),
            func.coalesce(tx.c.spending, 0),
            func.coalesce(goals.c.saved, 0),
            func.coalesce(goals.c.target, 0),
            func.coalesce(goals.c.goals, 0),
        )
        .select_from(owners)
        .outerjoin(tx, tx.c.user_id == owners.c.user_id)
        .outerjoin(goals, goals.c.user_id == owners.c.user_id)
    )
    period = period_key(start)
    totals = db.session.execute(stmt).all()
    locales = recipient_locales(row[0] for row in totals)
    rows = []
    for user_id, inc, spent, saved, target, count in totals:
        with in_locale(locales[user_id]):
            rows.append(
                {
                    "user_id": user_id,
                    **_monthly_summary_text(
                        start, int(inc), int(spent), int(saved), int(target), int(count)
                    ),
                    "link": report_path(year, month),
                    "key": f"banking.monthly:{period}",
                }
            )
    return rows


def _monthly_summary_text(
    start: date, income: int, spending: int, saved: int, target: int, goals: int
) -> dict[str, str]:
    """The monthly message's title and body, in the language in force (see ``in_locale``)."""
    label = format_skeleton("yMMMM", start, locale=get_locale())
    rate = savings_rate(income, spending)
    amounts = {
        "month": label,
        "income": filters.money(income, CURRENCY),
        "spending": filters.money(spending, CURRENCY),
    }
    if rate is not None:
        body = str(
            _l(
                "%(month)s: income %(income)s, spending %(spending)s, savings rate %(rate)s %%.",
                rate=filters.number(rate, 1),
                **amounts,
            )
        )
    else:
        body = str(_l("%(month)s: income %(income)s, spending %(spending)s.", **amounts))
    if goals:
        body += " " + ngettext(
            "Your %(num)d goal: %(saved)s of %(target)s saved.",
            "Your %(num)d goals: %(saved)s of %(target)s saved.",
            goals,
            saved=filters.money(saved, CURRENCY),
            target=filters.money(target, CURRENCY),
        )
    title = str(_l("Your %(month)s savings and spending report", month=label))
    return {"title": title, "body": body}


# --- staff ------------------------------------------------------------------------------


def banking_customers(limit: int = 200) -> list[User]:
    """Customers who hold a banking account."""
    return list(
        db.session.execute(
            select(User)
            .where(User.id.in_(select(BankingAccount.user_id)))
            .order_by(User.name)
            .limit(limit)
        ).scalars()
    )


def goals_behind(today: date) -> list[tuple[User, GoalView]]:
    """Every customer's goals that are behind plan, with their owner."""
    goals = list(
        db.session.execute(
            select(BankingGoal)
            .where(BankingGoal.reached_at.is_(None))
            .order_by(BankingGoal.target_date)
        ).scalars()
    )
    by_user: dict[int, list[BankingGoal]] = defaultdict(list)
    for goal in goals:
        by_user[goal.user_id].append(goal)
    people = {
        u.id: u
        for u in db.session.execute(select(User).where(User.id.in_(list(by_user) or [0]))).scalars()
    }
    found = []
    for user_id, owned in by_user.items():
        for view in goal_views(user_id, today, owned):
            if view.status == "behind":
                found.append((people[user_id], view))
    return found


def summary_card(user_id: int) -> dict[str, Any] | None:
    """The staff customer-360 card: balance, safe to spend and goals at a glance.

    Rendered now, in the language of the staff member reading the customer-360 page.
    """
    owned = accounts(user_id)
    if not owned:
        return None
    today = clock.today()
    totals = balances(user_id)
    sts = safe_to_spend(user_id, today)
    views = goal_views(user_id, today)
    behind = sum(1 for v in views if v.status == "behind")
    lines = [
        ngettext(
            "%(num)d account, balance %(amount)s",
            "%(num)d accounts, balance %(amount)s",
            len(owned),
            amount=filters.money(sum(totals.values()), CURRENCY),
        ),
        gettext(
            "Safe to spend %(amount)s (%(per_day)s a day)",
            amount=filters.money(sts.amount_minor, CURRENCY),
            per_day=filters.money(sts.per_day_minor, CURRENCY),
        ),
        ngettext(
            "%(num)d goal, %(behind)d behind",
            "%(num)d goals, %(behind)d behind",
            len(views),
            behind=behind,
        ),
    ]
    link = _link("banking.staff_customer", f"/banking/staff/customers/{user_id}", user_id=user_id)
    return {"title": gettext("Banking"), "lines": lines, "link": link}
