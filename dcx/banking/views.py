"""Banking pages: dashboard, open a savings account, transactions, goals, bills, safe to spend,
monthly reports and the advisor's view. Thin: parse, call a service, render."""

from __future__ import annotations

import re
from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from jinja2 import TemplateNotFound

from dcx.banking import accounts, amounts, labels, rules, transactions, workspace
from dcx.banking import bills as banking_bills
from dcx.banking import goals as banking_goals
from dcx.banking import reports as banking_reports
from dcx.banking import safe_to_spend as banking_safe_to_spend
from dcx.banking.forms import (
    SAVINGS_STEPS,
    BillForm,
    GoalForm,
    GoalMoneyForm,
    NoteForm,
    OpenSavingsForm,
    TransactionFilterForm,
)
from dcx.banking.models import AccountKind, BankingAccount, BankingBill, BankingGoal
from dcx.database import owned_or_404
from dcx.extensions import db
from dcx.filters import number
from dcx.platform import charts, clock, staff_lists
from dcx.platform.accounts.models import User
from dcx.platform.blueprints import vertical_blueprints
from dcx.platform.drafts.services import discard
from dcx.platform.forms import SelectChoice, add_error, validated
from dcx.platform.notify.services import notify
from dcx.platform.views import saved, submit

# its pages at /banking and the staff workspace at /banking/staff/, guarded as a whole
bp, staff_bp = vertical_blueprints("banking", labels.label)


@bp.app_template_filter("banking_account_name")
def _banking_account_name(account: BankingAccount) -> str:
    """``{{ a|banking_account_name }}``: an account's name, a product's in the visitor's language."""
    return labels.account_name(account)


def _account_choice(account: BankingAccount) -> SelectChoice:
    """A select option for one account: its id, and its name with the number's last digits."""
    return SelectChoice(str(account.id), f"{labels.account_name(account)} ·{account.number[-4:]}")


SAVINGS_DRAFT = "banking.open_savings"
_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


def _template_exists(name: str) -> bool:
    """Whether a platform template is installed yet (the drafts pieces arrive separately)."""
    try:
        current_app.jinja_env.get_template(name)
    except TemplateNotFound:
        return False
    return True


@bp.route("/")
def index():
    """The landing page; for a signed-in customer with accounts, their dashboard."""
    context = {}
    if current_user.is_authenticated:
        owned = accounts.accounts(current_user.id)
        if owned:
            today = clock.today()
            context = {
                "accounts": owned,
                "balances": accounts.balances(current_user.id),
                "sts": banking_safe_to_spend.safe_to_spend(current_user.id, today),
                "goals": banking_goals.goal_views(current_user.id, today),
                "last_month": banking_reports.latest_report_month(owned, today),
            }
    return render_template("banking/index.html", **context)


# --- open a savings account -------------------------------------------------------------


def _savings_form() -> OpenSavingsForm:
    form = OpenSavingsForm()
    form.product.choices = [
        SelectChoice(
            p.key,
            _(
                "%(product)s — %(apy)s %% APY",
                product=p.label,
                apy=number(amounts.percent(p.apy), 2),
            ),
        )
        for p in rules.PRODUCTS.values()
    ]
    form.source_account_id.choices = [
        _account_choice(a)
        for a in accounts.accounts(current_user.id)
        if a.kind == AccountKind.CURRENT
    ]
    return form


@bp.route("/savings/open", methods=["GET", "POST"])
@login_required
def open_savings():
    """Open a savings account: five steps in one resumable form, checked on final submit."""
    form = _savings_form()
    if form.validate_on_submit():
        application = accounts.SavingsApplication(
            full_name=form.full_name.data.strip(),
            date_of_birth=form.date_of_birth.data,
            phone=form.phone.data.strip(),
            address=form.address.data.strip(),
            last4=form.last4.data,
            purpose=form.purpose.data,
            source_of_funds=form.source_of_funds.data,
            product=form.product.data,
            source_account_id=int(form.source_account_id.data),
            deposit_minor=form.deposit.minor,
            consent_terms=form.consent_terms.data,
            consent_privacy=form.consent_privacy.data,
            consent_marketing=form.consent_marketing.data,
        )
        try:
            account = accounts.open_savings_account(current_user.id, application, clock.today())
        except rules.BankingError as exc:
            db.session.rollback()
            add_error(getattr(form, exc.field, form.full_name), str(exc))
        else:
            discard(current_user.id, SAVINGS_DRAFT)
            db.session.commit()
            flash(
                _(
                    "Your %(name)s is open: account %(number)s.",
                    name=labels.account_name(account),
                    number=account.number,
                ),
                "success",
            )
            return redirect(url_for("banking.account", account_id=account.id))
    step = form.first_error_step() if form.errors else 1
    products = list(rules.PRODUCTS.values())
    return render_template(
        "banking/open_savings.html",
        form=form,
        step=step,
        steps=SAVINGS_STEPS,
        products=products,
        apys={p.key: amounts.percent(p.apy) for p in products},
        draft_key=SAVINGS_DRAFT,
        has_continue_on_phone=_template_exists("drafts/macros.html"),
    ), 400 if form.errors else 200


