"""The patient's profile and care team: who may see a record, the clinician's patients."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from dcx.database import rows_where
from dcx.extensions import db
from dcx.health.models import (
    HealthCareTeamMember,
    HealthPatientProfile,
)
from dcx.health.rules import KEY, HealthError
from dcx.platform.accounts.models import User
from dcx.platform.inputs import db_int


def stored_profile(user_id: int) -> HealthPatientProfile | None:
    """The patient's profile as stored, or None before its first use."""
    return db.session.execute(
        select(HealthPatientProfile).where(HealthPatientProfile.user_id == user_id)
    ).scalar_one_or_none()


def profile_or_default(user_id: int) -> HealthPatientProfile:
    """The patient's profile, or (for a page that only shows it) an unsaved one with the
    defaults :func:`profile_for` would store: reading it writes nothing."""
    profile = stored_profile(user_id)
    if profile is None:
        profile = HealthPatientProfile(
            user_id=user_id, calorie_plan=2000, weekly_minutes_goal=150, display_name=""
        )
    return profile


def profile_for(user_id: int) -> HealthPatientProfile:
    """The patient's profile, created with defaults on first use."""
    profile = stored_profile(user_id)
    if profile is None:
        profile = HealthPatientProfile(user_id=user_id, calorie_plan=2000, weekly_minutes_goal=150)
        db.session.add(profile)
        db.session.flush()
    return profile


def care_team_ids(patient_id: int) -> list[int]:
    """The ids of the clinicians on the patient's care team."""
    return list(
        db.session.execute(
            select(HealthCareTeamMember.clinician_id).where(
                HealthCareTeamMember.patient_id == patient_id
            )
        ).scalars()
    )


def add_to_care_team(patient_id: int, clinician_id: int) -> HealthCareTeamMember:
    """Put a health clinician on the patient's care team (idempotent)."""
    clinician = db.session.get(User, clinician_id)
    if clinician is None or not (clinician.role == "staff" and clinician.department == KEY):
        raise HealthError(_l("Only health clinicians can join a care team."))
    existing = db.session.execute(
        select(HealthCareTeamMember).where(
            HealthCareTeamMember.patient_id == patient_id,
            HealthCareTeamMember.clinician_id == clinician_id,
        )
    ).scalar_one_or_none()
    if existing:
        return existing
    member = HealthCareTeamMember(patient_id=patient_id, clinician_id=clinician_id)
    db.session.add(member)
    db.session.flush()
    return member


def remove_from_care_team(patient_id: int, clinician_id: int) -> None:
    """Take a clinician off the patient's care team."""
    member = db.session.execute(
        select(HealthCareTeamMember).where(
            HealthCareTeamMember.patient_id == patient_id,
            HealthCareTeamMember.clinician_id == clinician_id,
        )
    ).scalar_one_or_none()
    if member:
        db.session.delete(member)
        db.session.flush()


def clinicians() -> list[User]:
    """Every health clinician a patient may choose."""
    return rows_where(User, User.role == "staff", User.department == KEY, order_by=(User.name,))


def patient_for_clinician_or_404(clinician_id: int, patient_id: Any) -> User:
    """The patient, if ``clinician_id`` is on their care team; 404 otherwise (even for admins)."""
    try:
        pid = db_int(patient_id)
    except (TypeError, ValueError):
        abort(404)
    row = db.session.execute(
        select(User)
        .join(HealthCareTeamMember, HealthCareTeamMember.patient_id == User.id)
        .where(User.id == pid, HealthCareTeamMember.clinician_id == clinician_id)
    ).scalar_one_or_none()
    if row is None:
        abort(404)
    return row


def patients_of(clinician_id: int) -> list[User]:
    """The patients whose care team includes this clinician."""
    return list(
        db.session.execute(
            select(User)
            .join(HealthCareTeamMember, HealthCareTeamMember.patient_id == User.id)
            .where(HealthCareTeamMember.clinician_id == clinician_id)
            .order_by(User.name)
        ).scalars()
    )
