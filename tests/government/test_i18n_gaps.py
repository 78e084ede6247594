"""What government builds in Python (incident titles, planner errors, repair notes, the social
outbox, the staff card, calendar entries, the Atom feed) reaches a Spanish reader in Spanish.

The app's real Spanish texts arrive later, so these tests install a catalogue of their own
that translates each message id to ``[es] <msgid>``: seeing that on a page proves the text
went through gettext, in the reader's (or the showcase's) locale, instead of being English.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import LazyString, force_locale
from sqlalchemy import select

from dcx.extensions import db
from dcx.government import (
    crews,
    districts,
    labels,
    photos,
    planner,
    public_updates,
    repairs,
    sensors,
    workspace,
)
from dcx.government.models import GovernmentIncident, GovernmentRepair, GovernmentSocialPost
from dcx.platform import clock
from tests.conftest import AuthActions, marked, marked_catalogue

MESSAGES = [
    "Congestion on %(segment)s",
    "%(crew)s is already booked at that time",
    "a work order must end after it starts",
    "a repair cannot go from %(from_status)s to %(to_status)s",
    "linked to incident #%(number)s",
    "%(crew)s on site",
    "fixed by %(crew)s",
    "More: %(link)s",
    "City updates",
    "City reports",
    "Latest: #%(number)s %(location)s — %(status)s",
    "City repair: %(category)s",
    "A crew is booked to repair what you reported (report #%(number)s).",
]
PLURALS = [("%(num)d report, %(open)d open", "%(num)d reports, %(open)d open")]


spanish = marked  # what the test catalogue makes of a message id


@pytest.fixture
def app_config(tmp_path):
    """Translations from a Spanish catalogue: the messages under test and every label."""
    labelled = {str(t) for mapping in labels.LABELS.values() for t in mapping.values()}
    return marked_catalogue(tmp_path, {*MESSAGES, *labelled}, PLURALS)


@pytest.fixture(autouse=True)
def _fresh_catalogues(fresh_catalogues):
    """Each test starts and ends with Flask-Babel\'s shared catalogue cache empty."""


def in_spanish(app, user):
    """A new client signed in as ``user``, who reads the site in Spanish."""
    user.locale = "es"
    db.session.commit()
    client = app.test_client()
    AuthActions(client).login(user.email)
    return client


def _report(city, category: str = "pothole") -> GovernmentRepair:
    repair = photos.report_repair(city.citizen.id, category, workspace.streets()[0], "", "Hole")
    db.session.commit()
    return repair


def _tomorrow(hour: int) -> datetime:
    day = clock.today() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def test_a_congestion_incident_is_titled_in_the_language_in_force(city):
    segment = city.segment("Harbour Road")
    with force_locale("es"):  # a job or the seed of a Spanish showcase
        incident = sensors.detect_congestion(segment, 1.6)
    assert incident.title == "[es] Congestion on Harbour Road"
    incident.status = "closed"
    db.session.flush()
    english = sensors.detect_congestion(segment, 1.6)
    assert english.title == "Congestion on Harbour Road"


def test_planner_says_a_crew_is_booked_in_the_officers_language(app, city):
    officer = in_spanish(app, city.officer)
    crew = city.crew("CREW-A")
    first, second = _report(city, "streetlight"), _report(city, "pothole")
    planner.schedule_repair(first, crew, _tomorrow(9), _tomorrow(12))
    db.session.commit()
    form = {
        "repair": second.id,
        "crew": crew.id,
        "day": _tomorrow(0).date().isoformat(),
        "start_hour": 10,
        "hours": 1,
    }
    response = officer.post("/government/staff/planner", data=form)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f"[es] {crew.name} is already booked at that time" in page


def test_workflow_errors_are_lazy_and_read_in_the_readers_language(city):
    repair = _report(city)
    with pytest.raises(repairs.IllegalTransition) as refused:
        repairs.transition(repair, "closed")
    assert isinstance(refused.value.args[0], LazyString)
    assert str(refused.value) == "a repair cannot go from Reported to Closed"
    with force_locale("es"):
        assert str(refused.value) == "[es] a repair cannot go from [es] Reported to [es] Closed"
    with pytest.raises(planner.ScheduleConflict) as backwards:
        planner.schedule_repair(repair, city.crew("CREW-A"), _tomorrow(10), _tomorrow(9))
    assert str(backwards.value) == "a work order must end after it starts"
    with force_locale("es"):
        assert str(backwards.value) == "[es] a work order must end after it starts"


