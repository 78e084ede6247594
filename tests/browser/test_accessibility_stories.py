"""Every parameterless page of every vertical, as its customer and its staff persona, passes axe."""

import pytest
from playwright.sync_api import Page

from dcx.platform.showcase.loader import seed_showcase
from tests.browser.test_accessibility import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.presentation]

STAFF = {
    "automotive": "service@dcx.example",
    "banking": "advisor@dcx.example",
    "education": "professor@dcx.example",
    "government": "city@dcx.example",
    "health": "clinician@dcx.example",
    "retail": "bookseller@dcx.example",
}
CUSTOMER = {
    "education": ("maria@dcx.example", "showcase-maria-2026"),
    "health": ("maria@dcx.example", "showcase-maria-2026"),
}


def _pages(app, key: str, staff: bool) -> list[str]:
    paths = []
    for rule in app.url_map.iter_rules():
        if rule.arguments or "GET" not in rule.methods or not rule.rule.startswith(f"/{key}/"):
            continue
        if (
            rule.rule.endswith((".json", ".ics", ".atom", ".csv", ".svg", ".png"))
            or "export" in rule.rule
            or "download" in rule.rule
        ):
            continue
        if ("/staff" in rule.rule) == staff:
            paths.append(rule.rule)
    return sorted(paths)


def _sign_in(page: Page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/account/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


@pytest.mark.parametrize("key", sorted(STAFF))
def test_every_page_of_the_story_is_accessible(page: Page, live_server, live_app, live_db, key):
    with live_db() as db:
        seed_showcase(live_app.extensions["dcx_verticals"], "default", only=(key,))
        db.session.commit()
    page.set_viewport_size({"width": 390, "height": 844})
    problems = {}
    email, password = CUSTOMER.get(key, ("alex@dcx.example", "showcase-alex-2026"))
    for who, (login, secret), staff in (
        ("customer", (email, password), False),
        ("staff", (STAFF[key], "showcase-staff-2026"), True),
    ):
        page.context.clear_cookies()
        _sign_in(page, live_server, login, secret)
        for path in _pages(live_app, key, staff):
            response = page.goto(f"{live_server}{path}")
            if response is None or response.status >= 400:
                problems[f"{who} {path}"] = [f"HTTP {response.status if response else '?'}"]
                continue
            found = serious_violations(page)
            if found:
                problems[f"{who} {path}"] = found
    assert problems == {}
