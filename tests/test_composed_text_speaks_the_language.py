"""What no page shows on a GET, in Spanish and in Romanian with the real catalogues: the labels
of every stored key (not only those the showcase holds), errors a form answers, texts written
for a reader by someone else (the car, a job, an advisor, a clinician) or outside a request,
invitations and feeds, and counts in their plural forms.

Everything a page shows to a persona is proved by tests/test_pages_speak_the_language.py.
Each case here writes a text for a reader of English and for a reader of the language, and
returns the (English, translated) pairs: the translated one must differ and hold no English
message of the catalogue.
"""

from __future__ import annotations

import ast
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from flask_babel import LazyString, force_locale
from icalendar import Calendar
from sqlalchemy import select

from dcx.automotive import appointments, financing, recalls, rules, telemetry
from dcx.automotive import jobs as automotive_jobs
from dcx.automotive import labels as automotive_labels
from dcx.automotive import workspace as automotive_workspace
from dcx.automotive.models import COVERAGE_STATUSES, AutomotiveBill
from dcx.banking import goals as banking_goals
from dcx.banking import labels as banking_labels
from dcx.banking import rules as banking_rules
from dcx.banking import workspace as banking_workspace
from dcx.banking.models import BankingAccount, BankingTransaction
from dcx.education import labels as education_labels
from dcx.education import meetings, module_tests
from dcx.education import services as education
from dcx.education.models import EducationOfficeHourSlot
from dcx.extensions import db
from dcx.government import labels as government_labels
from dcx.government import photos, planner, repairs, sensors
from dcx.government import workspace as government_workspace
from dcx.government.models import (
    CREW_STATUSES,
    DEPARTMENTS,
    REPAIR_CATEGORIES,
    SENSOR_KINDS,
    GovernmentSocialPost,
)
from dcx.health import care_team, food_and_exercise, hooks, medication, panel, vitals
from dcx.health import goals as health_goals
from dcx.health import labels as health_labels
from dcx.health.forms import FEELINGS
from dcx.platform import clock
from dcx.platform.timeline.models import Event
from dcx.retail import recommender, reviews, store_events
from dcx.retail import services as retail
from dcx.retail.models import RetailEvent
from tests.automotive.conftest import VIN_GOLF, VIN_RAV4, make_loan, make_vehicle
from tests.banking.conftest import add_tx
from tests.conftest import AuthActions, make_user, speaking
from tests.crawl import PageText
from tests.education.conftest import build_course, right_answers
from tests.government.conftest import build_city
from tests.test_pages_speak_the_language import english_fragments, english_in

ROOT = Path(__file__).resolve().parents[1]
_books = iter(range(10_000))


def _isbn() -> str:
    first12 = f"979{next(_books):09d}"
    return first12 + str(retail.isbn13_check_digit(first12))


LANGUAGES = ["es", "ro"]
Pairs = list[tuple[str, str]]

# --- labels: every stored key, lazy, looked up in the reader's language --------------------

