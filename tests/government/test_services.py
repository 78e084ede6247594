"""Government rules, called directly: congestion, the workflow, the planner, publishing."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from dcx.extensions import db
from dcx.government import (
    congestion,
    crews,
    districts,
    photos,
    planner,
    public_updates,
    repairs,
    repairs_public,
    sensors,
    simulation,
    workspace,
)
from dcx.government import incidents as government_incidents
from dcx.government.models import (
    GovernmentDeviceSighting,
    GovernmentIncident,
    GovernmentObservation,
    GovernmentPublicUpdate,
    GovernmentRepair,
    GovernmentSocialPost,
    GovernmentTravelTime,
    GovernmentWorkOrder,
)
from dcx.platform import clock
from dcx.platform.notify.models import Message


def _obs(start: datetime, minutes: int = 15, **fields):
    return {
        "interval_start": start.isoformat(),
        "interval_end": (start + timedelta(minutes=minutes)).isoformat(),
        **fields,
    }


# --- congestion -----------------------------------------------------------------------------


def test_travel_time_index_is_actual_over_free_flow():
    assert congestion.travel_time_index(180, 120) == pytest.approx(1.5)
    with pytest.raises(ValueError):
        congestion.travel_time_index(100, 0)


@pytest.mark.parametrize(
    "index,level",
    [
        (None, "free"),
        (1.0, "free"),
        (1.299, "free"),
        (1.3, "congested"),
        (1.49, "congested"),
        (1.5, "severe"),
        (2.4, "severe"),
    ],
)
def test_congestion_thresholds(index, level):
    assert congestion.congestion_level(index) == level


def test_thresholds_live_in_one_place():
    assert dict(congestion.CONGESTION_THRESHOLDS) == {"congested": 1.3, "severe": 1.5}


def test_sensor_goes_offline_after_fifteen_silent_minutes(city):
    sensor = city.sensor("S1")
    now = clock.now()
    assert not congestion.sensor_online(sensor, now)
    sensor.last_seen_at = now - timedelta(minutes=14)
    assert congestion.sensor_online(sensor, now)
    sensor.last_seen_at = now - timedelta(minutes=16)
    assert not congestion.sensor_online(sensor, now)


def test_slow_travel_time_opens_one_incident_and_raises_its_severity(city):
    sensor = city.sensor("S1")
    start = clock.now().replace(microsecond=0) - timedelta(minutes=30)
    # free flow 120 s: 160 s -> index 1.33 congested
    sensors.ingest_observations(
        sensor, [_obs(start, vehicle_count=80, travel_times=[{"to": "S2", "seconds": 160}])]
    )
    incidents = list(db.session.execute(select(GovernmentIncident)).scalars())
    assert len(incidents) == 1
    assert incidents[0].severity == "congested"
    assert incidents[0].travel_time_index == pytest.approx(1.33, abs=0.01)
    sensors.ingest_observations(
        sensor,
        [_obs(start + timedelta(minutes=15), travel_times=[{"to": "S2", "seconds": 200}])],
    )
    incidents = list(db.session.execute(select(GovernmentIncident)).scalars())
    assert len(incidents) == 1
    assert incidents[0].severity == "severe"


def test_free_flow_opens_no_incident(city):
    start = clock.now() - timedelta(minutes=15)
    sensors.ingest_observations(
        city.sensor("S1"), [_obs(start, travel_times=[{"to": "S2", "seconds": 130}])]
    )
    assert db.session.scalar(select(func.count(GovernmentIncident.id))) == 0
    assert db.session.scalar(select(GovernmentTravelTime.travel_time_index)) == pytest.approx(
        130 / 120, abs=0.001
    )


def test_resending_an_interval_replaces_it(city):
    start = clock.now().replace(microsecond=0) - timedelta(minutes=15)
    sensor = city.sensor("S1")
    sensors.ingest_observations(sensor, [_obs(start, vehicle_count=10)])
    sensors.ingest_observations(sensor, [_obs(start, vehicle_count=12)])
    rows = list(db.session.execute(select(GovernmentObservation)).scalars())
    assert [r.vehicle_count for r in rows] == [12]


def test_the_overviews_show_each_sensors_and_segments_latest_interval(city):
    start = clock.now().replace(microsecond=0) - timedelta(minutes=45)
    sensor = city.sensor("S1")
    sensors.ingest_observations(
        sensor,
        [
            _obs(start, vehicle_count=10, travel_times=[{"to": "S2", "seconds": 120}]),
            _obs(
                start + timedelta(minutes=15),
                vehicle_count=25,
                travel_times=[{"to": "S2", "seconds": 150}],
            ),
        ],
    )
    by_code = {row["code"]: row for row in sensors.sensor_overview(clock.now())}
    assert by_code["S1"]["vehicles"] == 25  # the later interval, not the first
    assert by_code["S2"]["vehicles"] is None  # no observation yet
    indexes = [row["index"] for row in sensors.segment_overview() if row["index"] is not None]
    assert indexes == [pytest.approx(150 / 120, abs=0.01)]


def test_the_charts_count_each_hour_of_the_last_twelve(city):
    now = datetime(2026, 11, 20, 14, 40, tzinfo=UTC)
    sensors.ingest_observations(
        city.sensor("S1"),
        [
            _obs(now - timedelta(hours=13), vehicle_count=99),  # before the window
            _obs(
                now - timedelta(hours=2),
                vehicle_count=5,
                travel_times=[{"to": "S2", "seconds": 150}],
            ),
            _obs(now - timedelta(minutes=30), vehicle_count=7),
            _obs(
                now - timedelta(minutes=15),
                vehicle_count=4,
                travel_times=[{"to": "S2", "seconds": 180}],
            ),
        ],
    )
    labels, traffic = sensors.traffic_series(now)
    assert labels[0] == "03:00" and labels[-1] == "14:00" and len(labels) == 12
    assert traffic["S1"][-3:] == [5, 0, 11] and sum(traffic["S1"]) == 16
    labels, indexes = sensors.index_series(now)
    (segment,) = indexes.values()
    assert segment[-3] == pytest.approx(1.25, abs=0.01)
    assert segment[-1] == pytest.approx(1.5, abs=0.01)
    assert segment[-2] is None


def test_device_addresses_are_kept_only_as_daily_salted_hashes(city):
    start = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    sensor = city.sensor("S1")
    sensors.ingest_observations(
        sensor,
        [_obs(start, devices=["AA:BB:CC:DD:EE:01", "aa:bb:cc:dd:ee:01", "AA:BB:CC:DD:EE:02"])],
    )
    hashes = list(db.session.execute(select(GovernmentDeviceSighting.device_hash)).scalars())
    assert len(hashes) == 2
    assert all("AA:BB" not in h.upper() and len(h) == 64 for h in hashes)
    assert db.session.scalar(select(GovernmentObservation.unique_devices)) == 2
    day1 = sensors.device_hash("AA:BB:CC:DD:EE:01", start.date())
    day2 = sensors.device_hash("AA:BB:CC:DD:EE:01", start.date() + timedelta(days=1))
    assert day1 in hashes and day1 != day2  # the salt rotates daily


def test_unknown_sensor_pair_and_bad_interval_are_refused(city):
    start = clock.now()
    with pytest.raises(sensors.IngestError):
        sensors.ingest_observations(
            city.sensor("S1"), [_obs(start, travel_times=[{"to": "S4", "seconds": 100}])]
        )
    with pytest.raises(sensors.IngestError):
        sensors.ingest_observations(city.sensor("S1"), [_obs(start, minutes=-5)])
    with pytest.raises(sensors.IngestError):
        sensors.ingest_observations(
            city.sensor("S1"), [{"interval_start": "yesterday", "interval_end": "today"}]
        )


def test_simulation_makes_a_daily_rhythm_and_a_severe_incident(city):
    now = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
    totals = simulation.simulate(now, random.Random(3), hours=12, incident_segment="Harbour Road")
    assert totals["observations"] == 4 * 12 * 4
    assert (
        simulation.rush_factor(now.replace(hour=8))
        > 0.9
        > simulation.rush_factor(now.replace(hour=3))
    )
    incident = db.session.execute(select(GovernmentIncident)).scalars().one()
    assert incident.segment.name == "Harbour Road" and incident.severity == "severe"
    again = simulation.simulate(now, random.Random(3), hours=12, incident_segment="Harbour Road")
    assert again["observations"] == totals["observations"]
    assert db.session.scalar(select(func.count(GovernmentObservation.id))) == 4 * 12 * 4


# --- departments ----------------------------------------------------------------------------


def _incident(city) -> GovernmentIncident:
    incident = GovernmentIncident(title="Congestion on Harbour Road", x=1500, y=1500)
    db.session.add(incident)
    db.session.flush()
    return incident


def test_a_department_sees_only_what_was_shared_with_it(city):
    incident = _incident(city)
    assert government_incidents.visible_incidents("transport") == [incident]
    assert government_incidents.visible_incidents("public_works") == []
    government_incidents.share_incident(incident, "public_works", city.officer.id)
    assert government_incidents.visible_incidents("public_works") == [incident]
    assert government_incidents.visible_incidents("police") == []
    assert government_incidents.visible_incidents(None) == []
    assert government_incidents.incident_visible_to(incident, "public_works")
    assert not government_incidents.incident_visible_to(incident, "police")


def test_sharing_tells_the_department_once(city):
    incident = _incident(city)
    government_incidents.share_incident(incident, "public_works", city.officer.id)
    government_incidents.share_incident(incident, "public_works", city.officer.id)
    titles = list(
        db.session.execute(select(Message.title).where(Message.user_id == city.works.id)).scalars()
    )
    assert titles == ["Shared with you: Congestion on Harbour Road"]
    assert len(incident.shares) == 1


def test_acknowledge_comment_and_hand_off(city):
    incident = _incident(city)
    assert not government_incidents.acknowledge_incident(incident, "public_works", city.works.id)
    government_incidents.share_incident(incident, "public_works", city.officer.id)
    assert government_incidents.acknowledge_incident(incident, "public_works", city.works.id)
    assert incident.shares[0].acknowledged_by_id == city.works.id
    government_incidents.comment_on_incident(incident, "public_works", city.works.id, " On it. ")
    assert [c.body for c in government_incidents.incident_comments(incident.id)] == ["On it."]
    government_incidents.hand_off(
        incident, "public_works", "police", "Direct traffic", city.works.id
    )
    assert government_incidents.visible_incidents("police") == [incident]
    with pytest.raises(ValueError):
        government_incidents.hand_off(incident, "police", "police", "x", city.police.id)


# --- repair workflow ------------------------------------------------------------------------

LEGAL = [
    ("reported", "acknowledged"),
    ("acknowledged", "scheduled"),
    ("scheduled", "in_progress"),
    ("in_progress", "fixed"),
    ("fixed", "closed"),
    ("fixed", "reported"),
    ("reported", "duplicate"),
    ("in_progress", "unable_to_fix"),
]
ILLEGAL = [
    ("reported", "fixed"),
    ("reported", "scheduled"),
    ("acknowledged", "fixed"),
    ("scheduled", "closed"),
    ("closed", "reported"),
    ("duplicate", "acknowledged"),
    ("unable_to_fix", "fixed"),
    ("fixed", "in_progress"),
]


@pytest.mark.parametrize("a,b", LEGAL)
def test_legal_transitions(a, b):
    assert repairs.can_transition(a, b)


@pytest.mark.parametrize("a,b", ILLEGAL)
def test_illegal_transitions_are_refused(app, a, b):
    repair = GovernmentRepair(category="pothole", location="x", x=1, y=1, status=a)
    db.session.add(repair)
    db.session.flush()
    with pytest.raises(repairs.IllegalTransition):
        repairs.transition(repair, b)
    assert repair.status == a


def test_every_status_has_a_rule_and_a_label():
    assert set(repairs.TRANSITIONS) == set(repairs.REPAIR_STATUSES) == set(repairs.STATUS_LABELS)
    for targets in repairs.TRANSITIONS.values():
        assert targets <= set(repairs.REPAIR_STATUSES)


def _street(name="King Street"):
    return next(s for s in workspace.streets() if s.name == name)


def test_citizen_report_records_history_and_timeline(city):
    repair = photos.report_repair(
        city.citizen.id, "streetlight", _street(), "by the bakery", "The light is out."
    )
    assert repair.status == "reported"
    assert repair.location == "King Street — by the bakery"
    assert (repair.x, repair.y) == (1500, 600)
    assert [e.to_status for e in repair.events] == ["reported"]
    assert photos.citizen_reports(city.citizen.id) == [repair]
    assert photos.citizen_reports(city.officer.id) == []
    card = workspace.summary_card(city.citizen.id)
    assert card["lines"][0] == "1 report, 1 open"  # one report, not "1 reports"
    assert workspace.summary_card(city.officer.id) is None


# --- planner --------------------------------------------------------------------------------


def _repair(city, location="Harbour Road by S1", x=1000.0, y=1500.0):
    repair = GovernmentRepair(category="streetlight", location=location, x=x, y=y)
    db.session.add(repair)
    db.session.flush()
    return repair


def test_scheduling_books_the_crew_and_moves_the_workflow(city):
    repair = _repair(city)
    crew = city.crew("CREW-A")
    start = datetime(2026, 11, 24, 9, tzinfo=UTC)
    order = planner.schedule_repair(
        repair, crew, start, start + timedelta(hours=2), city.officer.id
    )
    assert repair.status == "scheduled"
    assert [e.to_status for e in repair.events] == ["acknowledged", "scheduled"]
    assert order.crew_id == crew.id and crew.status == "dispatched"


@pytest.mark.parametrize(
    "offset_hours,length,conflict",
    [(0, 2, True), (1, 2, True), (-1, 2, True), (-1, 3, True), (2, 1, False), (-2, 2, False)],
)
def test_a_crew_cannot_be_in_two_places_at_once(city, offset_hours, length, conflict):
    crew = city.crew("CREW-A")
    start = datetime(2026, 11, 24, 9, tzinfo=UTC)
    planner.schedule_repair(_repair(city), crew, start, start + timedelta(hours=2))
    other = _repair(city, "King Street")
    other_start = start + timedelta(hours=offset_hours)
    if conflict:
        with pytest.raises(planner.ScheduleConflict):
            planner.schedule_repair(other, crew, other_start, other_start + timedelta(hours=length))
        assert other.status == "reported"
    else:
        planner.schedule_repair(other, crew, other_start, other_start + timedelta(hours=length))
        assert other.status == "scheduled"


def test_another_crew_may_take_the_same_slot(city):
    start = datetime(2026, 11, 24, 9, tzinfo=UTC)
    planner.schedule_repair(_repair(city), city.crew("CREW-A"), start, start + timedelta(hours=2))
    planner.schedule_repair(_repair(city), city.crew("CREW-B"), start, start + timedelta(hours=2))
    assert db.session.scalar(select(func.count(GovernmentWorkOrder.id))) == 2


def test_week_plan_places_orders_by_crew_and_day(city):
    start = datetime(2026, 11, 25, 9, tzinfo=UTC)  # a Wednesday
    repair = _repair(city)
    planner.schedule_repair(repair, city.crew("CREW-B"), start, start + timedelta(hours=1))
    plan = planner.week_plan(planner.week_start(start.date()))
    assert plan["days"][0].isoformat() == "2026-11-23"
    assert [r.id for _, r in plan["grid"][(city.crew("CREW-B").id, start.date())]] == [repair.id]


# --- crews and publishing -------------------------------------------------------------------


def test_crew_positions_drive_the_repair_to_fixed_and_publish_it(city):
    repair = photos.report_repair(
        city.citizen.id, "streetlight", _street("Harbour Road"), "near S1", "Dark at night."
    )
    public_updates.follow_area(city.police.id, districts.district_of(repair.x, repair.y))
    crew = city.crew("CREW-A")
    now = clock.now()
    planner.schedule_repair(repair, crew, now, now + timedelta(hours=2))
    first = crews.report_position(crew, 600, 900, "en_route")
    second = crews.report_position(crew, 1200, 1400, "en_route")
    assert first["eta_seconds"] > second["eta_seconds"] > 0
    crews.report_position(crew, 1500, 1500, "on_site")
    assert repair.status == "in_progress"
    result = crews.report_position(crew, 1500, 1500, "done")
    assert result["repair_status"] == "fixed" and repair.status == "fixed"
    update = db.session.execute(select(GovernmentPublicUpdate)).scalar_one()
    assert update.repair_id == repair.id and "Harbour Road" in update.title
    posts = {p.network: p for p in db.session.execute(select(GovernmentSocialPost)).scalars()}
    assert set(posts) == {"x", "mastodon", "facebook"}
    assert len(posts["x"].text) <= 280
    assert all(p.status == "skipped" for p in posts.values())  # no webhook configured
    asked = db.session.execute(
        select(Message).where(
            Message.user_id == city.citizen.id, Message.topic == "government.fix_check"
        )
    ).scalar_one()
    assert asked.link == f"/government/reports/{repair.id}"
    follower = db.session.execute(
        select(Message).where(
            Message.user_id == city.police.id, Message.topic == "government.fix_check"
        )
    ).scalar_one()
    assert "Fixed in" in follower.title
    trails = crews.crew_trails()
    assert trails[crew.id][0] == (600, 900)


def test_social_webhook_is_called_when_configured(city, app, monkeypatch):
    calls = []
    app.config["GOVERNMENT_SOCIAL_WEBHOOK"] = "https://hooks.example/social"
    monkeypatch.setattr(
        public_updates,
        "send_to_webhook",
        lambda url, payload: calls.append((url, payload)) or "HTTP 202",
    )
    repair = _repair(city)
    repair.status = "in_progress"
    repairs.transition(repair, "fixed")
    assert {c[1]["network"] for c in calls} == {"x", "mastodon", "facebook"}
    assert {p.status for p in db.session.execute(select(GovernmentSocialPost)).scalars()} == {
        "sent"
    }


def test_a_failing_webhook_is_recorded_not_raised(city, app, monkeypatch):
    app.config["GOVERNMENT_SOCIAL_WEBHOOK"] = "https://hooks.example/social"

    def boom(url, payload):
        raise OSError("connection refused")

    monkeypatch.setattr(public_updates, "send_to_webhook", boom)
    repair = _repair(city)
    repair.status = "in_progress"
    repairs.transition(repair, "fixed")
    post = db.session.execute(select(GovernmentSocialPost)).scalars().first()
    assert post.status == "failed" and "connection refused" in post.outcome


def test_x_post_stays_within_280_characters_for_a_long_location(city):
    repair = _repair(city, location="A" * 160)
    repair.status = "in_progress"
    repairs.transition(repair, "fixed")
    x = db.session.execute(select(GovernmentSocialPost).filter_by(network="x")).scalar_one()
    assert len(x.text) <= 280 and x.text.endswith("#update-1")


def test_reopen_and_fix_again_asks_again(city):
    repair = photos.report_repair(city.citizen.id, "pothole", _street(), "", "Deep hole")
    repair.status = "in_progress"
    repairs.transition(repair, "fixed")
    photos.reopen(repair, city.citizen.id, "still there")
    assert repair.status == "reported"
    for step in ("acknowledged", "scheduled", "in_progress", "fixed"):
        repairs.transition(repair, step)
    asks = db.session.scalar(
        select(func.count(Message.id)).where(
            Message.user_id == city.citizen.id, Message.topic == "government.fix_check"
        )
    )
    assert asks == 2
    assert db.session.scalar(select(func.count(GovernmentPublicUpdate.id))) == 1
    photos.confirm_fixed(repair, city.citizen.id)
    assert repair.status == "closed"


def test_atom_feed_lists_updates(city):
    import xml.etree.ElementTree as ET

    repair = _repair(city)
    repair.status = "in_progress"
    repairs.transition(repair, "fixed")
    entries = repairs_public.public_entries(public_updates.public_updates())
    xml = repairs_public.atom_feed(entries, "http://x/feed", "http://x/status")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = ET.fromstring(xml).findall("a:entry", ns)  # noqa: S314
    assert [e.find("a:title", ns).text for e in entries] == [
        "Fixed: streetlight at Harbour Road by S1"
    ]


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/x", "gopher://x"])
def test_the_social_webhook_must_be_an_http_url(url):
    with pytest.raises(ValueError, match="http"):
        public_updates.send_to_webhook(url, {"text": "hello"})


def test_an_interval_straddling_two_clock_moves_is_reported_once_by_the_second():
    from dcx.government.simulate import intervals

    at = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    first = intervals(at + timedelta(minutes=3), at + timedelta(minutes=38))
    second = intervals(at + timedelta(minutes=38), at + timedelta(minutes=52))
    assert first == [at, at + timedelta(minutes=15)]  # reported at 10:15 and 10:30
    assert second == [at + timedelta(minutes=30)]  # 10:30 to 10:45, reported at 10:45
    # split anywhere, the intervals are the same as lived at once
    whole = intervals(at + timedelta(minutes=3), at + timedelta(minutes=52))
    assert first + second == whole
