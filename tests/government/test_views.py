"""Government pages through the test client: staff and department scoping, citizens' reports,
the planner, and the public status page and feed."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from dcx.extensions import db
from dcx.government import (
    incidents,
    photos,
    planner,
    public_updates,
    repairs,
    sensors,
    simulation,
    workspace,
)
from dcx.government.models import (
    GovernmentIncident,
    GovernmentIncidentComment,
    GovernmentPublicUpdate,
    GovernmentRepair,
    GovernmentWorkOrder,
)
from dcx.platform import clock
from dcx.platform.drafts import services as drafts
from tests.conftest import make_user


def _image(fmt: str, size: tuple[int, int] = (20, 10), exif=None) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    extra = {"exif": exif} if exif is not None else {}
    Image.new("RGB", size, "orange").save(out, format=fmt, **extra)
    return out.getvalue()


PNG = _image("PNG")


def _incident() -> GovernmentIncident:
    incident = GovernmentIncident(
        title="Congestion on Harbour Road", x=1500, y=1500, severity="severe", travel_time_index=1.6
    )
    db.session.add(incident)
    db.session.commit()
    return incident


def _street_id(name="Harbour Road") -> int:
    return next(s.id for s in workspace.streets() if s.name == name)


# --- landing and access ---------------------------------------------------------------------


def test_landing_answers_anonymous_and_new_customer(client, city):
    body = client.get("/government/").get_data(as_text=True)
    assert 'id="government-capabilities"' in body
    make_user("new@example.com", "New Person")
    client.post(
        "/account/signin", data={"email": "new@example.com", "password": "correct horse battery"}
    )
    body = client.get("/government/").get_data(as_text=True)
    assert "Report a problem" in body and 'id="government-capabilities"' in body


@pytest.mark.parametrize(
    "path",
    [
        "/government/staff",
        "/government/staff/live.json",
        "/government/staff/incidents",
        "/government/staff/repairs",
        "/government/staff/planner",
        "/government/staff/social",
        "/government/staff/devices",
    ],
)
def test_staff_pages_refuse_customers_and_other_departments(city, login_as, staff_client, path):
    assert login_as(city.citizen).get(path).status_code == 403
    banker, _ = staff_client("banking")
    assert banker.get(path).status_code == 403
    assert login_as(city.officer).get(path).status_code == 200


def test_dashboard_shows_live_counts_congestion_map_and_charts(city, login_as, query_counter):
    simulation.simulate(
        clock.now(), __import__("random").Random(1), hours=3, incident_segment="Harbour Road"
    )
    db.session.commit()
    officer = login_as(city.officer)
    with query_counter() as q:
        body = officer.get("/government/staff").get_data(as_text=True)
    assert q() < 30, q()
    assert 'id="city-map"' in body and 'id="sensor-table"' in body
    assert "Congestion on Harbour Road" in body
    assert 'data-level="severe"' in body
    assert body.count('class="dcx-crew"') == 2
    assert "Vehicles per hour" in body and "Travel-time index" in body
    live = officer.get("/government/staff/live.json").get_json()
    assert {s["code"] for s in live["sensors"]} == {"S1", "S2", "S3", "S4"}
    assert all(s["online"] for s in live["sensors"])
    assert next(s for s in live["segments"] if s["name"] == "Harbour Road")["level"] == "severe"
    # the congestion list travels with the feed, with a key that changes only when it does
    assert "Congestion on Harbour Road" in live["congestion_html"]
    assert f'data-key="{live["congestion_key"]}"' in body
    again = officer.get("/government/staff/live.json").get_json()
    assert again["congestion_key"] == live["congestion_key"]


def test_the_live_feed_says_when_congestion_clears(city, login_as):
    officer = login_as(city.officer)
    quiet = officer.get("/government/staff/live.json").get_json()
    assert "No congestion right now." in quiet["congestion_html"]
    simulation.simulate(
        clock.now(), __import__("random").Random(1), hours=3, incident_segment="Harbour Road"
    )
    db.session.commit()
    busy = officer.get("/government/staff/live.json").get_json()
    assert busy["congestion_key"] != quiet["congestion_key"]
    assert "Congestion on Harbour Road" in busy["congestion_html"]
    assert "<script" not in busy["congestion_html"]


# --- incidents and departments --------------------------------------------------------------


INCIDENT_ROUTES = ["", "/describe", "/share", "/acknowledge", "/comment", "/handoff", "/repair"]


@pytest.mark.parametrize("suffix", INCIDENT_ROUTES)
def test_a_department_sees_only_what_was_shared_with_it(city, login_as, suffix):
    incident = _incident()
    url = f"/government/staff/incidents/{incident.id}{suffix}"
    works = login_as(city.works)
    call = works.get if suffix == "" else works.post
    assert call(url).status_code == 404
    assert (
        login_as(city.police).get(f"/government/staff/incidents/{incident.id}").status_code == 404
    )
    assert "Congestion on Harbour Road" not in works.get("/government/staff/incidents").get_data(
        as_text=True
    )
    assert "Congestion on Harbour Road" not in works.get("/government/staff").get_data(as_text=True)
    incidents.share_incident(incident, "public_works", city.officer.id)
    db.session.commit()
    assert works.get(f"/government/staff/incidents/{incident.id}").status_code == 200
    assert (
        login_as(city.police).get(f"/government/staff/incidents/{incident.id}").status_code == 404
    )


def test_unknown_incident_is_404(city, login_as):
    assert login_as(city.officer).get("/government/staff/incidents/999").status_code == 404


def test_admin_sees_every_incident(city, admin_client):
    incident = _incident()
    assert admin_client.get(f"/government/staff/incidents/{incident.id}").status_code == 200


def test_share_acknowledge_comment_and_hand_off(city, login_as):
    incident = _incident()
    officer, works = login_as(city.officer), login_as(city.works)
    base = f"/government/staff/incidents/{incident.id}"
    r = officer.post(f"{base}/describe", data={"cause": "Streetlight out at the crossing"})
    assert r.status_code == 302
    r = officer.post(f"{base}/share", data={"department": "public_works"}, follow_redirects=True)
    assert "Shared with Public works." in r.get_data(as_text=True)
    page = works.get(base).get_data(as_text=True)
    assert "Streetlight out at the crossing" in page and "Acknowledge" in page
    works.post(f"{base}/acknowledge")
    assert "acknowledged</span>" in works.get(base).get_data(as_text=True)
    assert works.post(f"{base}/comment", data={"body": ""}).status_code == 400
    works.post(f"{base}/comment", data={"body": "Crew A can go this afternoon."})
    comment = db.session.execute(select(GovernmentIncidentComment)).scalar_one()
    assert comment.department == "public_works" and comment.author_id == city.works.id
    assert (
        works.post(
            f"{base}/handoff", data={"to_department": "public_works", "task": "x"}
        ).status_code
        == 400
    )
    works.post(
        f"{base}/handoff",
        data={"to_department": "police", "task": "Direct traffic at the crossing"},
    )
    assert "Direct traffic at the crossing" in login_as(city.police).get(base).get_data(
        as_text=True
    )
    assert officer.post(f"{base}/share", data={"department": "army"}).status_code == 400


def test_repair_from_incident_then_schedule_in_the_planner(city, login_as):
    incident = _incident()
    officer = login_as(city.officer)
    r = officer.post(
        f"/government/staff/incidents/{incident.id}/repair",
        data={
            "category": "streetlight",
            "location": "Harbour Road at Mill Lane",
            "description": "Light out",
        },
    )
    repair = db.session.execute(select(GovernmentRepair)).scalar_one()
    assert r.headers["Location"].endswith(f"/government/staff/planner?repair={repair.id}")
    page = officer.get(f"/government/staff/planner?repair={repair.id}").get_data(as_text=True)
    assert f'<option selected value="{repair.id}">' in page
    day = clock.today() + timedelta(days=1)
    crew = city.crew("CREW-A")
    form = {
        "repair": repair.id,
        "crew": crew.id,
        "day": day.isoformat(),
        "start_hour": 9,
        "hours": 2,
    }
    r = officer.post("/government/staff/planner", data=form)
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(GovernmentRepair, repair.id).status == "scheduled"
    week = officer.get(r.headers["Location"]).get_data(as_text=True)
    assert f'data-repair="{repair.id}"' in week and "09:00\u201311:00" in week


def test_planner_refuses_a_double_booking(city, login_as):
    officer = login_as(city.officer)
    crew = city.crew("CREW-A")
    first = GovernmentRepair(category="streetlight", location="A", x=1, y=1)
    second = GovernmentRepair(category="pothole", location="B", x=2, y=2)
    db.session.add_all([first, second])
    db.session.commit()
    start = datetime.combine(clock.today() + timedelta(days=1), datetime.min.time(), UTC)
    planner.schedule_repair(first, crew, start + timedelta(hours=9), start + timedelta(hours=12))
    db.session.commit()
    form = {
        "repair": second.id,
        "crew": crew.id,
        "day": start.date().isoformat(),
        "start_hour": 10,
        "hours": 1,
    }
    r = officer.post("/government/staff/planner", data=form)
    assert r.status_code == 400
    assert "already booked" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(GovernmentRepair, second.id).status == "reported"
    assert db.session.scalar(select(func.count(GovernmentWorkOrder.id))) == 1
    assert (
        officer.post("/government/staff/planner", data={**form, "start_hour": 30}).status_code
        == 400
    )
    assert officer.post("/government/staff/planner", data={**form, "crew": 999}).status_code == 400


def test_staff_status_buttons_refuse_illegal_steps(city, login_as):
    repair = GovernmentRepair(category="sign", location="A", x=1, y=1)
    db.session.add(repair)
    db.session.commit()
    officer = login_as(city.officer)
    url = f"/government/staff/repairs/{repair.id}/status"
    assert officer.post(url, data={"to_status": "fixed"}).status_code == 400
    assert officer.post(url, data={"to_status": "nonsense"}).status_code == 400
    assert officer.post(url, data={"to_status": "acknowledged"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(GovernmentRepair, repair.id).status == "acknowledged"


def test_device_token_is_shown_once_and_stored_hashed(city, login_as):
    officer = login_as(city.officer)
    sensor = city.sensor("S1")
    r = officer.post(f"/government/staff/sensor/{sensor.id}/token")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    body = r.get_data(as_text=True)
    token = body.split("(shown once): ")[1].split("\n")[0].strip().split("<")[0].strip()
    assert token.startswith("gov-sensor_")
    # never in the session cookie (signed, not encrypted), so not on the next page either
    with officer.session_transaction() as session:
        assert token not in repr(dict(session))
    assert token not in r.headers.get("Set-Cookie", "")
    assert token not in officer.get("/government/staff/devices").get_data(as_text=True)
    db.session.expire_all()
    assert sensors.sensor_by_token(token).id == sensor.id
    assert token not in (city.sensor("S1").token_hash or "")
    assert officer.post("/government/staff/crew/999/token").status_code == 404


# --- citizens -------------------------------------------------------------------------------


def test_report_form_is_a_resumable_draft(city, login_as):
    maria = login_as(city.citizen)
    body = maria.get("/government/reports/new").get_data(as_text=True)
    assert 'data-draft="government.repair_report"' in body and "data-draft-status" in body


def test_citizen_reports_with_a_photo_and_the_draft_is_discarded(city, login_as, app):
    drafts.save(city.citizen.id, "government.repair_report", {"description": "half typed"})
    db.session.commit()
    maria = login_as(city.citizen)
    r = maria.post(
        "/government/reports/new",
        data={
            "category": "streetlight",
            "street": _street_id(),
            "location": "by the bus stop",
            "description": "The streetlight has been dark for a week.",
            "photo": (io.BytesIO(PNG), "light.png"),
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    repair = db.session.execute(select(GovernmentRepair)).scalar_one()
    assert repair.reporter_id == city.citizen.id and repair.photo_type == "image/png"
    assert drafts.load(city.citizen.id, "government.repair_report") is None
    photo = maria.get(f"/government/reports/{repair.id}/photo")
    assert photo.status_code == 200 and photo.data.startswith(b"\x89PNG")
    assert "by the bus stop" in maria.get("/government/reports").get_data(as_text=True)


@pytest.mark.parametrize(
    "photo,name",
    [(b"GIF89a" + b"\x00" * 20, "x.png"), (b"not an image", "x.jpg"), (PNG, "x.exe")],
)
def test_photos_that_are_not_images_are_refused(city, login_as, photo, name):
    maria = login_as(city.citizen)
    r = maria.post(
        "/government/reports/new",
        data={
            "category": "pothole",
            "street": _street_id(),
            "description": "A hole in the road.",
            "photo": (io.BytesIO(photo), name),
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 400
    assert "A hole in the road." in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count(GovernmentRepair.id))) == 0


def test_a_photo_over_one_megabyte_is_refused(city, login_as):
    r = login_as(city.citizen).post(
        "/government/reports/new",
        data={
            "category": "pothole",
            "street": _street_id(),
            "description": "A hole in the road.",
            "photo": (io.BytesIO(PNG + b"\x00" * 1024 * 1024), "big.png"),
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 400
    assert "at most 1 MB" in r.get_data(as_text=True)


def test_bad_report_keeps_what_was_typed(city, login_as):
    r = login_as(city.citizen).post(
        "/government/reports/new",
        data={
            "category": "pothole",
            "street": 9999,
            "location": "corner of Mill Lane",
            "description": "x",
        },
    )
    assert r.status_code == 400
    assert "corner of Mill Lane" in r.get_data(as_text=True)


def test_a_citizen_sees_only_their_own_reports(city, login_as):
    repair = photos.report_repair(
        city.citizen.id, "pothole", workspace.streets()[0], "", "Deep hole", "abc.png", "image/png"
    )
    repair.status = "fixed"
    db.session.commit()
    other = make_user("other@example.com", "Other Citizen")
    client = login_as(other)
    for path in ("", "/photo"):
        assert client.get(f"/government/reports/{repair.id}{path}").status_code == 404
    for path in ("/confirm", "/reopen"):
        assert client.post(f"/government/reports/{repair.id}{path}").status_code == 404
    assert "Deep hole" not in client.get("/government/reports").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(GovernmentRepair, repair.id).status == "fixed"
    assert login_as(city.citizen).get(f"/government/reports/{repair.id}").status_code == 200


def test_citizen_reopens_or_confirms_a_fix(city, login_as):
    repair = photos.report_repair(city.citizen.id, "pothole", workspace.streets()[0], "", "Hole")
    repair.status = "in_progress"
    repairs.transition(repair, "fixed")
    db.session.commit()
    maria = login_as(city.citizen)
    page = maria.get(f"/government/reports/{repair.id}").get_data(as_text=True)
    assert "Is it really fixed?" in page
    r = maria.post(f"/government/reports/{repair.id}/reopen", data={"note": "Still a hole"})
    assert r.status_code == 302
    db.session.expire_all()
    repair = db.session.get(GovernmentRepair, repair.id)
    assert repair.status == "reported" and repair.events[-1].note == "Still a hole"
    assert maria.post(f"/government/reports/{repair.id}/confirm").status_code == 400


def test_the_citizen_and_the_staff_read_one_repair_history_and_only_staff_its_notes(city, login_as):
    repair = photos.report_repair(city.citizen.id, "pothole", workspace.streets()[0], "", "Hole")
    repair.status = "in_progress"
    repairs.transition(repair, "fixed")
    db.session.commit()
    assert (
        login_as(city.citizen)
        .post(f"/government/reports/{repair.id}/reopen", data={"note": "Still a hole"})
        .status_code
        == 302
    )

    def history(page: str) -> str:
        return page.split('<h2 class="h5 card-title">History</h2>')[1].split("</ol>")[0]

    citizen = history(
        login_as(city.citizen).get(f"/government/reports/{repair.id}").get_data(as_text=True)
    )
    staff_page = login_as(city.officer).get(f"/government/staff/repairs/{repair.id}")
    staff = history(staff_page.get_data(as_text=True))
    assert citizen.count("<li><time datetime=") == staff.count("<li><time datetime=") >= 2
    assert 'id="repair-history"' in staff and "Still a hole" in staff
    assert "repair-history" not in citizen and "Still a hole" not in citizen


# --- public ---------------------------------------------------------------------------------


def _fixed_repair(city):
    repair = photos.report_repair(
        city.citizen.id, "streetlight", workspace.streets()[0], "", "Dark"
    )
    repair.status = "in_progress"
    repairs.transition(repair, "fixed")
    db.session.commit()
    return repair


def test_public_status_page_and_atom_feed_need_no_login(city, client):
    assert "No updates yet." in client.get("/government/status").get_data(as_text=True)
    repair = _fixed_repair(city)
    page = client.get("/government/status").get_data(as_text=True)
    assert f"Fixed: streetlight at {repair.location}" in page
    feed = client.get("/government/updates.atom")
    assert feed.mimetype == "application/atom+xml"
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ET.fromstring(feed.data)  # noqa: S314 - our own feed
    assert root.find("a:title", ns).text == "City updates"
    entry = root.find("a:entry", ns)
    assert entry.find("a:title", ns).text == f"Fixed: streetlight at {repair.location}"
    assert (
        entry.find("a:link", ns)
        .get("href")
        .startswith("http://127.0.0.1:5000/government/status#update-")  # on the base URL
    )


def test_social_outbox_shows_each_network(city, login_as):
    _fixed_repair(city)
    page = login_as(city.officer).get("/government/staff/social").get_data(as_text=True)
    for network in ("x", "mastodon", "facebook"):
        assert f'data-network="{network}"' in page
    assert "no GOVERNMENT_SOCIAL_WEBHOOK configured" in page


def test_follow_a_district_and_report_still_broken(city, login_as):
    repair = _fixed_repair(city)
    other = login_as(make_user("neighbour@example.com", "Neighbour"))
    assert other.post("/government/follow", data={"district": "atlantis"}).status_code == 400
    update = db.session.execute(select(GovernmentPublicUpdate)).scalar_one()
    assert other.post(f"/government/status/{update.id}/still-broken").status_code == 403
    other.post("/government/follow", data={"district": update.district})
    assert "Still broken?" in other.get("/government/status").get_data(as_text=True)
    assert public_updates.followed_areas(city.citizen.id) == []
    r = other.post(f"/government/status/{update.id}/still-broken")
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(GovernmentRepair, repair.id).status == "reported"
    assert other.post("/government/status/999/still-broken").status_code == 404


def test_a_citizen_report_becomes_the_incident_repair(city, login_as):
    incident = _incident()
    report = photos.report_repair(
        city.citizen.id, "streetlight", workspace.streets()[0], "corner", "Light out"
    )
    db.session.commit()
    officer = login_as(city.officer)
    page = officer.get(f"/government/staff/incidents/{incident.id}").get_data(as_text=True)
    assert f"#{report.id} streetlight" in page
    r = officer.post(
        f"/government/staff/incidents/{incident.id}/repair",
        data={"citizen_report": report.id, "category": "streetlight", "location": "x"},
    )
    assert r.headers["Location"].endswith(f"repair={report.id}")
    db.session.expire_all()
    linked = db.session.get(GovernmentRepair, report.id)
    assert linked.incident_id == incident.id and linked.status == "acknowledged"
    assert db.session.scalar(select(func.count(GovernmentRepair.id))) == 1
    again = officer.post(
        f"/government/staff/incidents/{incident.id}/repair",
        data={"citizen_report": report.id, "category": "streetlight", "location": "x"},
    )
    assert again.status_code == 400  # no longer offered: already linked


def test_picking_a_cell_fills_crew_and_day(city, login_as):
    repair = GovernmentRepair(category="sign", location="A", x=1, y=1)
    db.session.add(repair)
    db.session.commit()
    crew = city.crew("CREW-B")
    officer = login_as(city.officer)
    page = officer.get(f"/government/staff/planner?repair={repair.id}").get_data(as_text=True)
    assert f'data-pick="{crew.id}:' in page
    day = (clock.today() + timedelta(days=2)).isoformat()
    page = officer.get(
        f"/government/staff/planner?repair={repair.id}&crew={crew.id}&day={day}"
    ).get_data(as_text=True)
    assert f'<option selected value="{crew.id}">' in page
    assert f'value="{day}"' in page


def test_only_the_receiving_department_completes_a_handoff(city, login_as):
    incident = _incident()
    handoff = incidents.hand_off(incident, "transport", "police", "Direct traffic", city.officer.id)
    db.session.commit()
    url = f"/government/staff/handoffs/{handoff.id}/done"
    assert login_as(city.works).post(url).status_code == 404  # not shared with public works
    assert login_as(city.officer).post(url).status_code == 404  # the sender cannot close it
    assert login_as(city.police).post(url).status_code == 302
    db.session.expire_all()
    assert db.session.get(type(handoff), handoff.id).status == "done"


def test_a_booked_repair_appears_in_the_reporters_calendar(city):
    repair = photos.report_repair(city.citizen.id, "pothole", workspace.streets()[0], "", "Hole")
    start = datetime(2026, 12, 1, 9, tzinfo=UTC)
    planner.schedule_repair(repair, city.crew("CREW-B"), start, start + timedelta(hours=2))
    entries = workspace.calendar(city.citizen.id)
    assert [(e.title, e.starts_at) for e in entries] == [("City repair: pothole", start)]
    assert workspace.calendar(city.officer.id) == []


def test_a_photos_metadata_is_stripped_and_it_is_turned_upright(city, login_as):
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "PhoneMakerCo"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90 degrees to show it upright
    exif.get_ifd(0x8825)[2] = (44.0, 25.0, 36.0)  # GPS latitude
    jpeg = _image("JPEG", (20, 10), exif=exif.tobytes())
    assert b"PhoneMakerCo" in jpeg
    maria = login_as(city.citizen)
    r = maria.post(
        "/government/reports/new",
        data={
            "category": "pothole",
            "street": _street_id(),
            "description": "A hole in the road.",
            "photo": (io.BytesIO(jpeg), "hole.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    repair = db.session.execute(select(GovernmentRepair)).scalar_one()
    stored = maria.get(f"/government/reports/{repair.id}/photo").data
    assert b"PhoneMakerCo" not in stored and b"Exif" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG" and image.size == (10, 20)
        assert dict(image.getexif()) == {}


def test_a_truncated_image_is_refused(city, login_as):
    r = login_as(city.citizen).post(
        "/government/reports/new",
        data={
            "category": "pothole",
            "street": _street_id(),
            "description": "A hole in the road.",
            "photo": (io.BytesIO(_image("JPEG")[:40]), "cut.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 400
    assert db.session.scalar(select(func.count(GovernmentRepair.id))) == 0