LABELLED = {
    "banking category": (banking_labels.CATEGORY_LABELS, set(banking_rules.CATEGORIES)),
    "banking subcategory": (
        banking_labels.SUBCATEGORY_LABELS,
        {s for group in banking_rules.CATEGORIES.values() for s in group},
    ),
    "banking product": (banking_labels.PRODUCT_LABELS, set(banking_rules.PRODUCTS)),
    "automotive coverage": (automotive_labels.COVERAGE_LABELS, set(COVERAGE_STATUSES)),
    "education level": (
        education_labels.LEVEL_LABELS,
        {level for level, _ in education.MASTERY_LEVELS},
    ),
    "government category": (government_labels.CATEGORY_LABELS, set(REPAIR_CATEGORIES)),
    "government department": (government_labels.DEPARTMENT_LABELS, set(DEPARTMENTS)),
    "government crew_status": (government_labels.CREW_STATUS_LABELS, set(CREW_STATUSES)),
    "government sensor_kind": (government_labels.SENSOR_KIND_LABELS, set(SENSOR_KINDS)),
    "government post_status": (
        government_labels.POST_STATUS_LABELS,
        {"pending", "sent", "failed", "skipped"},
    ),
    "government repair_note": (
        government_labels.REPAIR_NOTE_LABELS,
        {repairs.NOTE_CONFIRMED, repairs.NOTE_REOPENED, repairs.NOTE_STILL_BROKEN},
    ),
    "health measure": (health_labels.MEASURE_LABELS, set(health_goals.MEASURES)),
    "health feeling": (health_labels.FEELING_LABELS, {choice.value for choice in FEELINGS}),
    "health intensity": (health_labels.INTENSITY_LABELS, set(food_and_exercise.INTENSITIES)),
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", sorted(LABELLED))
def test_every_stored_key_has_a_label_in_the_readers_language(app, kind, language):
    mapping, keys = LABELLED[kind]
    assert keys <= set(mapping), keys - set(mapping)
    assert all(isinstance(text, LazyString) for text in mapping.values())  # per request
    long, short = english_fragments(language)
    with app.test_request_context():
        english = {key: str(text) for key, text in mapping.items()}
        with force_locale(language):
            said = {key: str(text) for key, text in mapping.items()}
    for key in mapping:
        assert said[key] != english[key] or english[key] not in short, (key, said[key])
        assert not english_in([said[key]], long, short), (key, said[key])


# What a label says for a key it does not know: what is stored, never hidden.
FALLBACKS = [
    (banking_labels.label, "category", "Food", "Food"),
    (banking_labels.label, "subcategory", "Home", "Homeware"),  # not the site's "Home"
    (banking_labels.label, "category", "Crypto", "Crypto"),  # an import's own category
    (banking_labels.label, "colour", "Food", "Food"),
    (banking_labels.label, "category", "", ""),
    (banking_labels.label, "category", None, ""),
    (banking_labels.label, "source", "automotive", "Automotive"),
    (banking_labels.label, "source", "mystery", "mystery"),
    (automotive_labels.label, "coverage", "notified", "Open"),
    (automotive_labels.label, "coverage", "cancelled", "cancelled"),
    (automotive_labels.label, "fuel", "notified", "notified"),
    (automotive_labels.label, "coverage", None, ""),
    (education_labels.label, "level", "mastered", "Mastered"),
    (education_labels.label, "level", "legendary", "legendary"),
    (education_labels.label, "rank", "mastered", "mastered"),
    (education_labels.label, "level", None, ""),
    (government_labels.label, "category", "traffic_signal", "Traffic signal"),
    (government_labels.label, "crew_status", "en_route", "en route"),
    (government_labels.label, "category", "sinkhole", "sinkhole"),
    (government_labels.label, "colour", "pothole", "pothole"),
    (government_labels.label, "status", "", ""),
    (government_labels.label, "status", None, ""),
    (health_labels.label, "measure", "systolic", "Systolic blood pressure"),
    (health_labels.label, "feeling", "hard", "Finding it hard"),
    (health_labels.label, "intensity", "extreme", "extreme"),
    (health_labels.label, "mood", "hard", "hard"),
    (health_labels.label, "feeling", None, ""),
]


def test_a_label_falls_back_to_what_is_stored(app):
    renamed = BankingAccount(name="Cuenta de vacaciones", product="easy_access")
    with app.test_request_context(), force_locale("es"):
        assert banking_labels.account_name(renamed) == "Cuenta de vacaciones"  # named by hand
        renamed.name = "Easy Access Saver"  # still the product's name: its label
        assert banking_labels.account_name(renamed) != "Easy Access Saver"
    with app.test_request_context():
        said = [label(kind, value) for label, kind, value, _ in FALLBACKS]
        assert government_labels.labels_of("crew_status")["on_site"] == "on site"
        assert government_labels.labels_of("nothing") == {}
    assert said == [expected for *_, expected in FALLBACKS]


# --- errors: raised with a lazy message, read in the language of whoever is shown it ---------

ERRORS = {
    "banking": ("BankingError",),
    "education": ("EducationError",),
    "government": ("IllegalTransition", "ScheduleConflict"),
    "health": ("HealthError",),
    "retail": ("RetailError",),
}


# A device's JSON ingest answers a machine, in English whatever anyone speaks.
MACHINE_READ = {"api.py", "devices.py", "fhir_ingest.py"}
LAZY = {"_l", "LazyString"}


@pytest.mark.parametrize("vertical", sorted(ERRORS))
def test_every_error_a_vertical_raises_carries_a_lazy_message(vertical):
    """A literal (or an f-string) would reach the form in English whatever the visitor speaks."""
    raised = [
        (path, node)
        for path in sorted((ROOT / "dcx" / vertical).rglob("*.py"))
        if path.name not in MACHINE_READ
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name | ast.Attribute)
        and getattr(node.func, "id", getattr(node.func, "attr", "")) in ERRORS[vertical]
        and node.args
    ]
    assert raised, vertical
    for path, call in raised:
        message = call.args[0]
        lazy = isinstance(message, ast.Call) and getattr(message.func, "id", "") in LAZY
        assert lazy or isinstance(message, ast.Name), f"{path.name}: {ast.unparse(call)}"


