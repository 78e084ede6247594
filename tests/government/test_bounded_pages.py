"""Government pages that cost the same however many citizens report: the staff's repairs a
page at a time, the public status page's latest updates with older ones a link away, and the
citizen reports an incident offers, the nearest few."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dcx.extensions import db
from dcx.government import public_updates, repairs, workspace
from dcx.government.models import GovernmentIncident, GovernmentRepair
from dcx.platform import clock
from tests.page_cost import page_cost


@pytest.fixture
def app_config():
    """Three repairs a page, so a handful of repairs fill several pages."""
    return {"DCX_STAFF_PAGE_SIZE": 3}


def _repairs(n: int, start: int = 0, **fields) -> list[GovernmentRepair]:
    made = [
        GovernmentRepair(category="sign", location=f"Place {i:02d}", x=i, y=i, **fields)
        for i in range(start, start + n)
    ]
    db.session.add_all(made)
    db.session.commit()
    return made


def test_staff_repairs_come_a_page_at_a_time_and_by_search(city, login_as):
    made = _repairs(7)
    officer = login_as(city.officer)

    def listed(url: str) -> str:
        page = officer.get(url)
        assert page.status_code == 200
        return page.get_data(as_text=True)

    first, second = listed("/government/staff/repairs"), listed("/government/staff/repairs?page=2")
    newest_first = [r.location for r in reversed(made)]
    assert [p in first for p in newest_first] == [True] * 3 + [False] * 4
    assert [p in second for p in newest_first] == [False] * 3 + [True] * 3 + [False]
    assert "4\u20136 of 7" in second
    found = listed("/government/staff/repairs?q=place 02")
    assert "Place 02" in found and "Place 03" not in found
    assert "No repair request matches your search." in listed("/government/staff/repairs?q=zz")
    for bad in ("0", "-1", "x", "999"):
        listed(f"/government/staff/repairs?page={bad}")


def test_staff_repairs_cost_the_same_with_more_repairs(city, login_as):
    _repairs(4)
    officer = login_as(city.officer)
    officer.get("/government/staff/repairs")
    with page_cost(db.engine) as few:
        assert officer.get("/government/staff/repairs").status_code == 200
    _repairs(10, start=4)
    with page_cost(db.engine) as many:
        assert officer.get("/government/staff/repairs").status_code == 200
    assert many.as_tuple() == few.as_tuple()


def _fixed(n: int, city) -> list[GovernmentRepair]:
    from dcx.government import photos

    made = []
    for i in range(n):
        repair = photos.report_repair(
            city.citizen.id, "streetlight", workspace.streets()[0], f"post {i:02d}", "Dark"
        )
        repair.status = "in_progress"
        repairs.transition(repair, "fixed")
        made.append(repair)
    db.session.commit()
    return made


def test_the_status_page_shows_the_latest_updates_and_links_to_older_ones(city, client):
    per = public_updates.STATUS_PAGE
    made = _fixed(per + 2, city)
    first = client.get("/government/status").get_data(as_text=True)
    assert first.count('<article class="card') == per
    assert f"post {per + 1:02d}" in first and "post 00" not in first
    assert 'id="older-updates"' in first and "/government/status?page=2" in first
    second = client.get("/government/status?page=2").get_data(as_text=True)
    assert second.count('<article class="card') == 2 and "post 00" in second
    assert 'id="older-updates"' not in second and "Newer updates" in second
    assert "Repairs in progress: 0" in first and len(made) == per + 2
    for bad in ("0", "-4", "x", "99999999999999999999", "500"):
        assert client.get(f"/government/status?page={bad}").status_code == 200


def test_the_status_page_costs_the_same_with_more_updates(city, client):
    _fixed(public_updates.STATUS_PAGE + 1, city)
    client.get("/government/status")
    with page_cost(db.engine) as few:
        assert client.get("/government/status").status_code == 200
    _fixed(5, city)
    _repairs(5, status="reported")
    with page_cost(db.engine) as many:
        assert client.get("/government/status").status_code == 200
    assert many.as_tuple() == few.as_tuple()


def test_an_incident_offers_the_nearest_citizen_reports(city, login_as):
    incident = GovernmentIncident(title="Congestion", x=100, y=100, severity="severe")
    db.session.add(incident)
    db.session.commit()
    far = _repairs(repairs.NEAREST_REPORTS, start=500, reporter_id=city.citizen.id)
    near = _repairs(repairs.NEAREST_REPORTS, start=95, reporter_id=city.citizen.id)
    offered = repairs.unlinked_citizen_reports(incident.x, incident.y)
    assert offered[0].id == near[5].id  # at the incident itself
    assert {r.id for r in offered} == {r.id for r in near}
    page = login_as(city.officer).get(f"/government/staff/incidents/{incident.id}")
    body = page.get_data(as_text=True)
    assert all(f'value="{r.id}">#{r.id} ' in body for r in near)
    assert not any(f">#{r.id} " in body for r in far)


def test_the_planner_offers_the_newest_waiting_and_the_picked_repair(city, login_as):
    from dcx.government import photos

    made = _repairs(photos.PLANNER_WAITING + 3)
    oldest = made[0]
    officer = login_as(city.officer)

    def waiting(url: str) -> str:
        page = officer.get(url)
        assert page.status_code == 200
        return page.get_data(as_text=True).split('id="waiting-repairs"')[1].split("</ul>")[0]

    shown = waiting("/government/staff/planner")
    assert shown.count("data-waiting=") == photos.PLANNER_WAITING
    assert f'data-waiting="{made[-1].id}"' in shown and f'data-waiting="{oldest.id}"' not in shown
    assert f"of {len(made)} waiting repairs" in officer.get("/government/staff/planner").get_data(
        as_text=True
    )
    picked = waiting(f"/government/staff/planner?repair={oldest.id}")
    assert f'data-waiting="{oldest.id}"' in picked
    assert picked.count("data-waiting=") == photos.PLANNER_WAITING
    page = officer.get("/government/staff/planner?week=2026-13-40&repair=x")
    assert page.status_code == 200
    form = {
        "repair": oldest.id,
        "crew": city.crew("CREW-B").id,
        "day": (clock.today() + timedelta(days=1)).isoformat(),
        "start_hour": 9,
        "hours": 2,
    }
    assert officer.post("/government/staff/planner", data=form).status_code == 302
    db.session.expire_all()
    assert db.session.get(GovernmentRepair, oldest.id).status == "scheduled"


def test_the_planner_costs_the_same_with_more_waiting_repairs(city, login_as):
    from dcx.government import photos

    _repairs(photos.PLANNER_WAITING + 1)
    officer = login_as(city.officer)
    officer.get("/government/staff/planner")
    with page_cost(db.engine) as few:
        assert officer.get("/government/staff/planner").status_code == 200
    _repairs(10, start=50)
    with page_cost(db.engine) as many:
        assert officer.get("/government/staff/planner").status_code == 200
    assert many.as_tuple() == few.as_tuple()
