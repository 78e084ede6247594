"""The monthly savings and spending report: totals by category, the month compared, the message."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from babel.dates import format_date, format_skeleton
from flask_babel import get_locale, gettext, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, case, func, select

from dcx import filters
from dcx.banking import amounts as banking_amounts
from dcx.banking import bills
from dcx.banking.models import (
    BankingAccount,
    BankingGoal,
    BankingGoalMovement,
    BankingTransaction,
    TransactionStatus,
)
from dcx.banking.rules import CURRENCY, KEY, TRANSFERS
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.notify.services import in_locale, recipient_locales
from dcx.platform.numbers import to_major
from dcx.verticals import CalendarEntry

_COUNTED = BankingTransaction.category != TRANSFERS


def _spending(user_id: int, start: date, end: date) -> tuple[ColumnElement[bool], ...]:
    """The customer's counted spending booked in [start, end): money out, transfers aside."""
    return (
        BankingTransaction.user_id == user_id,
        BankingTransaction.status == TransactionStatus.BOOKED,
        BankingTransaction.amount_minor < 0,
        _COUNTED,
        BankingTransaction.booked_on >= start,
        BankingTransaction.booked_on < end,
    )


def _income_spending_columns(t=BankingTransaction):
    income = func.coalesce(func.sum(case((t.amount_minor > 0, t.amount_minor), else_=0)), 0)
    spending = func.coalesce(func.sum(case((t.amount_minor < 0, -t.amount_minor), else_=0)), 0)
    return income.label("income"), spending.label("spending")


