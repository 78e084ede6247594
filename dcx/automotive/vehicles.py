"""Vehicles and their device tokens: VINs, a customer's cars, the token a car reports with."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from dcx.automotive.models import (
    AutomotiveVehicle,
)
from dcx.automotive.rules import KEY, VIN_FORMAT
from dcx.database import rows_where
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.api.services import hash_token, new_token
from dcx.platform.links import link
from dcx.platform.timeline.services import record


def normalise_vin(vin: str) -> str:
    """Upper-case a VIN and drop spaces."""
    return re.sub(r"\s+", "", vin or "").upper()


def is_valid_vin(vin: str) -> bool:
    """A VIN is 17 letters and digits, never I, O or Q."""
    return bool(VIN_FORMAT.match(normalise_vin(vin)))


def vehicles_of(user_id: int) -> list[AutomotiveVehicle]:
    """The customer's vehicles, oldest first."""
    return rows_where(
        AutomotiveVehicle, AutomotiveVehicle.user_id == user_id, order_by=(AutomotiveVehicle.id,)
    )


def add_vehicle(
    user_id: int,
    vin: str,
    make: str,
    model: str,
    year: int,
    plate: str = "",
    colour: str = "",
    fuel_type: str = "petrol",
    last_service_on: date | None = None,
    last_service_km: int = 0,
) -> AutomotiveVehicle:
    """Register a car for its owner; ValueError if the VIN is malformed or already taken."""
    vin = normalise_vin(vin)
    if not is_valid_vin(vin):
        raise ValueError("invalid VIN")
    if db.session.execute(select(AutomotiveVehicle.id).where(AutomotiveVehicle.vin == vin)).first():
        raise ValueError("VIN already registered")
    vehicle = AutomotiveVehicle(
        user_id=user_id,
        vin=vin,
        make=make.strip(),
        model=model.strip(),
        year=year,
        plate=plate.strip().upper(),
        colour=colour.strip(),
        fuel_type=fuel_type,
        last_service_on=last_service_on or clock.today(),
        last_service_km=last_service_km,
    )
    db.session.add(vehicle)
    db.session.flush()
    record(
        user_id,
        KEY,
        "vehicle_added",
        _l("%(name)s added", name=vehicle.name),
        link=link("automotive.vehicle", vehicle_id=vehicle.id),
        key=f"automotive.vehicle:{vehicle.id}",
    )
    return vehicle


def connect_vehicle(vehicle: AutomotiveVehicle) -> str:
    """Issue a new telematics token (replacing any old one); returns it, to show once."""
    token, token_hash = new_token("car")
    vehicle.token_hash = token_hash
    vehicle.token_issued_at = clock.now()
    vehicle.token_revoked_at = None
    db.session.flush()
    return token


def revoke_token(vehicle: AutomotiveVehicle) -> None:
    """Stop accepting the car's token at once."""
    vehicle.token_hash = None
    vehicle.token_revoked_at = clock.now()
    db.session.flush()


def vehicle_for_token(token: str | None) -> AutomotiveVehicle | None:
    """The vehicle whose active token this is, or None."""
    if not token:
        return None
    return db.session.execute(
        select(AutomotiveVehicle).where(AutomotiveVehicle.token_hash == hash_token(token))
    ).scalar_one_or_none()
