"""`flask dcx government ...`: drive the street sensors during a demo."""

from __future__ import annotations

import random
import time

import click
from flask.cli import AppGroup

from dcx.extensions import db
from dcx.government import simulation
from dcx.platform import clock

government_group = AppGroup("government", help="Government: sensors, crews and the city's traffic.")


@government_group.command("simulate")
@click.option("--hours", default=12.0, show_default=True, help="Hours of traffic up to now.")
@click.option("--step", default=15, show_default=True, help="Minutes per observation.")
@click.option(
    "--incident",
    "incident_segment",
    default="Harbour Road",
    show_default=True,
    help="Segment that jams in the last hour; empty for none.",
)
@click.option("--seed", default=2026, show_default=True, help="Random seed.")
@click.option(
    "--live",
    default=0.0,
    help="Then keep posting the current interval every this many seconds (0: do not).",
)
@click.option("--ticks", default=0, help="With --live: stop after this many posts (0: never).")
def simulate_command(
    hours: float, step: int, incident_segment: str, seed: int, live: float, ticks: int
) -> None:
    """Post a day's rhythm of traffic through every sensor, with an incident on one road.

    With --live the latest interval is posted again and again, so the dashboard keeps moving
    during a demo; stop it with Ctrl-C.
    """
    rng = random.Random(seed)
    totals = simulation.simulate(
        clock.now(), rng, hours=hours, step_minutes=step, incident_segment=incident_segment or None
    )
    db.session.commit()
    click.echo(
        f"{totals['observations']} observations, {totals['travel_times']} travel times, "
        f"{totals['congestion']} congested readings."
    )
    done = 0
    while live > 0 or (ticks and done < ticks):
        time.sleep(live)
        totals = simulation.simulate(
            clock.now(),
            rng,
            hours=step / 60,
            step_minutes=step,
            incident_segment=incident_segment or None,
        )
        db.session.commit()
        done += 1
        click.echo(f"{clock.now():%H:%M:%S} posted {totals['observations']} observations")
        if ticks and done >= ticks:
            break
