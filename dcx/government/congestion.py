"""Congestion: the travel-time index and the one place its thresholds live."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l

from dcx.government.models import (
    GovernmentSensor,
)

# The one place the congestion thresholds live: travel-time index at or above each level.
CONGESTION_THRESHOLDS: tuple[tuple[str, float], ...] = (("severe", 1.5), ("congested", 1.3))
LEVEL_LABELS = {
    "free": _l("Free flow"),
    "congested": _l("Congested"),
    "severe": _l("Severe congestion"),
}
SENSOR_OFFLINE_AFTER = timedelta(minutes=15)


def travel_time_index(actual_seconds: float, free_flow_seconds: float) -> float:
    """Actual travel time over free-flow travel time (1.0 means traffic moves freely)."""
    if free_flow_seconds <= 0:
        raise ValueError("free-flow travel time must be positive")
    return actual_seconds / free_flow_seconds


def congestion_level(index: float | None) -> str:
    """``free``, ``congested`` (index >= 1.3) or ``severe`` (index >= 1.5)."""
    if index is None:
        return "free"
    for level, threshold in CONGESTION_THRESHOLDS:
        if index >= threshold:
            return level
    return "free"


def sensor_online(sensor: GovernmentSensor, now: datetime) -> bool:
    """A sensor is online if it reported within the last 15 minutes."""
    return sensor.last_seen_at is not None and now - sensor.last_seen_at <= SENSOR_OFFLINE_AFTER
