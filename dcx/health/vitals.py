"""Vital signs: readings, their bands and what counts as a crisis, latest values and trends."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import LazyString, format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy import Subquery, func, select

from dcx.extensions import db
from dcx.health import care_team, goals
from dcx.health.models import (
    HealthObservation,
)
from dcx.health.rules import KEY, HealthError
from dcx.platform import clock
from dcx.platform.accounts.models import User
from dcx.platform.links import link
from dcx.platform.notify.services import in_locale, notify, recipient_locales
from dcx.platform.timeline.services import record


@dataclass(frozen=True)
class VitalKind:
    """A kind of reading: its LOINC code(s), its UCUM unit and how it is shown."""

    key: str
    label: str
    code: str
    unit: str
    display_unit: str
    code2: str | None = None


VITALS: dict[str, VitalKind] = {
    v.key: v
    for v in (
        VitalKind("bp", _l("Blood pressure"), "8480-6", "mm[Hg]", "mmHg", code2="8462-4"),
        VitalKind("heart_rate", _l("Heart rate"), "8867-4", "/min", "bpm"),
        VitalKind("weight", _l("Weight"), "29463-7", "kg", "kg"),
        VitalKind("glucose", _l("Blood glucose"), "2339-0", "mg/dL", "mg/dL"),
        VitalKind("spo2", _l("Oxygen saturation (SpO2)"), "59408-5", "%", "%"),
        VitalKind("temperature", _l("Body temperature"), "8310-5", "Cel", "°C"),
    )
}
BP_PANEL_CODE = "85354-9"
BMI_CODE = "39156-5"

# Plausible ranges: anything outside is a typing or device error, refused.
PLAUSIBLE = {
    "bp": (50, 300),
    "bp2": (20, 200),
    "heart_rate": (20, 250),
    "weight": (20, 400),
    "glucose": (10, 800),
    "spo2": (50, 100),
    "temperature": (30, 45),
}

BP_BANDS = ("normal", "elevated", "stage1", "stage2", "crisis")
BP_BAND_LABELS = {
    "normal": _l("Normal"),
    "elevated": _l("Elevated"),
    "stage1": _l("High, stage 1"),
    "stage2": _l("High, stage 2"),
    "crisis": _l("Hypertensive crisis"),
}
BP_ADVICE = {
    "normal": _l("A healthy reading. Keep up what you are doing and measure as agreed."),
    "elevated": _l(
        "A little above ideal. Less salt, regular walks and good sleep often bring it down."
    ),
    "stage1": _l(
        "Higher than it should be. Keep measuring at the same time of day; your care team "
        "will look at the trend with you."
    ),
    "stage2": _l(
        "High. Take your medicines as prescribed and, if readings stay here, ask your care team "
        "for an earlier review."
    ),
    "crisis": _l(
        "Very high. Sit quietly for five minutes and measure again. If it stays this high, or "
        "you have chest pain, breathlessness, weakness or trouble speaking, call emergency "
        "services now. Your care team has been alerted."
    ),
}
BP_BAND_COLOURS = {
    "normal": "success",
    "elevated": "info",
    "stage1": "warning",
    "stage2": "danger",
    "crisis": "danger",
}


def classify_blood_pressure(systolic: float, diastolic: float) -> str:
    """The ACC/AHA 2017 band of a reading: normal, elevated, stage1, stage2 or crisis.

    The higher of the two numbers' bands wins; "elevated" needs a diastolic below 80.
    """
    if systolic > 180 or diastolic > 120:
        return "crisis"
    if systolic >= 140 or diastolic >= 90:
        return "stage2"
    if systolic >= 130 or diastolic >= 80:
        return "stage1"
    if systolic >= 120:
        return "elevated"
    return "normal"


def body_mass_index(weight_kg: float, height_cm: float | None) -> float | None:
    """Weight divided by height squared (kg/m²), to one decimal; None without a height."""
    if not height_cm or height_cm <= 0 or weight_kg <= 0:
        return None
    metres = height_cm / 100
    return round(weight_kg / (metres * metres), 1)


def bmi_category(bmi: float | None) -> str:
    """The WHO adult category of a BMI."""
    if bmi is None:
        return ""
    if bmi < 18.5:
        return str(_l("Underweight"))
    if bmi < 25:
        return str(_l("Healthy weight"))
    if bmi < 30:
        return str(_l("Overweight"))
    return str(_l("Obesity"))


def out_of_range(kind: str, value: float, value2: float | None = None) -> LazyString | None:
    """Why a reading needs the care team's attention, or None when it is in range.

    The reason is a lazy string: it is written (words and decimals) in the language of the page
    that shows it, even when computed before that page knew its visitor.
    """
    if kind == "bp":
        band = classify_blood_pressure(value, value2 or 0)
        return BP_BAND_LABELS[band] if band in ("stage2", "crisis") else None
    if kind == "heart_rate" and (value < 50 or value > 100):
        return _l("Resting heart rate %(v)s bpm", v=int(value))
    if kind == "glucose" and (value < 70 or value > 180):
        return _l("Glucose %(v)s mg/dL", v=int(value))
    if kind == "spo2" and value < 92:
        return _l("Oxygen saturation %(v)s%%", v=int(value))
    if kind == "temperature" and (value >= 38 or value < 35):
        return _l("Temperature %(v)s °C", v=goals.lazy_value(value))
    return None


def is_crisis(obs: HealthObservation) -> bool:
    """True for a blood pressure reading in the crisis band."""
    return obs.kind == "bp" and classify_blood_pressure(obs.value, obs.value2 or 0) == "crisis"


def _check_plausible(kind: str, value: float, value2: float | None) -> None:
    low, high = PLAUSIBLE[kind]
    if not low <= value <= high:
        raise HealthError(
            _l("That value looks mistyped (%(low)s to %(high)s).", low=low, high=high)
        )
    if kind == "bp":
        low, high = PLAUSIBLE["bp2"]
        if value2 is None or not low <= value2 <= high:
            raise HealthError(_l("The lower number looks mistyped."))
        if value2 >= value:
            raise HealthError(_l("The upper number must be higher than the lower one."))


def log_observation(
    patient_id: int,
    kind: str,
    value: float,
    value2: float | None = None,
    observed_at: datetime | None = None,
    source: str = "manual",
    external_id: str | None = None,
) -> HealthObservation:
    """Store a reading with its LOINC code and unit; a crisis alerts the care team at once."""
    spec = VITALS.get(kind)
    if spec is None:
        raise HealthError(_l("Unknown kind of reading."))
    _check_plausible(kind, value, value2)
    obs = HealthObservation(
        patient_id=patient_id,
        kind=kind,
        code=spec.code,
        value=float(value),
        unit=spec.unit,
        code2=spec.code2,
        value2=float(value2) if kind == "bp" and value2 is not None else None,
        observed_at=observed_at or clock.now(),
        source=source,
        external_id=external_id,
    )
    db.session.add(obs)
    db.session.flush()
    if is_crisis(obs):
        alert_care_team(obs)
    goals.refresh_goals(patient_id)
    return obs


def alert_care_team(obs: HealthObservation) -> int:
    """Tell every clinician of the patient's care team about a crisis reading, once each."""
    sent = 0
    patient = db.session.get_one(User, obs.patient_id)
    team = care_team.care_team_ids(obs.patient_id)
    locales = recipient_locales(team)
    for clinician_id in team:
        with in_locale(locales[clinician_id]):
            title = str(_l("Crisis blood pressure: %(name)s", name=patient.name))
            body = str(
                _l(
                    "%(s)s/%(d)s mmHg at %(at)s. Please contact the patient.",
                    s=int(obs.value),
                    d=int(obs.value2 or 0),
                    at=format_datetime(obs.observed_at, "yyyy-MM-dd HH:mm z"),
                )
            )
        message = notify(
            clinician_id,
            "health.crisis_alert",
            title,
            body,
            link("health.staff.staff_patient", patient_id=obs.patient_id),
            key=f"health.crisis:{obs.id}",
        )
        sent += message is not None
    record(
        obs.patient_id,
        KEY,
        "crisis_reading",
        _l("Very high blood pressure recorded"),
        _l("Your care team was alerted."),
        {"observation_id": obs.id},
        link("health.vitals"),
        key=f"health.crisis:{obs.id}",
    )
    return sent


