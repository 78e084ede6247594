"""The government seed: the default showcase twice changes nothing."""

from __future__ import annotations

import random
from datetime import timedelta
from itertools import pairwise

from sqlalchemy import func, select

from dcx.extensions import db
from dcx.government import districts, public_updates, seed
from dcx.government import repairs as government_repairs
from dcx.government.forms import CATEGORY_LABELS
from dcx.government.models import (
    GovernmentCrew,
    GovernmentDepartmentMember,
    GovernmentIncident,
    GovernmentObservation,
    GovernmentRepair,
    GovernmentSegment,
    GovernmentSensor,
    GovernmentStreet,
    GovernmentTravelTime,
)
from dcx.platform.accounts.models import User
from dcx.platform.showcase import texts
from dcx.verticals import SeedContext
from tests.conftest import make_user
from tests.government.conftest import city_data

MODELS = (
    User,
    GovernmentDepartmentMember,
    GovernmentStreet,
    GovernmentSensor,
    GovernmentSegment,
    GovernmentCrew,
    GovernmentObservation,
    GovernmentTravelTime,
    GovernmentIncident,
    GovernmentRepair,
)


def _counts():
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in MODELS}


def test_seeding_twice_changes_nothing(app):
    from tests.government.conftest import SEED_FILE

    data = texts.read(SEED_FILE)
    data["history_hours"] = 2
    users = {
        "city_officer": make_user(
            "city@example.com", "Jordan", role="staff", department="government"
        ),
        "maria": make_user("maria@example.com", "María"),
        "public_works": make_user(
            "works@example.com", "Morgan", role="staff", department="government"
        ),
    }
    for _ in range(2):
        seed.load(SeedContext("default", data, users, random.Random(5)))
        db.session.commit()
        if _ == 0:
            first = _counts()
    assert _counts() == first
    assert first["GovernmentSensor"] == 4 and first["GovernmentCrew"] == 2
    assert first["GovernmentObservation"] == 4 * 2 * 4
    assert first["GovernmentRepair"] == 2  # the pothole still open, a streetlight fixed
    assert districts.department_of(users["city_officer"].id) == "transport"
    works = users["public_works"]
    assert works.serves("government") and districts.department_of(works.id) == "public_works"


def test_empty_data_seeds_nothing(app):
    seed.load(SeedContext("other", {}, {}, random.Random(1)))
    assert db.session.scalar(select(func.count(GovernmentSensor.id))) == 0


def test_city_data_helper_matches_the_showcase():
    assert {s["code"] for s in city_data()["sensors"]} == {"S1", "S2", "S3", "S4"}


def test_scale_gives_each_citizen_reports_with_their_history_once(app):
    from dcx.government.models import (
        GovernmentAreaFollow,
        GovernmentPublicUpdate,
        GovernmentRepairEvent,
    )
    from dcx.platform import clock
    from dcx.platform.timeline.models import Event

    streets = [GovernmentStreet(name="King Street", x1=300, y1=600, x2=2700, y2=600)]
    db.session.add_all(streets)
    citizens = [make_user(f"c{n}@scale.dcx.example", f"C{n}") for n in range(30)]
    seed.scale(SeedContext("default", {}, {}, random.Random(3)), citizens)
    db.session.commit()
    repairs = list(db.session.execute(select(GovernmentRepair)).scalars())
    by_citizen = {c.id: [r for r in repairs if r.reporter_id == c.id] for c in citizens}
    assert all(1 <= len(rs) <= 3 for rs in by_citizen.values())
    now = clock.now()
    for r in repairs:
        steps = [e.to_status for e in sorted(r.events, key=lambda e: (e.at, e.id))]
        assert steps[0] == "reported" and steps[-1] == r.status
        assert all(government_repairs.can_transition(a, b) for a, b in pairwise(steps))
        assert max(e.at for e in r.events) <= now
        assert (r.fixed_at is not None) == (r.status in {"fixed", "closed"})
        if r.status == "fixed":  # the close job would have closed older fixes
            assert now - r.fixed_at < timedelta(days=14)
    assert {r.status for r in repairs} >= {"reported", "closed"}
    fixed = sum(1 for r in repairs if r.fixed_at)
    assert db.session.scalar(select(func.count(GovernmentPublicUpdate.id))) == fixed
    submitted = db.session.scalar(
        select(func.count(Event.id)).where(Event.kind == "report_submitted")
    )
    assert submitted == len(repairs)
    # each citizen's timeline holds what report_repair, transition and publish_fix record
    expected = {}
    for r in repairs:
        category = str(CATEGORY_LABELS[r.category])
        expected[f"government.report_submitted:{r.id}"] = (f"Report #{r.id}: {category}", r)
        for e in r.events:
            if e.to_status == "fixed":
                expected[f"government.repair_fixed:{r.id}:1"] = (f"Report #{r.id} fixed", r)
            elif e.to_status in {"acknowledged", "scheduled", "closed"}:
                status = str(government_repairs.STATUS_LABELS[e.to_status])
                expected[f"government.repair_status:{e.id}"] = (f"Report #{r.id}: {status}", r)
    events = db.session.execute(select(Event)).scalars().all()
    assert {e.key: (e.subject, e.summary, e.link, e.user_id) for e in events} == {
        key: (subject, r.location, f"/government/reports/{r.id}", r.reporter_id)
        for key, (subject, r) in expected.items()
    }
    assert all(not e.private for e in events)
    counts = (
        len(repairs),
        db.session.scalar(select(func.count(GovernmentRepairEvent.id))),
        db.session.scalar(select(func.count(GovernmentAreaFollow.id))),
        db.session.scalar(select(func.count(Event.id))),
    )
    seed.scale(SeedContext("default", {}, {}, random.Random(3)), citizens)
    db.session.commit()
    again = (
        db.session.scalar(select(func.count(GovernmentRepair.id))),
        db.session.scalar(select(func.count(GovernmentRepairEvent.id))),
        db.session.scalar(select(func.count(GovernmentAreaFollow.id))),
        db.session.scalar(select(func.count(Event.id))),
    )
    assert again == counts


def test_the_showcase_hands_public_works_a_task_and_has_a_fix_published(app):
    from dcx.government import handoffs
    from dcx.platform.accounts.services import find_user
    from dcx.platform.showcase.loader import seed_showcase

    seed_showcase(app.extensions["dcx_verticals"], "default", only=("government",))
    db.session.commit()
    works = find_user("works@dcx.example")
    assert districts.department_of(works.id) == "public_works"
    (task,) = handoffs.tasks_for("public_works")
    assert task.status == "open" and task.handoff.from_department == "transport"
    assert task.incident.cause == "Broken streetlight at the Mill Lane crossing"
    (update,) = public_updates.public_updates()
    assert update.title.startswith("Fixed: streetlight at Bridge Avenue")
