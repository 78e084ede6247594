"""Banking's stored keys in the visitor's language.

Transactions keep their category and subcategory as English keys ("Food", "Groceries"): the
rules and reports group on them, so they never change. Pages show them through this module,
which maps each key to a label marked for translation and falls back to the key itself for a
value it does not know (an import may bring a category of its own).

A savings account stores its product's English name as its own name (``Easy Access Saver``);
pages show it through :func:`account_name`, which puts the product's label in its place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import lazy_gettext as _l

from dcx.banking.models import BankingAccount
from dcx.banking.rules import CATEGORIES, PRODUCTS
from dcx.verticals import registry

# One label per key of services.CATEGORIES (tests/banking/test_labels.py keeps them in step).
CATEGORY_LABELS: dict[str, Any] = {
    "Income": _l("Income"),
    "Housing": _l("Housing"),
    "Food": _l("Food"),
    "Transport": _l("Transport"),
    "Subscriptions": _l("Subscriptions"),
    "Shopping": _l("Shopping"),
    "Leisure": _l("Leisure"),
    "Health": _l("Health"),
    "Transfers": _l("Transfers"),
    "Other": _l("Other"),
}

SUBCATEGORY_LABELS: dict[str, Any] = {
    "Salary": _l("Salary"),
    "Refunds": _l("Refunds"),
    "Other income": _l("Other income"),
    "Rent": _l("Rent"),
    "Utilities": _l("Utilities"),
    "Insurance": _l("Insurance"),
    "Groceries": _l("Groceries"),
    "Restaurants": _l("Restaurants"),
    "Coffee": _l("Coffee"),
    "Public transport": _l("Public transport"),
    "Fuel": _l("Fuel"),
    "Car instalment": _l("Car instalment"),
    "Taxi": _l("Taxi"),
    "Streaming": _l("Streaming"),
    "Phone": _l("Phone"),
    "Gym": _l("Gym"),
    "Software": _l("Software"),
    "Clothes": _l("Clothes"),
    "Electronics": _l("Electronics"),
    # Not "Home": that message id is the site's home page ("Inicio"), not things for the house.
    "Home": _l("Homeware"),
    "Travel": _l("Travel"),
    "Events": _l("Events"),
    "Books": _l("Books"),
    "Pharmacy": _l("Pharmacy"),
    "Doctor": _l("Doctor"),
    "Savings": _l("Savings"),
    "Internal": _l("Between your accounts"),
    "Other": _l("Other"),
}


# A savings product's name, by product key (services.PRODUCTS holds each one's lazy label).
PRODUCT_LABELS: dict[str, Any] = {key: product.label for key, product in PRODUCTS.items()}


def _vertical_titles() -> Mapping[str, Any]:
    """A due's source is a vertical's key ("automotive"); its title is translated already."""
    return {vertical.key: vertical.title for vertical in registry()}


_KINDS: dict[str, Callable[[], Mapping[str, Any]]] = {
    "category": lambda: CATEGORY_LABELS,
    "subcategory": lambda: SUBCATEGORY_LABELS,
    "source": _vertical_titles,
    "product": lambda: PRODUCT_LABELS,
}


def label(kind: str, value: str | None) -> str:
    """The label of a stored ``value`` of ``kind`` in the current locale.

    ``kind`` is ``category``, ``subcategory``, ``source`` (the industry a due comes from) or
    ``product`` (a savings product's key).
    An unknown kind or value comes back as it is, so nothing stored is ever hidden.
    """
    if not value:
        return ""
    lookup = _KINDS.get(kind)
    text = lookup().get(value) if lookup else None
    return value if text is None else str(text)


def category_choices() -> list[tuple[str, Any]]:
    """(key, lazy label) for every top-level category, in the order the rules define them.

    A filter form submits the key and shows the label; the label is lazy, so one form class
    serves every locale.
    """
    return [(key, CATEGORY_LABELS.get(key, key)) for key in CATEGORIES]


def account_name(account: BankingAccount) -> str:
    """The name to show for ``account`` in the current locale.

    A savings account opened from a product stores the product's English name; while it still
    carries that name, the product's label is shown instead. Any other name (a current
    account's, named in the customer's language when it was opened) is shown as stored.
    """
    product = PRODUCTS.get(account.product or "")
    if product is not None and account.name == product.name:
        return str(product.label)
    return account.name
