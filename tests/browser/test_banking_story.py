"""The banking story in Chromium: open a savings account across two devices, set a goal,
watch safe-to-spend change, then let a month pass and read the monthly report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select, text

from dcx.banking import accounts, amounts, goals
from dcx.banking.models import BankingAccount
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.jobs.runner import run_due_jobs
from dcx.platform.notify.models import Message
from tests.banking.conftest import add_tx
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser

EMAIL = "story@example.com"


def _sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/account/signin")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#user-menu")).to_be_attached()


def _drafts_script_installed(app) -> bool:
    return any("draft" in filename for _, filename in app.extensions["dcx_scripts"])


def _fill_first_two_steps(page: Page, last4: str) -> None:
    page.get_by_label("Full name").fill("Story Customer")
    page.get_by_label("Date of birth").fill("1991-05-17")
    page.get_by_label("Mobile phone").fill("+40 711 222 333")
    page.get_by_label("Home address").fill("7 River Road, Cluj")
    page.locator("#savings-next").click()
    expect(page.locator('fieldset[data-step="2"]')).to_be_visible()
    page.get_by_label("Last four digits of your current account number").fill(last4)
    page.get_by_label("What will you use the account for?").select_option("goals")
    page.get_by_label("Where does the money come from?").select_option("salary")
    page.locator("#savings-next").click()
    expect(page.locator('fieldset[data-step="3"]')).to_be_visible()


def _sts(page: Page, base: str) -> int:
    page.goto(f"{base}/banking/safe-to-spend")
    return int(page.locator("#sts-amount").get_attribute("data-minor"))


def test_banking_story(page: Page, browser: Browser, live_server, live_app, live_db):
    with live_db():
        user = make_user(EMAIL, "Story Customer")
        user_id = user.id
        today = clock.today()
        first = amounts.add_months(amounts.month_start(today), -1)
        current = accounts.open_current_account(user_id, first)
        last4 = current.number[-4:]
        add_tx(current, first, 150_000, "Opening balance", "Transfers", "Internal")
        add_tx(current, first.replace(day=25), 320_000, "Northwind Ltd", "Income", "Salary")
        add_tx(
            current, amounts.month_start(today), -110_000, "Oak Street Lettings", "Housing", "Rent"
        )
        add_tx(current, today, -4_250, "FreshMart", "Food", "Groceries")
        add_tx(current, today, -1_999, "Page & Co", "Leisure", "Books", status="pending")
        db.session.commit()

    # 1. Desktop: start the savings form, two steps in.
    page.set_viewport_size({"width": 1280, "height": 800})
    _sign_in(page, live_server)
    page.goto(f"{live_server}/banking/savings/open")
    expect(page.locator('form[data-draft="banking.open_savings"]')).to_be_visible()
    _fill_first_two_steps(page, last4)

    # 2. Phone: a second browser context as the same customer continues where desktop stopped.
    phone_context = browser.new_context(viewport={"width": 390, "height": 844})
    phone = phone_context.new_page()
    _sign_in(phone, live_server)
    if _drafts_script_installed(live_app):
        expect(page.locator("[data-draft-status]")).to_contain_text("saved", timeout=10_000)
        phone.goto(f"{live_server}/banking/savings/open")
        # restored by the platform drafts script, at the step the desktop had reached
        expect(phone.locator('fieldset[data-step="3"]')).to_be_visible(timeout=10_000)
        expect(phone.locator("[data-draft-status]")).to_contain_text("Restored")
        expect(phone.get_by_label("Full name")).to_have_value("Story Customer")
        expect(phone.get_by_label("Home address")).to_have_value("7 River Road, Cluj")
    else:  # pragma: no cover - the platform drafts script is not installed
        phone.goto(f"{live_server}/banking/savings/open")
        _fill_first_two_steps(phone, last4)
    phone.get_by_label("Easy Access Saver").check()
    phone.locator("#savings-next").click()
    phone.get_by_label("Pay from").select_option(index=0)
    phone.get_by_label("Initial deposit (EUR)").fill("500")
    phone.locator("#savings-next").click()
    phone.get_by_label("I accept the account terms").check()
    phone.get_by_label("I have read the privacy notice").check()
    phone.get_by_role("button", name="Open my account").click()

    # 3. The account exists with its number, rate (APY) and first deposit.
    expect(phone.locator(".alert-success")).to_contain_text("Easy Access Saver is open")
    expect(phone.locator("#account-apy")).to_have_text("3.04 %")
    expect(phone.locator("#account-balance")).to_have_attribute("data-minor", "50000")
    overflow = phone.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, "the account page scrolls sideways on a phone"
    with live_db():
        savings = db.session.execute(
            select(BankingAccount).where(
                BankingAccount.user_id == user_id, BankingAccount.kind == "savings"
            )
        ).scalar_one()
        assert (savings.nominal_rate_bp, savings.compounding) == (300, 12)
        assert savings.number in phone.locator("h1 + p").inner_text()

    # 4. Set a goal on the phone and see safe-to-spend change, with its breakdown.
    before = _sts(phone, live_server)
    phone.goto(f"{live_server}/banking/goals")
    phone.get_by_label("Goal name").fill("Holiday in Porto")
    phone.get_by_label("Target amount (EUR)").fill("1200")
    phone.get_by_label("Reach it by").fill((today + timedelta(days=180)).isoformat())
    phone.get_by_label("Save in").select_option(index=0)  # the new savings account
    phone.get_by_role("button", name="Set goal").click()
    expect(phone.locator("[data-goal]")).to_contain_text("Holiday in Porto")
    after = _sts(phone, live_server)
    with live_db():
        (goal,) = goals.goal_views(user_id, clock.today())
        needed = goal.outstanding_this_month
    assert needed > 0
    assert after == before - needed
    breakdown = phone.locator("#sts-breakdown")
    expect(breakdown).to_contain_text("Goal contributions")
    expect(phone.locator("#sts-goals")).to_contain_text("Holiday in Porto")
    expect(phone.locator("figure.dcx-chart .dcx-chart-narrow svg")).to_be_visible()
    phone_context.close()

    # 5. A month passes: exactly one monthly message, whose report matches a direct SQL sum.
    with live_db():
        next_first = amounts.add_months(amounts.month_start(clock.today()), 1)
        target = datetime(next_first.year, next_first.month, 1, 7, tzinfo=UTC)
        clock.advance(target - clock.now())
        db.session.commit()
        run_due_jobs()
        run_due_jobs()
        messages = list(
            db.session.execute(
                select(Message).where(
                    Message.user_id == user_id, Message.topic == "banking.monthly_summary"
                )
            ).scalars()
        )
        assert len(messages) == 1
        month = amounts.add_months(next_first, -1)
        assert messages[0].key == f"banking.monthly:{month:%Y-%m}"
        link = messages[0].link
        income, spending = db.session.execute(
            text(
                "SELECT COALESCE(SUM(CASE WHEN amount_minor > 0 THEN amount_minor END), 0),"
                " COALESCE(SUM(CASE WHEN amount_minor < 0 THEN -amount_minor END), 0)"
                " FROM banking_transaction WHERE user_id = :u AND status = 'booked'"
                " AND category <> 'Transfers' AND booked_on >= :start AND booked_on < :end"
            ),
            {"u": user_id, "start": month, "end": next_first},
        ).one()
    assert spending >= 110_000 + 4_250
    page.goto(f"{live_server}{link}")
    expect(page.locator('[data-total="income"]')).to_have_attribute("data-minor", str(income))
    expect(page.locator('[data-total="spending"]')).to_have_attribute("data-minor", str(spending))
    expect(page.locator("#report-categories")).to_contain_text("Housing")
