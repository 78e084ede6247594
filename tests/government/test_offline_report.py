"""A street problem reported from a phone with no signal waits on the phone, photo included,
and is stored once when the queue sends it, however often it is replayed."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from dcx.extensions import db
from dcx.government.models import GovernmentRepair
from tests.government.test_views import PNG, _street_id

KEY = "f00dfeedf00dfeedf00dfeedf00dfeed"


def test_the_report_form_queues_offline(city, login_as):
    body = login_as(city.citizen).get("/government/reports/new").get_data(as_text=True)
    assert 'data-offline-queue="government.report"' in body


def test_a_replayed_report_with_its_photo_is_stored_once(city, login_as):
    maria = login_as(city.citizen)

    def send():
        return maria.post(
            "/government/reports/new",
            data={
                "category": "streetlight",
                "street": _street_id(),
                "description": "The streetlight has been dark for a week.",
                "photo": (io.BytesIO(PNG), "light.png"),
                "idempotency_key": KEY,
            },
            headers={"Idempotency-Key": KEY},
            content_type="multipart/form-data",
        )

    first = send()
    assert first.status_code == 302
    for _ in range(2):
        again = send()
        assert again.status_code == 303
        assert again.location == first.location
    assert db.session.scalar(select(func.count(GovernmentRepair.id))) == 1
