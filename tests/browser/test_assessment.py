"""The DCX maturity self-assessment in Chromium: answer, see the radar, follow a story.

Also: started on a laptop, finished on a phone, through the platform's drafts.
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from dcx.platform.assessment.models import AssessmentRun
from dcx.platform.assessment.questions import DISCIPLINES, all_questions
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser

TOTAL = len(all_questions())


def _serious_violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def _answer(page: Page, question_id: str, value: int) -> None:
    page.locator(f'#q-{question_id} input[value="{value}"]').check()


def _sign_in(page: Page, live_server: str, email: str) -> None:
    page.goto(f"{live_server}/account/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#user-menu")).to_have_count(1)  # in the collapsed menu on a phone


def test_complete_the_assessment_at_phone_width_and_follow_a_recommendation(
    page: Page, live_server
):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/assessment/")
    assert _serious_violations(page) == []
    page.locator("#assessment-start").click()
    expect(page.locator("#assessment-progress-text")).to_contain_text(f"0 / {TOTAL}")
    assert _serious_violations(page) == []

    # every question is a fieldset whose legend names the radio group
    first = all_questions()[0]
    group = page.get_by_role("group", name=str(first.text))
    expect(group.get_by_role("radio")).to_have_count(5)

    weak = {"measurement": 1, "culture": 2}
    for d in DISCIPLINES:
        for q in d.questions:
            _answer(page, q.id, weak.get(d.key, 4))
    expect(page.locator("#assessment-progress-text")).to_contain_text(f"{TOTAL} / {TOTAL}")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, "the questionnaire scrolls sideways at 390px"
    page.locator("#assessment-submit").click()

    expect(page).to_have_url(re.compile(r"/assessment/runs/\d+$"))
    result = page.locator("#assessment-result")
    # one drawing of the chart shows (the other waits for its width), once the styles apply
    expect(result.locator(".dcx-chart svg:visible")).to_have_count(1)
    expect(page.locator("#assessment-overall")).to_contain_text("54")
    expect(page.locator("#assessment-stage")).to_have_attribute("data-stage", "defined")
    recs = page.locator("#assessment-recommendations")
    expect(recs.locator("[data-recommendation]")).to_have_count(2)
    measurement = recs.locator('[data-recommendation="measurement"]')
    expect(measurement.locator("a[data-story]")).to_have_count(2)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, "the result scrolls sideways at 390px"
    assert _serious_violations(page) == []

    story = measurement.locator("a[data-story]").first
    key = story.get_attribute("data-story")
    story.click()
    expect(page).to_have_url(f"{live_server}/{key}/")
    expect(page.locator(f"#{key}-capabilities")).to_be_visible()


def test_started_on_a_laptop_finished_on_a_phone(
    browser: Browser, page: Page, live_server, live_db
):
    with live_db():
        user = make_user(email="prospect@example.com", name="Pat Prospect")
        user_id = user.id

    _sign_in(page, live_server, "prospect@example.com")
    page.goto(f"{live_server}/assessment/questionnaire")
    questions = all_questions()
    for q in questions[:3]:
        _answer(page, q.id, 2)
    expect(page.locator("[data-draft-status]")).to_contain_text("Draft saved")

    phone = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        other = phone.new_page()
        _sign_in(other, live_server, "prospect@example.com")
        other.goto(f"{live_server}/assessment/questionnaire")
        expect(other.locator(f'#q-{questions[0].id} input[value="2"]')).to_be_checked()
        expect(other.locator("#assessment-progress-text")).to_contain_text(f"3 / {TOTAL}")
        for q in questions[3:]:
            _answer(other, q.id, 5)
        other.locator("#assessment-submit").click()
        expect(other).to_have_url(re.compile(r"/assessment/runs/\d+$"))
        expect(other.locator("#assessment-result .dcx-chart svg:visible")).to_have_count(1)
    finally:
        phone.close()

    with live_db() as db:
        runs = db.session.query(AssessmentRun).filter_by(user_id=user_id).all()
        assert len(runs) == 1
        assert runs[0].answers[questions[0].id] == 2
        assert runs[0].answers[questions[-1].id] == 5
