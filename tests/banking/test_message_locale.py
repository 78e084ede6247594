"""Banking's messages arrive in each customer's language, whatever language the job runs in."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask_babel import force_locale

from dcx.banking import bills, goals, jobs, reports
from dcx.extensions import db
from tests.banking.conftest import add_tx
from tests.conftest import make_user, message_for, speaking

FIRST_OF_NOVEMBER = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)


def _customer(email: str, locale: str):
    return speaking(make_user(email), locale)


_message = message_for


def test_monthly_summary_speaks_each_customers_language_in_one_run(app, current_account):
    spanish = _customer("es@example.com", "es")
    romanian = _customer("ro@example.com", "ro")
    english = _customer("en@example.com", "")
    for user in (spanish, romanian, english):
        account = current_account(user.id, date(2026, 9, 1), 10_000)
        add_tx(account, date(2026, 10, 1), 250_000, "Employer", "Income", "Salary")
        add_tx(account, date(2026, 10, 2), -80_000, "Landlord", "Housing", "Rent")
    goals.create_goal(spanish.id, "Bici", 100_000, date(2027, 6, 1), date(2026, 9, 1))
    assert jobs.monthly_summary(FIRST_OF_NOVEMBER) == 3
    db.session.commit()

    es = _message("banking.monthly_summary", spanish.id)
    assert es.title == "Tu informe de ahorro y gastos de octubre de 2026"
    assert es.body.startswith("Resumen de octubre de 2026: ingresos 2.500,00\xa0€")
    assert "tasa de ahorro 68,0 %" in es.body and "Tu objetivo:" in es.body

    ro = _message("banking.monthly_summary", romanian.id)
    assert ro.title == "Raportul tău de economii și cheltuieli pentru octombrie 2026"
    assert "venituri 2.500,00" in ro.body and "rata de economisire 68,0 %" in ro.body

    en = _message("banking.monthly_summary", english.id)
    assert en.title == "Your October 2026 savings and spending report"
    assert en.body == "October 2026: income €2,500.00, spending €800.00, savings rate 68.0 %."
    # the key and link do not depend on the language
    assert {m.key for m in (es, ro, en)} == {"banking.monthly:2026-10"}
    assert {m.link for m in (es, ro, en)} == {"/banking/reports/2026-10"}


def test_daily_alerts_speak_each_customers_language(app, current_account):
    spanish = _customer("es@example.com", "es")
    english = _customer("en@example.com", "")
    for user in (spanish, english):
        current_account(user.id, date(2026, 1, 1), 6_000)  # little money: a low alert too
        bills.add_bill(user.id, "Seguro", 3_250, date(2026, 11, 15))
    db.session.commit()
    jobs.daily_alerts(datetime(2026, 11, 12, 7, tzinfo=UTC))
    db.session.commit()

    bill = _message("banking.bill_due", spanish.id)
    assert bill.title == "Seguro vence el 15 nov 2026"
    assert bill.body == "Se cargarán 32,50\xa0€ en tu cuenta."
    low = _message("banking.low_safe_to_spend", spanish.id)
    assert low.title == "Vas justo de dinero hasta el día de cobro"
    assert "para gastar con seguridad" in low.body

    assert _message("banking.bill_due", english.id).title == "Seguro is due on Nov 15, 2026"
    assert _message("banking.bill_due", english.id).body == "€32.50 will leave your account."
    assert _message("banking.low_safe_to_spend", english.id).title == "Money is tight until payday"


def test_a_spanish_job_run_still_writes_english_for_an_english_customer(app, current_account):
    """The job's own language (a presenter's request in Spanish) does not leak into messages."""
    from dcx.platform.notify.services import in_locale

    english = _customer("en@example.com", "")
    account = current_account(english.id, date(2026, 9, 1), 10_000)
    add_tx(account, date(2026, 10, 2), -80_000, "Landlord", "Housing", "Rent")
    with in_locale("es"):
        jobs.monthly_summary(FIRST_OF_NOVEMBER)
    db.session.commit()
    assert _message("banking.monthly_summary", english.id).title.startswith("Your October 2026")


def test_monthly_summary_in_many_languages_takes_as_many_queries_as_in_one(
    app, current_account, query_counter
):
    def run(n: int) -> int:
        for i in range(n):
            user = _customer(f"c{n}-{i}@example.com", ("es", "ro", "")[i % 3])
            account = current_account(user.id, date(2026, 9, 1), 10_000)
            add_tx(account, date(2026, 10, 3), -1_000 * (i + 1), "Shop")
        with query_counter() as q:
            jobs.monthly_summary(FIRST_OF_NOVEMBER)
        db.session.rollback()
        return q()

    assert run(1) == run(9)


def test_monthly_summary_compares_the_savings_rate_with_the_month_before(app, current_account):
    """The message says what the report page says: "N points better than in September"."""
    readers = {
        locale: _customer(f"{locale or 'en'}@example.com", locale) for locale in ("es", "ro", "")
    }
    for user in readers.values():
        account = current_account(user.id, date(2026, 8, 1), 10_000)
        add_tx(account, date(2026, 9, 1), 250_000, "Employer", "Income", "Salary")
        add_tx(account, date(2026, 9, 2), -150_000, "Landlord", "Housing", "Rent")  # 40 %
        add_tx(account, date(2026, 10, 1), 250_000, "Employer", "Income", "Salary")
        add_tx(account, date(2026, 10, 2), -80_000, "Landlord", "Housing", "Rent")  # 68 %
    assert jobs.monthly_summary(FIRST_OF_NOVEMBER) == 3
    db.session.commit()

    en = _message("banking.monthly_summary", readers[""].id)
    assert en.body == (
        "October 2026: income €2,500.00, spending €800.00, savings rate 68.0 %. "
        "Your savings rate is 28 points better than in September."
    )
    es = _message("banking.monthly_summary", readers["es"].id)
    assert es.body.endswith("Tu tasa de ahorro es 28 puntos mejor que en septiembre.")
    ro = _message("banking.monthly_summary", readers["ro"].id)
    assert ro.body.endswith(
        "Rata ta de economisire este cu 28 de puncte mai bună decât în septembrie."
    )
    # the report page says the same sentence
    with force_locale("en"):
        report = reports.monthly_report(readers[""].id, 2026, 10)
        assert reports.comparison(report)[1] in en.body


def test_monthly_summary_says_worse_when_the_rate_fell(app, current_account):
    user = _customer("en@example.com", "")
    account = current_account(user.id, date(2026, 8, 1), 10_000)
    add_tx(account, date(2026, 9, 1), 250_000, "Employer", "Income", "Salary")
    add_tx(account, date(2026, 10, 1), 250_000, "Employer", "Income", "Salary")
    add_tx(account, date(2026, 10, 2), -50_000, "Landlord", "Housing", "Rent")  # 100 % -> 80 %
    jobs.monthly_summary(FIRST_OF_NOVEMBER)
    db.session.commit()
    body = _message("banking.monthly_summary", user.id).body
    assert body.endswith("Your savings rate is 20 points worse than in September.")
