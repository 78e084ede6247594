"""Banking pages through the test client: the story, bad input, owner and staff scoping."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from dcx.banking import amounts, bills, goals, safe_to_spend
from dcx.banking.models import BankingAccount, BankingBill, BankingGoal
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.drafts import services as drafts
from dcx.platform.notify.models import Message
from tests.banking.conftest import add_tx
from tests.conftest import AuthActions, make_user


@pytest.fixture
def alex(app, customer, current_account):
    """The signed-in customer with a current account, history since last month and a bill."""
    today = clock.today()
    last_month = amounts.add_months(amounts.month_start(today), -1)
    account = current_account(customer.id, last_month, 200_000, number="DCXB0000001234")
    add_tx(account, last_month, 300_000, "Employer", "Income", "Salary")
    add_tx(account, last_month.replace(day=3), -45_600, "FreshMart", "Food", "Groceries")
    add_tx(account, last_month.replace(day=4), -20_000, "To savings", "Transfers", "Savings")
    bills.add_bill(customer.id, "Phone", 2_500, today)
    db.session.commit()
    return customer, account


@pytest.fixture
def stranger(app, current_account):
    """Another customer with an account, a goal and a bill."""
    other = make_user("stranger@example.com", "Sam Stranger")
    account = current_account(other.id, date(2026, 1, 1), 100_000)
    goal = goals.create_goal(other.id, "Theirs", 10_000, date(2030, 1, 1), clock.today())
    bill = bills.add_bill(other.id, "Their bill", 1_000, date(2030, 1, 1))
    db.session.commit()
    return other, account, goal, bill


def test_landing_answers_anonymous_and_new_customers(client, auth):
    page = client.get("/banking/")
    assert page.status_code == 200 and b'id="banking-capabilities"' in page.data
    make_user("new@example.com")
    auth.login("new@example.com")
    page = client.get("/banking/")
    assert page.status_code == 200 and b"banking-capabilities" in page.data
    assert b"banking-accounts" not in page.data


def test_dashboard_shows_accounts_and_safe_to_spend(client, alex):
    body = client.get("/banking/").get_data(as_text=True)
    assert 'id="banking-accounts"' in body and "·1234" in body
    sts = safe_to_spend.safe_to_spend(alex[0].id, clock.today())
    assert f'data-minor="{sts.amount_minor}"' in body


def _savings_data(account, **overrides):
    data = {
        "step": "5",
        "full_name": "Casey Customer",
        "date_of_birth": "1990-04-02",
        "phone": "+40 700 000 000",
        "address": "1 Main Street",
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


def test_savings_form_is_one_resumable_form(client, alex):
    body = client.get("/banking/savings/open").get_data(as_text=True)
    assert 'data-draft="banking.open_savings"' in body
    assert 'name="step"' in body and "data-draft-status" in body
    assert body.count("<fieldset data-step=") == 5
    assert "3.04 %" in body  # the APY of the easy access saver


def test_bad_savings_application_is_400_and_keeps_what_was_typed(client, alex):
    _, account = alex
    page = client.post(
        "/banking/savings/open", data=_savings_data(account, last4="9999", deposit="abc")
    )
    assert page.status_code == 400
    body = page.get_data(as_text=True)
    assert 'value="Casey Customer"' in body and "1 Main Street</textarea>" in body
    assert 'name="step" value="4"' in body  # opens at the first step with a problem
    page = client.post("/banking/savings/open", data=_savings_data(account, last4="9999"))
    assert page.status_code == 400
    body = page.get_data(as_text=True)
    assert "do not match your current account" in body
    assert 'name="step" value="2"' in body
    count = db.session.execute(select(func.count()).select_from(BankingAccount)).scalar()
    assert count == 1


def test_savings_account_opens_and_the_draft_is_discarded(client, alex):
    customer, account = alex
    drafts.save(customer.id, "banking.open_savings", {"full_name": "Casey", "step": "3"})
    db.session.commit()
    page = client.post("/banking/savings/open", data=_savings_data(account))
    assert page.status_code == 302
    savings = db.session.execute(
        select(BankingAccount).where(BankingAccount.kind == "savings")
    ).scalar_one()
    assert page.headers["Location"].endswith(f"/banking/accounts/{savings.id}")
    assert drafts.load(customer.id, "banking.open_savings") is None
    body = client.get(f"/banking/accounts/{savings.id}").get_data(as_text=True)
    assert 'id="account-apy">3.04 %' in body
    assert 'data-minor="25000"' in body


def test_account_page_lists_filters_and_shows_balance_after(client, alex):
    _, account = alex
    body = client.get(f"/banking/accounts/{account.id}").get_data(as_text=True)
    assert body.count("data-transaction=") == 4
    body = client.get(f"/banking/accounts/{account.id}?q=fresh").get_data(as_text=True)
    assert body.count("data-transaction=") == 1 and "FreshMart" in body
    assert "Food \u203a Groceries" in body
    assert client.get(f"/banking/accounts/{account.id}?date_from=nonsense").status_code == 400


def test_goal_is_set_and_reaching_it_is_celebrated(client, alex):
    page = client.post(
        "/banking/goals", data={"name": "Bike", "target": "100", "target_date": "2030-01-01"}
    )
    assert page.status_code == 302
    goal = db.session.execute(select(BankingGoal)).scalar_one()
    page = client.post(
        f"/banking/goals/{goal.id}/money",
        data={"amount": "100", "direction": "in"},
        follow_redirects=True,
    )
    assert "You reached your goal" in page.get_data(as_text=True)
    db.session.refresh(goal)
    assert goal.saved_minor == 10_000 and goal.reached_at is not None


def test_bad_goal_input_is_400(client, alex):
    page = client.post(
        "/banking/goals", data={"name": "Bike", "target": "-5", "target_date": "2030-01-01"}
    )
    assert page.status_code == 400 and 'value="Bike"' in page.get_data(as_text=True)
    page = client.post(
        "/banking/goals", data={"name": "Old", "target": "5", "target_date": "2001-01-01"}
    )
    assert page.status_code == 400 and "future" in page.get_data(as_text=True)


def test_bills_added_detected_and_stopped(client, alex):
    page = client.post(
        "/banking/bills", data={"name": "Gym", "amount": "35", "next_due_on": "2030-01-03"}
    )
    assert page.status_code == 302
    assert client.post("/banking/bills", data={"name": "", "amount": "x"}).status_code == 400
    assert client.post("/banking/bills/detect").status_code == 302
    bill = db.session.execute(select(BankingBill).where(BankingBill.name == "Gym")).scalar_one()
    assert client.post(f"/banking/bills/{bill.id}/stop").status_code == 302
    db.session.refresh(bill)
    assert bill.active is False


def test_safe_to_spend_page_explains_the_number(client, alex):
    body = client.get("/banking/safe-to-spend").get_data(as_text=True)
    sts = safe_to_spend.safe_to_spend(alex[0].id, clock.today())
    assert f'id="sts-amount" data-minor="{sts.amount_minor}"' in body
    assert body.count('class="dcx-chart-wide"') == 1 and "Why this number" in body
    for label in ("Available balance", "Pending payments", "Bills before payday", "Buffer"):
        assert label in body


def test_report_of_last_month_matches_its_transactions(client, alex):
    last = amounts.add_months(amounts.month_start(clock.today()), -1)
    body = client.get(f"/banking/reports/{last:%Y-%m}").get_data(as_text=True)
    assert 'data-total="income" data-minor="300000"' in body
    assert 'data-total="spending" data-minor="45600"' in body
    assert "FreshMart" in body and body.count('class="dcx-chart-wide"') == 2
    assert f"/banking/reports/{last:%Y-%m}" in client.get("/banking/reports").get_data(as_text=True)


@pytest.mark.parametrize("period", ["this", "before", "2026-13", "junk"])
def test_reports_only_for_ended_months_of_the_customer(client, alex, period):
    today = clock.today()
    period = {
        "this": f"{today:%Y-%m}",
        "before": f"{amounts.add_months(today, -3):%Y-%m}",
    }.get(period, period)
    assert client.get(f"/banking/reports/{period}").status_code == 404


def test_another_customers_things_answer_404_everywhere(client, alex, stranger):
    _, account, goal, bill = stranger
    assert client.get(f"/banking/accounts/{account.id}").status_code == 404
    assert (
        client.post(
            f"/banking/goals/{goal.id}/money", data={"amount": "1", "direction": "in"}
        ).status_code
        == 404
    )
    assert client.post(f"/banking/bills/{bill.id}/stop").status_code == 404
    db.session.refresh(bill)
    assert bill.active is True
    # their report: a customer without banking has none, even for a month they could name
    other_client = client.application.test_client()
    make_user("nobank@example.com")
    AuthActions(other_client).login("nobank@example.com")
    last = amounts.add_months(amounts.month_start(clock.today()), -1)
    assert other_client.get(f"/banking/reports/{last:%Y-%m}").status_code == 404


def test_customer_pages_need_sign_in(client):
    assert client.get("/banking/goals").status_code == 302
    assert client.get("/banking/safe-to-spend").status_code == 302


def test_advisor_sees_customers_behind_and_sends_a_note(app, alex, staff_client):
    customer, _ = alex
    db.session.add(
        BankingGoal(
            user_id=customer.id,
            name="Late laptop",
            target_minor=200_000,
            saved_minor=1_000,
            target_date=amounts.add_months(clock.today(), 2),
            started_on=amounts.add_months(clock.today(), -6),
        )
    )
    db.session.commit()
    c, _ = staff_client("banking")
    body = c.get("/banking/staff").get_data(as_text=True)
    assert 'id="goals-behind"' in body and "Late laptop" in body and customer.name in body
    assert c.get(f"/banking/staff/customers/{customer.id}").status_code == 200
    page = c.post(
        f"/banking/staff/customers/{customer.id}",
        data={"title": "Let us talk about your laptop", "body": "A small monthly transfer helps."},
    )
    assert page.status_code == 302
    message = db.session.execute(select(Message).where(Message.user_id == customer.id)).scalar_one()
    assert message.topic == "banking.advisor_note" and message.title.startswith("Let us talk")
    assert c.post(f"/banking/staff/customers/{customer.id}", data={}).status_code == 400


def test_staff_pages_are_for_the_banking_department(app, client, alex, staff_client):
    customer, _ = alex
    assert client.get("/banking/staff").status_code == 403  # a customer
    other, _ = staff_client("automotive")
    assert other.get("/banking/staff").status_code == 403
    assert other.get(f"/banking/staff/customers/{customer.id}").status_code == 403
    advisor, _ = staff_client("banking")
    no_bank = make_user("nobank@example.com")
    assert advisor.get(f"/banking/staff/customers/{no_bank.id}").status_code == 404


@pytest.mark.parametrize(
    "path", ["/banking/", "/banking/safe-to-spend", "/banking/goals", "/banking/bills"]
)
def test_pages_use_few_queries_however_many_goals(client, alex, query_counter, path):
    customer, _ = alex
    counts = []
    for n in range(2):
        for i in range(n * 5):
            goals.create_goal(customer.id, f"Goal {n}-{i}", 10_000, date(2030, 1, 1), clock.today())
        db.session.commit()
        with query_counter() as q:
            assert client.get(path).status_code == 200
        counts.append(q())
    assert counts[0] == counts[1] and counts[0] < 25, counts


def test_bills_page_shows_other_industries_bills(app, client, alex):
    from dcx.verticals import Obligation, Vertical, VerticalRegistry

    def tuition(user_id, start, end):
        return [Obligation("education", "Tuition, spring term", start, 95_000, "EUR", "/x")]

    fake = Vertical(
        key="education",
        title="Edu",
        story="",
        blueprint=app.blueprints["banking"],
        obligations=tuition,
    )
    app.extensions["dcx_verticals"] = VerticalRegistry([*app.extensions["dcx_verticals"], fake])
    body = client.get("/banking/bills").get_data(as_text=True)
    assert 'id="other-obligations"' in body and "Tuition, spring term" in body
    body = client.get("/banking/safe-to-spend").get_data(as_text=True)
    assert "Tuition, spring term" in body
