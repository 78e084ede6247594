"""The education story in Chromium: read, test, see the weak topic, chat live, book office hours."""

import re

import pytest
from icalendar import Calendar
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser


def sign_in(page: Page, base: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/account/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#user-menu")).to_be_attached()  # collapsed in the menu on a phone


def test_student_reads_tests_gets_suggestions_chats_and_books(
    page: Page, browser: Browser, live_server, live_app, live_db, tmp_path
):
    from dcx.education import meetings, services
    from dcx.education.models import EducationCourse
    from dcx.platform.showcase.loader import seed_showcase
    from dcx.verticals import registry

    # a real student and her professor in one database, as in a deployment (in a showcase the
    # professor's published password would open a sandbox of her own, apart from the student)
    live_app.config["DCX_SHOWCASE_MODE"] = False
    with live_db() as db:
        seed_showcase(registry())
        student = make_user("bea@example.com", "Bea Browser")
        course = db.session.execute(
            select(EducationCourse).where(EducationCourse.code == "STAT101")
        ).scalar_one()
        services.enroll(student.id, course)
        db.session.commit()
        course_id, student_id = course.id, student.id
        module = course.modules[0]
        chapter_title = module.chapters[0].title
        answers = [(q.id, q.kind, q.correct, "spread" in q.topics) for q in module.test.questions]

    sign_in(page, live_server, "bea@example.com")

    # read a chapter: headings, a figure, progress saved
    page.goto(f"{live_server}/education/courses/{course_id}")
    page.get_by_role("link", name=chapter_title).click()
    expect(page.get_by_role("heading", name="The median")).to_be_visible()
    expect(page.locator("figure svg")).to_be_visible()
    page.get_by_role("button", name="Mark as read and continue").click()
    expect(page.locator(".alert-success")).to_contain_text("Progress saved")
    page.goto(f"{live_server}/education/courses/{course_id}")
    expect(page.locator('[data-module="1"] .badge.text-bg-success').first).to_contain_text("Read")

    # take the module test, missing every question on variance and spread
    page.get_by_role("link", name=re.compile("Module 1 test")).click()
    page.get_by_role("button", name="Start attempt 1").click()
    expect(page.locator("#time-left")).to_be_visible()
    for qid, kind, correct, miss in answers:
        if kind == "numeric":
            value = correct[0] + 5 if miss else correct[0]
            page.locator(f"#q{qid}").fill(str(value))
        elif kind == "single":
            index = (correct[0] + 1) % 4 if miss else correct[0]
            page.locator(f"#q{qid}-{index}").check()
        else:
            for index in [correct[0]] if miss else correct:
                page.locator(f"#q{qid}-{index}").check()
    page.get_by_role("button", name="Submit answers").click()
    expect(page.locator("#attempt-result")).to_contain_text("70%")
    expect(page.locator("#attempt-result")).to_contain_text("Passed")
    expect(page.locator('[data-correct="no"]')).to_have_count(3)

    # the weak topic, its suggested section and the reason
    page.get_by_role("link", name="See your topic mastery and suggestions").click()
    expect(page.locator('tr[data-topic="spread"]')).to_have_attribute("data-level", "attempted")
    suggestion = page.locator('[data-suggestion="spread"]')
    expect(suggestion).to_contain_text("Variance and spread")
    expect(suggestion.locator(".suggested-section").first).to_contain_text(
        "Range and interquartile range"
    )
    expect(suggestion.locator(".why-suggested")).to_contain_text("question 5")
    expect(suggestion.locator(".why-suggested")).to_contain_text("sample variance")
    expect(page.locator("[data-suggestion]")).to_have_count(1)

    # message the professor; the reply appears without a reload
    page.goto(f"{live_server}/education/messages")
    page.get_by_label("Professor").select_option(
        label="Prof. Elena Ionescu — STAT101 Introduction to Statistics"
    )
    page.get_by_role("button", name="Open conversation").click()
    page.get_by_label("Message").fill("Could we go over the sample variance?")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#chat")).to_contain_text("Could we go over the sample variance?")
    conversation_url = page.url
    page.evaluate("window.__noReload = true")

    professor = browser.new_context()
    prof_page = professor.new_page()
    sign_in(prof_page, live_server, "professor@dcx.example", "showcase-staff-2026")
    prof_page.goto(f"{live_server}/education/staff/messages")
    prof_page.get_by_role("link", name=re.compile("Bea Browser")).click()
    expect(prof_page.locator("#chat")).to_contain_text("Could we go over the sample variance?")
    prof_page.get_by_label("Message").fill("Of course, book my Thursday office hours.")
    prof_page.get_by_role("button", name="Send").click()
    expect(prof_page.locator("#chat")).to_contain_text("book my Thursday")
    professor.close()

    expect(page.locator("#chat")).to_contain_text("book my Thursday", timeout=10_000)
    assert page.url == conversation_url
    assert page.evaluate("window.__noReload") is True  # same document: no reload

    # book an office-hour slot about the weak topic and download its invitation
    page.goto(f"{live_server}/education/mastery")
    page.get_by_role("link", name="Book office hours about this topic").click()
    slot = page.locator("[data-slot]").filter(has=page.get_by_role("button", name="Book")).first
    expect(slot.get_by_label("Topic (optional)")).to_have_value("Variance and spread")
    slot.get_by_role("button", name="Book").click()
    expect(page.locator(".alert-success")).to_contain_text("Booked")
    booking = page.locator("[data-booking]").first
    expect(booking).to_contain_text("Variance and spread")
    with page.expect_download() as download_info:
        booking.get_by_role("link", name="Calendar invitation (.ics)").click()
    path = tmp_path / "invite.ics"
    download_info.value.save_as(path)
    event = Calendar.from_ical(path.read_bytes()).walk("VEVENT")[0]
    assert "Prof. Elena Ionescu" in str(event["summary"])
    assert "bea@example.com" in str(event["attendee"])
    with live_db():
        (entry,) = meetings.calendar_entries(student_id)
    assert event.decoded("dtstart") == entry.starts_at
    assert str(event["uid"]) == entry.uid


def test_every_education_page_fits_a_phone(page: Page, browser: Browser, live_server, live_db):
    from dcx.education.models import EducationAttempt, EducationConversation, EducationCourse
    from dcx.platform.showcase.loader import seed_showcase
    from dcx.verticals import registry

    with live_db() as db:
        seed_showcase(registry())
        db.session.commit()
        stat = db.session.execute(
            select(EducationCourse).where(EducationCourse.code == "STAT101")
        ).scalar_one()
        course_id, chapter_id = stat.id, stat.modules[0].chapters[1].id
        attempt_id = (
            db.session.execute(select(EducationAttempt.id).order_by(EducationAttempt.id))
            .scalars()
            .first()
        )
        conversation_id = db.session.execute(select(EducationConversation.id)).scalars().first()

    def fits(p: Page, paths: list[str]) -> None:
        for path in paths:
            response = p.goto(f"{live_server}{path}")
            assert response.status == 200, path
            overflow = p.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{path} scrolls sideways at 390px"

    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, "maria@dcx.example", "showcase-maria-2026")
    fits(
        page,
        [
            "/education/",
            f"/education/courses/{course_id}",
            f"/education/chapters/{chapter_id}",
            f"/education/attempts/{attempt_id}",
            f"/education/courses/{course_id}/mastery",
            "/education/messages",
            f"/education/messages/{conversation_id}",
            "/education/office-hours",
        ],
    )
    expect(page.locator("[data-slot]").first).to_be_visible()

    professor = browser.new_context(viewport={"width": 390, "height": 844})
    prof_page = professor.new_page()
    sign_in(prof_page, live_server, "professor@dcx.example", "showcase-staff-2026")
    fits(
        prof_page,
        [
            "/education/staff",
            f"/education/staff/courses/{course_id}",
            "/education/staff/messages",
            "/education/staff/slots",
        ],
    )
    prof_page.goto(f"{live_server}/education/staff/courses/{course_id}")
    expect(prof_page.locator("#heat-map")).to_contain_text("Variance and spread")
    expect(prof_page.locator("#stuck-students")).to_contain_text("Alex Morgan")
    professor.close()
