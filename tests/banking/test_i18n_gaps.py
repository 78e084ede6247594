"""No English left on a Spanish visitor's banking pages: errors, products, the staff card.

The app's real Spanish texts arrive later, so these tests install a catalogue of their own
that translates each message id to ``[es] <msgid>`` (see tests/banking/test_labels.py): seeing
that on a page proves the page asked gettext, in the visitor's locale, for the text.
"""

from __future__ import annotations

import ast
import inspect
from datetime import date, timedelta

import pytest
from flask_babel import LazyString, force_locale
from sqlalchemy import select

from dcx import filters
from dcx.banking import accounts, amounts, bills, labels, reports, rules, safe_to_spend, workspace
from dcx.banking import goals as banking_goals
from dcx.banking.models import BankingAccount, BankingGoal, BankingTransaction
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.timeline.models import Event
from tests.banking.conftest import add_tx
from tests.conftest import make_user, marked, marked_catalogue

MESSAGES = (
    "Pick a date in the future.",
    "Those digits do not match your current account.",
    "%(product)s needs at least %(amount)s.",
    "Easy Access Saver",
    "Bonus Saver",
    "One-Year Fixed Saver",
    "%(product)s — %(apy)s %% APY",
    "Your %(name)s is open: account %(number)s.",
    "Account %(number)s at %(apy)s %% APY",
    "First deposit to %(product)s",
    "Goal: %(name)s",
    "Safe to spend %(amount)s (%(per_day)s a day)",
    "Expected payment",
    "Banking",
)
PLURALS = (
    ("%(num)d account, balance %(amount)s", "%(num)d accounts, balance %(amount)s"),
    ("%(num)d goal, %(behind)d behind", "%(num)d goals, %(behind)d behind"),
)


es = marked  # what the test catalogue makes of a message id


@pytest.fixture
def app_config(tmp_path):
    """Translations from a Spanish catalogue holding only the messages these tests look for."""
    return marked_catalogue(tmp_path, MESSAGES, PLURALS)


@pytest.fixture(autouse=True)
def _fresh_catalogues(fresh_catalogues):
    """Each test starts and ends with Flask-Babel\'s shared catalogue cache empty."""


@pytest.fixture
def spanish(app, customer, current_account):
    """The signed-in customer, in Spanish, with 5,000 EUR in their current account."""
    customer.locale = "es"
    account = current_account(customer.id, clock.today() - timedelta(days=60), 500_000)
    db.session.commit()
    return customer, account


def in_spanish(app, render):
    """``render()`` in a Spanish request (the language a Spanish visitor's page is in)."""
    with app.test_request_context(), force_locale("es"):
        return render()


def _savings_form(account: BankingAccount, **overrides) -> dict[str, str]:
    data = {
        "step": "5",
        "full_name": "Casey Customer",
        "date_of_birth": "1990-04-02",
        "phone": "+34 600 000 000",
        "address": "Calle Mayor 1",
        "last4": account.number[-4:],
        "purpose": "goals",
        "source_of_funds": "salary",
        "product": "easy_access",
        "source_account_id": str(account.id),
        "deposit": "250.00",
        "consent_terms": "y",
        "consent_privacy": "y",
    }
    data.update(overrides)
    return data


# --- errors ---------------------------------------------------------------------------------


def test_every_banking_error_is_raised_with_a_lazy_message():
    """A literal (or an f-string) would reach the form in English whatever the visitor speaks."""
    raised = [
        node
        for module in (amounts, accounts, bills, banking_goals, reports, safe_to_spend, workspace)
        for node in ast.walk(ast.parse(inspect.getsource(module)))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "BankingError"
    ]
    assert len(raised) >= 10
    for call in raised:
        message = call.args[0]
        assert isinstance(message, ast.Call) and getattr(message.func, "id", "") == "_l", (
            ast.unparse(call)
        )