# --- what no page shows on a GET -------------------------------------------------------------


def _signed_in(app, user):
    client = app.test_client()
    AuthActions(client).login(user.email)
    return client


def _page_text(response) -> str:
    """The text a reader sees of a page (an error page answers 400: still a page)."""
    parser = PageText()
    parser.feed(response.get_data(as_text=True))
    return " | ".join(parser.nodes)


def _subjects(user_id: int, kind: str) -> list[str]:
    rows = db.session.execute(
        select(Event.subject, Event.summary)
        .where(Event.user_id == user_id, Event.kind == kind)
        .order_by(Event.id)
    ).all()
    return [f"{subject} / {summary}" for subject, summary in rows]


def _in_both(language: str, write: Callable[[str, str], list[str]]) -> Pairs:
    """``write(locale, tag)`` for an English reader and one of ``language``, paired."""
    english, translated = write("en", "en"), write(language, language)
    assert len(english) == len(translated) and english
    return list(zip(english, translated, strict=True))


def banking_forms_and_what_they_write(app, language: str) -> Pairs:
    """Form errors, the flash of an opened account, its deposit and its timeline entry, a
    goal's transfer: written while the customer's request runs."""
    from dcx.banking import accounts

    def write(locale: str, tag: str) -> list[str]:
        user = speaking(make_user(f"bank-{tag}@example.com", "Casey"), locale)
        with force_locale(locale):  # a current account is named when it is opened
            account = accounts.open_current_account(user.id, clock.today() - timedelta(days=60))
        add_tx(account, clock.today() - timedelta(days=60), 500_000, "Opening", "Income", "Salary")
        db.session.commit()
        client = _signed_in(app, user)
        form = {
            "step": "5",
            "full_name": "Casey",
            "date_of_birth": "1990-04-02",
            "phone": "+34 600 000 000",
            "address": "Calle Mayor 1",
            "last4": account.number[-4:],
            "purpose": "goals",
            "source_of_funds": "salary",
            "product": "easy_access",
            "source_account_id": str(account.id),
            "deposit": "250.00" if locale == "en" else "250,00",  # typed as its reader writes it
            "consent_terms": "y",
            "consent_privacy": "y",
        }
        past = client.post(
            "/banking/goals", data={"name": "Bici", "target": "5", "target_date": "2001-01-01"}
        )
        digits = client.post("/banking/savings/open", data={**form, "last4": "0000"})
        minimum = client.post(
            "/banking/savings/open", data={**form, "product": "fixed_1y", "deposit": "5"}
        )
        assert {past.status_code, digits.status_code, minimum.status_code} == {400}
        opened = client.post("/banking/savings/open", data=form, follow_redirects=True)
        savings = db.session.execute(
            select(BankingAccount).where(
                BankingAccount.user_id == user.id, BankingAccount.kind == "savings"
            )
        ).scalar_one()
        assert savings.name == "Easy Access Saver"  # stored as named; shown through its label
        goal = banking_goals.create_goal(
            user.id, "Bici", 100_000, date(2030, 1, 1), clock.today() - timedelta(days=1)
        )
        db.session.commit()
        moved = client.post(
            f"/banking/goals/{goal.id}/money", data={"amount": "20", "direction": "in"}
        )
        assert moved.status_code == 302
        merchants = db.session.execute(
            select(BankingTransaction.merchant)
            .where(BankingTransaction.user_id == user.id)
            .order_by(BankingTransaction.id)
        ).scalars()
        return [
            _page_text(past),
            _page_text(digits),
            _page_text(minimum),
            _page_text(opened),
            *list(merchants)[-3:],
            *_subjects(user.id, "account_opened"),
        ]

    return _in_both(language, write)