# --- accounts and transactions ----------------------------------------------------------


@bp.route("/accounts/<int:account_id>")
@login_required
def account(account_id: int):
    """One account: its balance, rate and transactions with the balance after each."""
    acc = owned_or_404(BankingAccount, account_id, current_user.id)
    form = TransactionFilterForm(request.args)
    if not form.validate():
        return render_template(
            "banking/account.html", account=acc, form=form, rows=[], balance=0, apy=None
        ), 400
    flt = transactions.TransactionFilter(
        q=form.q.data or "",
        category=form.category.data or "",
        direction=form.direction.data or "",
        status=form.status.data or "",
        date_from=form.date_from.data,
        date_to=form.date_to.data,
    )
    rows = transactions.transactions_with_balance(acc, flt)
    apy = (
        amounts.percent(amounts.apy(acc.nominal_rate_bp, acc.compounding))
        if acc.kind == AccountKind.SAVINGS
        else None
    )
    return render_template(
        "banking/account.html",
        account=acc,
        form=form,
        rows=rows,
        balance=accounts.available_balance(acc.id),
        apy=apy,
    )


# --- goals ------------------------------------------------------------------------------


def _goal_form() -> GoalForm:
    form = GoalForm()
    # A savings account first: goals saved somewhere real are the ones that get reached.
    form.account_id.choices = [
        _account_choice(a)
        for a in accounts.accounts(current_user.id)
        if a.kind == AccountKind.SAVINGS
    ] + [SelectChoice("", _("No linked account"))]
    return form


@bp.route("/goals", methods=["GET", "POST"])
@login_required
def goals():
    """The customer's goals, and the form to set a new one."""
    form = _goal_form()
    today = clock.today()
    done = submit(
        form,
        lambda: banking_goals.create_goal(
            current_user.id,
            form.name.data.strip(),
            form.target.minor,
            form.target_date.data,
            today,
            int(form.account_id.data) if form.account_id.data else None,
        ),
        to=url_for("banking.goals"),
        flashed=_("Goal set. We will tell you each month how it is going."),
        refused=rules.BankingError,
        field=form.name,
    )
    if done.response:
        return done.response
    return render_template(
        "banking/goals.html",
        form=form,
        goals=banking_goals.goal_views(current_user.id, today),
        money_form=GoalMoneyForm(formdata=None),
    ), done.status


@bp.route("/goals/<int:goal_id>/money", methods=["POST"])
@login_required
def goal_money(goal_id: int):
    """Contribute to or withdraw from one goal."""
    goal = owned_or_404(BankingGoal, goal_id, current_user.id)
    form = GoalMoneyForm()
    sign = 1 if form.direction.data == "in" else -1
    name = goal.name
    done = submit(
        form,
        lambda: banking_goals.move_goal_money(goal, sign * form.amount.minor, clock.today()),
        to=url_for("banking.goals"),
        flashed=lambda reached: (
            _("🎉 You reached your goal “%(name)s”! Well done.", name=name)
            if reached
            else _("Goal updated.")
        ),
        refused=rules.BankingError,
        field=form.amount,
    )
    if done.response:
        return done.response
    return render_template(
        "banking/goals.html",
        form=_goal_form(),
        goals=banking_goals.goal_views(current_user.id, clock.today()),
        money_form=form,
        money_goal_id=goal.id,
    ), 400


# --- bills ------------------------------------------------------------------------------


@bp.route("/bills", methods=["GET", "POST"])
@login_required
def bills():
    """Recurring bills, those other industries expose, and the form to add one."""
    form = BillForm()
    done = submit(
        form,
        lambda: banking_bills.add_bill(
            current_user.id, form.name.data.strip(), form.amount.minor, form.next_due_on.data
        ),
        to=url_for("banking.bills"),
        flashed=_("Bill added."),
        refused=rules.BankingError,
        field=form.name,
    )
    if done.response:
        return done.response
    today = clock.today()
    end = amounts.add_months(today, 2)
    return render_template(
        "banking/bills.html",
        form=form,
        bills=banking_bills.bills(current_user.id),
        others=[
            d
            for d in banking_bills.dues_between(current_user.id, today, end)
            if d.source != "banking"
        ],
    ), done.status


