"""Health rules: readings and their bands, goals, adherence, food, exercise, learning,
the community and who may see a record. Plain functions over the models; callers commit."""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from flask import abort
from flask_babel import LazyString, format_datetime, format_decimal, gettext, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Subquery, and_, func, or_, select
from sqlalchemy.exc import IntegrityError

from dcx.extensions import db
from dcx.health.goal_messages import tell_patient_of_proposal
from dcx.health.learning import MODULES, Module
from dcx.health.models import (
    HealthCareTeamMember,
    HealthCheer,
    HealthDose,
    HealthExercise,
    HealthGoal,
    HealthGoalCheckIn,
    HealthGroup,
    HealthMeal,
    HealthMealItem,
    HealthMedication,
    HealthModuleProgress,
    HealthObservation,
    HealthPatientProfile,
    HealthPost,
    HealthPostReport,
    HealthVisit,
)
from dcx.platform import clock
from dcx.platform.accounts.models import User
from dcx.platform.notify.services import in_locale, notify, recipient_locales
from dcx.platform.timeline.services import record

KEY = "health"


class HealthError(ValueError):
    """A request the health rules refuse; the message is safe to show the user.

    It is raised with a lazy string, so ``str(exc)`` speaks the language of whoever reads it
    (the visitor of the page showing the error), not the one current where it was raised.
    """


# --- vital signs --------------------------------------------------------------------------


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
        return _l("Temperature %(v)s °C", v=lazy_value(value))
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
    refresh_goals(patient_id)
    return obs


