"""A patient's device token and the readings it sends."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select

from dcx.extensions import db
from dcx.health import care_team, vitals
from dcx.health.models import (
    HealthObservation,
    HealthPatientProfile,
)
from dcx.health.rules import HealthError
from dcx.platform import clock
from dcx.platform.inputs import check_reading_time, parse_timestamp


def issue_device_token(patient_id: int) -> str:
    """A new device token for the patient's wearable; the old one stops working."""
    from dcx.platform.api.services import new_token

    raw, hashed = new_token("dcxh")
    care_team.profile_for(patient_id).device_token_hash = hashed
    db.session.flush()
    return raw


def revoke_device_token(patient_id: int) -> None:
    """Stop the wearable's token."""
    care_team.profile_for(patient_id).device_token_hash = None
    db.session.flush()


def patient_for_token(raw: str | None) -> int | None:
    """The patient whose device token this is, or None."""
    from dcx.platform.api.services import hash_token

    if not raw:
        return None
    return db.session.execute(
        select(HealthPatientProfile.user_id).where(
            HealthPatientProfile.device_token_hash == hash_token(raw)
        )
    ).scalar_one_or_none()


def ingest(patient_id: int, readings: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Store wearable readings; a repeated ``id`` is skipped, so devices may resend safely."""
    accepted = duplicates = 0
    for item in readings:
        external_id = item.get("id")
        if external_id:
            exists = db.session.execute(
                select(HealthObservation.id).where(
                    HealthObservation.patient_id == patient_id,
                    HealthObservation.external_id == external_id,
                )
            ).first()
            if exists:
                duplicates += 1
                continue
        try:
            observed_at = check_reading_time(parse_timestamp(item["observed_at"]), clock.now())
        except ValueError as exc:
            raise HealthError(f"observed_at: {exc}") from None
        kind = item["type"]
        value = item["systolic"] if kind == "bp" else item["value"]
        vitals.log_observation(
            patient_id,
            kind,
            value,
            item.get("diastolic"),
            observed_at=observed_at,
            source="device",
            external_id=external_id,
        )
        accepted += 1
    return {"accepted": accepted, "duplicates": duplicates}
