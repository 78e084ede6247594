"""Goals set with the doctor: measures, progress, check-ins, and the goals a clinician proposes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_babel import LazyString, format_decimal
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from dcx.database import rows_where
from dcx.extensions import db
from dcx.health import food_and_exercise, vitals
from dcx.health.goal_messages import tell_patient_of_proposal
from dcx.health.models import (
    GoalStatus,
    HealthGoal,
    HealthGoalCheckIn,
    HealthObservation,
)
from dcx.health.rules import KEY, HealthError
from dcx.platform import clock
from dcx.platform.links import link
from dcx.platform.timeline.services import record


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
GOAL_STATUSES = tuple(member.value for member in GoalStatus)
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
                float(food_and_exercise.weekly_minutes(patient_id, today - timedelta(days=7 * w))),
            )
            for w in range(max(1, days // 7) - 1, -1, -1)
        ]
    kind = {"systolic": "bp", "diastolic": "bp"}.get(measure, measure)
    rows = vitals.recent_observations(patient_id, kind, days)
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
        return float(food_and_exercise.weekly_minutes(patient_id, clock.today()))
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
        minutes = food_and_exercise.weekly_minutes_many(active, endings)
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
    return rows_where(
        HealthGoal,
        HealthGoal.patient_id == patient_id,
        HealthGoal.status.in_(list(statuses)),
        order_by=(HealthGoal.id.desc(),),
    )


def goals_of_many(
    patient_ids: Iterable[int], statuses: Iterable[str] = GOAL_STATUSES
) -> dict[int, list[HealthGoal]]:
    """:func:`goals_of` for many patients in one query: id -> goals, newest first."""
    ids = vitals._unique_ids(patient_ids)
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
        link("health.goals"),
        key=f"health.goal_set:{goal.id}",
    )
    if status == GoalStatus.PROPOSED:
        tell_patient_of_proposal(goal)
    return goal


def set_goal_status(goal: HealthGoal, status: str) -> HealthGoal:
    """Change a goal's status (clinician), recording an achievement on the timeline."""
    if status not in GOAL_STATUSES:
        raise HealthError(_l("Unknown goal status."))
    goal.status = status
    if status == GoalStatus.ACHIEVED:
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
        link("health.goals"),
        key=f"health.goal_reached:{goal.id}",
    )


def accept_goal(patient_id: int, goal_id: Any) -> HealthGoal:
    """The patient agrees to a goal the clinician proposed: it becomes active."""
    from dcx.database import owned_or_404

    goal = owned_or_404(HealthGoal, goal_id, patient_id, owner_attr="patient_id")
    if goal.status != GoalStatus.PROPOSED:
        raise HealthError(_l("Only a proposed goal can be accepted."))
    goal.status = GoalStatus.ACTIVE.value
    db.session.flush()
    return goal


def refresh_goals(patient_id: int) -> list[HealthGoal]:
    """Mark active goals achieved when the current value reaches the target."""
    reached = []
    for goal in goals_of(patient_id, ("active",)):
        if goal_progress(goal.baseline, goal.target, current_value(patient_id, goal.measure)) >= 1:
            goal.status = GoalStatus.ACHIEVED.value
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