@bp.route("/bills/detect", methods=["POST"])
@login_required
def detect_bills():
    """Look through the history for recurring payments."""
    found = banking_bills.detect_bills(current_user.id, clock.today())
    db.session.commit()
    flash(
        ngettext(
            "%(num)d recurring payment found.", "%(num)d recurring payments found.", len(found)
        ),
        "info",
    )
    return redirect(url_for("banking.bills"))


@bp.route("/bills/<int:bill_id>/stop", methods=["POST"])
@login_required
def stop_bill(bill_id: int):
    """Stop counting a bill (it ended)."""
    bill = owned_or_404(BankingBill, bill_id, current_user.id)
    bill.active = False
    return saved(
        url_for("banking.bills"),
        (_("“%(name)s” will no longer be counted.", name=bill.name), "info"),
    )


# --- safe to spend ----------------------------------------------------------------------


@bp.route("/safe-to-spend")
@login_required
def safe_to_spend():
    """Safe to spend until payday, with the "why this number" waterfall."""
    sts = banking_safe_to_spend.safe_to_spend(current_user.id, clock.today())
    chart = charts.waterfall_chart(
        _("Why this number"),
        sts.waterfall(),
        result_label=_("Safe to spend"),
        currency=sts.currency,
    )
    return render_template("banking/safe_to_spend.html", sts=sts, waterfall=chart)


# --- monthly reports --------------------------------------------------------------------


@bp.route("/reports")
@login_required
def reports():
    """The past months the customer can read a report for."""
    today = clock.today()
    owned = accounts.accounts(current_user.id)
    months = []
    if owned:
        first = amounts.month_start(min(a.opened_on for a in owned))
        cursor = amounts.add_months(amounts.month_start(today), -1)
        while cursor >= first and len(months) < 24:
            months.append(cursor)
            cursor = amounts.add_months(cursor, -1)
    return render_template("banking/reports.html", months=months)


@bp.route("/reports/<period>")
@login_required
def report(period: str):
    """The report of one past month: income, spending, categories, merchants, goals."""
    match = _PERIOD.match(period)
    if not match or not 1 <= int(match.group(2)) <= 12:
        abort(404)
    year, month = int(match.group(1)), int(match.group(2))
    start = date(year, month, 1)
    if start >= amounts.month_start(clock.today()):
        abort(404)  # only months that have ended
    owned = accounts.accounts(current_user.id)
    if not owned or min(a.opened_on for a in owned) >= amounts.add_months(start, 1):
        abort(404)
    rep = banking_reports.monthly_report(current_user.id, year, month)
    history_chart = charts.bar_chart(
        _("Income and spending, last six months"),
        [h[0] for h in rep.history],
        {
            _("Income"): [rep.major(h[1]) for h in rep.history],
            _("Spending"): [rep.major(h[2]) for h in rep.history],
        },
    )
    category_chart = charts.bar_chart(
        _("Spending by category"),
        [labels.label("category", line.category) for line in rep.categories],
        {
            _("This month"): [rep.major(line.amount_minor) for line in rep.categories],
            _("Last month"): [rep.major(line.previous_minor) for line in rep.categories],
        },
        horizontal=True,
    )
    return render_template(
        "banking/report.html",
        report=rep,
        comparison=banking_reports.comparison(rep),
        start=start,
        history_chart=history_chart,
        category_chart=category_chart,
    )


# --- staff: the advisor -----------------------------------------------------------------


@staff_bp.route("")
def home():
    """The advisor's view: the goals behind plan, and a page of customers at a glance."""
    today = clock.today()
    wanted = staff_lists.requested()
    page = workspace.banking_customers(wanted)
    behind, behind_total = workspace.goals_behind(today)
    return render_template(
        "banking/staff.html",
        page=page,
        q=wanted.q,
        customers=workspace.customer_rows(list(page.items), today),
        behind=behind,
        behind_total=behind_total,
    )


@staff_bp.route("/customers/<int:user_id>", methods=["GET", "POST"])
def staff_customer(user_id: int):
    """One customer's goals and safe to spend, and a note to their inbox."""
    customer = db.get_or_404(User, user_id)
    if not accounts.accounts(user_id):
        abort(404)
    form = NoteForm()
    done = submit(
        form,
        lambda: notify(
            customer,
            "banking.advisor_note",
            validated(form.title.data).strip(),
            validated(form.body.data).strip(),
            link=url_for("banking.goals"),
        ),
        to=url_for("banking.staff.staff_customer", user_id=user_id),
        flashed=_("Your note is in %(name)s's inbox.", name=customer.name),
    )
    if done.response:
        return done.response
    today = clock.today()
    return render_template(
        "banking/staff_customer.html",
        customer=customer,
        form=form,
        sts=banking_safe_to_spend.safe_to_spend(user_id, today),
        goals=banking_goals.goal_views(user_id, today),
        balances=accounts.balances(user_id),
        accounts=accounts.accounts(user_id),
    ), done.status
