"""Health pages through the test client: the story's forms, and who may see what."""

import re
from datetime import timedelta

import pytest

from dcx.extensions import db
from dcx.health import care_team, community, goals, learning_progress, medication, vitals
from dcx.health.models import (
    HealthDose,
    HealthExercise,
    HealthGoalCheckIn,
    HealthMeal,
    HealthObservation,
)
from dcx.platform import clock
from dcx.platform.community.models import CommunityPost
from tests.conftest import make_user
from tests.health.conftest import login


@pytest.fixture
def record(app, patient, clinician):
    """A patient record with one of everything that has an id in a URL."""
    vitals.log_observation(patient.id, "bp", 163, 97)
    vitals.log_observation(patient.id, "weight", 81.7)
    goal = goals.set_goal(patient.id, "systolic", 130, clock.today() + timedelta(days=90))
    med = medication.prescribe(patient.id, clinician.id, "Lisinopril", "10 mg", "08:00")
    db.session.commit()
    return {"goal": goal, "med": med}


def test_landing_page_for_anonymous_and_new_customer(client, customer):
    body = client.get("/health/").get_data(as_text=True)
    assert 'id="health-capabilities"' in body
    assert "health-dashboard" not in body
    anon = client.application.test_client()
    assert anon.get("/health/").status_code == 200


def test_dashboard_for_a_patient_with_a_record(app, record, patient_client):
    body = patient_client.get("/health/").get_data(as_text=True)
    assert 'id="health-dashboard"' in body and "163/97" in body
    assert "High, stage 2" in body


@pytest.mark.parametrize(
    "path",
    [
        "/health/vitals",
        "/health/food",
        "/health/exercise",
        "/health/medications",
        "/health/goals",
        "/health/learn",
        "/health/learn/move-more",
        "/health/learn/move-more?page=3",
        "/health/community",
        "/health/settings",
    ],
)
def test_patient_pages_render(app, record, patient_client, path):
    assert patient_client.get(path).status_code == 200


def test_logging_a_reading_classifies_it(app, patient, patient_client):
    r = patient_client.post(
        "/health/vitals",
        data={"kind": "bp", "systolic": "128", "diastolic": "78"},
        follow_redirects=True,
    )
    body = r.get_data(as_text=True)
    assert "Elevated" in body and "128/78" in body
    obs = db.session.query(HealthObservation).one()
    assert (obs.value, obs.value2, obs.code, obs.code2) == (128, 78, "8480-6", "8462-4")


def test_bad_reading_is_400_and_keeps_what_was_typed(app, patient, patient_client):
    r = patient_client.post(
        "/health/vitals", data={"kind": "bp", "systolic": "128", "diastolic": ""}
    )
    assert r.status_code == 400
    assert 'value="128"' in r.get_data(as_text=True)
    r = patient_client.post(
        "/health/vitals", data={"kind": "bp", "systolic": "abc", "diastolic": "80"}
    )
    assert r.status_code == 400
    assert db.session.query(HealthObservation).count() == 0


def test_meal_and_exercise_forms(app, patient, patient_client):
    r = patient_client.post(
        "/health/food",
        data={"kind": "lunch", "food1": "lentils", "grams1": "200", "food2": "", "grams2": ""},
        follow_redirects=True,
    )
    assert r.status_code == 200 and "Lentils (cooked)" in r.get_data(as_text=True)
    assert db.session.query(HealthMeal).count() == 1
    r = patient_client.post(
        "/health/exercise",
        data={"activity": "Walk", "minutes": "45", "intensity": "moderate"},
        follow_redirects=True,
    )
    assert "<strong>45</strong> / 150" in r.get_data(as_text=True)
    assert (
        patient_client.post(
            "/health/exercise", data={"activity": "", "minutes": "9999"}
        ).status_code
        == 400
    )
    assert db.session.query(HealthExercise).count() == 1


def test_no_activity_yet_says_so_instead_of_an_empty_chart(patient_client):
    body = patient_client.get("/health/exercise").get_data(as_text=True)
    assert "No active minutes in the last four weeks" in body
    assert 'class="dcx-chart mb-3"' not in body


