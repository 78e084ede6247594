"""Banking's shared rules: its currency, categories, savings products and the error its rules
raise. Each feature's rules live in its own module (amounts, accounts, transactions, goals,
bills, safe_to_spend, reports, workspace).

Money is always an integer of minor units (cents) with an ISO 4217 code. Functions take the
customer's id and the date explicitly (``today``) so tests can pin time; they add and flush,
the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l

from dcx.banking import amounts

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
        return amounts.apy(self.rate_bp, self.compounding)


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
