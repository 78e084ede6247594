"""Benchmark: banking's daily alerts for 100, 500 and 2,000 synthetic customers.

Builds a throwaway SQLite database the way a presenter does (``flask dcx seed`` then
``flask dcx seed --scale N``: the default showcase and N synthetic customers with accounts,
months of transactions, bills, goals and, from the automotive vertical, car loans), growing
it from one N to the next. For each N it times, and counts the SQL statements of,
  1. the job as it is (``jobs.daily_alerts``: ``safe_to_spend_many`` and ``notify_bulk``),
  2. the per-customer computation it replaced (``safe_to_spend`` and ``notify`` per alert,
     kept below as ``per_customer_daily_alerts``), for comparison,
with every vertical loaded (automotive's car bills included: its batch ``obligations_many``
hook is asked once for everyone) and with banking alone (no car bills). With every vertical
it also runs the job as it was before the batch hook (automotive's per-customer
``obligations`` hook, one call per customer: what a vertical offering only that hook still
costs), and prints how many car bills the figures counted. Each run is rolled back, so
every run starts from the same state; every computation must write the same messages and
outbox rows, which the script checks. A script, not a test:

    .venv/bin/python bench/bench_banking_alerts.py [--customers 100 500 2000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

from sqlalchemy import event, func, select


def per_customer_daily_alerts(now: datetime) -> int:
    """The daily alerts as they were before: one ``safe_to_spend`` per owner, one ``notify``
    per alert. Kept here as the reference the set-based job is measured against."""
    from flask_babel import format_date, ngettext
    from flask_babel import gettext as _

    from dcx.banking import amounts, jobs, rules, safe_to_spend
    from dcx.banking import bills as banking_bills
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
        for due in banking_bills.bill_dates(bill, today, horizon):
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
        sts = safe_to_spend.safe_to_spend(user_id, today)
        if sts.per_day_minor >= rules.LOW_PER_DAY_MINOR:
            continue
        period = (sts.payday or amounts.add_months(amounts.month_start(today), 1)).isoformat()
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


@contextmanager
def per_customer_obligations_hook(app):
    """Automotive as before the batch hook: banking asks its ``obligations`` once per customer."""
    registry = app.extensions["dcx_verticals"]
    automotive = registry.get("automotive")
    registry._by_key["automotive"] = dataclasses.replace(automotive, obligations_many=None)
    try:
        yield
    finally:
        registry._by_key["automotive"] = automotive


def car_bills_counted(now: datetime) -> tuple[int, int]:
    """(customers, car bills): what automotive adds to everyone's safe-to-spend today."""
    from dcx.banking import safe_to_spend
    from dcx.banking.models import BankingAccount
    from dcx.extensions import db

    owners = db.session.execute(select(BankingAccount.user_id).distinct()).scalars().all()
    answers = safe_to_spend.safe_to_spend_many(owners, now.date())
    cars = [[d for d in s.dues if d.source == "automotive"] for s in answers.values()]
    return sum(1 for c in cars if c), sum(len(c) for c in cars)


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
            f"{'N':>5} {'customers':>9}  {'verticals':<12} {'computation':<34}"
            f" {'time ms':>8} {'queries':>8} {'alerts':>7}"
        )
        lines = [header, "-" * len(header)]
        cars_lines = []
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
                with_cars, car_bills = car_bills_counted(now)
                db.session.rollback()
                cars_lines.append(
                    f"{target:>5,} {owners:>9,}  {with_cars:>6,} customers owe"
                    f" {car_bills:,} car bills before payday"
                )
            for label, app in (("all six", every), ("banking only", banking_only)):
                with app.app_context():
                    # (name, job, whether automotive is asked once per customer as before)
                    computations = [
                        ("set-based (daily_alerts)", jobs.daily_alerts, False),
                        ("per customer (before)", per_customer_daily_alerts, False),
                    ]
                    if label == "all six":
                        computations.insert(
                            1, ("set-based, car hook per customer", jobs.daily_alerts, True)
                        )
                    results = {}
                    for name, job, hook_per_customer in computations:
                        with (
                            per_customer_obligations_hook(app)
                            if hook_per_customer
                            else nullcontext()
                        ):
                            results[name] = measure(job, now, args.repeat)
                        seconds, queries, sent, _ = results[name]
                        lines.append(
                            f"{target:>5,} {owners:>9,}  {label:<12} {name:<34}"
                            f" {seconds * 1000:>8.0f} {queries:>8,} {sent:>7,}"
                        )
                    written = [r[3] for r in results.values()]
                    for other in written[1:]:
                        if other != written[0]:
                            raise SystemExit(
                                f"{label}, {owners} customers: the computations wrote"
                                f" different messages ({len(written[0][0] ^ other[0])} differ)"
                            )
        print()
        print("\n".join(lines))
        print("(every computation wrote the same messages and outbox rows in every case)")
        print()
        print("automotive's bills in the figures (all six verticals):")
        print("\n".join(cars_lines))


if __name__ == "__main__":
    main()
