"""No English left in what health builds in Python: errors, panel flags, timeline entries,
numbers, the moderation page, summary cards and calendar entries follow the reader's language.

The app's real Spanish texts arrive later, so these tests install a catalogue of their own
that translates each message id they look for to ``[es] <msgid>``: seeing that on a page proves
the text went through gettext in the reader's locale. Dates and decimal signs come from the
locale data (CLDR), which needs no catalogue.
"""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from babel.dates import format_date
from flask_babel import LazyString, force_locale
from sqlalchemy import select

from dcx.extensions import db
from dcx.health import care_team, community, goals, hooks, medication, panel, rules, vitals
from dcx.platform import clock
from dcx.platform.timeline.models import Event
from tests.conftest import make_user, marked, marked_catalogue
from tests.health.conftest import login

TRANSLATED = (
    "Hypertensive crisis",
    "Temperature %(v)s °C",
    "Weight",
    "New goal: %(m)s to %(t)s",
    "Visit with your care team",
    "The upper number must be higher than the lower one.",
    "Follow-up visit",
    "Medication review: %(n)s",
    "There is no reading yet for this measure: enter today's value as baseline.",
)
PLURALS = (("Reported %(num)d time", "Reported %(num)d times"),)


spanish = marked  # what the test catalogue makes of a message id


@pytest.fixture
def app_config(tmp_path):
    """Translations from a Spanish catalogue holding only the texts these tests look for."""
    return marked_catalogue(tmp_path, TRANSLATED, PLURALS)


@pytest.fixture(autouse=True)
def _fresh_catalogues(fresh_catalogues):
    """Each test starts and ends with Flask-Babel\'s shared catalogue cache empty."""


def _spanish(*users) -> None:
    for user in users:
        user.locale = "es"
    db.session.commit()


def test_errors_are_lazy_and_shown_in_the_visitors_language(app, patient):
    with pytest.raises(rules.HealthError) as info:
        vitals.log_observation(patient.id, "bp", 80, 90)
    assert isinstance(info.value.args[0], LazyString)
    assert str(info.value) == "The upper number must be higher than the lower one."
    with force_locale("es"):
        assert str(info.value) == spanish("The upper number must be higher than the lower one.")

    _spanish(patient)
    page = login(app, patient).post(
        "/health/vitals", data={"kind": "bp", "systolic": "80", "diastolic": "90"}
    )
    assert page.status_code == 400
    body = page.get_data(as_text=True)
    assert spanish("The upper number must be higher than the lower one.") in body


def test_visit_form_shows_a_goal_error_in_the_clinicians_language(app, patient, clinician):
    _spanish(clinician)
    page = login(app, clinician).post(
        f"/health/staff/patients/{patient.id}/visit",
        data={
            "goal_measure": "weight",
            "goal_target": "70",
            "goal_due_on": (clock.today() + timedelta(days=90)).isoformat(),
            "goal_status": "active",
        },
    )
    assert page.status_code == 400  # no weight reading yet and no baseline typed
    body = html.unescape(page.get_data(as_text=True))
    error = "There is no reading yet for this measure: enter today's value as baseline."
    assert spanish(error) in body


def test_panel_flags_are_written_in_the_clinicians_language(app, patient, clinician):
    _spanish(clinician)
    taken = clock.now() - timedelta(days=1)
    vitals.log_observation(patient.id, "bp", 185, 100, observed_at=taken)
    vitals.log_observation(patient.id, "temperature", 38.5, observed_at=taken)
    db.session.commit()

    row = panel.panel(clinician.id)[0]
    assert [f.crisis for f in row.flags] == [True, False]
    assert all(isinstance(f.reason, LazyString) for f in row.flags)

    body = login(app, clinician).get("/health/staff").get_data(as_text=True)
    day = format_date(taken, "d MMM", locale="es")
    assert f"{spanish('Hypertensive crisis')} ({day})</span>" in body
    assert f"[es] Temperature 38,5 °C ({day})</span>" in body
    assert taken.strftime("%d %b") not in body  # strftime's English month


def test_moderation_names_the_group_not_its_slug(app, patient, clinician):
    _spanish(clinician)
    other = make_user("other@example.com", "Other Member")
    group = community.ensure_groups([{"slug": "heart-health", "name": "Corazón sano"}])[0]
    community.set_display_name(patient.id, "Caminante")
    post = community.create_post(patient.id, group, "Hola")
    community.report_post(other.id, post, "spam")
    db.session.commit()

    body = login(app, clinician).get("/health/staff/moderation").get_data(as_text=True)
    link = f'href="/health/community/heart-health#post-{post.id}" data-group="heart-health"'
    assert f"{link}>Corazón sano</a>" in body
    assert ">heart-health<" not in body
    assert "[es] Reported 1 time ·" in body


def test_timeline_entries_a_clinician_causes_are_in_the_patients_language(app, patient, clinician):
    _spanish(patient)  # the clinician reads English; the entries are the patient's
    vitals.log_observation(patient.id, "weight", 80)
    visit = panel.record_visit(clinician.id, patient.id, "All good")
    goals.set_goal(
        patient.id, "weight", 72.5, clock.today() + timedelta(days=90), visit_id=visit.id
    )
    db.session.commit()
    subjects = set(
        db.session.execute(select(Event.subject).where(Event.user_id == patient.id)).scalars()
    )
    assert spanish("Visit with your care team") in subjects
    assert "[es] New goal: [es] Weight to 72,5" in subjects  # the patient's decimal comma


def test_values_take_the_locales_decimal_sign(app, patient):
    with force_locale("es"):
        assert goals.format_value(72.5) == "72,5"
        assert goals.format_value(130.0) == "130"
        assert str(vitals.out_of_range("temperature", 38.5)) == "[es] Temperature 38,5 °C"
    assert goals.format_value(72.5) == "72.5"
    assert goals.format_value(None) == "-"

    _spanish(patient)
    profile = care_team.profile_for(patient.id)
    profile.height_cm = 170
    vitals.log_observation(patient.id, "weight", 70.8)
    db.session.commit()
    body = login(app, patient).get("/health/vitals").get_data(as_text=True)
    assert '<p class="mb-1" id="bmi"><strong>24,5</strong> kg/m²' in body


def test_summary_card_counts_goals_with_plural_forms(app, patient):
    patient.health_consent = True
    vitals.log_observation(patient.id, "weight", 80)
    goals.set_goal(patient.id, "weight", 75, clock.today() + timedelta(days=90))
    card = hooks.summary_card(patient.id)
    assert card["lines"][0] == "1 active goal, 0 achieved"
    goals.set_goal(patient.id, "weight", 70, clock.today() + timedelta(days=180))
    assert hooks.summary_card(patient.id)["lines"][0] == "2 active goals, 0 achieved"


def test_calendar_entries_are_written_in_the_current_locale(app, patient, clinician):
    today = clock.today()
    panel.record_visit(clinician.id, patient.id, "", today + timedelta(days=30))
    medication.prescribe(patient.id, clinician.id, "Med", "", "08:00", review_on=today)
    with force_locale("es"):
        titles = [e.title for e in hooks.calendar(patient.id)]
    assert titles == [spanish("Follow-up visit"), "[es] Medication review: Med"]
