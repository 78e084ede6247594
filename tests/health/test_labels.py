"""Goal measures, check-in feelings, activity intensities and chart dates reach a Spanish
patient and clinician in Spanish, never as raw keys.

The app's real Spanish texts arrive later, so these tests install a catalogue of their own
that translates each label's message id to ``[es] <msgid>``: seeing that on a page proves the
page asked gettext, in the visitor's locale, for the label of the stored key. Day and month
names come from the locale data (CLDR), which needs no catalogue.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from babel.dates import format_date
from flask_babel import LazyString, get_locale

from dcx.extensions import db
from dcx.health import food_and_exercise, goals, labels, vitals
from dcx.health.forms import FEELINGS
from dcx.platform import clock
from tests.conftest import marked, marked_catalogue
from tests.health.conftest import login

spanish = marked  # what the test catalogue makes of a message id


def said(kind: str, key: str) -> str:
    """The label of ``key`` as the test catalogue shows it."""
    return spanish(labels.LABELS[kind][key])


@pytest.fixture
def app_config(tmp_path):
    """Translations from a Spanish catalogue holding only the labels."""
    return marked_catalogue(
        tmp_path, {str(t) for mapping in labels.LABELS.values() for t in mapping.values()}
    )


@pytest.fixture(autouse=True)
def _fresh_catalogues(fresh_catalogues):
    """Each test starts and ends with Flask-Babel\'s shared catalogue cache empty."""


@pytest.fixture
def spanish_record(app, patient, clinician):
    """Patient and clinician in Spanish; a goal on every measure with a check-in of every
    feeling, an activity of every intensity and a blood pressure reading a day for a week."""
    patient.locale = clinician.locale = "es"
    now = clock.now()
    for days_ago in range(7):
        vitals.log_observation(
            patient.id, "bp", 135, 85, observed_at=now - timedelta(days=days_ago)
        )
    feelings = [choice.value for choice in FEELINGS]
    for n, measure in enumerate(goals.MEASURES):
        goal = goals.set_goal(
            patient.id, measure, 1, clock.today() + timedelta(days=90), baseline=2
        )
        goals.check_in(patient.id, goal.id, feelings[n % len(feelings)], f"note {n}")
    for n, intensity in enumerate(food_and_exercise.INTENSITIES):
        food_and_exercise.log_exercise(patient.id, clock.today(), f"Activity {n}", 30, intensity)
    db.session.commit()
    return login(app, patient), login(app, clinician)


@pytest.mark.parametrize(
    ("kind", "keys"),
    [
        ("measure", set(goals.MEASURES)),
        ("feeling", {choice.value for choice in FEELINGS}),
        ("intensity", set(food_and_exercise.INTENSITIES)),
    ],
)
def test_every_key_has_a_label(kind, keys):
    assert set(labels.LABELS[kind]) == keys
    assert all(isinstance(text, LazyString) for text in labels.LABELS[kind].values())


def test_label_falls_back_to_what_is_stored(app):
    with app.test_request_context():
        assert labels.label("measure", "systolic") == "Systolic blood pressure"
        assert labels.label("feeling", "hard") == "Finding it hard"
        assert labels.label("intensity", "vigorous") == "Vigorous"
        assert labels.label("intensity", "extreme") == "extreme"
        assert labels.label("mood", "hard") == "hard"
        assert labels.label("feeling", None) == ""


def test_exercise_page_shows_intensities_in_spanish(spanish_record):
    patient, _ = spanish_record
    body = patient.get("/health/exercise").get_data(as_text=True)
    for n, intensity in enumerate(food_and_exercise.INTENSITIES):
        assert f"Activity {n} · 30 min · {said('intensity', intensity)}</li>" in body


def test_goals_page_shows_check_in_feelings_in_spanish(spanish_record):
    patient, _ = spanish_record
    body = patient.get("/health/goals").get_data(as_text=True)
    for n, _measure in enumerate(goals.MEASURES):
        feeling = FEELINGS[n % len(FEELINGS)].value
        assert f"· {said('feeling', feeling)} · note {n}</li>" in body


def test_clinician_reads_check_ins_in_spanish(spanish_record, patient):
    _, clinician = spanish_record
    body = clinician.get(f"/health/staff/patients/{patient.id}").get_data(as_text=True)
    for n, measure in enumerate(goals.MEASURES):
        feeling = FEELINGS[n % len(FEELINGS)].value
        line = f"· {said('measure', measure)} · <em>{said('feeling', feeling)}</em> note {n}</li>"
        assert line in body


def test_charts_name_days_in_the_visitors_language(spanish_record):
    patient, _ = spanish_record
    today = clock.today()
    for path in ("/health/vitals", "/health/goals", "/health/exercise"):
        body = patient.get(path).get_data(as_text=True)
        assert format_date(today, "d MMM", locale="es") in body, path
        assert today.strftime("%d %b") not in body, path


def test_labels_are_looked_up_when_the_page_renders(spanish_record, monkeypatch):
    patient, _ = spanish_record
    monkeypatch.setitem(
        labels.INTENSITY_LABELS, "moderate", LazyString(lambda: f"sentinel-{get_locale()}")
    )
    assert "sentinel-es" in patient.get("/health/exercise").get_data(as_text=True)
