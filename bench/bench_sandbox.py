"""Benchmark: making and resetting a sandbox, beside a plain copy of the same template.

A visitor who presses "Try it yourself" waits for :func:`dcx.platform.sandboxes.services.create`
(copy the template, register the sandbox); a presenter's reset waits for
:func:`~dcx.platform.sandboxes.services.reset`. Both are timed here beside a baseline measured in
the same run: on SQLite a bare ``shutil.copyfile`` of the template file, on PostgreSQL a bare
``CREATE DATABASE ... TEMPLATE``; and beside what a reset cost before sandboxes (wiping the
database and seeding the showcase again). Then 100 live sandboxes are made, each opened with
one query, and their disk and memory are printed beside the baseline of the same run (the
main database's size, the process's RSS before them). A script, not a test:

    .venv/bin/python bench/bench_sandbox.py [--repeat 20] [--live 100]
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/dcx_bench .venv/bin/python ...
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select, text

from dcx import create_app
from dcx.extensions import db
from dcx.platform.accounts.models import User
from dcx.platform.sandboxes import services, store
from dcx.platform.showcase.loader import seed_showcase, wipe
from dcx.verticals import registry


def _rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _ms(samples: list[float]) -> str:
    return f"median {statistics.median(samples) * 1000:7.1f} ms  max {max(samples) * 1000:7.1f} ms"


def _baseline(sandbox_id: str) -> float:
    """One bare copy of the template, the floor a sandbox cannot beat."""
    started = time.perf_counter()
    if store.is_postgresql():
        from dcx.platform.sandboxes import postgres

        name = postgres.database_name(sandbox_id)
        admin = postgres._admin()
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{postgres.template_name()}"'))
        elapsed = time.perf_counter() - started
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}"'))
        admin.dispose()
        return elapsed
    target = store.root() / f"baseline-{sandbox_id}.db"
    shutil.copyfile(store.template_file(), target)
    elapsed = time.perf_counter() - started
    target.unlink()
    return elapsed


def _main_disk() -> int:
    """Bytes of the main database: its file (SQLite) or the server's database."""
    if store.is_postgresql():
        return int(
            db.session.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
        )
    return Path(str(store.main_engine().url.database)).stat().st_size


def _sandboxes_disk(ids: list[str]) -> int:
    """Bytes the sandboxes take: the files under the sandbox and upload folders (template
    included, so measured before and after), plus their PostgreSQL databases."""
    folders = {store.root(), store.upload_root() / "sandboxes"}
    total = sum(
        p.stat().st_size for f in folders if f.is_dir() for p in f.rglob("*") if p.is_file()
    )
    if store.is_postgresql() and ids:
        from dcx.platform.sandboxes import postgres

        names = [postgres.database_name(i) for i in ids]
        total += int(
            db.session.execute(
                text("SELECT SUM(pg_database_size(n)) FROM unnest(CAST(:names AS text[])) n"),
                {"names": names},
            ).scalar_one()
        )
    return total


def _server_connections() -> int:
    """Connections this bench's sandboxes hold to the server (their databases' backends)."""
    from dcx.platform.sandboxes import postgres

    return int(
        db.session.execute(
            text("SELECT count(*) FROM pg_stat_activity WHERE starts_with(datname, :prefix)"),
            {"prefix": postgres.database_name("x" * 22)[:-22]},
        ).scalar_one()
    )


def main() -> None:
    """Seed once, then time creation, reset and the baseline, and size 100 live sandboxes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--live", type=int, default=100)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="dcx-bench-sandbox-"))
    uri = os.environ.get("DATABASE_URL") or f"sqlite:///{folder / 'main.sqlite3'}"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": uri,
            "SECRET_KEY": "bench",
            "INSTANCE_PATH": str(folder / "instance"),
            "DCX_SHOWCASE_MODE": True,
            "DCX_SANDBOX_MAX": 10_000,
            "DCX_SANDBOX_MAX_PER_ADDRESS": 10_000,
        }
    )
    try:
        with app.app_context():
            db.drop_all()
            db.create_all()
            started = time.perf_counter()
            seed_showcase(registry(), "default")
            db.session.commit()
            print(f"seeding the default showcase once: {time.perf_counter() - started:6.2f} s")
            started = time.perf_counter()
            wipe()
            seed_showcase(registry(), "default")
            db.session.commit()
            old_reset = time.perf_counter() - started
            users = db.session.execute(select(func.count()).select_from(User)).scalar_one()
            started = time.perf_counter()
            first = services.create("bench")
            print(f"first sandbox (template made): {time.perf_counter() - started:6.2f} s")
            if not store.is_postgresql():
                size = store.template_file().stat().st_size
                print(f"template: {size / 1024 / 1024:.1f} MiB, {users} accounts")

            baseline, created, resets, made = [], [], [], [first.id]
            for n in range(args.repeat):
                baseline.append(_baseline(f"b{n:021d}"))
                started = time.perf_counter()
                sandbox = services.create("bench")
                created.append(time.perf_counter() - started)
                made.append(sandbox.id)
                started = time.perf_counter()
                services.reset(sandbox.id)
                resets.append(time.perf_counter() - started)
            backend = "PostgreSQL" if store.is_postgresql() else "SQLite"
            print(f"\n{backend}, {args.repeat} runs each")
            print(f"baseline, bare copy of the template  {_ms(baseline)}")
            print(f"sandbox created (copy + register)    {_ms(created)}")
            print(f"sandbox reset (fresh copy)           {_ms(resets)}")
            print(f"reset before sandboxes (wipe + seed) {old_reset * 1000:7.1f} ms")

            # the baseline of disk and memory, in this run: the main database (the seeded
            # showcase) and this process before the live sandboxes are made
            services.expire(set(made))
            main_disk = _main_disk()
            rss_before = _rss_kib()
            disk_before = _sandboxes_disk([])
            ids = [services.create("bench").id for _ in range(args.live)]
            for sandbox_id in ids:
                with store.engine(sandbox_id).connect() as conn:  # type: ignore[union-attr]
                    conn.execute(select(func.count()).select_from(User)).scalar_one()
            rss_after = _rss_kib()
            disk = _sandboxes_disk(ids) - disk_before
            mib = 1024 * 1024
            print(f"\n{len(ids)} live sandboxes")
            print(f"baseline, the main database          {main_disk / mib:7.1f} MiB")
            print(f"disk of the {len(ids)} sandboxes          {disk / mib:7.1f} MiB")
            print(f"disk per sandbox                     {disk / len(ids) / mib:7.1f} MiB")
            print(f"baseline, RSS of this process        {rss_before / 1024:7.1f} MiB")
            print(f"RSS with {len(ids)} sandboxes opened      {rss_after / 1024:7.1f} MiB")
            print(
                f"RSS per sandbox opened               {(rss_after - rss_before) / len(ids):7.1f} KiB"
            )
            if store.is_postgresql():
                print(f"server connections held open now     {_server_connections():7d}")
            print(f"live sandboxes counted: {services.live_count()}")
            for sandbox_id in store.stored_ids(older_than=-1):
                store.delete(sandbox_id)
            if store.is_postgresql():
                from dcx.platform.sandboxes import postgres

                postgres.drop_all()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