def test_dose_buttons_and_adherence(app, record, patient, patient_client):
    slot = medication.slots_on(record["med"], clock.today())[0]
    if slot > clock.now():  # before the day's first dose time: let the clock reach it
        clock.advance(slot - clock.now() + timedelta(minutes=1))
        db.session.commit()
    r = patient_client.post(
        f"/health/medications/{record['med'].id}/doses",
        data={"scheduled_at": slot.isoformat(), "taken": "1"},
        follow_redirects=True,
    )
    assert r.status_code == 200
    assert db.session.query(HealthDose).one().status in ("taken", "late")


def test_check_in_reaches_the_clinician(app, record, patient_client, clinician_client, patient):
    patient_client.post(
        f"/health/goals/{record['goal'].id}/check-in",
        data={"feeling": "hard", "note": "Salt is everywhere"},
    )
    assert db.session.query(HealthGoalCheckIn).count() == 1
    body = clinician_client.get(f"/health/staff/patients/{patient.id}").get_data(as_text=True)
    assert "Salt is everywhere" in body


def test_reading_a_module_page_moves_its_mark_through_the_read_receipt(
    app, patient, patient_client
):
    page = patient_client.get("/health/learn/move-more?page=2").get_data(as_text=True)
    assert 'action="/health/learn/move-more/seen" data-read-receipt' in page
    assert "move-more" not in learning_progress.progress_of(patient.id)  # the GET wrote nothing
    assert (
        patient_client.post("/health/learn/move-more/seen", data={"page": "2"}).status_code == 204
    )
    assert (
        patient_client.post("/health/learn/move-more/seen", data={"page": "1"}).status_code == 204
    )
    assert learning_progress.progress_of(patient.id)["move-more"].pages_seen == 2  # never back
    for bad in ("0", "99", "x", ""):
        answer = patient_client.post("/health/learn/move-more/seen", data={"page": bad})
        assert answer.status_code == 400, bad
    assert patient_client.post("/health/learn/no-such/seen", data={"page": "1"}).status_code == 404


def test_quiz_pass_and_fail(app, patient, patient_client):
    r = patient_client.post("/health/learn/move-more/quiz", data={"q0": "0", "q1": "1"})
    assert r.status_code == 400 and "try again" in r.get_data(as_text=True)
    r = patient_client.post("/health/learn/move-more/quiz", data={"q0": "1", "q1": "0"})
    assert r.status_code == 200 and "Module completed" in r.get_data(as_text=True)
    assert patient_client.get("/health/learn/no-such").status_code == 404


def test_clinician_records_a_visit_with_goal_medication_and_module(app, patient, clinician_client):
    vitals.log_observation(patient.id, "bp", 150, 95)
    db.session.commit()
    due = (clock.today() + timedelta(days=90)).isoformat()
    r = clinician_client.post(
        f"/health/staff/patients/{patient.id}/visit",
        data={
            "notes": "Agreed plan",
            "goal_measure": "systolic",
            "goal_target": "130",
            "goal_due_on": due,
            "goal_status": "active",
            "med_name": "Amlodipine",
            "med_dose": "5 mg",
            "med_times": "08:00",
            "module": "blood-pressure-basics",
        },
        follow_redirects=True,
    )
    assert r.status_code == 200
    goal = goals.goals_of(patient.id)[0]
    assert (goal.measure, goal.baseline, goal.target, goal.status) == (
        "systolic",
        150,
        130,
        "active",
    )
    assert medication.medications_of(patient.id)[0].time_list == ["08:00"]
    assert (
        learning_progress.progress_of(patient.id)["blood-pressure-basics"].assigned_by is not None
    )
    bad = clinician_client.post(
        f"/health/staff/patients/{patient.id}/visit",
        data={"goal_measure": "systolic", "med_name": "X", "med_times": "25:99"},
    )
    assert bad.status_code == 400


def _other_patient(app):
    return make_user("other@example.com", "Other Patient")