def month_totals(user_id: int, start: date, end: date) -> tuple[int, int]:
    """(income, spending) of booked, non-transfer transactions in [start, end)."""
    row = db.session.execute(
        select(*_income_spending_columns()).where(
            BankingTransaction.user_id == user_id,
            BankingTransaction.status == TransactionStatus.BOOKED,
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
        .where(*_spending(user_id, start, end))
        .group_by(BankingTransaction.category)
    ).all()
    return {category: int(total) for category, total in rows}


def savings_rate(income_minor: int, spending_minor: int) -> Decimal | None:
    """Share of income not spent, as a percentage with one decimal; None without income."""
    if income_minor <= 0:
        return None
    return banking_amounts.percent(
        Decimal(income_minor - spending_minor) / Decimal(income_minor), "0.1"
    )


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
        return banking_amounts.percent(
            Decimal(self.change_minor) / Decimal(self.previous_minor), "1"
        )


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

    def major(self, amount_minor: int) -> Decimal:
        """An amount of the report, in major units of its currency (for a chart)."""
        return to_major(amount_minor, self.currency)


def monthly_report(user_id: int, year: int, month: int) -> MonthlyReport:
    """Build the report of one month for one customer."""
    start, end = banking_amounts.month_bounds(year, month)
    previous_start = banking_amounts.add_months(start, -1)
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
            .where(*_spending(user_id, start, end))
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
        s = banking_amounts.add_months(start, -k)
        history.append(
            (
                banking_amounts.period_key(s),
                *month_totals(user_id, s, banking_amounts.add_months(s, 1)),
            )
        )
    return MonthlyReport(year, month, income, spending, categories, merchants, goals, history)


def comparison(report: MonthlyReport) -> list[str]:
    """The report's month against the one before, in words, in the language in force:
    "You saved €412 this month." and "Your savings rate is 4 points better than in November."
    Empty without income this month; one sentence without income the month before."""
    rate = report.savings_rate
    if rate is None:
        return []
    amount = filters.money(abs(report.net_minor), report.currency)
    if report.net_minor >= 0:
        lines = [gettext("You saved %(amount)s this month.", amount=amount)]
    else:
        lines = [gettext("You spent %(amount)s more than you earned this month.", amount=amount)]
    _key, income, spending = report.history[-2]
    sentence = rate_comparison(
        rate, savings_rate(income, spending), date(report.year, report.month, 1)
    )
    return [*lines, sentence] if sentence else lines


def rate_comparison(rate: Decimal, before: Decimal | None, start: date) -> str | None:
    """The savings rate of the month beginning ``start`` against the month before's, in the
    language in force: "Your savings rate is 4 points better than in November."; None when
    the month before had no income. The report page and the monthly message both say it."""
    if before is None:
        return None
    month = format_date(banking_amounts.add_months(start, -1), "LLLL", locale=get_locale())
    points = int((rate - before).to_integral_value())
    if points > 0:
        return ngettext(
            "Your savings rate is %(num)d point better than in %(month)s.",
            "Your savings rate is %(num)d points better than in %(month)s.",
            points,
            month=month,
        )
    if points < 0:
        return ngettext(
            "Your savings rate is %(num)d point worse than in %(month)s.",
            "Your savings rate is %(num)d points worse than in %(month)s.",
            -points,
            month=month,
        )
    return gettext("Your savings rate is the same as in %(month)s.", month=month)


def latest_report_month(owned: Iterable[BankingAccount], today: date) -> date | None:
    """The first day of the latest ended month the customer held an account in, or None."""
    opened = [a.opened_on for a in owned]
    last = banking_amounts.add_months(banking_amounts.month_start(today), -1)
    if not opened or min(opened) >= banking_amounts.add_months(last, 1):
        return None
    return last


def calendar_entries(user_id: int) -> list[CalendarEntry]:
    """Bills due in the next two months, for the customer's calendar feed.

    Each UID names the customer, the bill and the day, so it is the same in every fetch and
    never shared with another customer's bill (a calendar app would merge the two). Titles and descriptions are rendered now, in the language in force (the calendar page's
    visitor, or the feed's owner).
    """
    today = clock.today()
    return [
        CalendarEntry(
            uid=f"banking-bill-{user_id}-{due.bill_id}-{due.due_on.isoformat()}@dcx",
            title=f"{due.title}: {filters.money(due.amount_minor, CURRENCY)}",
            starts_at=datetime.combine(due.due_on, time(9, 0), tzinfo=UTC),
            description=gettext("Expected payment"),
        )
        for due in bills.dues_between(user_id, today, banking_amounts.add_months(today, 2))
        if due.source == KEY
    ]


def monthly_summary_rows(year: int, month: int) -> list[dict[str, Any]]:
    """One message per customer with a banking account, in ONE set-based query.

    Income and spending of the month are aggregated with GROUP BY over every customer's
    transactions, goal progress likewise, joined to the customers who held an account. Each
    message is written in its recipient's language (one more query reads them all).
    """
    start, end = banking_amounts.month_bounds(year, month)
    t, g, a = BankingTransaction, BankingGoal, BankingAccount

    def totals_of(begin: date, until: date):
        income, spending = _income_spending_columns(t)
        return (
            select(t.user_id, income, spending)
            .where(t.status == TransactionStatus.BOOKED, t.category != TRANSFERS)
            .where(t.booked_on >= begin, t.booked_on < until)
            .group_by(t.user_id)
            .subquery()
        )

    tx = totals_of(start, end)
    tx_before = totals_of(banking_amounts.add_months(start, -1), start)
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
            func.coalesce(tx_before.c.income, 0),
            func.coalesce(tx_before.c.spending, 0),
        )
        .select_from(owners)
        .outerjoin(tx, tx.c.user_id == owners.c.user_id)
        .outerjoin(tx_before, tx_before.c.user_id == owners.c.user_id)
        .outerjoin(goals, goals.c.user_id == owners.c.user_id)
    )
    period = banking_amounts.period_key(start)
    totals = db.session.execute(stmt).all()
    locales = recipient_locales(row[0] for row in totals)
    rows = []
    for user_id, inc, spent, saved, target, count, inc_before, spent_before in totals:
        with in_locale(locales[user_id]):
            rows.append(
                {
                    "user_id": user_id,
                    **_monthly_summary_text(
                        start,
                        int(inc),
                        int(spent),
                        int(saved),
                        int(target),
                        int(count),
                        savings_rate(int(inc_before), int(spent_before)),
                    ),
                    "link": banking_amounts.report_path(year, month),
                    "key": f"banking.monthly:{period}",
                }
            )
    return rows


def _monthly_summary_text(
    start: date,
    income: int,
    spending: int,
    saved: int,
    target: int,
    goals: int,
    rate_before: Decimal | None = None,
) -> dict[str, str]:
    """The monthly message's title and body, in the language in force (see ``in_locale``),
    with the savings rate against the month before's (``rate_before``) as the report says."""
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
        compared = rate_comparison(rate, rate_before, start)
        if compared:
            body += " " + compared
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
