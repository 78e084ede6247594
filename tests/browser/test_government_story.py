"""The government story in Chromium: sensors report congestion, the officer shares it with
public works, schedules the streetlight repair, follows the crew on the map, and the public
and the citizen who reported it hear about the fix at once."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from dcx.government.models import GovernmentCrew, GovernmentRepair
from dcx.platform import clock
from dcx.platform.drafts.services import load
from dcx.platform.notify.models import Message
from tests.conftest import PASSWORD
from tests.government.conftest import build_city

pytestmark = pytest.mark.browser


def _sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/account/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#user-menu")).to_be_attached()


def _observation(start, vehicles, travel=None):
    item = {
        "interval_start": start.isoformat(),
        "interval_end": (start + timedelta(minutes=15)).isoformat(),
        "vehicle_count": vehicles,
        "pedestrian_count": vehicles // 3,
        "average_speed_kmh": 18.5,
        "devices": ["AA:BB:CC:DD:EE:01", "AA:BB:CC:DD:EE:02"],
    }
    if travel:
        item["travel_times"] = travel
    return item


def test_congestion_to_published_fix(page: Page, browser: Browser, live_server, live_db):
    with live_db() as db:
        city = build_city()
        tokens, crew_tokens = city.sensor_tokens, city.crew_tokens
        crew_id = db.session.execute(select(GovernmentCrew.id).filter_by(code="CREW-A")).scalar()
        citizen_id = city.citizen.id
        now = clock.now().replace(second=0, microsecond=0)

    # A citizen reports the broken streetlight from her own device.
    citizen = browser.new_context().new_page()
    _sign_in(citizen, live_server, "maria@example.com")
    citizen.goto(f"{live_server}/government/reports/new")
    expect(citizen.locator('form[data-draft="government.repair_report"]')).to_be_visible()
    citizen.get_by_label("What is broken?").select_option("streetlight")
    citizen.get_by_label("Street").select_option(label="Harbour Road")
    citizen.get_by_label("Where exactly (house number, corner)").fill("at the Mill Lane crossing")
    citizen.get_by_label("Describe the problem").fill(
        "The streetlight is dark and drivers slow down."
    )
    citizen.get_by_role("button", name="Send report").click()
    expect(citizen.locator("#report-status")).to_have_text("Reported")
    with live_db() as db:
        report_id = db.session.execute(
            select(GovernmentRepair.id).where(GovernmentRepair.reporter_id == citizen_id)
        ).scalar_one()

    # The officer has the dashboard open: no congestion yet.
    _sign_in(page, live_server, "city@example.com")
    page.goto(f"{live_server}/government/staff")
    expect(page.locator("#congestion")).to_contain_text("No congestion right now.")

    # Sensors post observations through the API; Harbour Road takes 1.6x its free-flow time.
    api = page.request
    for code, vehicles, travel in [
        ("S1", 240, [{"to": "S2", "seconds": 192}]),
        ("S2", 180, None),
        ("S3", 90, [{"to": "S4", "seconds": 150}, {"to": "S1", "seconds": 95}]),
        ("S4", 60, [{"to": "S2", "seconds": 96}]),
    ]:
        body = {"observations": [_observation(now - timedelta(minutes=15), vehicles, travel)]}
        response = api.post(
            f"{live_server}/api/v1/government/observations",
            data=body,
            headers={"Authorization": f"Bearer {tokens[code]}"},
        )
        assert response.status == 201, response.text()
    wrong = api.post(
        f"{live_server}/api/v1/government/observations",
        data={"observations": [_observation(now, 1)]},
        headers={"Authorization": "Bearer gov-sensor_wrong"},
    )
    assert wrong.status == 401

    # The congestion arrives on the open dashboard and on the map, without a reload.
    expect(page.locator("#congestion-list")).to_contain_text("Congestion on Harbour Road")
    expect(page.locator("#congestion-list")).to_contain_text("Severe congestion")
    expect(page.locator('[data-sensor-row] [data-field="vehicles"]').first).to_have_text("240")
    expect(page.locator('#city-map [data-level="severe"]')).to_have_count(1)

    # ... shares it with public works, and turns the citizen's report into its repair.
    page.get_by_role("link", name="Congestion on Harbour Road").click()
    page.get_by_label("Cause").fill("Broken streetlight at the Mill Lane crossing")
    page.get_by_role("button", name="Save cause").click()
    expect(page.locator("#incident-cause")).to_have_text(
        "Broken streetlight at the Mill Lane crossing"
    )
    page.locator("#share-form").get_by_label("Department").select_option("public_works")
    page.locator("#share-form").get_by_role("button", name="Share").click()
    expect(page.locator('#shared-with [data-department="public_works"]')).to_contain_text(
        "Public works"
    )
    page.get_by_label("From a citizen's report").select_option(str(report_id))
    page.get_by_role("button", name="Create repair").click()

    # ... and schedules it for Crew A in the planner.
    expect(page.locator("#schedule-form")).to_be_visible()
    page.locator(f'[data-pick="{crew_id}:{now.date().isoformat()}"]').click()
    form = page.locator("#schedule-form")
    expect(form.get_by_label("Crew", exact=True)).to_have_value(str(crew_id))
    expect(form.get_by_label("Repair", exact=True)).to_have_value(str(report_id))
    expect(form.get_by_label("Day", exact=True)).to_have_value(now.date().isoformat())
    page.get_by_label("Start hour (0-23, UTC)").fill(str(now.hour))
    page.get_by_label("Duration (hours)").fill("2")
    page.get_by_role("button", name="Schedule").click()
    expect(page.locator(".alert-success")).to_contain_text(f"Repair #{report_id} scheduled")
    expect(page.locator(f'#week-plan [data-repair="{report_id}"]')).to_contain_text("Scheduled")

    # The crew's positions arrive and move on the map, without reloading the dashboard.
    page.goto(f"{live_server}/government/staff")
    crew_on_map = page.locator(f"#crew-{crew_id}")
    expect(crew_on_map).to_have_attribute("data-x", "400")
    position_url = f"{live_server}/api/v1/government/crews/{crew_id}/position"
    crew_headers = {"Authorization": f"Bearer {crew_tokens['CREW-A']}"}
    assert api.post(position_url, data={"x": 1, "y": 1, "status": "en_route"}).status == 401
    for x, y in [(600, 900), (1100, 1400)]:
        r = api.post(
            position_url, data={"x": x, "y": y, "status": "en_route"}, headers=crew_headers
        )
        assert r.status == 200 and r.json()["eta_seconds"] > 0
        expect(crew_on_map).to_have_attribute("data-x", str(x))
        expect(crew_on_map).to_have_attribute("transform", f"translate({x} {y})")
    expect(page.locator(f'[data-crew-row="{crew_id}"] [data-field="eta"]')).to_contain_text("ETA")
    for status in ("on_site", "done"):
        r = api.post(
            position_url, data={"x": 1500, "y": 1500, "status": status}, headers=crew_headers
        )
        assert r.status == 200
    assert r.json()["repair_status"] == "fixed"
    expect(crew_on_map).to_have_attribute("data-status", "done")
    expect(page.locator(f'[data-crew-row="{crew_id}"] [data-field="status"]')).to_have_text("done")

    # The public page (no sign-in) and the Atom feed show the fix at once.
    public = browser.new_context().new_page()
    public.goto(f"{live_server}/government/status")
    title = "Fixed: streetlight at Harbour Road — at the Mill Lane crossing"
    expect(public.locator("article").first).to_contain_text(title)
    feed = public.request.get(f"{live_server}/government/updates.atom")
    assert feed.headers["content-type"].startswith("application/atom+xml")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = ET.fromstring(feed.body()).findall("a:entry", ns)  # noqa: S314 - our own feed
    assert [e.find("a:title", ns).text for e in entries] == [title]

    # The social outbox shows the post per network.
    page.goto(f"{live_server}/government/staff/social")
    expect(page.locator('[data-network="x"]')).to_contain_text(title)

    # The citizen who reported it gets a message asking whether it is really fixed.
    with live_db() as db:
        message = db.session.execute(
            select(Message).where(
                Message.user_id == citizen_id, Message.topic == "government.fix_check"
            )
        ).scalar_one()
        assert message.link == f"/government/reports/{report_id}"
    citizen.goto(f"{live_server}/inbox/")
    citizen.get_by_role("button", name=f"Is it really fixed? Report #{report_id}").click()
    expect(citizen.locator("#fix-check")).to_contain_text("Is it really fixed?")
    expect(citizen.locator("#report-status")).to_have_text("Fixed")
    citizen.get_by_role("button", name="Yes, it is fixed").click()
    expect(citizen.locator("#report-status")).to_have_text("Closed")


def test_government_pages_fit_a_phone(page: Page, live_server, live_db):
    with live_db() as db:
        build_city()
        db.session.commit()
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, live_server, "city@example.com")
    for path in (
        "/government/staff",
        "/government/staff/planner",
        "/government/staff/social",
        "/government/staff/repairs",
        "/government/status",
    ):
        page.goto(f"{live_server}{path}")
        expect(page.locator("h1")).to_be_visible()
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways at 390px"
    # The citizen starts a report on a laptop and finishes it on her phone.
    laptop = page.context.browser.new_context().new_page()
    _sign_in(laptop, live_server, "maria@example.com")
    laptop.goto(f"{live_server}/government/reports/new")
    laptop.get_by_label("Street").select_option(label="King Street")
    laptop.get_by_label("Describe the problem").fill("A loose paving stone outside the library.")
    expect(laptop.locator("[data-draft-status]")).to_contain_text("saved")
    citizen = page.context.browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    _sign_in(citizen, live_server, "maria@example.com")
    for path in ("/government/", "/government/status", "/government/reports/new"):
        citizen.goto(f"{live_server}{path}")
        overflow = citizen.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways at 390px"
    expect(citizen.get_by_label("Describe the problem")).to_have_value(
        "A loose paving stone outside the library."
    )
    citizen.get_by_label("What is broken?").select_option("pavement")
    citizen.get_by_role("button", name="Send report").click()
    expect(citizen.locator("#report-status")).to_have_text("Reported")
    with live_db():
        maria = db.session.execute(
            select(GovernmentRepair.reporter_id).where(GovernmentRepair.category == "pavement")
        ).scalar_one()
        assert load(maria, "government.repair_report") is None


def test_a_waiting_repair_is_dragged_onto_a_crews_day(page: Page, live_server, live_db):
    from dcx.government import photos, workspace

    with live_db() as db:
        city = build_city()
        repair = photos.report_repair(
            city.citizen.id, "streetlight", workspace.streets()[0], "by the bus stop", "Dark"
        )
        db.session.commit()
        repair_id = repair.id
        crew_id = db.session.execute(select(GovernmentCrew.id).filter_by(code="CREW-B")).scalar()
    day = clock.today() + timedelta(days=1)
    if day.weekday() == 0:  # tomorrow is next week's Monday: stay on this week's plan
        day = clock.today()
    _sign_in(page, live_server, "city@example.com")
    page.goto(f"{live_server}/government/staff/planner")

    cell = page.locator(f'#week-plan td[data-crew="{crew_id}"][data-day="{day.isoformat()}"]')
    page.locator(f'[data-waiting="{repair_id}"]').drag_to(cell)
    form = page.locator("#schedule-form")
    expect(form.get_by_label("Repair", exact=True)).to_have_value(str(repair_id))
    expect(form.get_by_label("Crew", exact=True)).to_have_value(str(crew_id))
    expect(form.get_by_label("Day", exact=True)).to_have_value(day.isoformat())
    expect(page.get_by_label("Start hour (0-23, UTC)")).to_be_focused()
    expect(page.locator("#drop-status")).to_contain_text(f"#{repair_id}")
    expect(cell).to_have_class(re.compile("dcx-picked"))

    page.get_by_label("Start hour (0-23, UTC)").fill("22")  # late: clear of seeded orders
    page.get_by_label("Duration (hours)").fill("1")
    page.get_by_role("button", name="Schedule").click()
    expect(page.locator(".alert-success")).to_contain_text(f"Repair #{repair_id} scheduled")
    scheduled = page.locator(
        f'#week-plan td[data-crew="{crew_id}"][data-day="{day.isoformat()}"] '
        f'[data-repair="{repair_id}"]'
    )
    expect(scheduled).to_contain_text("22:00")
    expect(page.locator(f'[data-waiting="{repair_id}"]')).to_have_count(0)
