"""A reading is judged one way everywhere: a weight by its BMI, a goal's "now" says what it is."""

from __future__ import annotations

import re
from datetime import timedelta

from dcx.extensions import db
from dcx.health import care_team, goals, vitals
from dcx.health.judgements import judge_reading
from dcx.platform import clock
from tests.health.conftest import login


def _row(body: str, kind_label: str) -> str:
    """The readings table's row for the one reading of ``kind_label``."""
    rows = re.findall(r"<tr>.*?</tr>", body, flags=re.S)
    (row,) = [r for r in rows if kind_label in r]
    return row


def test_a_weight_is_judged_by_its_bmi_not_called_in_range_beside_overweight(
    app, patient, patient_client
):
    care_team.profile_for(patient.id).height_cm = 170
    vitals.log_observation(patient.id, "weight", 83)  # BMI 28.7
    db.session.commit()
    body = patient_client.get("/health/vitals").get_data(as_text=True)
    assert "<strong>28.7</strong> kg/m² · Overweight" in body
    assert "From your latest weight, 83 kg, and your height, 170 cm" in body
    weight = _row(body, "Weight")
    assert "BMI 28.7: Overweight" in weight and 'data-judgement="concern"' in weight
    assert "In range" not in weight


def test_without_a_height_a_weight_is_not_judged_and_says_so(app, patient, patient_client):
    vitals.log_observation(patient.id, "weight", 83)
    db.session.commit()
    weight = _row(patient_client.get("/health/vitals").get_data(as_text=True), "Weight")
    assert "Not judged: no height on record" in weight and "In range" not in weight


def test_every_reading_is_judged_the_same_for_the_patient_and_the_care_team(app, patient):
    assert judge_reading("weight", 60, height_cm=170).concern is False  # BMI 20.8
    assert str(judge_reading("weight", 60, height_cm=170).label) == "BMI 20.8: Healthy weight"
    assert judge_reading("weight", 100, height_cm=170).concern is True
    assert str(judge_reading("heart_rate", 72).label) == "In range"
    assert str(judge_reading("heart_rate", 120).label) == "Out of range"


def test_the_clinician_sees_the_weight_judged_by_its_bmi_too(app, patient, clinician_client):
    care_team.profile_for(patient.id).height_cm = 170
    vitals.log_observation(patient.id, "weight", 83)
    db.session.commit()
    body = clinician_client.get(f"/health/staff/patients/{patient.id}").get_data(as_text=True)
    readings = body[body.index('id="staff-readings"') :]
    assert "BMI 28.7: Overweight" in readings[: readings.index("</ul>")]


def test_a_goals_now_says_it_is_an_average_and_shows_the_latest_reading(app, patient, clinician):
    now = clock.now()
    readings = [(3, 146, 92), (2, 140, 88), (1, 136, 86)]
    for hours, systolic, diastolic in readings:
        vitals.log_observation(
            patient.id, "bp", systolic, diastolic, observed_at=now - timedelta(hours=hours)
        )
    goals.set_goal(patient.id, "systolic", 130, clock.today() + timedelta(days=90))
    db.session.commit()
    said = "(average of the last 3 readings; latest reading 136)"
    pages = {
        "goals": login(app, patient).get("/health/goals"),
        "dashboard": login(app, patient).get("/health/"),
        "clinician": login(app, clinician).get(f"/health/staff/patients/{patient.id}"),
    }
    for name, response in pages.items():
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", response.get_data(as_text=True)))
        assert "140.7 mmHg " + said in text, name