def automotive_what_others_write(app, language: str) -> Pairs:
    """The car, the advisor, the recall desk and the instalment job write for the owner."""

    def write(locale: str, tag: str) -> list[str]:
        owner = speaking(make_user(f"car-{tag}@example.com"), locale)
        car = make_vehicle(owner, vin=VIN_GOLF if tag == "en" else VIN_RAV4)
        telemetry.ingest_readings(car, [{"odometer_km": 100, "codes": [{"code": "P0300"}]}])
        slot = appointments.available_slots(rules.DEALERS[0], clock.today())[0]
        visit = appointments.book_appointment(car, rules.DEALERS[0], slot, "Ruido")
        appointments.complete_appointment(visit)
        recalls.publish_recall(
            campaign_number=f"R-{tag}",
            make="Volkswagen",
            model="Golf",
            year_from=2020,
            year_to=2024,
            component="Freno",
            summary="s",
            consequence="c",
            remedy="r",
        )
        make_loan(owner, car, reference=f"LN-{tag}", first_due_on=clock.today() + timedelta(days=2))
        automotive_jobs.bills_due(clock.now())
        bill = db.session.execute(
            select(AutomotiveBill).where(AutomotiveBill.user_id == owner.id)
        ).scalar_one()
        financing.pay_bill(bill)
        db.session.commit()
        kinds = ("vehicle_added", "code_reported", "service_booked", "service_done")
        return [
            *(text for kind in kinds for text in _subjects(owner.id, kind)),
            *_subjects(owner.id, "recall_notice")[-1:],
            bill.title,
            *_subjects(owner.id, "bill_paid"),
        ]

    return _in_both(language, write)


def education_invitation_timeline_and_suggestion(app, language: str) -> Pairs:
    """An invitation (.ics), a booking on the timeline written outside the student's request,
    and the reason a topic is suggested."""

    def write(locale: str, tag: str) -> list[str]:
        professor = make_user(
            f"prof-{tag}@example.com", "Prof Plum", role="staff", department="education"
        )
        student = speaking(make_user(f"student-{tag}@example.com", "Stu"), locale)
        world = build_course(professor, code=f"T{tag.upper()}")
        education.enroll(student.id, world.course)
        slot = EducationOfficeHourSlot(
            professor_id=professor.id,
            course_id=world.course.id,
            starts_at=clock.now().replace(microsecond=0) + timedelta(days=2),
            minutes=30,
            place="Room 1",
            capacity=1,
            closes_hours_before=12,
        )
        db.session.add(slot)
        db.session.flush()
        booking = meetings.book_slot(student.id, slot, "Beta topic")  # outside a request
        module_tests.submit_attempt(
            module_tests.start_attempt(student.id, world.t1),
            right_answers(world) | {world.q[2].id: [9]},
        )
        db.session.commit()
        ics = _signed_in(app, student).get(f"/education/bookings/{booking.id}.ics").data
        (event,) = Calendar.from_ical(ics).walk("VEVENT")
        with force_locale(locale):
            (suggestion,) = education.suggestions(student.id, world.course)
            reason = str(suggestion.reason)
        return [str(event["summary"]), *_subjects(student.id, "office_hours_booked"), reason]

    return _in_both(language, write)


def government_forms_posts_and_feed(app, language: str) -> Pairs:
    """A planner's error, a published fix's social post, an incident the sensors open in the
    language in force, a refused step, and the Atom feed."""
    city = build_city()
    crew = city.crew("CREW-A")

    def write(locale: str, tag: str) -> list[str]:
        # what the city publishes to everyone (the social post, the feed) speaks the site's
        # language, the one the showcase was seeded in: here the language under test
        app.extensions["dcx_default_language"] = lambda: locale
        officer = _signed_in(app, speaking(city.officer, locale))
        street = government_workspace.streets()[0]
        first = photos.report_repair(city.citizen.id, "streetlight", street, "", "Dark")
        second = photos.report_repair(city.citizen.id, "pothole", street, "", "Hole")
        db.session.commit()
        day = clock.today() + timedelta(days=2 if tag == "en" else 3)
        at = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
        planner.schedule_repair(first, crew, at, at + timedelta(hours=3))
        db.session.commit()
        booked = officer.post(
            "/government/staff/planner",
            data={
                "repair": second.id,
                "crew": crew.id,
                "day": day.isoformat(),
                "start_hour": 10,
                "hours": 1,
            },
        )
        assert booked.status_code == 400
        first.status = "in_progress"
        db.session.commit()
        fixed = officer.post(
            f"/government/staff/repairs/{first.id}/status", data={"to_status": "fixed"}
        )
        assert fixed.status_code == 302
        post = (
            db.session.execute(
                select(GovernmentSocialPost.text)
                .where(GovernmentSocialPost.network == "facebook")
                .order_by(GovernmentSocialPost.id.desc())
            )
            .scalars()
            .first()
        )
        with force_locale(locale):
            incident = sensors.detect_congestion(city.segment("Harbour Road"), 1.6)
            title = incident.title
            incident.status = "closed"
            db.session.flush()
            with pytest.raises(repairs.IllegalTransition) as refused:
                repairs.transition(second, "closed")
            refusal = str(refused.value)
            card = government_workspace.summary_card(city.citizen.id)
            lines = [str(card["title"]), *map(str, card["lines"])]
        feed = app.test_client().get(
            "/government/updates.atom", headers={"Accept-Language": locale}
        )
        root = ET.fromstring(feed.data)  # noqa: S314 - our own feed
        return [
            _page_text(booked),
            post.split("\n\n")[-1].split("http")[0],
            title,
            refusal,
            root.findtext("{http://www.w3.org/2005/Atom}title"),
            *lines,
        ]

    return _in_both(language, write)


