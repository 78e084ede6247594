"""Benchmark: banking's daily alerts for 100, 500 and 2,000 synthetic customers.

Builds a throwaway SQLite database the way a presenter does (``flask dcx seed`` then
``flask dcx seed --scale N``: the default showcase and N synthetic customers with accounts,
months of transactions, bills, goals and, from the automotive vertical, car loans), growing
it from one N to the next. For each N it times, and counts the SQL statements of,
  1. the job as it is (``jobs.daily_alerts``: ``safe_to_spend_many`` and ``notify_bulk``),
  2. the per-customer computation it replaced (``safe_to_spend`` and ``notify`` per alert,
     kept below as ``per_customer_daily_alerts``), for comparison,
with every vertical loaded (automotive's ``obligations`` hook is per customer by contract:
one call each) and with banking alone (no hook: the set-based figure). Each run is rolled
back, so every run starts from the same state; both computations must write the same
messages and outbox rows, which the script checks. A script, not a test:

    .venv/bin/python bench/bench_banking_alerts.py [--customers 100 500 2000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

from sqlalchemy import event, func, select


def per_customer_daily_alerts(now: datetime) -> int:
    """The daily alerts as they were before: one ``safe_to_spend`` per owner, one ``notify``
    per alert. Kept here as the reference the set-based job is measured against."""
    from flask_babel import format_date, ngettext
    from flask_babel import gettext as _

    from dcx.banking import jobs, services
    from dcx.banking.models import BankingAccount, BankingBill
    from dcx.extensions import db
    from dcx.filters import money
    from dcx.platform.notify.services import in_locale, notify, recipient_locales

    today = now.date()
    sent = 0
    horizon = today + timedelta(days=jobs.BILL_NOTICE_DAYS + 1)
    bills = list(
        db.session.execute(select(BankingBill).where(BankingBill.active.is_(True))).scalars()
    )
    owners = db.session.execute(select(BankingAccount.user_id).distinct()).scalars().all()
    locales = recipient_locales({bill.user_id for bill in bills} | set(owners))
    for bill in bills:
        for due in services.bill_dates(bill, today, horizon):
            with in_locale(locales[bill.user_id]):
                title = _("%(name)s is due on %(day)s", name=bill.name, day=format_date(due))
                body = _(
                    "%(amount)s will leave your account.",
                    amount=money(bill.amount_minor, bill.currency),
                )
            message = notify(
                bill.user_id,
                "banking.bill_due",
                title,
                body,
                link="/banking/bills",
                key=f"banking.bill_due:{bill.id}:{due.isoformat()}",
            )
            sent += message is not None
    for user_id in owners:
        sts = services.safe_to_spend(user_id, today)
        if sts.per_day_minor >= services.LOW_PER_DAY_MINOR:
            continue
        period = (sts.payday or services.add_months(services.month_start(today), 1)).isoformat()
        with in_locale(locales[user_id]):
            title = _("Money is tight until payday")
            body = ngettext(
                "Safe to spend is %(amount)s for the next %(num)d day. "
                "See why, and what you can move.",
                "Safe to spend is %(amount)s for the next %(num)d days. "
                "See why, and what you can move.",
                sts.days,
                amount=money(sts.amount_minor, sts.currency),
            )
        message = notify(
            user_id,
            "banking.low_safe_to_spend",
            title,
            body,
            link="/banking/safe-to-spend",
            key=f"banking.low_sts:{period}",
        )
        sent += message is not None
    return sent


@contextmanager
def counted(engine):
    """Count the SQL statements run inside the block."""
    statements: list[str] = []

    def _count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", _count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", _count)


def measure(job: Callable[[datetime], int], now: datetime, repeat: int):
    """Best time (s), statements, alerts and what was written, over ``repeat`` rolled-back runs."""
    from dcx.extensions import db
    from dcx.platform.notify.models import Delivery, Message

    best, queries, sent, written = None, 0, 0, None
    for _ in range(repeat):
        db.session.expire_all()
        started = time.perf_counter()
        with counted(db.engine) as statements:
            sent = job(now)
            db.session.flush()
        elapsed = time.perf_counter() - started
        queries = len(statements)
        messages = {
            tuple(row)
            for row in db.session.execute(
                select(
                    Message.user_id,
                    Message.topic,
                    Message.key,
                    Message.title,
                    Message.body,
                    Message.link,
                )
            )
        }
        outbox = {
            tuple(row)
            for row in db.session.execute(
                select(Message.user_id, Message.key, Delivery.channel, Delivery.status).join(
                    Delivery, Delivery.message_id == Message.id
                )
            )
        }
        written = (messages, outbox)
        db.session.rollback()
        best = elapsed if best is None else min(best, elapsed)
    return best, queries, sent, written


def main() -> None:
    """Seed, scale to each N, run and time both computations, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[100, 500, 2000])
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (best kept)")
    args = parser.parse_args()

    from dcx import create_app
    from dcx.banking import jobs
    from dcx.banking.models import BankingAccount
    from dcx.config import DEFAULT_VERTICALS
    from dcx.extensions import db
    from dcx.platform import clock
    from dcx.platform.showcase.loader import scale_showcase, seed_showcase
    from dcx.verticals import registry

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite3"

        def app_with(verticals: tuple[str, ...]):
            return create_app(
                {
                    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                    "SECRET_KEY": "bench",
                    "INSTANCE_PATH": str(Path(tmp) / "instance"),
                    "DCX_VERTICALS": verticals,
                }
            )

        every = app_with(DEFAULT_VERTICALS)
        banking_only = app_with(("dcx.banking",))
        with every.app_context():
            db.create_all()
            started = time.perf_counter()
            seed_showcase(registry(), "default")
            db.session.commit()
            print(f"seeded the default showcase in {time.perf_counter() - started:.1f} s")

        header = (
            f"{'N':>5} {'customers':>9}  {'verticals':<12} {'computation':<26}"
            f" {'time ms':>8} {'queries':>8} {'alerts':>7}"
        )
        lines = [header, "-" * len(header)]
        for target in args.customers:
            with every.app_context():
                started = time.perf_counter()
                scale_showcase(registry(), "default", target)
                built = time.perf_counter() - started
                owners = db.session.execute(
                    select(func.count(func.distinct(BankingAccount.user_id)))
                ).scalar()
                print(
                    f"scaled to {target:,} synthetic customers in {built:.1f} s:"
                    f" {owners:,} banking customers"
                )
                now = datetime.combine(clock.today(), clock_time(7), tzinfo=UTC)
            for label, app in (("all six", every), ("banking only", banking_only)):
                with app.app_context():
                    results = {}
                    for name, job in (
                        ("set-based (daily_alerts)", jobs.daily_alerts),
                        ("per customer (before)", per_customer_daily_alerts),
                    ):
                        results[name] = measure(job, now, args.repeat)
                        seconds, queries, sent, _ = results[name]
                        lines.append(
                            f"{target:>5,} {owners:>9,}  {label:<12} {name:<26}"
                            f" {seconds * 1000:>8.0f} {queries:>8,} {sent:>7,}"
                        )
                    (new, old) = (r[3] for r in results.values())
                    if new != old:
                        raise SystemExit(
                            f"{label}, {owners} customers: the two computations wrote"
                            f" different messages ({len(new[0] ^ old[0])} differ)"
                        )
        print()
        print("\n".join(lines))
        print("(both computations wrote the same messages and outbox rows in every case)")


if __name__ == "__main__":
    main()
