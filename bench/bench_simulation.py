"""Benchmark: "+1 month" on the default showcase and with synthetic customers, lived or not.

For each size (the default showcase alone, then with ``--scale`` synthetic customers) it
seeds a throwaway SQLite database once, copies it, and on the copies times
  1. the baseline: the clock moves a month and the due jobs run, nobody lives the month,
  2. the clock move as the presenter makes it: every vertical lives the month, then the jobs,
  3. the month lived again (idempotent: nothing to do),
counting the SQL statements of the simulation and of the whole month, with wall and CPU
seconds. The simulation's statements stay the same whatever the number of customers (a fixed
number of batch inserts). A script, not a test:

    .venv/bin/python bench/bench_simulation.py [--scale 2000] [--reuse DIR] [--only-scale]

(``--reuse DIR`` keeps the seeded databases for the next run: seeding 2000 takes minutes.)
"""

from __future__ import annotations

import argparse
import logging
import shutil
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import event


def _app(path: Path):
    from dcx import create_app

    return create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "TESTING": True, "DCX_SHOWCASE": "default"}
    )


def build(path: Path, customers: int) -> float:
    """Seed the default showcase (and ``customers`` synthetic ones) into ``path``; seconds."""
    from dcx.extensions import db
    from dcx.platform.showcase.loader import scale_showcase, seed_showcase
    from dcx.verticals import registry

    app = _app(path)
    started = time.perf_counter()
    with app.app_context():
        db.create_all()
        seed_showcase(registry(), "default")
        db.session.commit()
        if customers:
            scale_showcase(registry(), "default", customers, batch=200)
        db.session.commit()
        # Close the connections: SQLite then folds its write-ahead log into the file. Without
        # it the copies below missed the log, so the larger size was timed on a database
        # holding little more than the default showcase.
        db.engine.dispose()
    return time.perf_counter() - started


def month(path: Path, live: bool) -> tuple[float, float, int, int, float, int, float]:
    """Move the clock of the database at ``path`` a month: (seconds in all, seconds of the
    simulation, its statements, rows it wrote, CPU seconds in all, statements in all, CPU
    seconds of the simulation).

    CPU seconds beside the wall clock: on a shared machine the wall clock also counts the
    time the process waited for a core."""
    from dcx.extensions import db
    from dcx.platform import clock, simulation
    from dcx.platform.jobs.runner import run_due_jobs

    app = _app(path)
    with app.app_context():
        statements: list[str] = []

        def count(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        every: list[str] = []

        def count_all(conn, cursor, statement, parameters, context, executemany):
            every.append(statement)

        event.listen(db.engine, "before_cursor_execute", count_all)
        started, cpu = time.perf_counter(), time.process_time()
        before = clock.now()
        after = clock.advance(timedelta(days=30))
        written = 0
        lived = lived_cpu = 0.0
        if live:
            event.listen(db.engine, "before_cursor_execute", count)
            written = simulation.summary(simulation.advance(before, after))
            event.remove(db.engine, "before_cursor_execute", count)
            lived = time.perf_counter() - started
            lived_cpu = time.process_time() - cpu
        db.session.commit()
        run_due_jobs()
        total, cpu = time.perf_counter() - started, time.process_time() - cpu
        event.remove(db.engine, "before_cursor_execute", count_all)
        db.engine.dispose()
    return total, lived, len(statements), written, cpu, len(every), lived_cpu


def again(path: Path) -> tuple[float, int]:
    """Live the month just lived once more: (seconds, rows written)."""
    from dcx.extensions import db
    from dcx.platform import clock, simulation

    app = _app(path)
    with app.app_context():
        started = time.perf_counter()
        now = clock.now()
        written = simulation.summary(simulation.advance(now - timedelta(days=30), now))
        db.session.commit()
        return time.perf_counter() - started, written


def main() -> None:
    """Build each size, time the month with and without the world living it, print figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=2000, help="synthetic customers")
    parser.add_argument(
        "--reuse",
        type=Path,
        metavar="DIR",
        help="keep the seeded databases in DIR and reuse them on the next run (seeding the"
        " larger size takes minutes); delete DIR after changing the seed or the models",
    )
    parser.add_argument("--only-scale", action="store_true", help="skip the default showcase alone")
    args = parser.parse_args()
    logging.disable(logging.INFO)  # the console mail adapter logs every message
    with tempfile.TemporaryDirectory() as tmp:
        for customers in (args.scale,) if args.only_scale else (0, args.scale):
            seeded = (args.reuse or Path(tmp)) / f"seeded-{customers}.sqlite3"
            built = 0.0
            if not seeded.exists():
                seeded.parent.mkdir(parents=True, exist_ok=True)
                partial = seeded.with_suffix(".partial")  # an interrupted seed is never reused
                partial.unlink(missing_ok=True)
                built = build(partial, customers)
                partial.replace(seeded)
            baseline_db = Path(tmp) / f"baseline-{customers}.sqlite3"
            living_db = Path(tmp) / f"living-{customers}.sqlite3"
            shutil.copy(seeded, baseline_db)
            shutil.copy(seeded, living_db)
            base_total, _, _, _, base_cpu, base_statements, _ = month(baseline_db, live=False)
            total, lived, statements, written, cpu, every, lived_cpu = month(living_db, live=True)
            redo, rewritten = again(living_db)
            label = "default showcase" if not customers else f"--scale {customers}"
            print(f"{label} (seeded in {built:.1f} s)" if built else f"{label} (seeded earlier)")
            print(
                f"  +1 month, baseline (jobs only, nothing lives): {base_total:6.2f} s"
                f"  (CPU {base_cpu:.2f} s, {base_statements} statements)"
            )
            print(
                f"  +1 month, the world lives it, then the jobs: {total:6.2f} s"
                f"  (CPU {cpu:.2f} s, {every} statements; the simulation {lived:.2f} s"
                f" (CPU {lived_cpu:.2f} s), {statements} statements, {written} rows)"
            )
            print(
                f"  the same month lived again:                   {redo:6.2f} s  ({rewritten} rows)"
            )


if __name__ == "__main__":
    main()