def test_a_banking_error_renders_where_it_is_shown(app):
    user = make_user()
    with pytest.raises(rules.BankingError) as err:
        banking_goals.create_goal(user.id, "Bici", 10_000, date(2001, 1, 1), date(2026, 1, 1))
    assert isinstance(err.value.args[0], LazyString)
    assert err.value.field == "target_date"
    assert str(err.value) == "Pick a date in the future."
    assert in_spanish(app, lambda: str(err.value)) == es("Pick a date in the future.")


def test_form_errors_reach_a_spanish_visitor_in_spanish(client, spanish):
    _, account = spanish
    page = client.post(
        "/banking/goals", data={"name": "Viejo", "target": "5", "target_date": "2001-01-01"}
    )
    assert page.status_code == 400
    assert es("Pick a date in the future.") in page.get_data(as_text=True)

    page = client.post("/banking/savings/open", data=_savings_form(account, last4="0000"))
    assert page.status_code == 400
    body = page.get_data(as_text=True)
    assert es("Those digits do not match your current account.") in body
    assert ">Those digits do not match" not in body


def test_a_products_minimum_deposit_names_the_product_and_amount_in_spanish(app, client, spanish):
    _, account = spanish
    page = client.post(
        "/banking/savings/open", data=_savings_form(account, product="fixed_1y", deposit="5")
    )
    assert page.status_code == 400
    minimum = in_spanish(app, lambda: filters.money(100_000, "EUR"))
    assert minimum.startswith("1.000,00")  # Spanish money: comma decimals, the sign after
    body = page.get_data(as_text=True)
    assert f"[es] [es] One-Year Fixed Saver needs at least {minimum}." in body


# --- savings products -----------------------------------------------------------------------


def test_every_product_has_a_lazy_label_by_its_key():
    assert set(labels.PRODUCT_LABELS) == set(rules.PRODUCTS)
    assert all(isinstance(p.label, LazyString) for p in rules.PRODUCTS.values())
    assert all(str(p.label) == p.name for p in rules.PRODUCTS.values())


def test_the_product_table_and_choices_speak_spanish(client, spanish):
    body = client.get("/banking/savings/open").get_data(as_text=True)
    for product in rules.PRODUCTS.values():
        assert f"<td>{es(product.name)}</td>" in body
    # the choice: "[es] <product label> — <APY with a decimal comma> % APY"
    assert f"{es(es('Easy Access Saver'))} — 3,04 % APY" in body
    assert "<td>Easy Access Saver</td>" not in body
    assert 'data-apy="easy_access">3,04 %' in body


def test_an_opened_account_keeps_the_products_name_and_shows_its_label(client, spanish):
    customer, current = spanish
    page = client.post("/banking/savings/open", data=_savings_form(current))
    assert page.status_code == 302
    savings = db.session.execute(
        select(BankingAccount).where(BankingAccount.kind == "savings")
    ).scalar_one()
    assert savings.name == "Easy Access Saver" and savings.product == "easy_access"

    body = client.get(page.headers["Location"]).get_data(as_text=True)
    label = es("Easy Access Saver")
    assert es(f"Your {label} is open: account {savings.number}.") in body  # the flash
    assert f'<h1 class="h3">{label}</h1>' in body
    assert f"<title>{label}" in body
    deposit = es(f"First deposit to {label}")
    assert deposit in body  # the transfer's text, written in the customer's language
    merchants = set(
        db.session.execute(
            select(BankingTransaction.merchant).where(BankingTransaction.user_id == customer.id)
        ).scalars()
    )
    assert deposit in merchants

    event = db.session.execute(
        select(Event).where(Event.user_id == customer.id, Event.kind == "account_opened")
    ).scalar_one()
    assert event.subject == label
    assert event.summary == es(f"Account {savings.number} at 3,04 % APY")

    assert f"{label} <span" in client.get("/banking/").get_data(as_text=True)
    goals = client.get("/banking/goals").get_data(as_text=True)
    assert f"{label} ·{savings.number[-4:]}</option>" in goals


