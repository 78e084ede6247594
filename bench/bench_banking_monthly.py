"""Benchmark: banking's monthly job for 10,000 customers with a year of transactions.

Builds a throwaway SQLite database (bulk inserts), then times
  1. the monthly job's one set-based pass (``monthly_summary_rows``: one GROUP BY query),
  2. the whole job (that query plus ``notify_bulk``: messages and their outbox rows),
  3. the job run again (idempotent: no new message),
  4. a plain SQL GROUP BY over the same month of the same data, for comparison,
and prints the figures. A script, not a test:

    .venv/bin/python bench/bench_banking_monthly.py [--customers 10000] [--per-month 15]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import func, select, text


def build(customers: int, per_month: int, today: date) -> None:
    """Fill the database with customers, accounts and a year of transactions."""
    from dcx.banking import amounts
    from dcx.extensions import db

    rng = random.Random(2026)
    created = datetime(2025, 1, 1, tzinfo=UTC).replace(tzinfo=None).isoformat(" ")
    first = amounts.add_months(amounts.month_start(today), -12)
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.executemany(
            "INSERT INTO account_user (id, email, name, phone, password_hash, role, department,"
            " locale, health_consent, created_at) VALUES (?, ?, ?, '', 'x', 'customer', '', '', 0, ?)",
            [(i, f"c{i}@bench.example", f"Customer {i}", created) for i in range(1, customers + 1)],
        )
        cur.executemany(
            "INSERT INTO banking_account (id, user_id, kind, name, number, currency, product,"
            " nominal_rate_bp, compounding, holder_name, marketing_consent, opened_on, created_at)"
            " VALUES (?, ?, 'current', 'Everyday account', ?, 'EUR', '', 0, 0, '', 0, ?, ?)",
            [(i, i, f"BENCH{i:010d}", first.isoformat(), created) for i in range(1, customers + 1)],
        )
        cur.executemany(
            "INSERT INTO banking_goal (user_id, name, target_minor, saved_minor, currency,"
            " target_date, started_on, created_at) VALUES (?, 'Holiday', 200000, ?, 'EUR', ?, ?, ?)",
            [
                (i, rng.randint(0, 150_000), "2027-06-01", first.isoformat(), created)
                for i in range(1, customers + 1, 3)
            ],
        )
        sql = (
            "INSERT INTO banking_transaction (user_id, account_id, booked_on, amount_minor,"
            " currency, status, merchant, merchant_category, category, subcategory, description,"
            " reference) VALUES (?, ?, ?, ?, 'EUR', 'booked', ?, '', ?, ?, '', ?)"
        )
        spend = [
            ("FreshMart", "Food", "Groceries"),
            ("Metro", "Transport", "Public transport"),
            ("Streamflix", "Subscriptions", "Streaming"),
            ("Trattoria", "Food", "Restaurants"),
        ]
        for month_index in range(12):
            from dcx.banking import amounts

            month = amounts.add_months(first, month_index)
            rows = []
            for i in range(1, customers + 1):
                m = f"{month:%Y-%m}"
                rows.append((i, i, f"{m}-25", 300_000, "Employer", "Income", "Salary", f"{m}-s"))
                rows.append((i, i, f"{m}-01", -110_000, "Landlord", "Housing", "Rent", f"{m}-r"))
                for n in range(per_month - 2):
                    merchant, category, sub = spend[n % 4]
                    day = f"{m}-{rng.randint(1, 28):02d}"
                    rows.append(
                        (i, i, day, -rng.randint(300, 9_000), merchant, category, sub, f"{m}-{n}")
                    )
            cur.executemany(sql, rows)
        raw.commit()
    finally:
        raw.close()


def main() -> None:
    """Build the data, run and time the job and the plain GROUP BY, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument(
        "--per-month", type=int, default=15, help="transactions per customer a month"
    )
    args = parser.parse_args()

    from dcx import create_app
    from dcx.banking import amounts, jobs, reports
    from dcx.extensions import db
    from dcx.platform import clock
    from dcx.platform.notify.models import Delivery, Message

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite3"
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                "SECRET_KEY": "bench",
                "INSTANCE_PATH": str(Path(tmp) / "instance"),
                "DCX_VERTICALS": ("dcx.banking",),
            }
        )
        with app.app_context():
            db.create_all()
            today = clock.today()
            started = time.perf_counter()
            build(args.customers, args.per_month, today)
            built = time.perf_counter() - started
            count = db.session.execute(text("SELECT COUNT(*) FROM banking_transaction")).scalar()
            db.session.execute(text("ANALYZE"))
            print(f"built {args.customers:,} customers, {count:,} transactions in {built:.1f} s")

            month = amounts.add_months(amounts.month_start(today), -1)
            start, end = amounts.month_bounds(month.year, month.month)
            now = datetime(today.year, today.month, 1, 6, tzinfo=UTC)

            started = time.perf_counter()
            rows = reports.monthly_summary_rows(month.year, month.month)
            query_s = time.perf_counter() - started

            started = time.perf_counter()
            jobs.monthly_summary(now)
            db.session.commit()
            job_s = time.perf_counter() - started

            started = time.perf_counter()
            jobs.monthly_summary(now)
            db.session.commit()
            rerun_s = time.perf_counter() - started

            messages = db.session.execute(select(func.count()).select_from(Message)).scalar()
            deliveries = db.session.execute(select(func.count()).select_from(Delivery)).scalar()

            started = time.perf_counter()
            plain = db.session.execute(
                text(
                    "SELECT user_id,"
                    " SUM(CASE WHEN amount_minor > 0 THEN amount_minor ELSE 0 END),"
                    " SUM(CASE WHEN amount_minor < 0 THEN -amount_minor ELSE 0 END)"
                    " FROM banking_transaction"
                    " WHERE status = 'booked' AND category <> 'Transfers'"
                    " AND booked_on >= :start AND booked_on < :end GROUP BY user_id"
                ),
                {"start": start.isoformat(), "end": end.isoformat()},
            ).all()
            plain_s = time.perf_counter() - started

        print(f"month reported: {month:%Y-%m}")
        print(f"monthly job, set-based query only : {query_s * 1000:8.0f} ms ({len(rows):,} rows)")
        print(
            f"monthly job, query + notify_bulk  : {job_s * 1000:8.0f} ms "
            f"({messages:,} messages, {deliveries:,} outbox rows)"
        )
        print(
            f"monthly job, run again (no-op)    : {rerun_s * 1000:8.0f} ms "
            f"(messages still {messages:,})"
        )
        print(f"plain SQL GROUP BY, same month    : {plain_s * 1000:8.0f} ms ({len(plain):,} rows)")


if __name__ == "__main__":
    main()
