"""Government's fix reminders arrive in each reporter's language."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from dcx.extensions import db
from dcx.government import jobs
from dcx.government.models import GovernmentRepair
from dcx.platform import clock
from dcx.platform.notify.models import Message
from tests.conftest import make_user


def _reporter(email: str, locale: str):
    user = make_user(email)
    user.locale = locale
    db.session.commit()
    return user


def _fixed_repair(reporter, location: str) -> GovernmentRepair:
    repair = GovernmentRepair(
        category="streetlight",
        location=location,
        x=1.0,
        y=1.0,
        status="fixed",
        reporter_id=reporter.id,
        fixed_at=clock.now() - timedelta(days=4),
    )
    db.session.add(repair)
    db.session.commit()
    return repair


def _message(user_id: int) -> Message:
    return db.session.execute(
        select(Message).where(Message.user_id == user_id, Message.topic == "government.fix_check")
    ).scalar_one()


def test_fix_reminders_speak_each_reporters_language_in_one_run(app):
    spanish = _reporter("es@example.com", "es")
    romanian = _reporter("ro@example.com", "ro")
    english = _reporter("en@example.com", "")
    es_repair = _fixed_repair(spanish, "Calle Mayor 3")
    ro_repair = _fixed_repair(romanian, "Strada Lungă 7")
    en_repair = _fixed_repair(english, "Harbour Road")
    assert jobs.fix_reminders(clock.now()) == 3

    es = _message(spanish.id)
    assert es.title == f"¿Sigue arreglado? Aviso n.º {es_repair.id}"
    assert es.body == "¿Sigue funcionando Calle Mayor 3? Confírmalo o reabre el aviso."
    ro = _message(romanian.id)
    assert ro.title == f"Încă funcționează? Sesizarea nr. {ro_repair.id}"
    assert "redeschide sesizarea" in ro.body
    en = _message(english.id)
    assert en.title == f"Still fixed? Report #{en_repair.id}"
    assert en.body == "Is Harbour Road still working? Confirm it, or reopen the report."
    assert es.link == f"/government/reports/{es_repair.id}"


def test_an_incident_shared_by_one_department_reaches_each_colleague_in_their_language(app):
    from dcx.government import districts, incidents
    from dcx.government.models import GovernmentIncident
    from dcx.platform.notify.services import in_locale

    officer = make_user("city@example.com", "Jordan City", role="staff", department="government")
    spanish = make_user("works-es@example.com", "Obras", role="staff", department="government")
    english = make_user("works-en@example.com", "Works", role="staff", department="government")
    spanish.locale = "es"
    for user in (spanish, english):
        districts.assign_department(user.id, "public_works")
    incident = GovernmentIncident(title="Harbour Road congested", x=1.0, y=1.0)
    db.session.add(incident)
    db.session.commit()
    with in_locale("ro"):  # the officer who shares reads the site in Romanian
        incidents.share_incident(incident, "public_works", officer.id)
    db.session.commit()
    shared = dict(
        db.session.execute(
            select(Message.user_id, Message.title).where(
                Message.topic == "government.incident_shared"
            )
        ).all()
    )
    assert shared == {
        spanish.id: "Compartido contigo: Harbour Road congested",
        english.id: "Shared with you: Harbour Road congested",
    }
