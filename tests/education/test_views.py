"""Education pages through the test client: the story, owner scoping and professor scoping."""

import re

import pytest
from icalendar import Calendar

from dcx.education import chat, meetings, module_tests, services
from dcx.education.models import (
    EducationAttempt,
    EducationBooking,
    EducationChatMessage,
    EducationOfficeHourSlot,
)
from dcx.extensions import db
from tests.conftest import AuthActions
from tests.education.conftest import build_course, miss_beta


def login(app, user):
    c = app.test_client()
    AuthActions(c).login(user.email)
    return c


def test_landing_page_for_anonymous_and_new_customer(client, customer):
    body = client.get("/education/").get_data(as_text=True)
    assert 'id="education-capabilities"' in body
    assert "not enrolled in any course" in body
    anonymous = client.application.test_client().get("/education/")
    assert anonymous.status_code == 200
    assert 'id="education-capabilities"' in anonymous.get_data(as_text=True)


def test_dashboard_shows_courses_progress_and_weak_topic(app, world):
    module_tests.submit_attempt(
        module_tests.start_attempt(world.student.id, world.t1), miss_beta(world)
    )
    db.session.commit()
    body = login(app, world.student).get("/education/").get_data(as_text=True)
    assert 'id="education-dashboard"' in body and 'id="education-capabilities"' in body
    assert "TST100" in body and "Beta topic" in body


def test_read_a_chapter_take_a_test_and_see_feedback(app, world):
    c = login(app, world.student)
    page = c.get(f"/education/chapters/{world.chapter.id}").get_data(as_text=True)
    assert "About beta" in page and "<svg" in page and "Beta bars" in page
    assert c.post(f"/education/chapters/{world.chapter.id}/read").status_code == 302
    assert world.chapter.id in services.read_chapter_ids(world.student.id, world.course)
    # the locked second module's chapter sends the student back to the course
    locked = c.get(f"/education/chapters/{world.chapter2.id}")
    assert locked.status_code == 302
    started = c.post(f"/education/tests/{world.t1.id}/start")
    attempt_url = started.headers["Location"]
    form = c.get(attempt_url).get_data(as_text=True)
    assert "Beta number?" in form
    q = world.q
    data = {f"q{q[0].id}": "1", f"q{q[1].id}": ["0", "2"], f"q{q[2].id}": "2.5", f"q{q[3].id}": "0"}
    assert c.post(attempt_url, data=data).status_code == 302
    feedback = c.get(attempt_url).get_data(as_text=True)
    assert "100%" in feedback and "Because yes." in feedback
    assert c.get(f"/education/chapters/{world.chapter2.id}").status_code == 200


def test_a_spanish_student_answers_with_a_decimal_comma(app, world):
    c = login(app, world.student)
    spanish = {"Accept-Language": "es"}
    attempt_url = c.post(f"/education/tests/{world.t1.id}/start").headers["Location"]
    # an English decimal point is a thousands separator in Spanish: refused with an example
    refused = c.post(attempt_url, data={f"q{world.q[2].id}": "2.5"}, headers=spanish)
    assert refused.status_code == 400
    assert "p. ej. 3,5" in refused.get_data(as_text=True)
    assert (
        c.post(attempt_url, data={f"q{world.q[2].id}": "2,5"}, headers=spanish).status_code == 302
    )
    feedback = c.get(attempt_url, headers=spanish).get_data(as_text=True)
    assert "2,5" in feedback


def test_a_bad_number_rerenders_the_test_with_400_and_keeps_the_input(app, world):
    c = login(app, world.student)
    attempt_url = c.post(f"/education/tests/{world.t1.id}/start").headers["Location"]
    response = c.post(attempt_url, data={f"q{world.q[2].id}": "two and a half"})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Enter a number" in body and 'value="two and a half"' in body
    assert db.session.get(EducationAttempt, int(attempt_url.rsplit("/", 1)[1])).submitted_at is None


