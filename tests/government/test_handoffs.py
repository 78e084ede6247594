"""Public works acknowledges a task handed over by transport and marks it done, through the
rules and through its task page; no other department may."""

from __future__ import annotations

from dcx.extensions import db
from dcx.government import handoffs, incidents
from dcx.government.models import GovernmentIncident


def _handed_over(city) -> tuple[GovernmentIncident, object]:
    incident = GovernmentIncident(
        title="Congestion on Harbour Road", x=1500, y=1500, severity="severe", travel_time_index=1.6
    )
    db.session.add(incident)
    db.session.flush()
    handoff = incidents.hand_off(
        incident, "transport", "public_works", "Replace the streetlight", city.officer.id
    )
    db.session.commit()
    return incident, handoff


def test_public_works_acknowledges_then_completes_a_handed_over_task(city):
    incident, handoff = _handed_over(city)
    (task,) = handoffs.tasks_for("public_works")
    assert task.status == "open" and task.incident.id == incident.id
    assert handoffs.tasks_for("transport") == []

    assert not handoffs.acknowledge_handoff(handoff, "police", city.police.id)
    assert handoffs.acknowledge_handoff(handoff, "public_works", city.works.id)
    (share,) = incident.shares  # transport sees the acknowledgement on the incident
    assert share.acknowledged_by_id == city.works.id
    assert handoffs.tasks_for("public_works")[0].status == "acknowledged"

    assert not handoffs.finish_handoff(handoff, "transport", city.officer.id)
    assert handoffs.finish_handoff(handoff, "public_works", city.works.id)
    assert handoff.status == "done"
    assert handoffs.tasks_for("public_works")[0].status == "done"


def test_a_task_done_without_a_separate_acknowledgement_is_acknowledged_too(city):
    incident, handoff = _handed_over(city)
    assert handoffs.finish_handoff(handoff, "public_works", city.works.id)
    assert incident.shares[0].acknowledged_at is not None


def test_the_task_page_acknowledges_and_completes_by_post(city, login_as):
    incident, handoff = _handed_over(city)
    works = login_as(city.works)
    page = works.get("/government/staff/tasks").get_data(as_text=True)
    assert "Replace the streetlight" in page and 'data-status="open"' in page
    assert works.get(f"/government/staff/tasks/{handoff.id}/acknowledge").status_code == 405
    police = login_as(city.police)
    assert police.post(f"/government/staff/tasks/{handoff.id}/acknowledge").status_code == 404
    assert "Replace the streetlight" not in police.get("/government/staff/tasks").get_data(
        as_text=True
    )

    response = works.post(f"/government/staff/tasks/{handoff.id}/acknowledge")
    assert response.status_code == 302
    assert 'data-status="acknowledged"' in works.get("/government/staff/tasks").get_data(
        as_text=True
    )
    officer_view = login_as(city.officer).get(f"/government/staff/incidents/{incident.id}")
    body = officer_view.get_data(as_text=True)
    assert '<span class="badge text-bg-success">acknowledged</span>' in body

    works.post(f"/government/staff/tasks/{handoff.id}/done")
    assert 'data-status="done"' in works.get("/government/staff/tasks").get_data(as_text=True)
    assert works.post("/government/staff/tasks/999/done").status_code == 404