def alert_care_team(obs: HealthObservation) -> int:
    """Tell every clinician of the patient's care team about a crisis reading, once each."""
    sent = 0
    patient = db.session.get_one(User, obs.patient_id)
    team = care_team_ids(obs.patient_id)
    locales = recipient_locales(team)
    for clinician_id in team:
        with in_locale(locales[clinician_id]):
            title = str(_l("Crisis blood pressure: %(name)s", name=patient.name))
            body = str(
                _l(
                    "%(s)s/%(d)s mmHg at %(at)s. Please contact the patient.",
                    s=int(obs.value),
                    d=int(obs.value2 or 0),
                    at=format_datetime(obs.observed_at, "yyyy-MM-dd HH:mm") + " UTC",
                )
            )
        message = notify(
            clinician_id,
            "health.crisis_alert",
            title,
            body,
            f"/health/staff/patients/{obs.patient_id}",
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
        "/health/vitals",
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


# --- profile, care team --------------------------------------------------------------------


def profile_for(user_id: int) -> HealthPatientProfile:
    """The patient's profile, created with defaults on first use."""
    profile = db.session.execute(
        select(HealthPatientProfile).where(HealthPatientProfile.user_id == user_id)
    ).scalar_one_or_none()
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
    return list(
        db.session.execute(
            select(User).where(User.role == "staff", User.department == KEY).order_by(User.name)
        ).scalars()
    )


def patient_for_clinician_or_404(clinician_id: int, patient_id: Any) -> User:
    """The patient, if ``clinician_id`` is on their care team; 404 otherwise (even for admins)."""
    try:
        pid = int(patient_id)
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


# --- goals ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """Something a goal can be set on: its label, unit and where its current value comes from."""

    key: str
    label: str
    unit: str


MEASURES: dict[str, Measure] = {
    m.key: m
    for m in (
        Measure("systolic", _l("Systolic blood pressure"), "mmHg"),
        Measure("diastolic", _l("Diastolic blood pressure"), "mmHg"),
        Measure("weight", _l("Weight"), "kg"),
        Measure("glucose", _l("Blood glucose"), "mg/dL"),
        Measure("heart_rate", _l("Resting heart rate"), "bpm"),
        Measure("exercise_minutes", _l("Active minutes a week"), "min"),
    )
}
GOAL_STATUSES = ("proposed", "active", "achieved", "not_achieved")
GOAL_STATUS_LABELS = {
    "proposed": _l("Proposed"),
    "active": _l("Active"),
    "achieved": _l("Achieved"),
    "not_achieved": _l("Not achieved"),
}


def goal_progress(baseline: float, target: float, current: float | None) -> float:
    """How far from the baseline towards the target the current value is, from 0 to 1.

    Works for goals that go down (blood pressure) and up (active minutes); a value worse
    than the baseline counts as 0, one past the target as 1.
    """
    if current is None:
        return 0.0
    span = target - baseline
    if span == 0:
        return 1.0 if current == target else 0.0
    return max(0.0, min(1.0, (current - baseline) / span))


def going_the_wrong_way(baseline: float, target: float, values: Sequence[float]) -> bool:
    """True when the recent values move away from the target, or sit worse than the baseline."""
    if not values:
        return False
    wanted = 1 if target >= baseline else -1
    if (values[-1] - baseline) * wanted < 0:
        return True
    if len(values) >= 2:
        half = max(1, len(values) // 2)
        earlier = sum(values[:half]) / half
        later = sum(values[half:]) / len(values[half:])
        return (later - earlier) * wanted < 0 and abs(later - earlier) >= 0.5
    return False


def measure_values(patient_id: int, measure: str, days: int = 30) -> list[tuple[datetime, float]]:
    """The measure's values over the last ``days`` days, oldest first."""
    if measure == "exercise_minutes":
        today = clock.today()
        return [
            (
                datetime.combine(today - timedelta(days=7 * w), time(), tzinfo=UTC),
                float(weekly_minutes(patient_id, today - timedelta(days=7 * w))),
            )
            for w in range(max(1, days // 7) - 1, -1, -1)
        ]
    kind = {"systolic": "bp", "diastolic": "bp"}.get(measure, measure)
    rows = recent_observations(patient_id, kind, days)
    if measure == "diastolic":
        return [(o.observed_at, o.value2) for o in rows if o.value2 is not None]
    return [(o.observed_at, o.value) for o in rows]


CURRENT_READINGS = 3
CURRENT_BASIS = {
    "exercise_minutes": _l("this week"),
    "": _l("average of the last %(num)d readings", num=CURRENT_READINGS),
}


def current_value(patient_id: int, measure: str) -> float | None:
    """The measure now: the average of the last three readings (or this week's minutes)."""
    if measure == "exercise_minutes":
        return float(weekly_minutes(patient_id, clock.today()))
    values = [v for _, v in measure_values(patient_id, measure, days=90)][-CURRENT_READINGS:]
    return round(sum(values) / len(values), 1) if values else None


_MEASURE_KIND = {"systolic": "bp", "diastolic": "bp"}


def measure_values_many(
    pairs: Iterable[tuple[int, str]], days: int = 30, last: int | None = None
) -> dict[tuple[int, str], list[tuple[datetime, float]]]:
    """:func:`measure_values` for many (patient id, measure) pairs, in at most two queries.

    With ``last``, each list keeps only its ``last`` newest values (``values[-last:]``), and
    they are picked in the database (a window function), so reading a trend's last values
    does not load months of readings. Every pair asked for is a key.
    """
    wanted = list(dict.fromkeys(pairs))
    found: dict[tuple[int, str], list[tuple[datetime, float]]] = {pair: [] for pair in wanted}
    active = [pid for pid, measure in wanted if measure == "exercise_minutes"]
    if active:
        today = clock.today()
        endings = [today - timedelta(days=7 * w) for w in range(max(1, days // 7) - 1, -1, -1)]
        minutes = weekly_minutes_many(active, endings)
        for pid in active:
            values = [
                (datetime.combine(end, time(), tzinfo=UTC), float(minutes[pid][end]))
                for end in endings
            ]
            found[(pid, "exercise_minutes")] = values if last is None else values[-last:]
    readings = [(pid, measure) for pid, measure in wanted if measure != "exercise_minutes"]
    if not readings:
        return found
    columns = (
        HealthObservation.patient_id,
        HealthObservation.kind,
        HealthObservation.value,
        HealthObservation.value2,
        HealthObservation.observed_at,
        HealthObservation.id,
    )
    where = (
        HealthObservation.patient_id.in_(sorted({pid for pid, _ in readings})),
        HealthObservation.kind.in_(sorted({_MEASURE_KIND.get(m, m) for _, m in readings})),
        HealthObservation.observed_at >= clock.now() - timedelta(days=days),
    )
    if last is None:
        stmt = (
            select(*columns)
            .where(*where)
            .order_by(HealthObservation.observed_at, HealthObservation.id)
        )
    else:
        # The newest ``last`` of each patient's kind, and (for the diastolic measure, which
        # skips readings without a second value) the newest ``last`` that have a second value.
        newest_first = (HealthObservation.observed_at.desc(), HealthObservation.id.desc())
        ranked = (
            select(
                *columns,
                func.row_number()
                .over(
                    partition_by=(HealthObservation.patient_id, HealthObservation.kind),
                    order_by=newest_first,
                )
                .label("rank"),
                func.row_number()
                .over(
                    partition_by=(
                        HealthObservation.patient_id,
                        HealthObservation.kind,
                        HealthObservation.value2.is_(None),
                    ),
                    order_by=newest_first,
                )
                .label("rank_with_value2"),
            )
            .where(*where)
            .subquery()
        )
        stmt = (
            select(*(ranked.c[c.key] for c in columns))
            .where(
                or_(
                    ranked.c.rank <= last,
                    and_(ranked.c.value2.is_not(None), ranked.c.rank_with_value2 <= last),
                )
            )
            .order_by(ranked.c.observed_at, ranked.c.id)
        )
    series: dict[tuple[int, str], list[Any]] = defaultdict(list)
    for row in db.session.execute(stmt):
        series[(row.patient_id, row.kind)].append(row)
    for pid, measure in readings:
        rows = series.get((pid, _MEASURE_KIND.get(measure, measure)), [])
        if measure == "diastolic":
            values = [(r.observed_at, r.value2) for r in rows if r.value2 is not None]
        else:
            values = [(r.observed_at, r.value) for r in rows]
        found[(pid, measure)] = values if last is None else values[max(0, len(values) - last) :]
    return found


@dataclass
class GoalView:
    """A goal with its current value, progress and direction, ready to show."""

    goal: HealthGoal
    measure: Measure
    current: float | None
    progress: float
    wrong_way: bool
    values: list[tuple[datetime, float]] = field(default_factory=list)
    latest: float | None = None

    @property
    def current_basis(self) -> LazyString:
        """What ``current`` is: this week's minutes, or an average of the last readings."""
        return CURRENT_BASIS.get(self.goal.measure, CURRENT_BASIS[""])


def goal_view(goal: HealthGoal) -> GoalView:
    """Compute a goal's progress and trend from the patient's readings."""
    values = measure_values(goal.patient_id, goal.measure, days=30)
    current = current_value(goal.patient_id, goal.measure)
    return GoalView(
        goal=goal,
        measure=MEASURES[goal.measure],
        current=current,
        progress=goal_progress(goal.baseline, goal.target, current),
        wrong_way=going_the_wrong_way(goal.baseline, goal.target, [v for _, v in values][-6:]),
        values=values,
        latest=values[-1][1] if values else None,
    )


def wrong_way_many(goals: Sequence[HealthGoal]) -> list[bool]:
    """``[goal_view(g).wrong_way for g in goals]`` in at most two queries, whoever the owners.

    A trend looks at a goal's last six values of the month, so only those are read.
    """
    pairs = [(g.patient_id, g.measure) for g in goals]
    values = measure_values_many(pairs, days=30, last=6)
    return [
        going_the_wrong_way(goal.baseline, goal.target, [v for _, v in values[pair]])
        for goal, pair in zip(goals, pairs, strict=True)
    ]


def goals_of(patient_id: int, statuses: Iterable[str] = GOAL_STATUSES) -> list[HealthGoal]:
    """The patient's goals, newest first."""
    return list(
        db.session.execute(
            select(HealthGoal)
            .where(HealthGoal.patient_id == patient_id, HealthGoal.status.in_(list(statuses)))
            .order_by(HealthGoal.id.desc())
        ).scalars()
    )


def goals_of_many(
    patient_ids: Iterable[int], statuses: Iterable[str] = GOAL_STATUSES
) -> dict[int, list[HealthGoal]]:
    """:func:`goals_of` for many patients in one query: id -> goals, newest first."""
    ids = _unique_ids(patient_ids)
    found: dict[int, list[HealthGoal]] = {pid: [] for pid in ids}
    if not ids:
        return found
    rows = db.session.execute(
        select(HealthGoal)
        .where(HealthGoal.patient_id.in_(ids), HealthGoal.status.in_(list(statuses)))
        .order_by(HealthGoal.id.desc())
    ).scalars()
    for goal in rows:
        found[goal.patient_id].append(goal)
    return found


def set_goal(
    patient_id: int,
    measure: str,
    target: float,
    due_on: date,
    status: str = "active",
    visit_id: int | None = None,
    baseline: float | None = None,
) -> HealthGoal:
    """Agree a goal; its baseline is the current value unless given."""
    if measure not in MEASURES:
        raise HealthError(_l("Unknown measure."))
    if status not in GOAL_STATUSES:
        raise HealthError(_l("Unknown goal status."))
    if baseline is None:
        baseline = current_value(patient_id, measure)
    if baseline is None:
        raise HealthError(
            _l("There is no reading yet for this measure: enter today's value as baseline.")
        )
    goal = HealthGoal(
        patient_id=patient_id,
        visit_id=visit_id,
        measure=measure,
        baseline=float(baseline),
        target=float(target),
        due_on=due_on,
        status=status,
    )
    db.session.add(goal)
    db.session.flush()
    record(
        patient_id,
        KEY,
        "goal_set",
        _l("New goal: %(m)s to %(t)s", m=MEASURES[measure].label, t=lazy_value(target)),
        "",
        {"goal_id": goal.id},
        "/health/goals",
        key=f"health.goal_set:{goal.id}",
    )
    if status == "proposed":
        tell_patient_of_proposal(goal)
    return goal


def set_goal_status(goal: HealthGoal, status: str) -> HealthGoal:
    """Change a goal's status (clinician), recording an achievement on the timeline."""
    if status not in GOAL_STATUSES:
        raise HealthError(_l("Unknown goal status."))
    goal.status = status
    if status == "achieved":
        _record_achieved(goal)
    db.session.flush()
    return goal


def _record_achieved(goal: HealthGoal) -> None:
    record(
        goal.patient_id,
        KEY,
        "goal_reached",
        _l("Goal reached: %(m)s", m=MEASURES[goal.measure].label),
        "",
        {"goal_id": goal.id},
        "/health/goals",
        key=f"health.goal_reached:{goal.id}",
    )


def accept_goal(patient_id: int, goal_id: Any) -> HealthGoal:
    """The patient agrees to a goal the clinician proposed: it becomes active."""
    from dcx.database import owned_or_404

    goal = owned_or_404(HealthGoal, goal_id, patient_id, owner_attr="patient_id")
    if goal.status != "proposed":
        raise HealthError(_l("Only a proposed goal can be accepted."))
    goal.status = "active"
    db.session.flush()
    return goal


def refresh_goals(patient_id: int) -> list[HealthGoal]:
    """Mark active goals achieved when the current value reaches the target."""
    reached = []
    for goal in goals_of(patient_id, ("active",)):
        if goal_progress(goal.baseline, goal.target, current_value(patient_id, goal.measure)) >= 1:
            goal.status = "achieved"
            _record_achieved(goal)
            reached.append(goal)
    db.session.flush()
    return reached


def check_in(patient_id: int, goal_id: Any, feeling: str, note: str) -> HealthGoalCheckIn:
    """The patient's check-in on one of their goals."""
    from dcx.database import owned_or_404

    goal = owned_or_404(HealthGoal, goal_id, patient_id, owner_attr="patient_id")
    item = HealthGoalCheckIn(
        goal_id=goal.id, patient_id=patient_id, feeling=feeling, note=note.strip()
    )
    db.session.add(item)
    db.session.flush()
    return item


def format_value(value: float | None) -> str:
    """A measure's value for people: whole numbers without decimals, others to one.

    Written with the current locale's separators ("72.5" in English, "72,5" in Spanish).
    """
    if value is None:
        return "-"
    return format_decimal(value, format="#,##0.#")


def lazy_value(value: float | None) -> LazyString:
    """:func:`format_value` put off until the text is shown, for a lazy message's placeholder.

    A timeline entry a clinician causes is written in the patient's language; its numbers must
    then take the patient's decimal separator too, not the clinician's.
    """
    return LazyString(format_value, value)


# --- medication and adherence ----------------------------------------------------------------

DOSE_LABELS = {"taken": _l("Taken"), "late": _l("Taken late"), "skipped": _l("Skipped")}
LATE_AFTER = timedelta(hours=1)
MISSED_AFTER = timedelta(hours=3)
REMINDER_WINDOW = timedelta(hours=2)
PDC_MARK = 0.8


def parse_times(text: str) -> str:
    """Normalise "8:00, 20:00" into "08:00,20:00"; HealthError when a time is not valid."""
    found = []
    for part in (text or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            hour, minute = (int(x) for x in part.split(":"))
            found.append(time(hour, minute).strftime("%H:%M"))
        except ValueError:
            raise HealthError(_l("Times look like 08:00, 20:00.")) from None
    if not found or len(found) > 6:
        raise HealthError(_l("Give between one and six times of day."))
    return ",".join(sorted(set(found)))


def prescribe(
    patient_id: int,
    clinician_id: int | None,
    name: str,
    dose: str,
    times: str,
    start_on: date | None = None,
    review_on: date | None = None,
    visit_id: int | None = None,
) -> HealthMedication:
    """Add a medication with its times of day (UTC on the demo clock)."""
    med = HealthMedication(
        patient_id=patient_id,
        prescribed_by=clinician_id,
        visit_id=visit_id,
        name=name.strip(),
        dose=dose.strip(),
        times=parse_times(times),
        start_on=start_on or clock.today(),
        review_on=review_on,
        active=True,
    )
    db.session.add(med)
    db.session.flush()
    record(
        patient_id,
        KEY,
        "medication_prescribed",
        _l("Medication: %(n)s", n=med.name),
        _l("At %(t)s", t=", ".join(med.time_list)),
        {"medication_id": med.id},
        "/health/medications",
        key=f"health.medication:{med.id}",
    )
    return med


def medications_of(patient_id: int, active_only: bool = True) -> list[HealthMedication]:
    """The patient's medications."""
    stmt = select(HealthMedication).where(HealthMedication.patient_id == patient_id)
    if active_only:
        stmt = stmt.where(HealthMedication.active.is_(True))
    return list(db.session.execute(stmt.order_by(HealthMedication.name)).scalars())


def medications_of_many(
    patient_ids: Iterable[int], active_only: bool = True
) -> dict[int, list[HealthMedication]]:
    """:func:`medications_of` for many patients in one query: id -> medications by name."""
    ids = _unique_ids(patient_ids)
    found: dict[int, list[HealthMedication]] = {pid: [] for pid in ids}
    if not ids:
        return found
    stmt = select(HealthMedication).where(HealthMedication.patient_id.in_(ids))
    if active_only:
        stmt = stmt.where(HealthMedication.active.is_(True))
    for med in db.session.execute(stmt.order_by(HealthMedication.name)).scalars():
        found[med.patient_id].append(med)
    return found


def slots_on(med: HealthMedication, day: date) -> list[datetime]:
    """The scheduled dose times of ``med`` on ``day`` (none before it starts)."""
    if day < med.start_on:
        return []
    return [datetime.combine(day, time.fromisoformat(t), tzinfo=UTC) for t in med.time_list]


def slots_between(med: HealthMedication, start: datetime, end: datetime) -> list[datetime]:
    """The scheduled dose times of ``med`` in ``(start, end]``."""
    found: list[datetime] = []
    day = start.date()
    while day <= end.date():
        found.extend(s for s in slots_on(med, day) if start < s <= end)
        day += timedelta(days=1)
    return found


def doses_between(
    patient_id: int, start: datetime, end: datetime
) -> dict[tuple[int, datetime], HealthDose]:
    """The recorded doses in ``[start, end]`` by (medication id, scheduled time)."""
    rows = db.session.execute(
        select(HealthDose).where(
            HealthDose.patient_id == patient_id,
            HealthDose.scheduled_at >= start,
            HealthDose.scheduled_at <= end,
        )
    ).scalars()
    return {(d.medication_id, d.scheduled_at): d for d in rows}


def _dose_rows_many(
    patient_ids: Sequence[int], start: datetime, end: datetime, which: ColumnElement[bool]
) -> list[Any]:
    """The doses of many patients in ``[start, end]`` that meet ``which``, as light rows
    (patient_id, medication_id, scheduled_at; no ORM objects): a panel reads a month of
    doses for each of its patients."""
    return list(
        db.session.execute(
            select(HealthDose.patient_id, HealthDose.medication_id, HealthDose.scheduled_at).where(
                HealthDose.patient_id.in_(patient_ids),
                HealthDose.scheduled_at >= start,
                HealthDose.scheduled_at <= end,
                which,
            )
        )
    )


def record_dose(
    patient_id: int, medication_id: Any, scheduled_at: datetime, taken: bool
) -> HealthDose:
    """Record a scheduled dose as taken (or taken late, past an hour) or skipped."""
    from dcx.database import owned_or_404

    med = owned_or_404(HealthMedication, medication_id, patient_id, owner_attr="patient_id")
    now = clock.now()
    if scheduled_at not in slots_on(med, scheduled_at.date()):
        raise HealthError(_l("That is not one of this medicine's dose times."))
    if scheduled_at > now + timedelta(hours=3):
        raise HealthError(_l("That dose is not due yet."))
    status = "skipped"
    if taken:
        status = "late" if now > scheduled_at + LATE_AFTER else "taken"
    dose = db.session.execute(
        select(HealthDose).where(
            HealthDose.medication_id == med.id, HealthDose.scheduled_at == scheduled_at
        )
    ).scalar_one_or_none()
    if dose is None:
        dose = HealthDose(medication_id=med.id, patient_id=patient_id, scheduled_at=scheduled_at)
        db.session.add(dose)
    dose.status = status
    dose.recorded_at = now
    db.session.flush()
    return dose


def proportion_of_days_covered(
    due_by_day: Mapping[date, int], taken_by_day: Mapping[date, int]
) -> float | None:
    """PDC: the share of days with doses due on which every due dose was taken.

    A day counts as covered when the doses taken (on time or late) reach the doses due. Days
    with nothing due do not count. None when no day had a dose due.
    """
    days = [d for d, n in due_by_day.items() if n > 0]
    if not days:
        return None
    covered = sum(1 for d in days if taken_by_day.get(d, 0) >= due_by_day[d])
    return covered / len(days)


def adherence(patient_id: int, days: int = 30) -> float | None:
    """The patient's PDC over the last ``days`` days, all active medications together."""
    now = clock.now()
    start = datetime.combine(now.date() - timedelta(days=days - 1), time(), tzinfo=UTC)
    due: dict[date, int] = defaultdict(int)
    for med in medications_of(patient_id):
        for slot in slots_between(med, start - timedelta(seconds=1), now):
            due[slot.date()] += 1
    taken: dict[date, int] = defaultdict(int)
    for dose in doses_between(patient_id, start, now + timedelta(hours=3)).values():
        if dose.status in ("taken", "late") and dose.scheduled_at <= now:
            taken[dose.scheduled_at.date()] += 1
    return proportion_of_days_covered(due, taken)


def adherence_many(patient_ids: Iterable[int], days: int = 30) -> dict[int, float | None]:
    """:func:`adherence` for many patients in two queries (medications, doses): id -> PDC."""
    ids = _unique_ids(patient_ids)
    if not ids:
        return {}
    now = clock.now()
    start = datetime.combine(now.date() - timedelta(days=days - 1), time(), tzinfo=UTC)
    due: dict[int, dict[date, int]] = {pid: defaultdict(int) for pid in ids}
    for pid, meds in medications_of_many(ids).items():
        for med in meds:
            for slot in slots_between(med, start - timedelta(seconds=1), now):
                due[pid][slot.date()] += 1
    taken: dict[int, dict[date, int]] = {pid: defaultdict(int) for pid in ids}
    # as in adherence(): doses taken, on time or late, and due by now
    for dose in _dose_rows_many(ids, start, now, HealthDose.status.in_(("taken", "late"))):
        taken[dose.patient_id][dose.scheduled_at.date()] += 1
    return {pid: proportion_of_days_covered(due[pid], taken[pid]) for pid in ids}


@dataclass
class DoseSlot:
    """One scheduled dose and what happened to it."""

    medication: HealthMedication
    scheduled_at: datetime
    status: str | None
    missed: bool


def schedule(patient_id: int, day: date | None = None) -> list[DoseSlot]:
    """The day's doses for all active medications, in time order."""
    day = day or clock.today()
    now = clock.now()
    start = datetime.combine(day, time(), tzinfo=UTC)
    recorded = doses_between(patient_id, start, start + timedelta(days=1))
    slots = []
    for med in medications_of(patient_id):
        for at in slots_on(med, day):
            dose = recorded.get((med.id, at))
            status = dose.status if dose else None
            slots.append(
                DoseSlot(med, at, status, missed=status is None and now > at + MISSED_AFTER)
            )
    return sorted(slots, key=lambda s: (s.scheduled_at, s.medication.name))


def missed_doses(patient_id: int, days: int = 7) -> int:
    """Doses in the last ``days`` days that were skipped or never recorded past 3 hours."""
    now = clock.now()
    start = now - timedelta(days=days)
    recorded = doses_between(patient_id, start, now)
    missed = 0
    for med in medications_of(patient_id):
        for at in slots_between(med, start, now - MISSED_AFTER):
            dose = recorded.get((med.id, at))
            if dose is None or dose.status == "skipped":
                missed += 1
    return missed


def missed_doses_many(patient_ids: Iterable[int], days: int = 7) -> dict[int, int]:
    """:func:`missed_doses` for many patients in two queries (medications, doses): id -> count."""
    ids = _unique_ids(patient_ids)
    if not ids:
        return {}
    now = clock.now()
    start = now - timedelta(days=days)
    # a skipped dose counts as missed, like one never recorded: only the others are read
    recorded = {
        (d.patient_id, d.medication_id, d.scheduled_at)
        for d in _dose_rows_many(ids, start, now, HealthDose.status != "skipped")
    }
    missed = dict.fromkeys(ids, 0)
    for pid, meds in medications_of_many(ids).items():
        for med in meds:
            for at in slots_between(med, start, now - MISSED_AFTER):
                if (pid, med.id, at) not in recorded:
                    missed[pid] += 1
    return missed


# --- food and exercise --------------------------------------------------------------------------

FOODS_FILE = Path(__file__).parent / "data" / "foods.csv"
MEAL_KINDS = ("breakfast", "lunch", "dinner", "snack")
SODIUM_PLAN_MG = 2300


@dataclass(frozen=True)
class Food:
    """A row of the bundled food table: nutrients per 100 g."""

    code: str
    name: str
    kcal: float
    protein_g: float
    carbs_g: float
    fat_g: float
    sodium_mg: float


@cache
def foods() -> dict[str, Food]:
    """The bundled food table, by code."""
    with FOODS_FILE.open(encoding="utf-8") as fh:
        return {
            row["code"]: Food(
                row["code"],
                row["name"],
                float(row["kcal"]),
                float(row["protein_g"]),
                float(row["carbs_g"]),
                float(row["fat_g"]),
                float(row["sodium_mg"]),
            )
            for row in csv.DictReader(fh)
        }


def log_meal(
    patient_id: int, eaten_on: date, kind: str, items: Sequence[tuple[str, int]]
) -> HealthMeal:
    """Log a meal of (food code, grams) items; nutrients are worked out from the table."""
    if kind not in MEAL_KINDS:
        raise HealthError(_l("Unknown meal."))
    table = foods()
    if not items:
        raise HealthError(_l("Add at least one food."))
    meal = HealthMeal(patient_id=patient_id, eaten_on=eaten_on, kind=kind)
    for code, grams in items:
        food = table.get(code)
        if food is None or not 1 <= grams <= 2000:
            raise HealthError(_l("Choose a food from the list and a portion of 1 to 2000 g."))
        factor = grams / 100
        meal.items.append(
            HealthMealItem(
                food_code=code,
                grams=grams,
                kcal=round(food.kcal * factor, 1),
                protein_g=round(food.protein_g * factor, 1),
                carbs_g=round(food.carbs_g * factor, 1),
                fat_g=round(food.fat_g * factor, 1),
                sodium_mg=round(food.sodium_mg * factor, 1),
            )
        )
    db.session.add(meal)
    db.session.flush()
    return meal


def meals_on(patient_id: int, day: date) -> list[HealthMeal]:
    """The patient's meals of one day."""
    return list(
        db.session.execute(
            select(HealthMeal)
            .where(HealthMeal.patient_id == patient_id, HealthMeal.eaten_on == day)
            .order_by(HealthMeal.id)
        ).scalars()
    )


def daily_totals(patient_id: int, day: date) -> dict[str, float]:
    """The day's energy and nutrients (one query)."""
    row = db.session.execute(
        select(
            func.coalesce(func.sum(HealthMealItem.kcal), 0),
            func.coalesce(func.sum(HealthMealItem.protein_g), 0),
            func.coalesce(func.sum(HealthMealItem.carbs_g), 0),
            func.coalesce(func.sum(HealthMealItem.fat_g), 0),
            func.coalesce(func.sum(HealthMealItem.sodium_mg), 0),
        )
        .join(HealthMeal, HealthMeal.id == HealthMealItem.meal_id)
        .where(HealthMeal.patient_id == patient_id, HealthMeal.eaten_on == day)
    ).one()
    return dict(
        zip(("kcal", "protein_g", "carbs_g", "fat_g", "sodium_mg"), map(float, row), strict=True)
    )


def nutrition_plan(calorie_plan: int) -> dict[str, float]:
    """A day's plan: calories as agreed, macros at 20/50/30 % of energy, sodium 2,300 mg."""
    return {
        "kcal": float(calorie_plan),
        "protein_g": round(calorie_plan * 0.20 / 4),
        "carbs_g": round(calorie_plan * 0.50 / 4),
        "fat_g": round(calorie_plan * 0.30 / 9),
        "sodium_mg": float(SODIUM_PLAN_MG),
    }


INTENSITIES = ("light", "moderate", "vigorous")
INTENSITY_WEIGHT = {"light": 0, "moderate": 1, "vigorous": 2}


def log_exercise(
    patient_id: int, performed_on: date, activity: str, minutes: int, intensity: str
) -> HealthExercise:
    """Log an activity."""
    if intensity not in INTENSITIES or not 1 <= minutes <= 600:
        raise HealthError(_l("Minutes from 1 to 600 and a known intensity, please."))
    item = HealthExercise(
        patient_id=patient_id,
        performed_on=performed_on,
        activity=activity.strip()[:60],
        minutes=minutes,
        intensity=intensity,
    )
    db.session.add(item)
    db.session.flush()
    refresh_goals(patient_id)
    return item


def weekly_minutes(patient_id: int, ending_on: date) -> int:
    """Active minutes in the 7 days ending on ``ending_on``: moderate once, vigorous twice.

    Light activity is good for you but does not count toward the 150-minute guideline.
    """
    rows = db.session.execute(
        select(HealthExercise.intensity, func.sum(HealthExercise.minutes))
        .where(
            HealthExercise.patient_id == patient_id,
            HealthExercise.performed_on > ending_on - timedelta(days=7),
            HealthExercise.performed_on <= ending_on,
        )
        .group_by(HealthExercise.intensity)
    ).all()
    return int(sum(INTENSITY_WEIGHT.get(i, 0) * (m or 0) for i, m in rows))


def weekly_minutes_many(
    patient_ids: Iterable[int], endings: Iterable[date]
) -> dict[int, dict[date, int]]:
    """:func:`weekly_minutes` for many patients and weeks in one query: id -> end -> minutes."""
    ids, ends = _unique_ids(patient_ids), sorted(set(endings))
    daily: dict[int, dict[date, int]] = {pid: defaultdict(int) for pid in ids}
    if ids and ends:
        rows = db.session.execute(
            select(
                HealthExercise.patient_id,
                HealthExercise.performed_on,
                HealthExercise.intensity,
                func.sum(HealthExercise.minutes),
            )
            .where(
                HealthExercise.patient_id.in_(ids),
                HealthExercise.performed_on > ends[0] - timedelta(days=7),
                HealthExercise.performed_on <= ends[-1],
            )
            .group_by(
                HealthExercise.patient_id, HealthExercise.performed_on, HealthExercise.intensity
            )
        )
        for pid, day, intensity, minutes in rows:
            daily[pid][day] += INTENSITY_WEIGHT.get(intensity, 0) * (minutes or 0)
    return {
        pid: {
            end: int(
                sum(m for day, m in daily[pid].items() if end - timedelta(days=7) < day <= end)
            )
            for end in ends
        }
        for pid in ids
    }


def exercises_of(patient_id: int, days: int = 28) -> list[HealthExercise]:
    """The patient's recent activities, newest first."""
    return list(
        db.session.execute(
            select(HealthExercise)
            .where(
                HealthExercise.patient_id == patient_id,
                HealthExercise.performed_on > clock.today() - timedelta(days=days),
            )
            .order_by(HealthExercise.performed_on.desc(), HealthExercise.id.desc())
        ).scalars()
    )


# --- learning ------------------------------------------------------------------------------


def progress_of(patient_id: int) -> dict[str, HealthModuleProgress]:
    """The patient's progress rows by module slug."""
    rows = db.session.execute(
        select(HealthModuleProgress).where(HealthModuleProgress.patient_id == patient_id)
    ).scalars()
    return {p.module: p for p in rows}


def _progress_row(patient_id: int, slug: str) -> HealthModuleProgress:
    row = progress_of(patient_id).get(slug)
    if row is None:
        row = HealthModuleProgress(patient_id=patient_id, module=slug, pages_seen=0)
        db.session.add(row)
        db.session.flush()
    return row


def module_or_404(slug: str) -> Module:
    """The bundled module with this slug, or 404."""
    module = MODULES.get(slug)
    if module is None:
        abort(404)
    return module


def assign_module(patient_id: int, slug: str, clinician_id: int | None) -> HealthModuleProgress:
    """Assign a module to the patient (keeps any progress already made)."""
    if slug not in MODULES:
        raise HealthError(_l("Unknown module."))
    row = _progress_row(patient_id, slug)
    row.assigned_by = clinician_id
    db.session.flush()
    return row


def see_page(patient_id: int, slug: str, page: int) -> HealthModuleProgress:
    """Note that the patient has read up to ``page`` (1-based)."""
    row = _progress_row(patient_id, slug)
    row.pages_seen = max(row.pages_seen or 0, min(page, len(MODULES[slug].pages)))
    db.session.flush()
    return row


def submit_quiz(patient_id: int, slug: str, answers: Sequence[int | None]) -> tuple[int, bool]:
    """Score the quiz; passing (two thirds right) completes the module. Returns (score, passed)."""
    module = MODULES[slug]
    score = sum(
        1 for q, a in zip(module.quiz, answers, strict=False) if a is not None and a == q.answer
    )
    passed = score >= math.ceil(len(module.quiz) * 2 / 3)
    row = _progress_row(patient_id, slug)
    row.score = max(row.score or 0, score)
    row.pages_seen = len(module.pages)
    if passed and row.completed_at is None:
        row.completed_at = clock.now()
        record(
            patient_id,
            KEY,
            "module_completed",
            _l("Completed: %(t)s", t=module.title),
            _l("%(s)s of %(n)s right", s=score, n=len(module.quiz)),
            {"module": slug},
            f"/health/learn/{slug}",
            key=f"health.module:{slug}",
        )
    db.session.flush()
    return score, passed


def suggested_modules(patient_id: int) -> list[str]:
    """Modules that fit the patient's goals and recent readings, not yet completed."""
    wanted: set[str] = {g.measure for g in goals_of(patient_id, ("proposed", "active"))}
    latest = latest_by_kind(patient_id)
    bp = latest.get("bp")
    if bp and classify_blood_pressure(bp.value, bp.value2 or 0) != "normal":
        wanted.update({"systolic", "diastolic"})
    glucose = latest.get("glucose")
    if glucose and out_of_range("glucose", glucose.value):
        wanted.add("glucose")
    pdc = adherence(patient_id)
    if pdc is not None and pdc < PDC_MARK:
        wanted.add("adherence")
    done = {slug for slug, p in progress_of(patient_id).items() if p.completed_at}
    return [
        slug for slug, m in MODULES.items() if slug not in done and wanted.intersection(m.measures)
    ]


# --- community -------------------------------------------------------------------------------


def ensure_groups(groups: Iterable[Mapping[str, str]]) -> list[HealthGroup]:
    """Get or create community groups by slug."""
    found = []
    for spec in groups:
        group = db.session.execute(
            select(HealthGroup).where(HealthGroup.slug == spec["slug"])
        ).scalar_one_or_none()
        if group is None:
            group = HealthGroup(
                slug=spec["slug"],
                name=spec["name"],
                description=spec.get("description", ""),
                measure=spec.get("measure", ""),
            )
            db.session.add(group)
            db.session.flush()
        found.append(group)
    return found


def groups() -> list[HealthGroup]:
    """Every community group."""
    return list(db.session.execute(select(HealthGroup).order_by(HealthGroup.name)).scalars())


def group_or_404(slug: str) -> HealthGroup:
    """The group with this slug, or 404."""
    group = db.session.execute(
        select(HealthGroup).where(HealthGroup.slug == slug)
    ).scalar_one_or_none()
    if group is None:
        abort(404)
    return group


def visible_post_or_404(post_id: Any) -> HealthPost:
    """A post that is not hidden, or 404."""
    try:
        pid = int(post_id)
    except (TypeError, ValueError):
        abort(404)
    post = db.session.get(HealthPost, pid)
    if post is None or post.hidden:
        abort(404)
    return post


def set_display_name(user_id: int, name: str) -> HealthPatientProfile:
    """Choose the name shown in the community (never the account name unless typed)."""
    name = " ".join(name.split())
    if not 2 <= len(name) <= 40:
        raise HealthError(_l("A display name has 2 to 40 characters."))
    taken = db.session.execute(
        select(HealthPatientProfile.id).where(
            func.lower(HealthPatientProfile.display_name) == name.lower(),
            HealthPatientProfile.user_id != user_id,
        )
    ).first()
    if taken:
        raise HealthError(_l("Someone already uses that name."))
    profile = profile_for(user_id)
    profile.display_name = name
    db.session.flush()
    return profile


def create_post(
    user_id: int,
    group: HealthGroup,
    body: str,
    milestone: bool = False,
    parent: HealthPost | None = None,
) -> HealthPost:
    """Post in a group (or reply); needs a display name first."""
    if not profile_for(user_id).display_name:
        raise HealthError(_l("Choose a display name before posting."))
    body = body.strip()
    if not 1 <= len(body) <= 2000:
        raise HealthError(_l("Write between 1 and 2000 characters."))
    post = HealthPost(
        group_id=group.id,
        author_id=user_id,
        parent_id=parent.id if parent else None,
        body=body,
        milestone=bool(milestone) and parent is None,
    )
    db.session.add(post)
    db.session.flush()
    if parent and parent.author_id != user_id:
        author = parent.author_id
        with in_locale(recipient_locales([author])[author]):
            title = str(_l("New reply to your post"))
        notify(
            author,
            "health.community",
            title,
            "",
            f"/health/community/{group.slug}#post-{parent.id}",
            key=f"health.reply:{post.id}",
        )
    return post


def cheer(user_id: int, post: HealthPost) -> bool:
    """Cheer a post once; False if already cheered or it is one's own."""
    if post.author_id == user_id:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(HealthCheer(post_id=post.id, user_id=user_id))
    except IntegrityError:
        return False
    group = db.session.get_one(HealthGroup, post.group_id)
    with in_locale(recipient_locales([post.author_id])[post.author_id]):
        title = str(_l("Someone cheered your post"))
    notify(
        post.author_id,
        "health.community",
        title,
        "",
        f"/health/community/{group.slug}#post-{post.id}",
        key=f"health.cheer:{post.id}:{user_id}",
    )
    return True


def report_post(user_id: int, post: HealthPost, reason: str) -> bool:
    """Report a post to the moderators once; False if already reported by this member."""
    try:
        with db.session.begin_nested():
            db.session.add(
                HealthPostReport(post_id=post.id, reporter_id=user_id, reason=reason[:200])
            )
    except IntegrityError:
        return False
    return True


def hide_post(post_id: Any) -> HealthPost:
    """A moderator hides a post (and resolves its reports)."""
    post = visible_post_or_404(post_id)
    post.hidden = True
    for report in db.session.execute(
        select(HealthPostReport).where(HealthPostReport.post_id == post.id)
    ).scalars():
        report.resolved = True
    db.session.flush()
    return post


def dismiss_reports(post_id: Any) -> None:
    """A moderator keeps a reported post: its reports are resolved."""
    post = visible_post_or_404(post_id)
    for report in db.session.execute(
        select(HealthPostReport).where(HealthPostReport.post_id == post.id)
    ).scalars():
        report.resolved = True
    db.session.flush()


@dataclass
class Thread:
    """A post with its author's display name, cheers and replies, ready to show."""

    post: HealthPost
    author: str
    cheers: int
    cheered: bool
    replies: list[Thread] = field(default_factory=list)


def threads(group: HealthGroup, viewer_id: int) -> list[Thread]:
    """The group's visible posts, newest first, with replies oldest first (three queries)."""
    posts = list(
        db.session.execute(
            select(HealthPost)
            .where(HealthPost.group_id == group.id, HealthPost.hidden.is_(False))
            .order_by(HealthPost.created_at.desc(), HealthPost.id.desc())
            .limit(200)
        ).scalars()
    )
    ids = [p.id for p in posts]
    names = dict(
        db.session.execute(
            select(HealthPatientProfile.user_id, HealthPatientProfile.display_name).where(
                HealthPatientProfile.user_id.in_({p.author_id for p in posts})
            )
        ).all()
    )
    counts: dict[int, int] = defaultdict(int)
    mine: set[int] = set()
    for post_id, uid in db.session.execute(
        select(HealthCheer.post_id, HealthCheer.user_id).where(HealthCheer.post_id.in_(ids))
    ).all():
        counts[post_id] += 1
        if uid == viewer_id:
            mine.add(post_id)
    made = {
        p.id: Thread(p, names.get(p.author_id) or str(_l("Member")), counts[p.id], p.id in mine)
        for p in posts
    }
    tops = []
    for post in posts:
        if post.parent_id is None:
            tops.append(made[post.id])
        elif post.parent_id in made:
            made[post.parent_id].replies.insert(0, made[post.id])
    return tops


def open_reports() -> list[tuple[HealthPost, int, HealthGroup]]:
    """Reported posts still visible and unresolved: (post, how many reports, its group).

    The group comes whole so the moderation page can name it (its seeded, translated name)
    and link to it (its slug).
    """
    rows = db.session.execute(
        select(HealthPost, func.count(HealthPostReport.id), HealthGroup)
        .join(HealthPostReport, HealthPostReport.post_id == HealthPost.id)
        .join(HealthGroup, HealthGroup.id == HealthPost.group_id)
        .where(HealthPostReport.resolved.is_(False), HealthPost.hidden.is_(False))
        .group_by(HealthPost.id, HealthGroup.id)
        .order_by(func.count(HealthPostReport.id).desc(), HealthPost.id)
    ).all()
    return [(p, n, group) for p, n, group in rows]


# --- visits and the clinician's panel --------------------------------------------------------


def record_visit(
    clinician_id: int,
    patient_id: int,
    notes: str = "",
    next_visit_on: date | None = None,
) -> HealthVisit:
    """Record a consultation; goals, medications and modules agreed are attached by the caller."""
    visit = HealthVisit(
        patient_id=patient_id,
        clinician_id=clinician_id,
        notes=notes.strip(),
        next_visit_on=next_visit_on,
    )
    db.session.add(visit)
    db.session.flush()
    record(
        patient_id,
        KEY,
        "visit",
        _l("Visit with your care team"),
        visit.notes[:200],
        {"visit_id": visit.id},
        "/health/",
        key=f"health.visit:{visit.id}",
    )
    return visit


def visits_of(patient_id: int) -> list[HealthVisit]:
    """The patient's visits, newest first."""
    return list(
        db.session.execute(
            select(HealthVisit)
            .where(HealthVisit.patient_id == patient_id)
            .order_by(HealthVisit.occurred_at.desc())
        ).scalars()
    )


@dataclass(frozen=True)
class PanelFlag:
    """A reading of the last week that needs attention: why, and when it was taken.

    ``reason`` is a lazy string and ``observed_at`` a datetime, so the panel writes both in the
    clinician's language ("Hypertensive crisis (3 mar)"), never in the server's.
    """

    reason: LazyString
    observed_at: datetime
    crisis: bool = False


@dataclass
class PanelRow:
    """One patient on the clinician's panel, with what needs attention and a need score."""

    patient: User
    flags: list[PanelFlag]
    missed: int
    adherence: float | None
    wrong_way: list[LazyString]
    last_bp: str
    need: int


def panel(clinician_id: int) -> list[PanelRow]:
    """The clinician's patients, most in need first.

    Scores: a crisis reading in the last 7 days 100, each other out-of-range reading 20, each
    missed dose 5, each goal going the wrong way 15, adherence under 80 % 10.

    Set-based: each kind of row (readings, goals, medicines, doses, exercise) is loaded for the
    whole panel at once by the ``*_many`` helpers, so the page costs the same ten or so queries
    for 2 patients or 2,000, and each row is what the per-patient helpers give that patient.
    """
    patients = patients_of(clinician_id)
    ids = [p.id for p in patients]
    week = recent_readings_many(ids, days=7)
    missed = missed_doses_many(ids)
    pdc = adherence_many(ids)
    goals = [
        g for by_patient in goals_of_many(ids, ("proposed", "active")).values() for g in by_patient
    ]
    wrong: dict[int, list[LazyString]] = {pid: [] for pid in ids}
    for goal, wrong_way in zip(goals, wrong_way_many(goals), strict=True):
        if wrong_way:
            wrong[goal.patient_id].append(MEASURES[goal.measure].label)
    latest_bp = latest_by_kind_many(ids, ("bp",))
    rows = []
    for patient in patients:
        flags, need = [], 0
        for obs in week[patient.id]:
            reason = out_of_range(obs.kind, obs.value, obs.value2)
            if reason is not None:  # not ``if reason``: that would translate every flag here
                crisis = is_crisis(obs)
                flags.append(PanelFlag(reason, obs.observed_at, crisis))
                need += 100 if crisis else 20
        need += 5 * missed[patient.id] + 15 * len(wrong[patient.id])
        adherent = pdc[patient.id]
        if adherent is not None and adherent < PDC_MARK:
            need += 10
        bp = latest_bp[patient.id].get("bp")
        last_bp = f"{int(bp.value)}/{int(bp.value2 or 0)}" if bp else ""
        rows.append(
            PanelRow(patient, flags, missed[patient.id], adherent, wrong[patient.id], last_bp, need)
        )
    return sorted(rows, key=lambda r: (-r.need, r.patient.name))


def check_ins_for(patient_id: int, limit: int = 20) -> list[HealthGoalCheckIn]:
    """The patient's latest goal check-ins (the care team reads them)."""
    return list(
        db.session.execute(
            select(HealthGoalCheckIn)
            .where(HealthGoalCheckIn.patient_id == patient_id)
            .order_by(HealthGoalCheckIn.id.desc())
            .limit(limit)
        ).scalars()
    )


# --- device token and ingest ------------------------------------------------------------------


def issue_device_token(patient_id: int) -> str:
    """A new device token for the patient's wearable; the old one stops working."""
    from dcx.platform.api.services import new_token

    raw, hashed = new_token("dcxh")
    profile_for(patient_id).device_token_hash = hashed
    db.session.flush()
    return raw


def revoke_device_token(patient_id: int) -> None:
    """Stop the wearable's token."""
    profile_for(patient_id).device_token_hash = None
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
        observed_at = datetime.fromisoformat(item["observed_at"].replace("Z", "+00:00"))
        if observed_at.tzinfo is None:
            observed_at = observed_at.replace(tzinfo=UTC)
        if observed_at > clock.now() + timedelta(minutes=5):
            raise HealthError("observed_at is in the future")
        kind = item["type"]
        value = item["systolic"] if kind == "bp" else item["value"]
        log_observation(
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


# --- export -----------------------------------------------------------------------------------


def _coding(code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": "http://loinc.org", "code": code, "display": display}]}


def _quantity(value: float, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit}


def fhir_bundle(patient_id: int) -> dict[str, Any]:
    """The patient's readings as a FHIR R4 collection Bundle of vital-signs Observations."""
    rows = db.session.execute(
        select(HealthObservation)
        .where(HealthObservation.patient_id == patient_id)
        .order_by(HealthObservation.observed_at, HealthObservation.id)
    ).scalars()
    profile = profile_for(patient_id)
    entries = []
    category = [
        {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                    "code": "vital-signs",
                }
            ]
        }
    ]
    for obs in rows:
        spec = VITALS[obs.kind]
        resource: dict[str, Any] = {
            "resourceType": "Observation",
            "id": f"obs-{obs.id}",
            "status": "final",
            "category": category,
            "subject": {"reference": f"Patient/{patient_id}"},
            "effectiveDateTime": obs.observed_at.isoformat(),
        }
        if obs.kind == "bp":
            resource["code"] = _coding(BP_PANEL_CODE, "Blood pressure panel")
            resource["component"] = [
                {
                    "code": _coding(obs.code, "Systolic blood pressure"),
                    "valueQuantity": _quantity(obs.value, obs.unit),
                },
                {
                    "code": _coding(obs.code2 or "8462-4", "Diastolic blood pressure"),
                    "valueQuantity": _quantity(obs.value2 or 0, obs.unit),
                },
            ]
        else:
            resource["code"] = _coding(obs.code, str(spec.label))
            resource["valueQuantity"] = _quantity(obs.value, obs.unit)
        entries.append({"fullUrl": f"urn:uuid:dcx-health-obs-{obs.id}", "resource": resource})
        if obs.kind == "weight":
            bmi = body_mass_index(obs.value, profile.height_cm)
            if bmi is not None:
                entries.append(
                    {
                        "fullUrl": f"urn:uuid:dcx-health-bmi-{obs.id}",
                        "resource": {
                            **resource,
                            "id": f"bmi-{obs.id}",
                            "code": _coding(BMI_CODE, "Body mass index"),
                            "valueQuantity": _quantity(bmi, "kg/m2"),
                        },
                    }
                )
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": clock.now().isoformat(),
        "entry": entries,
    }


def observations_csv(patient_id: int) -> str:
    """The patient's readings as CSV: one row per value, with LOINC code and unit."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["observed_at", "kind", "loinc", "value", "unit", "source"])
    rows = db.session.execute(
        select(HealthObservation)
        .where(HealthObservation.patient_id == patient_id)
        .order_by(HealthObservation.observed_at, HealthObservation.id)
    ).scalars()
    for obs in rows:
        writer.writerow(
            [obs.observed_at.isoformat(), obs.kind, obs.code, obs.value, obs.unit, obs.source]
        )
        if obs.code2:
            writer.writerow(
                [obs.observed_at.isoformat(), obs.kind, obs.code2, obs.value2, obs.unit, obs.source]
            )
    return out.getvalue()


# --- extension points ---------------------------------------------------------------------------


def calendar(user_id: int) -> list[Any]:
    """Next visits and medication reviews for the customer's calendar feed.

    Titles are written now, in the current locale: the platform builds the feed (or the
    calendar page) right after asking, for the person it is meant for.
    """
    from dcx.verticals import CalendarEntry

    entries = []
    today = clock.today()
    for visit in visits_of(user_id):
        if visit.next_visit_on and visit.next_visit_on >= today:
            start = datetime.combine(visit.next_visit_on, time(9), tzinfo=UTC)
            entries.append(
                CalendarEntry(
                    uid=f"health-visit-{visit.id}@dcx",
                    title=gettext("Follow-up visit"),
                    starts_at=start,
                    ends_at=start + timedelta(minutes=30),
                )
            )
    for med in medications_of(user_id):
        if med.review_on and med.review_on >= today:
            start = datetime.combine(med.review_on, time(9), tzinfo=UTC)
            entries.append(
                CalendarEntry(
                    uid=f"health-medreview-{med.id}@dcx",
                    title=gettext("Medication review: %(n)s", n=med.name),
                    starts_at=start,
                    ends_at=start + timedelta(minutes=15),
                )
            )
    return entries


def summary_card(user_id: int) -> dict[str, Any] | None:
    """The customer-360 card: counts only, and nothing at all without the patient's consent.

    Written now, in the language of the staff member looking at it, with plural forms.
    """
    user = db.session.get(User, user_id)
    if user is None:
        return None
    has_record = (
        db.session.execute(
            select(HealthCareTeamMember.id).where(HealthCareTeamMember.patient_id == user_id)
        ).first()
        or db.session.execute(
            select(HealthObservation.id).where(HealthObservation.patient_id == user_id)
        ).first()
    )
    if not has_record:
        return None
    link = f"/health/staff/patients/{user_id}"
    if not user.health_consent:
        return {
            "title": gettext("Health"),
            "lines": [gettext("Private: the patient has not agreed to share health details.")],
            "link": link,
        }
    active = len(goals_of(user_id, ("active",)))
    achieved = len(goals_of(user_id, ("achieved",)))
    pdc = adherence(user_id)
    lines = [
        ngettext(
            "%(num)d active goal, %(achieved)d achieved",
            "%(num)d active goals, %(achieved)d achieved",
            active,
            achieved=achieved,
        )
    ]
    if pdc is not None:
        lines.append(gettext("Medication adherence %(p)s%%", p=round(pdc * 100)))
    return {"title": gettext("Health"), "lines": lines, "link": link}
