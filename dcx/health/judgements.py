"""How a reading is judged, said the same way to the patient and to the care team.

A weight has no range of its own: it is judged by the body mass index it gives with the
patient's height, so the readings table never calls a weight "in range" beside a BMI that says
"Overweight". Without a height on record a weight is not judged at all, and says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from dcx.extensions import db
from dcx.health.goals import lazy_value
from dcx.health.models import HealthPatientProfile
from dcx.health.vitals import bmi_category, body_mass_index, out_of_range

HEALTHY_BMI = (18.5, 25.0)


@dataclass(frozen=True)
class Judgement:
    """What a reading says: a short label, and whether it is a concern (shown as a badge)."""

    label: LazyString | str
    concern: bool


def judge_reading(
    kind: str, value: float, value2: float | None = None, height_cm: float | None = None
) -> Judgement:
    """The judgement of one reading (blood pressure has its own bands, shown apart).

    A weight is judged by its BMI (``height_cm`` of the patient); every other reading against
    the range in :func:`dcx.health.vitals.out_of_range`.
    """
    if kind == "weight":
        bmi = body_mass_index(value, height_cm)
        if bmi is None:
            return Judgement(_l("Not judged: no height on record"), False)
        healthy = HEALTHY_BMI[0] <= bmi < HEALTHY_BMI[1]
        label = _l("BMI %(bmi)s: %(band)s", bmi=lazy_value(bmi), band=bmi_category(bmi))
        return Judgement(label, not healthy)
    if out_of_range(kind, value, value2):
        return Judgement(_l("Out of range"), True)
    return Judgement(_l("In range"), False)


def height_of(patient_id: int) -> float | None:
    """The patient's height in cm, or None (read only: a care team's look creates nothing)."""
    return db.session.execute(
        select(HealthPatientProfile.height_cm).where(HealthPatientProfile.user_id == patient_id)
    ).scalar_one_or_none()
