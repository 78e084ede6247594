"""`flask dcx automotive ...`: drive a simulated car so the dashboard moves live."""

from __future__ import annotations

import random
import time
from datetime import timedelta

import click
from flask.cli import AppGroup
from sqlalchemy import select

from dcx.automotive import codes as dtc
from dcx.automotive import telemetry, vehicles
from dcx.automotive.models import AutomotiveVehicle
from dcx.extensions import db

automotive_group = AppGroup("automotive", help="Connected-car tools for the automotive story.")


@automotive_group.command("simulate")
@click.option("--vin", required=True, help="The VIN of the car to drive.")
@click.option("--readings", default=24, show_default=True, type=click.IntRange(1, 10000))
@click.option(
    "--step-minutes",
    default=60,
    show_default=True,
    type=click.IntRange(1, 1440),
    help="Simulated time between two readings.",
)
@click.option(
    "--every",
    default=0.0,
    show_default=True,
    type=click.FloatRange(0, 3600),
    help="Real seconds between readings (0: send the batch at once).",
)
@click.option("--fault", default="", help="A J2012 code the car reports at the end, e.g. P0300.")
@click.option("--seed", default=None, type=int, help="Random seed, for a repeatable drive.")
def simulate_command(
    vin: str, readings: int, step_minutes: int, every: float, fault: str, seed: int | None
) -> None:
    """Drive a car: readings go through the same service as the telematics API."""
    vehicle = db.session.execute(
        select(AutomotiveVehicle).where(AutomotiveVehicle.vin == vehicles.normalise_vin(vin))
    ).scalar_one_or_none()
    if vehicle is None:
        raise click.ClickException(f"no vehicle with VIN {vin}")
    fault = dtc.normalise(fault)
    if fault and not dtc.is_valid(fault):
        raise click.ClickException(f"{fault} is not a J2012 trouble code")
    rng = random.Random(seed)
    step = timedelta(minutes=step_minutes)
    batches = [readings] if every == 0 else [1] * readings
    accepted = 0
    for n, size in enumerate(batches):
        last_batch = n == len(batches) - 1
        result = telemetry.simulate_drive(
            vehicle.id, size, rng, step=step, fault=fault if last_batch and fault else None
        )
        db.session.commit()
        accepted += result.accepted
        if every and not last_batch:
            click.echo(f"reading {n + 1}/{len(batches)} sent")
            time.sleep(every)
    click.echo(
        f"{vehicle.name}: {accepted} readings stored" + (f", reported {fault}" if fault else "")
    )
