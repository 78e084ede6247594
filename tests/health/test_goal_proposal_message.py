"""A goal the clinician proposes reaches the patient as a message, in their language."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from dcx.extensions import db
from dcx.health import goals, vitals
from dcx.platform import clock
from dcx.platform.notify.models import Delivery, Message


def _visit(clinician_client, patient, status: str):
    return clinician_client.post(
        f"/health/staff/patients/{patient.id}/visit",
        data={
            "notes": "Talked about blood pressure",
            "goal_measure": "systolic",
            "goal_target": "130",
            "goal_due_on": (clock.today() + timedelta(days=90)).isoformat(),
            "goal_status": status,
        },
    )


def _messages(user_id: int) -> list[Message]:
    return list(
        db.session.execute(
            select(Message).where(
                Message.user_id == user_id, Message.topic == "health.goal_proposed"
            )
        ).scalars()
    )


def test_a_proposed_goal_asks_the_patient_to_agree_in_their_language(
    app, patient, clinician_client
):
    patient.locale = "es"
    vitals.log_observation(patient.id, "bp", 150, 95)
    db.session.commit()

    assert _visit(clinician_client, patient, "proposed").status_code == 302

    (goal,) = goals.goals_of(patient.id)
    (message,) = _messages(patient.id)
    assert message.title == "Tu equipo de atención te ha propuesto un objetivo"
    assert message.link == f"/health/goals#goal-{goal.id}"
    assert "130" not in message.title + message.body  # the values stay behind the sign-in
    outbox = db.session.execute(
        select(Delivery.channel).where(Delivery.message_id == message.id)
    ).scalars()
    assert list(outbox) == ["email"]  # written with the goal, delivered from the outbox


def test_an_agreed_goal_sends_no_proposal(app, patient, clinician_client):
    vitals.log_observation(patient.id, "bp", 150, 95)
    db.session.commit()
    assert _visit(clinician_client, patient, "active").status_code == 302
    assert goals.goals_of(patient.id) and _messages(patient.id) == []


def test_a_proposal_that_fails_sends_nothing(app, patient, clinician_client):
    # no reading yet and no baseline typed: the goal is refused and the visit rolled back
    assert _visit(clinician_client, patient, "proposed").status_code == 400
    assert goals.goals_of(patient.id) == [] and _messages(patient.id) == []
