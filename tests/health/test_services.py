"""Health rules: blood-pressure bands, BMI, adherence (PDC), goal progress and more."""

from datetime import UTC, date, datetime, timedelta

import pytest

from dcx.extensions import db
from dcx.health import (
    care_team,
    community,
    export,
    food_and_exercise,
    goals,
    hooks,
    learning_progress,
    medication,
    panel,
    rules,
    vitals,
)
from dcx.platform import clock
from dcx.platform.notify.models import Message


@pytest.mark.parametrize(
    "systolic,diastolic,band",
    [
        (110, 70, "normal"),
        (119, 79, "normal"),
        (120, 79, "elevated"),
        (129, 70, "elevated"),
        (125, 80, "stage1"),  # diastolic 80 lifts an elevated systolic into stage 1
        (130, 70, "stage1"),
        (139, 89, "stage1"),
        (140, 70, "stage2"),
        (118, 90, "stage2"),
        (180, 120, "stage2"),  # crisis starts above 180 or above 120
        (181, 100, "crisis"),
        (150, 121, "crisis"),
    ],
)
def test_blood_pressure_bands_follow_acc_aha(systolic, diastolic, band):
    assert vitals.classify_blood_pressure(systolic, diastolic) == band


def test_body_mass_index_from_height():
    assert vitals.body_mass_index(70, 175) == 22.9
    assert vitals.body_mass_index(77.2, 164) == 28.7
    assert vitals.body_mass_index(70, None) is None
    assert vitals.bmi_category(22.9) == "Healthy weight"
    assert vitals.bmi_category(31) == "Obesity"


def test_proportion_of_days_covered_counts_fully_covered_days_only():
    d = [date(2026, 1, i) for i in range(1, 6)]
    due = {d[0]: 2, d[1]: 2, d[2]: 2, d[3]: 2, d[4]: 0}
    taken = {d[0]: 2, d[1]: 1, d[2]: 2, d[3]: 3, d[4]: 1}
    # days 1, 3 and 4 covered, day 2 half, day 5 had nothing due and does not count
    assert medication.proportion_of_days_covered(due, taken) == pytest.approx(3 / 4)
    assert medication.proportion_of_days_covered({}, {}) is None
    assert medication.proportion_of_days_covered({d[0]: 1}, {}) == 0


def test_goal_progress_down_and_up():
    assert goals.goal_progress(150, 130, 140) == pytest.approx(0.5)
    assert goals.goal_progress(150, 130, 155) == 0  # worse than the start
    assert goals.goal_progress(150, 130, 125) == 1  # past the target
    assert goals.goal_progress(40, 150, 95) == pytest.approx(0.5)  # a goal that goes up
    assert goals.goal_progress(150, 130, None) == 0


def test_going_the_wrong_way():
    assert goals.going_the_wrong_way(150, 130, [148, 149, 152, 154])
    assert not goals.going_the_wrong_way(150, 130, [148, 146, 142, 140])
    assert goals.going_the_wrong_way(40, 150, [60, 50, 30])


def test_reading_stores_loinc_codes_and_units(app, patient):
    obs = vitals.log_observation(patient.id, "bp", 135, 85)
    assert (obs.code, obs.code2, obs.unit) == ("8480-6", "8462-4", "mm[Hg]")
    for kind, code, unit in [
        ("heart_rate", "8867-4", "/min"),
        ("weight", "29463-7", "kg"),
        ("glucose", "2339-0", "mg/dL"),
        ("spo2", "59408-5", "%"),
        ("temperature", "8310-5", "Cel"),
    ]:
        o = vitals.log_observation(
            patient.id, kind, {"temperature": 36.8, "spo2": 97}.get(kind, 80)
        )
        assert (o.code, o.unit) == (code, unit)


def test_latest_reading_is_the_newest_taken_not_the_last_stored(app, patient, clinician):
    now = clock.now()
    vitals.log_observation(patient.id, "weight", 80, observed_at=now - timedelta(hours=1))
    vitals.log_observation(patient.id, "weight", 84, observed_at=now - timedelta(days=3))
    vitals.log_observation(patient.id, "bp", 128, 82, observed_at=now - timedelta(days=1))
    vitals.log_observation(patient.id, "bp", 150, 95, observed_at=now - timedelta(days=1))
    latest = vitals.latest_by_kind(patient.id)  # a wearable's backlog arrived last
    assert latest["weight"].value == 80
    assert (latest["bp"].value, latest["bp"].value2) == (150, 95)  # same moment: stored last
    assert vitals.latest_by_kind_many([patient.id], kinds=["weight"]) == {
        patient.id: {"weight": latest["weight"]}
    }


