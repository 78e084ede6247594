"""Government jobs: reminders once per fix, and settled fixes closed."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import func, select

from dcx.extensions import db
from dcx.government import jobs, photos, repairs, workspace
from dcx.government.models import GovernmentRepair
from dcx.platform import clock
from dcx.platform.notify.models import Message


def _fixed(city) -> GovernmentRepair:
    repair = photos.report_repair(city.citizen.id, "pothole", workspace.streets()[0], "", "Hole")
    repair.status = "in_progress"
    repairs.transition(repair, "fixed")
    db.session.commit()
    return repair


def _reminders(user_id: int) -> int:
    return db.session.scalar(
        select(func.count(Message.id)).where(
            Message.user_id == user_id, Message.key.like("government.fix_reminder:%")
        )
    )


def test_reminder_waits_three_days_and_is_sent_once(city):
    repair = _fixed(city)
    jobs.fix_reminders(clock.now())
    assert _reminders(city.citizen.id) == 0
    later = clock.now() + timedelta(days=3, minutes=1)
    jobs.fix_reminders(later)
    jobs.fix_reminders(later + timedelta(hours=1))
    assert _reminders(city.citizen.id) == 1
    photos.confirm_fixed(db.session.get(GovernmentRepair, repair.id), city.citizen.id)
    db.session.commit()
    jobs.fix_reminders(later + timedelta(days=1))
    assert _reminders(city.citizen.id) == 1


def test_settled_fixes_close_after_fourteen_days_through_the_runner(city):
    from dcx.platform.jobs.runner import run_due_jobs

    repair = _fixed(city)
    assert jobs.close_settled_fixes(clock.now()) == 0
    clock.advance(timedelta(days=15))
    db.session.commit()
    run_due_jobs()
    db.session.expire_all()
    assert db.session.get(GovernmentRepair, repair.id).status == "closed"
    assert jobs.close_settled_fixes(clock.now()) == 0


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "orange").save(out, format="PNG")
    return out.getvalue()


def test_photos_no_report_names_are_swept_after_an_hour(city):
    import os

    named = photos.store_photo(_png(), "image/png")
    photos.report_repair(
        city.citizen.id, "streetlight", workspace.streets()[0], "", "Dark", named, "image/png"
    )
    db.session.commit()
    orphan = photos.store_photo(_png(), "image/png")  # its report failed
    fresh = photos.store_photo(_png(), "image/png")  # a report on its way
    folder = photos.photo_dir()
    two_hours_ago = (clock.real_now() - timedelta(hours=2)).timestamp()
    for name in (named, orphan):
        os.utime(folder / name, (two_hours_ago, two_hours_ago))

    assert jobs.sweep_photos(clock.now()) == 1
    assert sorted(p.name for p in folder.iterdir()) == sorted([named, fresh])
    assert jobs.sweep_photos(clock.now()) == 0
    repair = db.session.execute(select(GovernmentRepair)).scalars().first()
    assert photos.photo_path(repair) == folder / named


def _closing(city, n: int) -> list[int]:
    fixed = [_fixed(city).id for _ in range(n)]
    clock.advance(timedelta(days=15))
    db.session.commit()
    return fixed


def test_settled_fixes_close_as_one_closing_does_in_the_same_statements_for_2_or_20(
    city, query_counter
):
    from dcx.government.models import GovernmentRepairEvent
    from dcx.platform.timeline.models import Event

    counts = []
    for n in (2, 20):
        ids = _closing(city, n)
        with query_counter() as count:
            assert jobs.close_settled_fixes(clock.now()) == n
        counts.append(count())
        db.session.commit()
    assert counts[0] == counts[1], counts

    # each as transition() closes one: its step, and the reporter's event keyed by that step
    repair = db.session.get(GovernmentRepair, ids[-1])
    step = db.session.execute(
        select(GovernmentRepairEvent).where(
            GovernmentRepairEvent.repair_id == repair.id,
            GovernmentRepairEvent.to_status == "closed",
        )
    ).scalar_one()
    assert (repair.status, step.from_status, step.actor_id) == ("closed", "fixed", None)
    event = db.session.execute(
        select(Event).where(Event.key == f"government.repair_status:{step.id}")
    ).scalar_one()
    assert event.user_id == city.citizen.id and event.subject == f"Report #{repair.id}: Closed"
    assert event.link.endswith(f"/reports/{repair.id}")
    closing_events = db.session.scalar(
        select(func.count(Event.id)).where(Event.subject.like("%: Closed"))
    )
    assert closing_events == 22 and jobs.close_settled_fixes(clock.now()) == 0
