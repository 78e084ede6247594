"""The public status page, the Atom feed and the calendar follow a repair's real state."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from dcx.extensions import db
from dcx.government import crews, photos, planner, repairs, workspace
from dcx.government.models import GovernmentPublicUpdate, GovernmentRepair
from dcx.platform import clock
from tests.conftest import make_user

ATOM = {"a": "http://www.w3.org/2005/Atom"}


def _fixed_by_a_crew(city) -> GovernmentRepair:
    repair = photos.report_repair(
        city.citizen.id, "streetlight", workspace.streets()[0], "", "Dark"
    )
    start = clock.now().replace(microsecond=0) + timedelta(hours=1)
    crew = city.crew("CREW-B")
    planner.schedule_repair(repair, crew, start, start + timedelta(hours=2))
    crews.report_position(crew, repair.x, repair.y, "on_site")
    crews.report_position(crew, repair.x, repair.y, "done")
    db.session.commit()
    return repair


def _feed_entry(client) -> ET.Element:
    root = ET.fromstring(client.get("/government/updates.atom").data)  # noqa: S314 - our feed
    (entry,) = root.findall("a:entry", ATOM)
    return entry


def _card(client, update_id: int) -> str:
    page = client.get("/government/status").get_data(as_text=True)
    return page.split(f'id="update-{update_id}"')[1].split("</article>")[0]


def test_still_broken_reopens_the_public_status_and_the_feed_entry(city, client, login_as):
    repair = _fixed_by_a_crew(city)
    update = db.session.execute(select(GovernmentPublicUpdate)).scalar_one()
    fixed_at = _feed_entry(client).find("a:updated", ATOM).text
    assert _feed_entry(client).find("a:category", ATOM).get("term") == "fixed"

    clock.advance(timedelta(hours=3))
    neighbour = login_as(make_user("neighbour@example.com", "Neighbour"))
    neighbour.post("/government/follow", data={"district": update.district})
    assert neighbour.post(f"/government/status/{update.id}/still-broken").status_code == 302

    card = _card(client, update.id)
    assert 'data-status="reported"' in card
    assert f"Reopened: streetlight at {repair.location}" in card
    assert "Fixed:" not in card and ">Reported<" in card
    entry = _feed_entry(client)
    assert entry.find("a:title", ATOM).text == f"Reopened: streetlight at {repair.location}"
    assert "still broken" in entry.find("a:summary", ATOM).text
    assert entry.find("a:category", ATOM).get("term") == "reported"
    assert entry.find("a:updated", ATOM).text > fixed_at  # feed readers see it changed
    assert entry.find("a:published", ATOM).text <= fixed_at  # first published when fixed
    # Nobody is offered to reopen what is already reopened.
    assert "Still broken?" not in _card(neighbour, update.id)

    # Fixed again: the notice of the fix holds once more.
    repair = db.session.get(GovernmentRepair, repair.id)
    repairs.transition(repair, "acknowledged")
    repairs.transition(repair, "scheduled")
    repairs.transition(repair, "in_progress")
    repairs.transition(repair, "fixed")
    db.session.commit()
    assert f"Fixed: streetlight at {repair.location}" in _card(client, update.id)
    assert _feed_entry(client).find("a:category", ATOM).get("term") == "fixed"


def test_a_repair_leaves_the_reporters_calendar_once_fixed_or_closed(city):
    repair = photos.report_repair(city.citizen.id, "pothole", workspace.streets()[0], "", "Hole")
    start = datetime(2026, 12, 1, 9, tzinfo=UTC)
    planner.schedule_repair(repair, city.crew("CREW-B"), start, start + timedelta(hours=2))
    db.session.commit()
    assert [e.starts_at for e in workspace.calendar(city.citizen.id)] == [start]

    # The office marks it fixed without the crew's device: the visit is no longer to come.
    repairs.transition(repair, "in_progress")
    repairs.transition(repair, "fixed")
    db.session.commit()
    assert workspace.calendar(city.citizen.id) == []
    photos.confirm_fixed(repair, city.citizen.id)
    db.session.commit()
    assert repair.status == "closed" and workspace.calendar(city.citizen.id) == []


def test_a_crew_visit_done_leaves_the_calendar(city):
    repair = _fixed_by_a_crew(city)  # the crew's device reported it done
    assert repair.status == "fixed"
    assert workspace.calendar(city.citizen.id) == []
    photos.confirm_fixed(repair, city.citizen.id)
    assert workspace.calendar(city.citizen.id) == []
