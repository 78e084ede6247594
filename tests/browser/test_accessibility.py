"""Every story page passes axe-core with no serious or critical violations, at phone width."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.presentation]

PUBLIC_PAGES = ["/", "/account/signin", "/account/signup", "/showcase/tours", "/api/v1/docs"]
CUSTOMER_PAGES = [
    "/timeline",
    "/calendar",
    "/account/profile",
    "/account/password",
    "/inbox/",
    "/inbox/preferences",
    "/inbox/phone",
    "/assessment/",
    "/assessment/questionnaire",
]
VERTICAL_PAGES = [
    "/automotive/",
    "/banking/",
    "/education/",
    "/government/",
    "/health/",
    "/retail/",
]


def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page, one line each."""
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {', '.join(n['target'][0] for n in v['nodes'][:3])}"
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


@pytest.fixture
def signed_in_page(page: Page, live_server, live_db):
    with live_db():
        make_user(email="a11y@example.com", name="Ally Eleven")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/account/signin")
    page.get_by_label("Email").fill("a11y@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server}/")
    return page


def test_public_pages_are_accessible(page: Page, live_server):
    page.set_viewport_size({"width": 390, "height": 844})
    problems = {}
    for path in PUBLIC_PAGES:
        page.goto(f"{live_server}{path}")
        found = serious_violations(page)
        if found:
            problems[path] = found
    assert problems == {}


def test_customer_and_story_pages_are_accessible(signed_in_page: Page, live_server):
    problems = {}
    for path in CUSTOMER_PAGES + VERTICAL_PAGES:
        signed_in_page.goto(f"{live_server}{path}")
        found = serious_violations(signed_in_page)
        if found:
            problems[path] = found
    assert problems == {}