def test_notes_the_workflow_writes_reach_staff_in_spanish(app, city):
    incident = GovernmentIncident(title="Congestion on Harbour Road", x=1500, y=1500)
    db.session.add(incident)
    repair = _report(city)
    crew = city.crew("CREW-A")
    with force_locale("es"):  # the officer links it and the crew reports, in Spanish
        repairs.link_report_to_incident(incident, repair, city.officer.id)
        planner.schedule_repair(repair, crew, clock.now(), clock.now() + timedelta(hours=2))
        crews.report_position(crew, repair.x, repair.y, "on_site")
        crews.report_position(crew, repair.x, repair.y, "done")
    photos.reopen(repair, city.citizen.id)  # stored as keys, shown through labels
    db.session.commit()
    notes = [e.note for e in repair.events]
    assert repairs.NOTE_REOPENED in notes
    page = in_spanish(app, city.officer).get(f"/government/staff/repairs/{repair.id}")
    page = page.get_data(as_text=True)
    assert f"[es] linked to incident #{incident.id}" in page
    assert f"[es] {crew.name} on site" in page
    assert f"[es] fixed by {crew.name}" in page
    assert "[es] reopened: not fixed" in page
    assert ": reopened: not fixed" not in page


def test_confirmed_and_still_broken_notes_are_labelled(app, city):
    for note in (repairs.NOTE_CONFIRMED, repairs.NOTE_REOPENED, repairs.NOTE_STILL_BROKEN):
        assert note in labels.REPAIR_NOTE_LABELS
        with force_locale("es"):
            assert labels.label("repair_note", note) == spanish(note)
    repair = _report(city)
    repair.status = "in_progress"
    repairs.transition(repair, "fixed")
    public_updates.follow_area(city.citizen.id, districts.district_of(repair.x, repair.y))
    db.session.commit()
    update = public_updates.public_updates()[0]
    citizen = in_spanish(app, city.citizen)
    assert citizen.post(f"/government/status/{update.id}/still-broken").status_code == 302
    assert repair.events[-1].note == repairs.NOTE_STILL_BROKEN


def test_social_outbox_says_why_a_post_was_not_sent_in_spanish(app, city):
    repair = _report(city)
    repair.status = "in_progress"
    repairs.transition(repair, "fixed")
    db.session.commit()
    page = in_spanish(app, city.officer).get("/government/staff/social").get_data(as_text=True)
    assert page.count("· [es] no GOVERNMENT_SOCIAL_WEBHOOK configured") == 3
    assert "· no GOVERNMENT_SOCIAL_WEBHOOK" not in page


def test_a_fix_published_by_a_spanish_speaker_is_posted_in_the_sites_language(app, city):
    repair = _report(city)
    repair.status = "in_progress"
    db.session.commit()
    officer = in_spanish(app, city.officer)
    response = officer.post(
        f"/government/staff/repairs/{repair.id}/status", data={"to_status": "fixed"}
    )
    assert response.status_code == 302
    post = db.session.execute(
        select(GovernmentSocialPost).where(GovernmentSocialPost.network == "facebook")
    ).scalar_one()
    # public words speak the city's language (here English), linked on the configured base URL
    assert "\n\nMore: http://127.0.0.1:5000/government/status#update-" in post.text
    assert "[es]" not in post.text


def test_staff_card_speaks_the_staff_members_language(app, city):
    repair = _report(city)
    page = in_spanish(app, city.officer).get(f"/staff/customers/{city.citizen.id}")
    page = page.get_data(as_text=True)
    card = page[page.index('data-card="government"') :]
    card = card[: card.index("</section>")]
    assert "[es] City reports" in card
    assert "<li>[es] 1 report, 1 open</li>" in card
    assert f"<li>[es] Latest: #{repair.id} {repair.location} — [es] reported</li>" in card


def test_a_booked_repair_is_in_the_citizens_calendar_in_spanish(app, city):
    repair = _report(city, "traffic_signal")
    planner.schedule_repair(repair, city.crew("CREW-B"), _tomorrow(9), _tomorrow(11))
    db.session.commit()
    page = in_spanish(app, city.citizen).get("/calendar").get_data(as_text=True)
    assert "[es] City repair: [es] traffic signal" in page
    (entry,) = workspace.calendar(city.citizen.id)  # outside a request: English
    assert entry.title == "City repair: traffic signal"
    assert entry.description == (
        f"A crew is booked to repair what you reported (report #{repair.id})."
    )


def test_the_atom_feed_speaks_the_sites_language_whoever_asks(city, client, app, monkeypatch):
    repair = _report(city)
    repair.status = "in_progress"
    repairs.transition(repair, "fixed")
    db.session.commit()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    # the visitor's language does not change the entries, so it does not change the feed
    feed = client.get("/government/updates.atom", headers={"Accept-Language": "es"})
    root = ET.fromstring(feed.data)  # noqa: S314 - our own feed
    assert root.find("a:title", ns).text == "City updates"
    assert root.get(lang) == "en"
    # a city whose site speaks Spanish publishes in Spanish, and says so
    monkeypatch.setitem(app.extensions, "dcx_default_language", lambda: "es")
    root = ET.fromstring(client.get("/government/updates.atom").data)  # noqa: S314
    assert root.find("a:title", ns).text == "[es] City updates"
    assert root.get(lang) == "es"