def recent_observations(
    patient_id: int, kind: str | None = None, days: int = 30
) -> list[HealthObservation]:
    """The patient's readings of the last ``days`` days, oldest first."""
    stmt = select(HealthObservation).where(
        HealthObservation.patient_id == patient_id,
        HealthObservation.observed_at >= clock.now() - timedelta(days=days),
    )
    if kind:
        stmt = stmt.where(HealthObservation.kind == kind)
    return list(
        db.session.execute(
            stmt.order_by(HealthObservation.observed_at, HealthObservation.id)
        ).scalars()
    )


def _newest_of_each_kind(patient_ids: list[int], kinds: Iterable[str] | None = None) -> Subquery:
    """The id of each patient's newest reading of each kind: newest by when it was taken (a
    wearable's backlog or a reading typed in late arrives after newer ones), ties by id."""
    rank = (
        func.row_number()
        .over(
            partition_by=(HealthObservation.patient_id, HealthObservation.kind),
            order_by=(HealthObservation.observed_at.desc(), HealthObservation.id.desc()),
        )
        .label("rank")
    )
    ranking = select(HealthObservation.id, rank).where(
        HealthObservation.patient_id.in_(patient_ids)
    )
    if kinds is not None:
        ranking = ranking.where(HealthObservation.kind.in_(list(kinds)))
    ranked = ranking.subquery()
    return select(ranked.c.id).where(ranked.c.rank == 1).subquery()


