"""Nothing typed is lost offline: a vital and a dose logged with no connection wait on the
phone, are sent when it returns, and are stored exactly once however often they are replayed."""

from datetime import timedelta

import pytest
from playwright.sync_api import BrowserContext, expect
from sqlalchemy import func, select

from tests.browser.test_installable_app import app_context, sign_in, worker_ready  # noqa: F401
from tests.conftest import make_user

pytestmark = pytest.mark.browser


def _counts(live_db, user_id: int) -> tuple[int, int, int]:
    """Readings, doses taken and idempotency keys stored for the patient."""
    from dcx.health.models import HealthDose, HealthObservation
    from dcx.platform.pwa.models import IdempotencyKey

    with live_db() as db:
        readings = db.session.scalar(
            select(func.count()).where(HealthObservation.patient_id == user_id)
        )
        doses = db.session.scalar(
            select(func.count()).where(
                HealthDose.patient_id == user_id, HealthDose.status.in_(("taken", "late"))
            )
        )
        keys = db.session.scalar(select(func.count()).where(IdempotencyKey.user_id == user_id))
    return readings, doses, keys


def test_a_vital_and_a_dose_logged_offline_are_sent_once_when_back_online(
    app_context: BrowserContext,  # noqa: F811
    live_server,
    live_db,
):
    from dcx.health.medication import prescribe
    from dcx.platform import clock

    with live_db() as db:
        user = make_user(email="patient@example.com", name="Pat Patient")
        if clock.now().hour == 0:  # an hour ago was yesterday, not on today's list: move on
            clock.advance(timedelta(hours=1))
        due = clock.now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
        prescribe(user.id, None, "Lisinopril", "10 mg", due.strftime("%H:%M"))
        db.session.commit()
        user_id = user.id

    page = app_context.new_page()
    page.goto(f"{live_server}/")
    worker_ready(page)
    sign_in(page, live_server, "patient@example.com")
    page.goto(f"{live_server}/health/medications")  # kept on the phone for later
    expect(page.locator("[data-offline-queue='health.dose']")).to_have_count(1)
    page.goto(f"{live_server}/health/vitals")

    app_context.set_offline(True)
    page.get_by_label("Kind of reading").select_option("bp")
    page.get_by_label("Upper number (systolic, mmHg)").fill("128")
    page.get_by_label("Lower number (diastolic, mmHg)").fill("82")
    page.get_by_role("button", name="Save reading").click()
    status = page.locator("#dcx-offline-status")
    expect(status).to_contain_text("Saved on this phone, will send when online.")
    expect(status).to_contain_text("Waiting to send: 1.")

    page.goto(f"{live_server}/health/medications")  # from the phone, the network is gone
    page.locator("[data-offline-queue='health.dose']").get_by_role("button", name="Taken").click()
    expect(status).to_contain_text("Waiting to send: 2.")
    queued = page.evaluate("window.dcxOfflineQueue.all()")
    assert [item["kind"] for item in queued] == ["health.vital", "health.dose"]
    assert _counts(live_db, user_id) == (0, 0, 0)

    app_context.set_offline(False)
    expect(status).to_contain_text("Everything saved on this phone has been sent.")
    assert _counts(live_db, user_id) == (1, 1, 2)
    assert page.evaluate("window.dcxOfflineQueue.all()") == []

    # the same queue replayed twice more (a lost answer, a second tab): nothing changes
    for _ in range(2):
        outcomes = page.evaluate(
            "items => Promise.all(items.map(i => window.dcxOfflineQueue.send(i)))", queued
        )
        assert outcomes == ["sent", "sent"]
    assert _counts(live_db, user_id) == (1, 1, 2)