def test_mastery_page_names_the_reason_and_offers_office_hours(app, world):
    module_tests.submit_attempt(
        module_tests.start_attempt(world.student.id, world.t1), miss_beta(world)
    )
    db.session.commit()
    body = (
        login(app, world.student)
        .get(f"/education/courses/{world.course.id}/mastery")
        .get_data(as_text=True)
    )
    assert 'data-suggestion="beta"' in body
    assert "Why suggested" in body and "question 3: Beta number?" in body
    assert "About beta" in body and "Beta drill" in body
    assert "/education/office-hours?topic=Beta+topic" in body


def test_chat_poll_returns_new_messages_as_json(app, world):
    c = login(app, world.student)
    response = c.post(
        "/education/messages", data={"target": f"{world.professor.id}:{world.course.id}"}
    )
    conversation_url = response.headers["Location"]
    c.post(conversation_url, data={"body": "Hello professor"})
    prof = login(app, world.professor)
    conversation_id = conversation_url.rsplit("/", 1)[1]
    assert "1 unread" in prof.get("/education/staff/messages").get_data(as_text=True)
    prof.post(f"/education/staff/messages/{conversation_id}", data={"body": "Hello student"})
    data = c.post(f"{conversation_url}/poll", data={"after": "0"}).get_json()
    assert [m["body"] for m in data["messages"]] == ["Hello professor", "Hello student"]
    assert data["messages"][1]["mine"] is False
    last = data["messages"][1]["id"]
    assert c.post(f"{conversation_url}/poll", data={"after": last}).get_json() == {"messages": []}
    for bad in ("-5", "x", "99999999999999999999"):
        assert c.post(f"{conversation_url}/poll", data={"after": bad}).status_code == 200, bad
    assert c.get(f"{conversation_url}/poll").status_code == 405  # a GET writes nothing


def test_reading_a_chat_moves_the_read_mark_through_the_poll_not_the_page(app, world):
    student = login(app, world.student)
    url = student.post(
        "/education/messages", data={"target": f"{world.professor.id}:{world.course.id}"}
    ).headers["Location"]
    student.post(url, data={"body": "A question"})
    conversation_id = url.rsplit("/", 1)[1]
    prof = login(app, world.professor)
    staff_url = f"/education/staff/messages/{conversation_id}"
    page = prof.get(staff_url).get_data(as_text=True)
    assert f'data-poll-url="{staff_url}/poll"' in page and "A question" in page
    assert "1 unread" in prof.get("/education/staff/messages").get_data(as_text=True)
    shown = re.search(r'data-after="(\d+)"', page).group(1)
    assert prof.post(f"{staff_url}/poll", data={"after": shown}).get_json() == {"messages": []}
    assert "unread" not in prof.get("/education/staff/messages").get_data(as_text=True)
    # the student's side: the reply is unread until the page's first poll says it was shown
    prof.post(staff_url, data={"body": "An answer"})
    assert "1 unread" in student.get("/education/messages").get_data(as_text=True)
    page = student.get(url).get_data(as_text=True)
    assert "1 unread" in student.get("/education/messages").get_data(as_text=True)
    shown = re.search(r'data-after="(\d+)"', page).group(1)
    student.post(f"{url}/poll", data={"after": shown})
    assert "unread" not in student.get("/education/messages").get_data(as_text=True)


def test_an_empty_message_is_a_400_not_a_500(app, world):
    c = login(app, world.student)
    url = c.post("/education/messages", data={"target": f"{world.professor.id}:"}).headers[
        "Location"
    ]
    assert c.post(url, data={"body": ""}).status_code == 400


def test_book_download_ics_and_cancel(app, world):
    c = login(app, world.student)
    page = c.get("/education/office-hours?topic=Beta+topic").get_data(as_text=True)
    assert "Room 1" in page and 'value="Beta topic"' in page
    c.post(f"/education/office-hours/{world.slot.id}/book", data={"topic": "Beta topic"})
    booking = db.session.execute(db.select(EducationBooking)).scalar_one()
    ics = c.get(f"/education/bookings/{booking.id}.ics")
    assert ics.mimetype == "text/calendar"
    event = Calendar.from_ical(ics.data).walk("VEVENT")[0]
    assert event.decoded("dtstart") == world.slot.starts_at
    assert c.post(f"/education/bookings/{booking.id}/cancel").status_code == 302
    db.session.refresh(booking)
    assert booking.cancelled_at is not None
    cancelled = Calendar.from_ical(c.get(f"/education/bookings/{booking.id}.ics").data)
    assert str(cancelled["method"]) == "CANCEL"  # the same UID, withdrawn