def test_a_renamed_account_keeps_its_own_name(app, spanish):
    customer, _ = spanish
    account = BankingAccount(
        user_id=customer.id,
        kind="savings",
        name="Cuenta de vacaciones",
        number="DCXB0000000001",
        currency="EUR",
        product="easy_access",
        opened_on=clock.today(),
    )
    assert in_spanish(app, lambda: labels.account_name(account)) == "Cuenta de vacaciones"
    account.name = "Easy Access Saver"
    assert in_spanish(app, lambda: labels.account_name(account)) == es("Easy Access Saver")


def test_goal_transfers_are_written_in_the_customers_language(client, spanish):
    customer, _ = spanish
    goal = banking_goals.create_goal(
        customer.id, "Bici", 100_000, date(2030, 1, 1), clock.today() - timedelta(days=1)
    )
    db.session.commit()
    page = client.post(f"/banking/goals/{goal.id}/money", data={"amount": "20", "direction": "in"})
    assert page.status_code == 302
    merchants = db.session.execute(
        select(BankingTransaction.merchant).where(BankingTransaction.amount_minor == -2_000)
    ).scalars()
    assert list(merchants) == [es("Goal: Bici")]


# --- the staff card and the calendar ----------------------------------------------------------


def test_the_staff_360_card_speaks_the_staff_members_language(app, staff_client, current_account):
    customer = make_user("maria@example.com", "Maria")
    account = current_account(customer.id, clock.today() - timedelta(days=60), 500_000)
    add_tx(account, clock.today() - timedelta(days=3), 250_000, "Employer", "Income", "Salary")
    db.session.add(
        BankingGoal(
            user_id=customer.id,
            name="Lejos",
            target_minor=10_000_000,
            saved_minor=0,
            target_date=clock.today() + timedelta(days=60),
            started_on=clock.today() - timedelta(days=300),
        )
    )
    db.session.commit()
    client, staff = staff_client("banking")
    staff.locale = "es"
    db.session.commit()

    body = client.get(f"/staff/customers/{customer.id}").get_data(as_text=True)
    lines = in_spanish(app, lambda: workspace.summary_card(customer.id)["lines"])
    balance = in_spanish(app, lambda: filters.money(750_000, "EUR"))
    sts = in_spanish(app, lambda: safe_to_spend.safe_to_spend(customer.id, clock.today()))
    amount = in_spanish(app, lambda: filters.money(sts.amount_minor, "EUR"))
    per_day = in_spanish(app, lambda: filters.money(sts.per_day_minor, "EUR"))
    assert lines == [
        es(f"1 account, balance {balance}"),
        es(f"Safe to spend {amount} ({per_day} a day)"),
        es("1 goal, 1 behind"),
    ]
    for line in lines:
        assert f"<li>{line}</li>" in body
    assert "<li>Safe to spend" not in body and "account(s)" not in body


def test_the_card_counts_in_plural_forms(app, current_account):
    customer = make_user()
    current_account(customer.id, date(2026, 1, 1), 100_000)
    current_account(customer.id, date(2026, 1, 1), 100_000)
    lines = workspace.summary_card(customer.id)["lines"]
    assert lines[0] == "2 accounts, balance €2,000.00"
    assert lines[2] == "0 goals, 0 behind"


def test_calendar_bills_are_written_in_the_readers_language(app, current_account):
    customer = make_user()
    current_account(customer.id, date(2026, 1, 1), 100_000)
    bills.add_bill(customer.id, "Gimnasio", 3_500, clock.today() + timedelta(days=3))
    entries = in_spanish(app, lambda: reports.calendar_entries(customer.id))
    amount = in_spanish(app, lambda: filters.money(3_500, "EUR"))
    assert entries and all(e.title == f"Gimnasio: {amount}" for e in entries)
    assert all(e.description == es("Expected payment") for e in entries)
    assert reports.calendar_entries(customer.id)[0].description == "Expected payment"