def test_another_patient_gets_404_on_every_record_route(app, record, patient):
    other = login(app, _other_patient(app))
    goal, med = record["goal"], record["med"]
    slot = medication.slots_on(med, clock.today())[0].isoformat()
    assert (
        other.post(
            f"/health/medications/{med.id}/doses", data={"scheduled_at": slot, "taken": "1"}
        ).status_code
        == 404
    )
    assert (
        other.post(f"/health/goals/{goal.id}/check-in", data={"feeling": "ok"}).status_code == 404
    )
    # the clinicians' workspace is closed to customers as a whole (403 for any patient id,
    # real or not, so it says nothing of who is a patient)
    for method, path in _staff_record_routes(patient.id, goal.id) + _staff_record_routes(9999, 1):
        assert getattr(other, method)(path, data={"status": "achieved"}).status_code == 403, path
    # their own pages show nothing of the record
    for path in ("/health/vitals", "/health/goals", "/health/medications", "/health/"):
        body = other.get(path).get_data(as_text=True)
        assert "163" not in body and "Lisinopril" not in body
    assert "163" not in other.get("/health/export.csv").get_data(as_text=True)


def _staff_record_routes(pid, gid):
    return [
        ("get", f"/health/staff/patients/{pid}"),
        ("get", f"/health/staff/patients/{pid}/visit"),
        ("post", f"/health/staff/patients/{pid}/visit"),
        ("post", f"/health/staff/patients/{pid}/goals/{gid}"),
    ]


@pytest.mark.parametrize(
    "role,department,status",
    [("staff", "health", 404), ("staff", "banking", 403), ("admin", "", 404)],
    ids=["health-staff-outside-team", "other-staff", "admin"],
)
def test_staff_outside_the_care_team_get_404(app, record, patient, role, department, status):
    """Health staff and admins outside the care team find no record (404, as for a missing
    one); staff of another department are refused the whole workspace (403)."""
    outsider = login(
        app,
        make_user(f"{role}-{department}@example.com", "Outsider", role=role, department=department),
    )
    for method, path in _staff_record_routes(patient.id, record["goal"].id):
        answer = getattr(outsider, method)(path, data={"status": "achieved"}).status_code
        assert answer == status, path
    assert goals.goals_of(patient.id)[0].status == "active"


def test_care_team_clinician_sees_the_record_and_panel(app, record, patient, clinician_client):
    body = clinician_client.get(f"/health/staff/patients/{patient.id}").get_data(as_text=True)
    assert "163/97" in body and "Lisinopril" in body
    panel = clinician_client.get("/health/staff").get_data(as_text=True)
    assert "Pat Patient" in panel and "High, stage 2" in panel
    r = clinician_client.post(
        f"/health/staff/patients/{patient.id}/goals/{record['goal'].id}",
        data={"status": "not_achieved"},
    )
    assert r.status_code == 302 and goals.goals_of(patient.id)[0].status == "not_achieved"


def test_panel_is_for_health_staff_only(app, patient_client, staff_client):
    assert patient_client.get("/health/staff").status_code == 403
    banker, _ = staff_client("banking")
    assert banker.get("/health/staff").status_code == 403
    assert banker.get("/health/staff/moderation").status_code == 403


def test_panel_query_count_stays_small(app, clinician, clinician_client, query_counter):
    for i in range(5):
        p = make_user(f"p{i}@example.com", f"Patient {i}")
        care_team.add_to_care_team(p.id, clinician.id)
        vitals.log_observation(p.id, "bp", 140 + i, 90)
    db.session.commit()
    with query_counter() as q:
        assert clinician_client.get("/health/staff").status_code == 200
    assert q() < 80, q()