# --- owner scoping ---------------------------------------------------------------------------


def test_another_students_attempts_messages_and_bookings_answer_404(app, world):
    attempt = module_tests.start_attempt(world.other.id, world.t1)
    conversation = chat.open_conversation(world.other.id, world.professor.id, world.course.id)
    chat.send_message(conversation, world.other.id, "private")
    booking = meetings.book_slot(world.other.id, world.slot)
    db.session.commit()
    c = login(app, world.student)
    for method, url in [
        ("get", f"/education/attempts/{attempt.id}"),
        ("post", f"/education/attempts/{attempt.id}"),
        ("get", f"/education/messages/{conversation.id}"),
        ("post", f"/education/messages/{conversation.id}"),
        ("post", f"/education/messages/{conversation.id}/poll"),
        ("get", f"/education/bookings/{booking.id}.ics"),
        ("post", f"/education/bookings/{booking.id}/cancel"),
        ("get", "/education/attempts/not-a-number"),
        ("get", "/education/chapters/99999999999999999999"),  # beyond an INTEGER column
        ("get", f"/education/messages/{2**40}"),
        ("post", f"/education/office-hours/{2**63}/book"),
    ]:
        assert getattr(c, method)(url).status_code == 404, url
    assert "private" not in c.get("/education/messages").get_data(as_text=True)
    assert db.session.get(EducationBooking, booking.id).cancelled_at is None


def test_a_course_the_student_is_not_enrolled_in_answers_404(app, world):
    from tests.conftest import make_user

    other_prof = make_user("prof2@example.com", role="staff", department="education")
    elsewhere = build_course(other_prof, code="OTH200")
    slot = EducationOfficeHourSlot(
        professor_id=other_prof.id,
        starts_at=world.slot.starts_at,
        place="Far away",
        capacity=5,
    )
    db.session.add(slot)
    db.session.commit()
    c = login(app, world.student)
    for method, url in [
        ("get", f"/education/courses/{elsewhere.course.id}"),
        ("get", f"/education/courses/{elsewhere.course.id}/mastery"),
        ("get", f"/education/chapters/{elsewhere.chapter.id}"),
        ("post", f"/education/chapters/{elsewhere.chapter.id}/read"),
        ("get", f"/education/tests/{elsewhere.t1.id}"),
        ("post", f"/education/tests/{elsewhere.t1.id}/start"),
        ("post", f"/education/office-hours/{slot.id}/book"),
    ]:
        assert getattr(c, method)(url).status_code == 404, url
    assert "Far away" not in c.get("/education/office-hours").get_data(as_text=True)
    assert c.post("/education/messages", data={"target": f"{other_prof.id}:"}).status_code == 400


# --- professor side --------------------------------------------------------------------------


def test_professor_class_view_shows_progress_heat_map_and_stuck(app, world):
    for _ in range(2):
        module_tests.submit_attempt(module_tests.start_attempt(world.other.id, world.t1), {})
    module_tests.submit_attempt(
        module_tests.start_attempt(world.student.id, world.t1), miss_beta(world)
    )
    db.session.commit()
    c = login(app, world.professor)
    body = c.get(f"/education/staff/courses/{world.course.id}").get_data(as_text=True)
    assert 'id="heat-map"' in body and "Beta topic" in body
    assert "Otto Other: failed Test one 2 times" in body
    assert re.search(r'data-topic="alpha" style="background-color: hsl\(\d+, 70%, 82%\)">22%', body)
    assert "Otto Other" in c.get("/education/staff").get_data(as_text=True)