def test_implausible_readings_are_refused(app, patient):
    with pytest.raises(rules.HealthError):
        vitals.log_observation(patient.id, "bp", 80, 120)
    with pytest.raises(rules.HealthError):
        vitals.log_observation(patient.id, "spo2", 130)


def test_crisis_reading_alerts_each_clinician_once(app, patient, clinician):
    obs = vitals.log_observation(patient.id, "bp", 190, 115)
    db.session.commit()
    assert vitals.alert_care_team(obs) == 0  # already sent on logging
    messages = db.session.query(Message).filter_by(user_id=clinician.id).all()
    assert [m.topic for m in messages] == ["health.crisis_alert"]
    assert "190/115" in messages[0].body


def test_adherence_and_late_doses(app, patient, clinician):
    now = clock.now()
    med = medication.prescribe(
        patient.id,
        clinician.id,
        "Lisinopril",
        "10 mg",
        "08:00, 20:00",
        start_on=now.date() - timedelta(days=3),
    )
    day = now.date() - timedelta(days=2)
    for slot in medication.slots_on(med, day):
        medication.record_dose(patient.id, med.id, slot, taken=True)
    dose = medication.record_dose(
        patient.id, med.id, medication.slots_on(med, day - timedelta(days=1))[0], True
    )
    assert dose.status == "late"  # recorded days after its time
    pdc = medication.adherence(patient.id)
    # days: 3 days ago (1 of 2 taken), 2 days ago (2/2), yesterday (0/2), today (some due?)
    due_today = [s for s in medication.slots_on(med, now.date()) if s <= now]
    days_counted = 3 + (1 if due_today else 0)
    assert pdc == pytest.approx(1 / days_counted)
    assert medication.missed_doses(patient.id) >= 3


def test_dose_must_be_a_scheduled_time(app, patient, clinician):
    med = medication.prescribe(patient.id, clinician.id, "Med", "", "08:00")
    with pytest.raises(rules.HealthError):
        medication.record_dose(
            patient.id,
            med.id,
            datetime.combine(clock.today(), datetime.min.time(), tzinfo=UTC),
            True,
        )


def test_goal_progress_from_readings_and_achievement(app, patient):
    for s, d in [(150, 95), (148, 94), (146, 92)]:
        vitals.log_observation(patient.id, "bp", s, d)
    goal = goals.set_goal(patient.id, "systolic", 130, clock.today() + timedelta(days=90))
    assert goal.baseline == 148  # the average of the last three readings
    view = goals.goal_view(goal)
    assert view.progress == 0
    for _ in range(3):
        vitals.log_observation(patient.id, "bp", 128, 80)
    assert goal.status == "achieved"


def test_weekly_minutes_count_vigorous_twice_and_skip_light(app, patient):
    today = clock.today()
    food_and_exercise.log_exercise(patient.id, today, "Walk", 30, "moderate")
    food_and_exercise.log_exercise(patient.id, today - timedelta(days=2), "Run", 20, "vigorous")
    food_and_exercise.log_exercise(patient.id, today, "Stroll", 60, "light")
    food_and_exercise.log_exercise(patient.id, today - timedelta(days=8), "Old", 60, "moderate")
    assert food_and_exercise.weekly_minutes(patient.id, today) == 70


def test_meal_totals_from_the_food_table(app, patient):
    food_and_exercise.log_meal(
        patient.id, clock.today(), "lunch", [("lentils", 200), ("mixed_salad", 100)]
    )
    totals = food_and_exercise.daily_totals(patient.id, clock.today())
    assert totals["kcal"] == pytest.approx(232 + 17)
    assert totals["protein_g"] == pytest.approx(18.0 + 1.2)
    with pytest.raises(rules.HealthError):
        food_and_exercise.log_meal(patient.id, clock.today(), "lunch", [("unicorn", 100)])