def health_forms_and_what_a_clinician_writes(app, language: str) -> Pairs:
    """Form errors; the timeline entries a clinician's visit writes for the patient; the
    entries of the patient's calendar."""

    def write(locale: str, tag: str) -> list[str]:
        clinician = speaking(
            make_user(f"doc-{tag}@example.com", "Doc", role="staff", department="health"), locale
        )
        patient = make_user(f"pat-{tag}@example.com", "Pat")
        care_team.add_to_care_team(patient.id, clinician.id)
        db.session.commit()
        high = _signed_in(app, speaking(patient, locale)).post(
            "/health/vitals", data={"kind": "bp", "systolic": "80", "diastolic": "90"}
        )
        goal = _signed_in(app, clinician).post(
            f"/health/staff/patients/{patient.id}/visit",
            data={
                "goal_measure": "weight",
                "goal_target": "70",
                "goal_due_on": (clock.today() + timedelta(days=90)).isoformat(),
                "goal_status": "active",
            },
        )
        assert high.status_code == goal.status_code == 400
        vitals.log_observation(patient.id, "weight", 80)
        visit = panel.record_visit(
            clinician.id, patient.id, "All good", clock.today() + timedelta(days=30)
        )
        health_goals.set_goal(
            patient.id, "weight", 72.5, clock.today() + timedelta(days=90), visit_id=visit.id
        )
        medication.prescribe(patient.id, clinician.id, "Med", "", "08:00", review_on=clock.today())
        db.session.commit()
        vitals.log_observation(
            patient.id, "bp", 185, 100, observed_at=clock.now() - timedelta(days=1)
        )
        db.session.commit()
        with force_locale(locale):
            titles = [str(entry.title) for entry in hooks.calendar(patient.id)]
            flags = [str(flag.reason) for row in panel.panel(clinician.id) for flag in row.flags]
        subjects = sorted(
            db.session.execute(
                select(Event.subject).where(
                    Event.user_id == patient.id, Event.kind != "observation"
                )
            ).scalars()
        )
        return [_page_text(high), _page_text(goal), *subjects[:2], *titles, *flags[:1]]

    return _in_both(language, write)


def retail_forms_seats_and_calendar(app, language: str) -> Pairs:
    """An order refused, a seat freed by someone else on the promoted customer's timeline, a
    waitlisted event in the calendar."""

    def write(locale: str, tag: str) -> list[str]:
        book = retail.add_book(
            _isbn(),
            f"Sold {tag}",
            ["A"],
            ["Fiction"],
            1500,
            stock=0,
        )
        reader = speaking(make_user(f"reader-{tag}@example.com", "Ana"), locale)
        refused = _signed_in(app, reader).post(
            f"/retail/books/{book.id}/buy", follow_redirects=True
        )
        starts = clock.now().replace(microsecond=0) + timedelta(days=3)
        event = RetailEvent(
            slug=f"talk-{tag}",
            title="Author talk",
            description="",
            kind="in_store",
            address="12 Linden Street",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            capacity=1,
        )
        db.session.add(event)
        leaving = make_user(f"leaving-{tag}@example.com", "Leaving")
        store_events.answer_event(event, leaving.id, "going")
        store_events.answer_event(event, reader.id, "going")
        with force_locale(locale):
            waitlisted = [str(e.title) for e in store_events.calendar(reader.id)]
        store_events.answer_event(event, leaving.id, "not_going")
        db.session.commit()
        return [_page_text(refused), *waitlisted, *_subjects(reader.id, "seat_confirmed")]

    return _in_both(language, write)


