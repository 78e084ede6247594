"""Stored categories, departments, statuses and kinds reach Spanish staff and citizens in
Spanish, never as raw keys.

The app's real Spanish texts arrive later, so these tests install a catalogue of their own
that translates each label's message id to ``[es] <msgid>``: seeing that on a page proves the
page asked gettext, in the visitor's locale, for the label of the stored key. The rows are
made here, not from the showcase file, so the pages under test hold every key there is.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from babel.dates import format_date
from flask_babel import LazyString, get_locale
from sqlalchemy import select

from dcx.extensions import db
from dcx.government import districts, jobs, labels
from dcx.government import planner as government_planner
from dcx.government.models import (
    CREW_STATUSES,
    DEPARTMENTS,
    REPAIR_CATEGORIES,
    SENSOR_KINDS,
    GovernmentCrew,
    GovernmentIncident,
    GovernmentIncidentShare,
    GovernmentPublicUpdate,
    GovernmentRepair,
    GovernmentRepairEvent,
    GovernmentSensor,
    GovernmentSocialPost,
)
from dcx.platform import clock
from tests.conftest import AuthActions, make_user, marked, marked_catalogue

KINDS = {
    "category": (REPAIR_CATEGORIES, labels.CATEGORY_LABELS),
    "department": (DEPARTMENTS, labels.DEPARTMENT_LABELS),
    "crew_status": (CREW_STATUSES, labels.CREW_STATUS_LABELS),
    "sensor_kind": (SENSOR_KINDS, labels.SENSOR_KIND_LABELS),
    "post_status": (("pending", "sent", "failed", "skipped"), labels.POST_STATUS_LABELS),
}


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


def signed_in(app, user):
    """A new client signed in as ``user``, who reads the site in Spanish."""
    user.locale = "es"
    db.session.commit()
    client = app.test_client()
    AuthActions(client).login(user.email)
    return client


@pytest.fixture
def officer(app):
    """A transport officer of the city, in Spanish."""
    user = make_user("officer@example.com", "Olga Officer", role="staff", department="government")
    districts.assign_department(user.id, "transport")
    return signed_in(app, user)


@pytest.fixture
def citizen(app):
    """A citizen with a report in every category; the (client, user, repairs)."""
    user = make_user("maria@example.com", "María Popescu")
    repairs = [
        GovernmentRepair(
            category=category, location=f"Street {n}", x=100 * n, y=100, reporter_id=user.id
        )
        for n, category in enumerate(REPAIR_CATEGORIES, start=1)
    ]
    db.session.add_all(repairs)
    db.session.commit()
    return signed_in(app, user), user, repairs


@pytest.fixture
def city_rows(app, citizen):
    """A crew in every status, a sensor of every kind, an incident shared with every
    department, and a social post in every state."""
    db.session.add_all(
        GovernmentCrew(code=f"C{n}", name=f"Crew {n}", status=status)
        for n, status in enumerate(CREW_STATUSES)
    )
    db.session.add_all(
        GovernmentSensor(code=f"S{n}", name=f"Sensor {n}", kind=kind, x=10 * n, y=10)
        for n, kind in enumerate(SENSOR_KINDS)
    )
    incident = GovernmentIncident(
        title="Congestion on Harbour Road", severity="severe", department="transport", x=1, y=1
    )
    db.session.add(incident)
    db.session.flush()
    db.session.add_all(
        GovernmentIncidentShare(incident_id=incident.id, department=d)
        for d in DEPARTMENTS
        if d != "transport"
    )
    update = GovernmentPublicUpdate(title="Fixed", body="Fixed.", district="harbour")
    db.session.add(update)
    db.session.flush()
    db.session.add_all(
        GovernmentSocialPost(update_id=update.id, network=network, text="Fixed.", status=status)
        for network, status in zip(
            ("x", "mastodon", "facebook", "bluesky"), KINDS["post_status"][0], strict=True
        )
    )
    db.session.commit()
    return incident


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_key_has_a_label(kind):
    keys, mapping = KINDS[kind]
    assert set(mapping) == set(keys)
    assert all(isinstance(text, LazyString) for text in mapping.values())


def test_label_falls_back_to_what_is_stored(app):
    with app.test_request_context():
        assert labels.label("category", "traffic_signal") == "Traffic signal"
        assert labels.label("crew_status", "en_route") == "en route"
        assert labels.label("category", "sinkhole") == "sinkhole"
        assert labels.label("colour", "pothole") == "pothole"
        assert labels.label("status", "") == ""
        assert labels.label("status", None) == ""
        assert labels.labels_of("crew_status")["on_site"] == "on site"
        assert labels.labels_of("nothing") == {}


def test_citizen_sees_categories_in_spanish(citizen):
    client, _, repairs = citizen
    listing = client.get("/government/reports").get_data(as_text=True)
    for repair in repairs:
        assert f"#{repair.id} {said('category', repair.category)} — " in listing
        page = client.get(f"/government/reports/{repair.id}").get_data(as_text=True)
        assert f"#{repair.id}: {said('category', repair.category)}" in page


def test_staff_repair_pages_show_categories_in_spanish(officer, citizen):
    _, _, repairs = citizen
    listing = officer.get("/government/staff/repairs").get_data(as_text=True)
    for repair in repairs:
        assert f"{said('category', repair.category)} — {repair.location}" in listing
    page = officer.get(f"/government/staff/repairs/{repairs[0].id}").get_data(as_text=True)
    assert f"#{repairs[0].id}: {said('category', repairs[0].category)}" in page


def test_repair_pickers_submit_the_id_and_show_the_category(officer, citizen, city_rows):
    _, _, repairs = citizen
    incident = officer.get(f"/government/staff/incidents/{city_rows.id}").get_data(as_text=True)
    planner = officer.get("/government/staff/planner").get_data(as_text=True)
    for repair in repairs:
        choice = f'value="{repair.id}">#{repair.id} {said("category", repair.category).lower()}'
        assert choice in incident and choice in planner


def test_planner_names_the_days_in_spanish(officer, citizen):
    monday = government_planner.week_start(clock.today())
    page = officer.get(f"/government/staff/planner?week={monday}").get_data(as_text=True)
    for day in (monday, monday + timedelta(days=6)):
        assert f">{format_date(day, 'EEE d', locale='es')}</th>" in page
        assert day.strftime("%a %d") not in page


def test_incidents_show_severity_departments_and_status_in_spanish(officer, city_rows):
    page = officer.get("/government/staff/incidents").get_data(as_text=True)
    assert f"<td>{said('level', 'severe')}</td>" in page
    assert f"<td>{said('incident_status', 'open')}</td>" in page
    for department in DEPARTMENTS:
        if department != "transport":
            assert said("department", department) in page


def test_traffic_dashboard_shows_department_and_crews_in_spanish(officer, city_rows):
    page = officer.get("/government/staff").get_data(as_text=True)
    assert f'id="my-department">{said("department", "transport")}</strong>' in page
    for status in CREW_STATUSES:
        assert f'data-field="status">{said("crew_status", status)}</span>' in page
    # The live feed sends keys; the page's script turns them into these labels.
    assert f'"en_route": "{said("crew_status", "en_route")}"' in page


def test_devices_show_sensor_kinds_and_crew_statuses_in_spanish(officer, city_rows):
    page = officer.get("/government/staff/devices").get_data(as_text=True)
    for kind in SENSOR_KINDS:
        assert f"<td>{said('sensor_kind', kind)}</td>" in page
    for status in CREW_STATUSES:
        assert f"<td>{said('crew_status', status)}</td>" in page


def test_social_outbox_shows_post_states_in_spanish(officer, city_rows):
    page = officer.get("/government/staff/social").get_data(as_text=True)
    for status in KINDS["post_status"][0]:
        assert f'data-status="{status}">{said("post_status", status)}</span>' in page


def test_the_nightly_close_explains_itself_in_spanish(officer, citizen):
    _, _, repairs = citizen
    repair = repairs[0]
    repair.status = "fixed"
    repair.fixed_at = clock.now() - timedelta(days=15)
    db.session.commit()
    assert jobs.close_settled_fixes(clock.now()) == 1
    db.session.commit()  # the job runner commits a job's work with its run log
    note = db.session.execute(
        select(GovernmentRepairEvent.note).where(GovernmentRepairEvent.repair_id == repair.id)
    ).scalar_one()
    assert note in labels.REPAIR_NOTE_LABELS  # the job's note and its label stay in step
    page = officer.get(f"/government/staff/repairs/{repair.id}").get_data(as_text=True)
    assert f": {said('repair_note', note)}</li>" in page and note not in page


def test_labels_are_looked_up_when_the_page_renders(officer, citizen, monkeypatch):
    monkeypatch.setitem(
        labels.CATEGORY_LABELS, "pothole", LazyString(lambda: f"sentinel-{get_locale()}")
    )
    assert "sentinel-es" in officer.get("/government/staff/repairs").get_data(as_text=True)