def latest_by_kind(patient_id: int) -> dict[str, HealthObservation]:
    """The newest reading of each kind, by when it was taken."""
    newest = _newest_of_each_kind([patient_id])
    rows = db.session.execute(
        select(HealthObservation).join(newest, newest.c.id == HealthObservation.id)
    )
    return {o.kind: o for o in rows.scalars()}


# Batch twins (``*_many``), each placed beside its per-patient helper, serve pages that show
# many patients at once (the clinician's panel): each loads one kind of row for all of them in
# one query, so the page costs the same few queries for 2 patients or 2,000. Each answers
# exactly what its twin answers patient by patient (tests/health/test_panel_queries.py).


def _unique_ids(patient_ids: Iterable[int]) -> list[int]:
    return list(dict.fromkeys(patient_ids))


def recent_readings_many(patient_ids: Iterable[int], days: int = 30) -> dict[int, list[Any]]:
    """:func:`recent_observations` of every kind for many patients, in one query.

    Patient id -> readings, oldest first, as light rows with what :func:`out_of_range` and
    :func:`is_crisis` read (``kind``, ``value``, ``value2``, ``observed_at``) rather than ORM
    objects: a panel reads a week of readings for each of its patients only to flag some.
    Every id is a key, with an empty list for no reading.
    """
    ids = _unique_ids(patient_ids)
    found: dict[int, list[Any]] = {pid: [] for pid in ids}
    if not ids:
        return found
    rows = db.session.execute(
        select(
            HealthObservation.patient_id,
            HealthObservation.kind,
            HealthObservation.value,
            HealthObservation.value2,
            HealthObservation.observed_at,
        )
        .where(
            HealthObservation.patient_id.in_(ids),
            HealthObservation.observed_at >= clock.now() - timedelta(days=days),
        )
        .order_by(HealthObservation.observed_at, HealthObservation.id)
    )
    for row in rows:
        found[row.patient_id].append(row)
    return found


def latest_by_kind_many(
    patient_ids: Iterable[int], kinds: Iterable[str] | None = None
) -> dict[int, dict[str, HealthObservation]]:
    """:func:`latest_by_kind` for many patients in one query, optionally for some kinds only.

    Every patient id is a key; a patient with no reading maps to an empty dict.
    """
    ids = _unique_ids(patient_ids)
    found: dict[int, dict[str, HealthObservation]] = {pid: {} for pid in ids}
    if not ids:
        return found
    newest = _newest_of_each_kind(ids, kinds)
    rows = db.session.execute(
        select(HealthObservation).join(newest, newest.c.id == HealthObservation.id)
    )
    for obs in rows.scalars():
        found[obs.patient_id][obs.kind] = obs
    return found