def test_a_professor_sees_only_their_own_courses_threads_and_slots(app, world):
    from tests.conftest import make_user

    rival = make_user("rival@example.com", "Rival Prof", role="staff", department="education")
    conversation = chat.open_conversation(world.student.id, world.professor.id, None)
    db.session.commit()
    c = login(app, rival)
    assert c.get("/education/staff").status_code == 200
    assert "TST100" not in c.get("/education/staff").get_data(as_text=True)
    for url in [
        f"/education/staff/courses/{world.course.id}",
        f"/education/staff/messages/{conversation.id}",
        f"/education/staff/slots/{world.slot.id}.ics",
    ]:
        assert c.get(url).status_code == 404, url
    assert c.post(f"/education/staff/messages/{conversation.id}/poll").status_code == 404
    assert (
        c.post(f"/education/staff/messages/{conversation.id}", data={"body": "x"}).status_code
        == 404
    )
    assert db.session.execute(db.select(EducationChatMessage)).first() is None


@pytest.mark.parametrize(
    "role,department,status", [("customer", "", 403), ("staff", "banking", 403)]
)
def test_staff_pages_need_the_education_department(app, world, role, department, status):
    from tests.conftest import make_user

    user = make_user(f"{role}{department}@example.com", role=role, department=department)
    assert login(app, user).get("/education/staff").status_code == status


def test_professor_publishes_a_slot_and_sees_who_booked(app, world):
    c = login(app, world.professor)
    bad = c.post(
        "/education/staff/slots",
        data={
            "starts_at": "tomorrow",
            "minutes": "30",
            "capacity": "2",
            "closes_hours_before": "2",
            "place": "Room 9",
        },
    )
    assert bad.status_code == 400 and 'value="Room 9"' in bad.get_data(as_text=True)
    starts = world.slot.starts_at.replace(hour=9, minute=0, second=0, microsecond=0)
    ok = c.post(
        "/education/staff/slots",
        data={
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "minutes": "45",
            "capacity": "2",
            "closes_hours_before": "2",
            "place": "Room 9",
            "course": str(world.course.id),
        },
    )
    assert ok.status_code == 302
    slot = db.session.execute(
        db.select(EducationOfficeHourSlot).where(EducationOfficeHourSlot.place == "Room 9")
    ).scalar_one()
    assert (slot.starts_at, slot.minutes, slot.capacity) == (starts, 45, 2)
    meetings.book_slot(world.student.id, world.slot, "Alpha topic")
    db.session.commit()
    page = c.get("/education/staff/slots").get_data(as_text=True)
    assert "Stu Dent" in page and "Alpha topic" in page
    ics = Calendar.from_ical(c.get(f"/education/staff/slots/{world.slot.id}.ics").data)
    assert "student@example.com" in str(ics.walk("VEVENT")[0]["attendee"])


def test_class_view_queries_do_not_grow_with_the_class(app, world, query_counter):
    from tests.conftest import make_user

    def students(n, start):
        for i in range(start, start + n):
            user = make_user(f"s{i}@example.com", f"Student {i}")
            services.enroll(user.id, world.course)
            services.mark_chapter_read(user.id, world.chapter)
            module_tests.submit_attempt(
                module_tests.start_attempt(user.id, world.t1), miss_beta(world)
            )
        db.session.commit()

    c = login(app, world.professor)
    url = f"/education/staff/courses/{world.course.id}"
    students(1, 0)
    c.get(url)
    db.session.expire_all()
    with query_counter() as few:
        assert c.get(url).status_code == 200
    students(6, 10)
    db.session.expire_all()
    with query_counter() as many:
        body = c.get(url).get_data(as_text=True)
    assert "Student 15" in body
    assert many() == few()


def test_tour_steps_and_staff_endpoint_resolve(app):
    from flask import url_for

    vertical = app.extensions["dcx_verticals"].get("education")
    with app.test_request_context():
        assert url_for(vertical.staff_endpoint) == "/education/staff"
        for step in vertical.tour:
            assert url_for(step.endpoint).startswith("/education/")
    assert 3 <= len(vertical.tour) <= 6
    assert {t.key for t in vertical.topics} >= {"education.reply", "education.reminder"}
