"""The clinician's panel is set-based: a fixed number of queries however many patients it has,
and the same rows, in the same order, as the per-patient helpers give."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from dcx.extensions import db
from dcx.health import care_team, food_and_exercise, medication, panel, vitals
from dcx.health import goals as health_goals
from dcx.health.models import (
    HealthDose,
    HealthExercise,
    HealthGoal,
    HealthMedication,
    HealthObservation,
)
from dcx.platform import clock
from tests.conftest import make_user

# A patient of each of these kinds, in turn; the first two between them touch every kind of
# row the panel reads, so a panel of 2 runs every query a panel of 20 runs.
VARIANTS = ("improving", "struggling", "glucose", "fitness", "new")


@pytest.fixture(autouse=True)
def frozen_clock(app, monkeypatch):
    """Stop the clock, so the two panels compared see the same "now" to the microsecond."""
    frozen = clock.real_now()
    monkeypatch.setattr(clock, "real_now", lambda: frozen)
    return frozen


def panel_per_patient(clinician_id: int) -> list[panel.PanelRow]:
    """The panel as it was computed before it became set-based: patient by patient."""
    rows = []
    for patient in care_team.patients_of(clinician_id):
        flags, need = [], 0
        for obs in vitals.recent_observations(patient.id, days=7):
            reason = vitals.out_of_range(obs.kind, obs.value, obs.value2)
            if reason:
                crisis = vitals.is_crisis(obs)
                flags.append(panel.PanelFlag(reason, obs.observed_at, crisis))
                need += 100 if crisis else 20
        missed = medication.missed_doses(patient.id)
        need += 5 * missed
        wrong = [
            view.measure.label
            for view in map(
                health_goals.goal_view, health_goals.goals_of(patient.id, ("proposed", "active"))
            )
            if view.wrong_way
        ]
        need += 15 * len(wrong)
        pdc = medication.adherence(patient.id)
        if pdc is not None and pdc < medication.PDC_MARK:
            need += 10
        bp = vitals.latest_by_kind(patient.id).get("bp")
        last_bp = f"{int(bp.value)}/{int(bp.value2 or 0)}" if bp else ""
        rows.append(panel.PanelRow(patient, flags, missed, pdc, wrong, last_bp, need))
    return sorted(rows, key=lambda r: (-r.need, r.patient.name))


def comparable(rows: list[panel.PanelRow]) -> list[tuple]:
    """Panel rows as plain values (lazy strings rendered), so two panels compare exactly."""
    return [
        (
            r.patient.id,
            [(str(f.reason), f.observed_at, f.crisis) for f in r.flags],
            r.missed,
            r.adherence,
            [str(w) for w in r.wrong_way],
            r.last_bp,
            r.need,
        )
        for r in rows
    ]


# --- building patients with a history -------------------------------------------------------


def _reading(patient_id: int, kind: str, value: float, at: datetime, value2=None) -> None:
    spec = vitals.VITALS[kind]
    db.session.add(
        HealthObservation(
            patient_id=patient_id,
            kind=kind,
            code=spec.code,
            value=float(value),
            unit=spec.unit,
            code2=spec.code2,
            value2=value2,
            observed_at=at,
        )
    )


def _goal(patient_id: int, measure: str, baseline: float, target: float, status="active"):
    db.session.add(
        HealthGoal(
            patient_id=patient_id,
            measure=measure,
            baseline=baseline,
            target=target,
            due_on=clock.today() + timedelta(days=60),
            status=status,
        )
    )


def _medication(patient_id: int, name: str, times: str, active=True) -> HealthMedication:
    med = HealthMedication(
        patient_id=patient_id,
        name=name,
        dose="1 tablet",
        times=times,
        start_on=clock.today() - timedelta(days=40),
        active=active,
    )
    db.session.add(med)
    db.session.flush()
    return med


def _doses(med: HealthMedication, status_of) -> None:
    """Record the medicine's last 40 days of doses; ``status_of(n)`` says what happened to
    the n-th (None: never marked)."""
    now = clock.now()
    for n, slot in enumerate(medication.slots_between(med, now - timedelta(days=40), now)):
        status = status_of(n)
        if status:
            db.session.add(
                HealthDose(
                    medication_id=med.id,
                    patient_id=med.patient_id,
                    scheduled_at=slot,
                    status=status,
                    recorded_at=slot,
                )
            )


def _exercise(patient_id: int, days_ago: int, minutes: int, intensity: str) -> None:
    db.session.add(
        HealthExercise(
            patient_id=patient_id,
            performed_on=clock.today() - timedelta(days=days_ago),
            activity="Walk",
            minutes=minutes,
            intensity=intensity,
        )
    )


def add_patient(clinician_id: int, number: int):
    """A patient on the clinician's panel, with the history of ``VARIANTS[number % 5]``."""
    variant = VARIANTS[number % len(VARIANTS)]
    patient = make_user(f"patient{number}@example.com", f"Patient {number:03d}")
    pid = patient.id
    care_team.add_to_care_team(pid, clinician_id)
    now = clock.now()
    if variant == "improving":  # a crisis this week, goals going well, doses taken
        for d in range(40, 0, -1):
            _reading(pid, "bp", 130 + d // 2, now - timedelta(days=d, hours=1), 80 + d // 4)
            _reading(pid, "heart_rate", 70, now - timedelta(days=d, hours=1))
        _reading(pid, "bp", 188, now - timedelta(days=2, hours=5), 118)  # crisis
        _reading(pid, "bp", 150, now - timedelta(days=3, hours=5), 92)  # stage 2
        _goal(pid, "systolic", 160, 130)
        _goal(pid, "diastolic", 100, 80, status="proposed")
        _goal(pid, "exercise_minutes", 60, 150)
        med = _medication(pid, "Lisinopril", "08:00")
        _doses(med, lambda n: "late" if n % 7 == 0 else "taken")
        for d in range(0, 28, 2):
            _exercise(pid, d, 30, "moderate")
    elif variant == "struggling":  # rising pressure, doses skipped or forgotten
        for d in range(30, 0, -1):
            _reading(pid, "bp", 135 + (30 - d), now - timedelta(days=d, hours=2), 85 + (30 - d) / 3)
        # two readings at the same moment (ordered by id) and one without a second value
        same = now - timedelta(hours=20)
        _reading(pid, "bp", 171, same, 99)
        _reading(pid, "bp", 173, same, 101)
        _reading(pid, "bp", 169, now - timedelta(hours=10))
        _reading(pid, "heart_rate", 112, now - timedelta(days=1))
        _goal(pid, "systolic", 140, 125)
        _goal(pid, "diastolic", 90, 80)
        _goal(pid, "heart_rate", 80, 65, status="proposed")
        med = _medication(pid, "Amlodipine", "08:00,20:00")
        _doses(med, lambda n: None if n % 4 == 0 else ("skipped" if n % 3 == 0 else "taken"))
        _exercise(pid, 3, 20, "light")
    elif variant == "glucose":  # high glucose, an old weight, a stopped medicine still counted
        for d in range(20, 0, -1):
            _reading(pid, "glucose", 150 + d * 3, now - timedelta(days=d, hours=3))
        _reading(pid, "glucose", 62, now - timedelta(days=1, hours=3))
        for d in (80, 65, 50, 45):  # only within the 90 days of "current", not the 30 of a trend
            _reading(pid, "weight", 90 - d / 10, now - timedelta(days=d))
        _goal(pid, "glucose", 200, 120)
        _goal(pid, "weight", 95, 85)
        _goal(pid, "glucose", 220, 120, status="achieved")  # not on the panel
        _doses(_medication(pid, "Metformin", "08:00,20:00"), lambda n: "taken")
        stopped = _medication(pid, "Gliclazide", "12:00", active=False)
        _doses(stopped, lambda n: "taken")
    elif variant == "fitness":  # moving less each week; the newest bp row is the oldest reading
        for week, minutes in enumerate((100, 70, 40, 10)):
            _exercise(pid, 21 - 7 * week, minutes, "vigorous")
        _exercise(pid, 1, 45, "light")
        _reading(pid, "bp", 122, now - timedelta(days=3), 78)
        _reading(pid, "heart_rate", 45, now - timedelta(days=4))
        _reading(pid, "spo2", 90, now - timedelta(days=5))
        _reading(pid, "temperature", 38.4, now - timedelta(days=6))
        db.session.flush()
        _reading(pid, "bp", 118, now - timedelta(days=200), 76)  # typed in late
        _goal(pid, "exercise_minutes", 90, 150)
        _goal(pid, "heart_rate", 70, 60)
    db.session.commit()
    return patient


def add_patients(clinician_id: int, first: int, last: int) -> None:
    """Patients numbered ``first`` to ``last - 1``."""
    for number in range(first, last):
        add_patient(clinician_id, number)


# --- query counts ------------------------------------------------------------------------------


def test_panel_runs_the_same_queries_for_2_and_20_patients(app, clinician, query_counter):
    clinician_id, counts = clinician.id, []
    for first, last in ((0, 2), (2, 20)):
        add_patients(clinician_id, first, last)
        panel.panel(clinician_id)  # once-per-context look-ups (the showcase's language)
        db.session.expunge_all()  # nothing already loaded: every row is read afresh
        with query_counter() as q:
            rows = panel.panel(clinician_id)
        counts.append(q())
        assert len(rows) == last
    assert counts[0] == counts[1] <= 12, counts


def test_panel_page_runs_the_same_queries_for_2_and_20_patients(
    app, clinician, clinician_client, query_counter
):
    counts = []
    for first, last in ((0, 2), (2, 20)):
        add_patients(clinician.id, first, last)
        with query_counter() as q:
            page = clinician_client.get("/health/staff")
        assert page.status_code == 200
        assert page.get_data(as_text=True).count("data-patient=") == last
        counts.append(q())
    assert counts[0] == counts[1] < 30, counts


# --- same answers as the per-patient helpers ----------------------------------------------------


def test_set_based_panel_equals_the_per_patient_panel(app, clinician):
    add_patients(clinician.id, 0, 10)
    other = make_user("other-doc@example.com", "Dr. Other", role="staff", department="health")
    add_patient(other.id, 50)  # someone else's patient stays off this panel
    rows = panel.panel(clinician.id)
    assert comparable(rows) == comparable(panel_per_patient(clinician.id))
    assert len(rows) == 10
    # the data reaches every rule, so the comparison above means something
    assert any(f.crisis for r in rows for f in r.flags)
    assert any(f.reason and not f.crisis for r in rows for f in r.flags)
    assert any(r.missed for r in rows) and any(r.wrong_way for r in rows)
    assert any(r.adherence is not None and r.adherence < medication.PDC_MARK for r in rows)
    assert any(r.adherence is None for r in rows) and any(r.last_bp for r in rows)
    assert len({r.need for r in rows}) > 3
    wrong = {str(w) for r in rows for w in r.wrong_way}
    assert {"Systolic blood pressure", "Active minutes a week"} <= wrong
    fitness = next(r for r in rows if r.patient.name == "Patient 003")
    assert fitness.last_bp == "122/78"  # the newest taken; the one typed in late is older


def test_batch_helpers_agree_with_their_per_patient_twins(app, clinician):
    add_patients(clinician.id, 0, 10)
    ids = [p.id for p in care_team.patients_of(clinician.id)]

    week, month = vitals.recent_readings_many(ids, days=7), vitals.recent_readings_many(ids)
    latest = vitals.latest_by_kind_many(ids)
    goals = health_goals.goals_of_many(ids)
    meds = medication.medications_of_many(ids, active_only=False)
    pdc, missed = medication.adherence_many(ids), medication.missed_doses_many(ids)
    today = clock.today()
    ends = [today, today - timedelta(days=7), today - timedelta(days=30)]
    minutes = food_and_exercise.weekly_minutes_many(ids, ends)
    for pid in ids:
        for rows, days in ((week, 7), (month, 30)):
            expected = vitals.recent_observations(pid, days=days)
            assert [(r.kind, r.value, r.value2, r.observed_at) for r in rows[pid]] == [
                (o.kind, o.value, o.value2, o.observed_at) for o in expected
            ]
        assert latest[pid] == vitals.latest_by_kind(pid)
        assert goals[pid] == health_goals.goals_of(pid)
        assert meds[pid] == medication.medications_of(pid, active_only=False)
        assert pdc[pid] == medication.adherence(pid)
        assert missed[pid] == medication.missed_doses(pid)
        assert minutes[pid] == {end: food_and_exercise.weekly_minutes(pid, end) for end in ends}

    pairs = [(pid, m) for pid in ids for m in health_goals.MEASURES]
    for days, last in ((30, None), (30, 6), (90, 3), (7, 1)):
        values = health_goals.measure_values_many(pairs, days=days, last=last)
        for pid, m in pairs:
            expected = health_goals.measure_values(pid, m, days=days)
            assert values[(pid, m)] == (expected if last is None else expected[-last:])

    every_goal = [g for pid in ids for g in goals[pid]]
    assert len({g.measure for g in every_goal}) == len(health_goals.MEASURES)
    expected = [health_goals.goal_view(g).wrong_way for g in every_goal]
    assert health_goals.wrong_way_many(every_goal) == expected and any(expected)


def test_batch_helpers_of_nobody_ask_nothing(app, query_counter):
    with query_counter() as q:
        assert medication.adherence_many([]) == {} and medication.missed_doses_many([]) == {}
        assert vitals.recent_readings_many([]) == {} == health_goals.goals_of_many([])
        assert health_goals.wrong_way_many([]) == [] and health_goals.measure_values_many([]) == {}
        assert vitals.latest_by_kind_many([]) == {} == food_and_exercise.weekly_minutes_many([], [])
    assert q() == 0


def test_set_based_panel_equals_the_per_patient_panel_on_the_showcase(app):
    from dcx.platform.accounts.services import find_user
    from dcx.platform.showcase.loader import scale_showcase, seed_showcase

    registry = app.extensions["dcx_verticals"]
    seed_showcase(registry, "default", only=("health",))
    db.session.commit()
    scale_showcase([registry.get("health")], "default", 12, batch=6)
    doc = find_user("clinician@dcx.example")
    rows = panel.panel(doc.id)
    assert len(rows) > 5
    assert comparable(rows) == comparable(panel_per_patient(doc.id))


def test_panel_page_lists_the_patients_most_in_need_first(app, clinician, clinician_client):
    add_patients(clinician.id, 0, 5)
    page = clinician_client.get("/health/staff").get_data(as_text=True)
    expected = [r.patient.name for r in panel_per_patient(clinician.id)]
    positions = [page.index(name) for name in expected]
    assert positions == sorted(positions) and "Hypertensive crisis" in page