def test_community_shows_no_health_data_that_was_not_posted(app, record, patient, patient_client):
    community.ensure_groups([{"slug": "lower-blood-pressure", "name": "Lower blood pressure"}])
    db.session.commit()
    patient_client.post("/health/community/name", data={"display_name": "QuietWalker"})
    patient_client.post(
        "/health/community/lower-blood-pressure", data={"body": "Hello all, new here."}
    )
    member = login(app, make_user("member@example.com", "Mo Member"))
    for path in ("/health/community", "/health/community/lower-blood-pressure"):
        page = member.get(path).get_data(as_text=True)
        # only the page's text: the footer's clock and the icons' drawings contain any digits
        body = re.sub(
            r"<svg\b.*?</svg>", "", page[page.index("<main") : page.index("</main>")], flags=re.S
        )
        for secret in ("163", "97", "81.7", "Pat Patient", "pat@example.com", "Lisinopril", "mmHg"):
            assert secret not in body, (path, secret)
    body = member.get("/health/community/lower-blood-pressure").get_data(as_text=True)
    assert "QuietWalker" in body and "Hello all, new here." in body


def test_cheer_reply_report_and_moderation(app, patient, patient_client, clinician_client):
    group = community.ensure_groups([{"slug": "move-more", "name": "Move more"}])[0]
    community.set_display_name(patient.id, "Walker")
    post = community.create_post(patient.id, group, "150 minutes this week!", milestone=True)
    db.session.commit()
    member_user = make_user("member@example.com", "Mo Member")
    community.set_display_name(member_user.id, "Mo")
    db.session.commit()
    member = login(app, member_user)
    member.post(f"/health/community/posts/{post.id}/cheer")
    member.post(f"/health/community/posts/{post.id}/cheer")
    member.post(f"/health/community/posts/{post.id}/reply", data={"body": "Well done!"})
    body = patient_client.get("/health/community/move-more").get_data(as_text=True)
    assert '<span class="cheer-count">1</span>' in body and "Well done!" in body
    member.post(f"/health/community/posts/{post.id}/report", data={"reason": "test"})
    assert "150 minutes this week!" in clinician_client.get("/health/staff/moderation").get_data(
        as_text=True
    )
    clinician_client.post(f"/health/staff/posts/{post.id}/hide")
    assert db.session.get(CommunityPost, post.id).hidden
    assert "150 minutes this week!" not in member.get("/health/community/move-more").get_data(
        as_text=True
    )
    assert member.post(f"/health/community/posts/{post.id}/cheer").status_code == 404


def test_export_downloads_own_readings(app, record, patient_client):
    r = patient_client.get("/health/export.json")
    assert r.headers["Content-Disposition"].startswith("attachment")
    bundle = r.get_json(force=True)
    resources = [e["resource"] for e in bundle["entry"]]
    assert resources[0]["resourceType"] == "Patient"
    codes = {
        r["code"]["coding"][0]["code"] for r in resources if r["resourceType"] == "Observation"
    }
    assert codes == {"85354-9", "29463-7"}
    text = patient_client.get("/health/export.csv").get_data(as_text=True)
    assert "8480-6,163.0,mm[Hg]" in text


def test_patient_manages_care_team(app, patient, patient_client, clinician):
    second = make_user("doc2@example.com", "Dr. Two", role="staff", department="health")
    patient_client.post("/health/settings/care-team", data={"clinician": str(second.id)})
    assert set(care_team.care_team_ids(patient.id)) == {clinician.id, second.id}
    patient_client.post(f"/health/settings/care-team/{second.id}/remove")
    assert care_team.care_team_ids(patient.id) == [clinician.id]


def test_patient_accepts_a_proposed_goal(app, patient, patient_client):
    goal = goals.set_goal(
        patient.id, "weight", 75, clock.today() + timedelta(days=60), "proposed", baseline=80
    )
    db.session.commit()
    patient_client.post(f"/health/goals/{goal.id}/accept")
    db.session.refresh(goal)
    assert goal.status == "active"


def test_opening_the_community_stores_no_profile(app, patient, patient_client):
    """A GET writes nothing: the page shows the default name until the patient saves one."""
    assert care_team.stored_profile(patient.id) is None
    page = patient_client.get("/health/community")
    assert page.status_code == 200 and 'id="display-name-form"' in page.get_data(as_text=True)
    assert care_team.stored_profile(patient.id) is None
    patient_client.post("/health/community/name", data={"display_name": "QuietWalker"})
    assert care_team.stored_profile(patient.id).display_name == "QuietWalker"
    assert 'value="QuietWalker"' in patient_client.get("/health/community").get_data(as_text=True)
