"""Benchmark: the telematics API's ingest rate and the dashboard of a 20-car fleet.

Builds a throwaway SQLite database with one customer owning 20 cars, each with a year of
daily readings, then times
  1. POST /api/v1/automotive/telemetry with batches of 100 readings (readings per second),
  2. the same batches resent (duplicates skipped by the unique key),
  3. the owner's dashboard (median of 20 renders) and its SQL statement count,
  4. the daily service-reminder job over every car (twice: the second sends nothing),
and prints the figures. A script, not a test:

    .venv/bin/python bench/bench_automotive.py [--cars 20] [--days 365] [--batches 20]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

from sqlalchemy import event


def main() -> None:
    """Build the data, run the measurements, print the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cars", type=int, default=20)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--batches", type=int, default=20)
    args = parser.parse_args()

    from dcx import create_app
    from dcx.automotive import jobs, telemetry, vehicles
    from dcx.extensions import db
    from dcx.platform import clock
    from dcx.platform.accounts.services import create_user

    tmp = Path(tempfile.mkdtemp(prefix="bench-automotive-"))
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.sqlite3'}",
            "INSTANCE_PATH": str(tmp / "instance"),
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        db.create_all()
        owner = create_user("bench@example.com", "Bench Owner", "bench-password-2026")
        db.session.commit()
        today = clock.today()
        started = time.perf_counter()
        cars = []
        for n in range(args.cars):
            car = vehicles.add_vehicle(
                owner.id, vin=f"WVWZZZCDZPB{n:06d}", make="Volkswagen", model="Golf", year=2023
            )
            history = [
                {
                    "recorded_at": datetime.combine(
                        today - timedelta(days=d), dtime(6), tzinfo=UTC
                    ).isoformat(),
                    "odometer_km": 1000 + (args.days - d) * 40,
                    "battery_v": 12.6,
                    "tyres_kpa": {"fl": 240, "fr": 240, "rl": 240, "rr": 240},
                }
                for d in range(args.days, 0, -1)
            ]
            telemetry.ingest_readings(car, history)
            cars.append(car)
        token = vehicles.connect_vehicle(cars[0])
        db.session.commit()
        print(
            f"built {args.cars} cars x {args.days} readings in {time.perf_counter() - started:.1f}s"
        )

        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        base = clock.now() - timedelta(hours=args.batches)
        bodies = [
            {
                "readings": [
                    {
                        "recorded_at": (base + timedelta(hours=b, seconds=i * 30)).isoformat(),
                        "odometer_km": 900_000 + b * 100 + i,
                        "battery_v": 12.5,
                        "codes": [{"code": "P0420", "status": "pending"}] if i == 99 else [],
                    }
                    for i in range(100)
                ]
            }
            for b in range(args.batches)
        ]
        for label in ("new readings", "resent (duplicates)"):
            started = time.perf_counter()
            for body in bodies:
                response = client.post("/api/v1/automotive/telemetry", json=body, headers=headers)
                assert response.status_code == 201, response.json
            elapsed = time.perf_counter() - started
            total = 100 * args.batches
            print(
                f"API {label}: {total} readings in {elapsed:.2f}s = {total / elapsed:,.0f} readings/s"
            )

        client.post(
            "/account/signin",
            data={"email": "bench@example.com", "password": "bench-password-2026"},
        )
        statements: list[str] = []
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        timings = []
        for _ in range(20):
            statements.clear()
            started = time.perf_counter()
            assert client.get("/automotive/").status_code == 200
            timings.append(time.perf_counter() - started)
        print(
            f"dashboard, {args.cars} cars: median {statistics.median(timings) * 1000:.0f} ms,"
            f" {len(statements)} SQL statements"
        )

        clock.advance(timedelta(days=300))
        db.session.commit()
        for run in ("first", "second"):
            started = time.perf_counter()
            jobs.service_reminders(clock.now())
            db.session.commit()
            print(f"service reminders, {run} run: {(time.perf_counter() - started) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