def test_quiz_completes_a_module_and_suggestions_follow_goals(app, patient):
    vitals.log_observation(patient.id, "bp", 142, 91)
    assert "blood-pressure-basics" in learning_progress.suggested_modules(patient.id)
    score, passed = learning_progress.submit_quiz(patient.id, "blood-pressure-basics", [0, 0, 0])
    assert (score, passed) == (1, False)
    score, passed = learning_progress.submit_quiz(patient.id, "blood-pressure-basics", [0, 1, 2])
    assert (score, passed) == (3, True)
    assert (
        learning_progress.progress_of(patient.id)["blood-pressure-basics"].completed_at is not None
    )
    assert "blood-pressure-basics" not in learning_progress.suggested_modules(patient.id)


def test_panel_sorts_patients_by_need(app, clinician, patient, users):
    calm = users("calm@example.com", "Calm Patient")
    care_team.add_to_care_team(calm.id, clinician.id)
    vitals.log_observation(calm.id, "bp", 115, 75)
    vitals.log_observation(patient.id, "bp", 185, 100)
    rows = panel.panel(clinician.id)
    assert [r.patient.id for r in rows] == [patient.id, calm.id]
    assert rows[0].need >= 100 and rows[1].need == 0


def test_community_needs_display_name_and_cheers_once(app, patient, users):
    other = users("other@example.com", "Other Member")
    group = community.ensure_groups([{"slug": "move-more", "name": "Move more"}])[0]
    with pytest.raises(rules.HealthError):
        community.create_post(patient.id, group, "Hello")
    community.set_display_name(patient.id, "Walker")
    with pytest.raises(rules.HealthError):
        community.set_display_name(other.id, "walker")  # taken
    post = community.create_post(patient.id, group, "First 150 minutes week!", milestone=True)
    assert not community.cheer(patient.id, post)  # not one's own
    assert community.cheer(other.id, post)
    assert not community.cheer(other.id, post)
    threads = community.threads(group, other.id)
    assert threads[0].reactions == 1 and threads[0].reacted and threads[0].author == "Walker"
    assert community.report_post(other.id, post, "spam")
    assert len(community.open_reports()) == 1
    community.hide_post(post.id)
    assert community.threads(group, other.id) == []
    assert community.open_reports() == []


def test_fhir_export_has_bp_components_and_bmi(app, patient):
    care_team.profile_for(patient.id).height_cm = 170
    vitals.log_observation(patient.id, "bp", 132, 84)
    vitals.log_observation(patient.id, "weight", 72.3)
    bundle = export.fhir_bundle(patient.id)
    assert bundle["resourceType"] == "Bundle"
    resources = [e["resource"] for e in bundle["entry"]]
    resources = [r for r in resources if r["resourceType"] == "Observation"]
    bp = resources[0]
    assert bp["code"]["coding"][0]["code"] == "85354-9"
    assert [c["code"]["coding"][0]["code"] for c in bp["component"]] == ["8480-6", "8462-4"]
    assert bp["component"][0]["valueQuantity"]["value"] == 132
    assert {r["code"]["coding"][0]["code"] for r in resources} == {"85354-9", "29463-7", "39156-5"}
    csv_text = export.observations_csv(patient.id)
    assert "8462-4,84.0" in csv_text and "29463-7,72.3,kg" in csv_text


def test_summary_card_respects_consent(app, patient):
    vitals.log_observation(patient.id, "bp", 132, 84)
    card = hooks.summary_card(patient.id)
    assert "132" not in str(card) and "Private" in card["lines"][0]
    patient.health_consent = True
    card = hooks.summary_card(patient.id)
    assert "active goals" in card["lines"][0]


def test_calendar_lists_visits_and_reviews(app, patient, clinician):
    today = clock.today()
    panel.record_visit(clinician.id, patient.id, "Hi", today + timedelta(days=30))
    medication.prescribe(
        patient.id, clinician.id, "Med", "", "08:00", review_on=today + timedelta(days=60)
    )
    titles = [e.title for e in hooks.calendar(patient.id)]
    assert titles == ["Follow-up visit", "Medication review: Med"]


def test_only_health_staff_join_a_care_team(app, patient, users):
    banker = users("bank@example.com", "Banker", role="staff", department="banking")
    with pytest.raises(rules.HealthError):
        care_team.add_to_care_team(patient.id, banker.id)


def test_health_timeline_events_are_private(app, patient):
    from dcx.platform.timeline.models import Event

    goals.set_goal(patient.id, "weight", 75, clock.today() + timedelta(days=60), baseline=80)
    events = db.session.query(Event).filter_by(user_id=patient.id).all()
    assert [(e.kind, e.private) for e in events] == [("goal_set", True)]
