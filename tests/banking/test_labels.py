"""Stored category keys reach a Spanish visitor through the catalogue, never raw.

The app's real Spanish texts arrive later, so these tests install a catalogue of their own
that translates each label's message id to ``[es] <msgid>``: seeing that on a page proves the
page asked gettext, in the visitor's locale, for the label of the stored key.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import LazyString, get_locale

from dcx.automotive import vertical as automotive
from dcx.banking import amounts, bills, labels, rules
from dcx.extensions import db
from dcx.platform import clock
from dcx.verticals import Obligation
from tests.banking.conftest import add_tx
from tests.conftest import marked, marked_catalogue

LABELLED = [*labels.CATEGORY_LABELS.values(), *labels.SUBCATEGORY_LABELS.values()]


spanish = marked  # what the test catalogue makes of a message id


@pytest.fixture
def app_config(tmp_path):
    """Translations from a Spanish catalogue holding only the labels (and a vertical title)."""
    return marked_catalogue(tmp_path, {str(t) for t in [*LABELLED, automotive.title]})


@pytest.fixture(autouse=True)
def _fresh_catalogues(fresh_catalogues):
    """Each test starts and ends with Flask-Babel\'s shared catalogue cache empty."""


@pytest.fixture
def spanish_customer(app, customer, current_account):
    """The signed-in customer, in Spanish, with last month's spending in every subcategory."""
    customer.locale = "es"
    today = clock.today()
    last_month = amounts.add_months(amounts.month_start(today), -1)
    account = current_account(customer.id, last_month, 500_000)
    for n, (category, subcategories) in enumerate(rules.CATEGORIES.items()):
        for m, subcategory in enumerate(subcategories):
            day = last_month + timedelta(days=(n + m) % 27)
            add_tx(account, day, -(1_000 + 10 * n + m), f"Shop {n}-{m}", category, subcategory)
    db.session.commit()
    return customer, account, last_month


def test_every_category_and_subcategory_has_a_label():
    assert set(labels.CATEGORY_LABELS) == set(rules.CATEGORIES)
    subcategories = {s for group in rules.CATEGORIES.values() for s in group}
    assert set(labels.SUBCATEGORY_LABELS) == subcategories
    assert all(isinstance(text, LazyString) for text in LABELLED)  # translated per request


def test_label_falls_back_to_what_is_stored(app):
    with app.test_request_context():
        assert labels.label("category", "Food") == "Food"
        assert labels.label("subcategory", "Home") == "Homeware"  # not the site's "Home"
        assert labels.label("category", "Crypto") == "Crypto"  # an import's own category
        assert labels.label("colour", "Food") == "Food"
        assert labels.label("category", "") == ""
        assert labels.label("category", None) == ""
        assert labels.label("source", "automotive") == "Automotive"
        assert labels.label("source", "mystery") == "mystery"


def test_account_page_shows_categories_in_spanish(client, spanish_customer):
    _, account, _ = spanish_customer
    body = client.get(f"/banking/accounts/{account.id}").get_data(as_text=True)
    for category, subcategories in rules.CATEGORIES.items():
        for subcategory in subcategories:
            line = (
                f"{spanish(labels.CATEGORY_LABELS[category])} \u203a "
                f"{spanish(labels.SUBCATEGORY_LABELS[subcategory])}"
            )
            assert line in body
    assert ">Groceries<" not in body and "\u203a Groceries" not in body


def test_category_filter_submits_the_key_and_shows_the_label(client, spanish_customer):
    _, account, _ = spanish_customer
    body = client.get(f"/banking/accounts/{account.id}?category=Food").get_data(as_text=True)
    assert f'<option selected value="Food">{spanish("Food")}</option>' in body
    assert f'<option value="Housing">{spanish("Housing")}</option>' in body
    assert body.count("data-transaction=") == len(rules.CATEGORIES["Food"])


def test_monthly_report_table_and_chart_show_categories_in_spanish(client, spanish_customer):
    _, _, month = spanish_customer
    body = client.get(f"/banking/reports/{month:%Y-%m}").get_data(as_text=True)
    table = body[body.index('id="report-categories"') :]
    table = table[: table.index("</table>")]
    chart = body[body.index("</table>") :]
    spending = set(rules.CATEGORIES) - {rules.INCOME, rules.TRANSFERS}
    for key in spending:
        text = spanish(labels.CATEGORY_LABELS[key])
        assert f'data-category="{key}"' in table and f"<td>{text}</td>" in table
        assert text in chart


def test_safe_to_spend_names_the_industry_a_due_comes_from(client, spanish_customer, monkeypatch):
    def car_loan(user_ids, start, end):
        due = Obligation("automotive", "Car instalment 3/48", end, 42_191, "EUR")
        return {int(user_id): [due] for user_id in user_ids}

    monkeypatch.setattr(bills, "other_obligations_many", car_loan)
    body = client.get("/banking/safe-to-spend").get_data(as_text=True)
    assert f'data-source="automotive">{spanish(automotive.title)}</span>' in body


def test_labels_are_looked_up_when_the_page_renders(client, spanish_customer, monkeypatch):
    _, account, _ = spanish_customer
    monkeypatch.setitem(
        labels.SUBCATEGORY_LABELS, "Groceries", LazyString(lambda: f"sentinel-{get_locale()}")
    )
    body = client.get(f"/banking/accounts/{account.id}").get_data(as_text=True)
    assert f"{spanish('Food')} \u203a sentinel-es" in body