def numbers_written_with_the_readers_decimal_sign(app, language: str) -> Pairs:
    """A goal's value, a book's rating and the star choices of a review: the locale's decimal
    sign (CLDR), as on the pages that show them."""
    from dcx.retail.forms import HALF_STARS

    def write(locale: str, tag: str) -> list[str]:
        with app.test_request_context(), force_locale(locale):
            stars = [str(choice.label) for choice in HALF_STARS if int(choice.value) % 2]
            return [
                health_goals.format_value(72.5),
                str(vitals.out_of_range("temperature", 38.5)),
                reviews.format_rating(4.25),
                *stars,
            ]

    return _in_both(language, write)


CASES = [
    banking_forms_and_what_they_write,
    automotive_what_others_write,
    education_invitation_timeline_and_suggestion,
    government_forms_posts_and_feed,
    health_forms_and_what_a_clinician_writes,
    retail_forms_seats_and_calendar,
    numbers_written_with_the_readers_decimal_sign,
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__)
def test_what_no_page_shows_is_written_in_the_readers_language(app, case, language):
    long, short = english_fragments(language)
    left = [
        (said, english_in([said], long, short) or "same as in English")
        for english, said in case(app, language)
        if said == english or english_in([said], long, short)
    ]
    assert not left, "\n".join(f"{said!r}: {why}" for said, why in left)


# --- counts in their plural forms --------------------------------------------------------------


def _banking_card(n: int) -> int:
    from dcx.banking import accounts

    user = make_user(f"card-{n}@example.com")
    for _ in range(n):
        accounts.open_current_account(user.id, date(2026, 1, 1))
    db.session.commit()
    return user.id


def _automotive_card(n: int) -> int:
    owner = make_user(f"car-card-{n}@example.com")
    car = make_vehicle(owner, vin=(VIN_GOLF, VIN_RAV4)[n - 1])
    due = financing.add_months(clock.today(), -n)
    financing.issue_instalments(make_loan(owner, car, f"L{n}", first_due_on=due), clock.today())
    db.session.commit()
    return owner.id


def _health_card(n: int) -> int:
    patient = make_user(f"goals-{n}@example.com")
    patient.health_consent = True
    vitals.log_observation(patient.id, "weight", 80)
    for i in range(n):
        health_goals.set_goal(patient.id, "weight", 75 - i, clock.today() + timedelta(days=90 + i))
    db.session.commit()
    return patient.id


def _retail_card(n: int) -> int:
    reader = make_user(f"orders-{n}@example.com")
    for i in range(n):
        book = retail.add_book(_isbn(), f"B{n}{i}", ["A"], ["Fiction"], 1500, stock=3)
        retail.place_order(reader.id, [book.id])
        reviews.save_review(reader.id, book.id, 8, "Good", "")
    db.session.commit()
    return reader.id


# (who holds one and who holds two, the lines of their summary card that count)
CARDS = {
    "banking accounts": (
        _banking_card,
        lambda uid: banking_workspace.summary_card(uid)["lines"][:1],
    ),
    "automotive overdue bills": (
        _automotive_card,
        lambda uid: automotive_workspace.summary_card(uid)["lines"][-1:],
    ),
    "health goals": (_health_card, lambda uid: hooks.summary_card(uid)["lines"][:1]),
    "retail orders and reviews": (
        _retail_card,
        lambda uid: recommender.summary_card(uid)["lines"][:2],
    ),
}


def _words(lines: list[str]) -> list[str]:
    """A card's lines without their figures: what the plural form changes."""
    return [re.sub(r"[\d.,\s\xa0\u20ac]+", " ", line).strip() for line in lines]


@pytest.mark.parametrize("card", sorted(CARDS))
def test_a_count_takes_its_plural_form_in_every_language(app, card):
    build, lines = CARDS[card]
    one, two = build(1), build(2)
    for locale in ("en", *LANGUAGES):
        with force_locale(locale):
            said = lines(one), lines(two)
        assert said[0] and _words(said[0]) != _words(said[1]), (locale, said)
