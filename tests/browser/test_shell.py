"""The shell walked in headless Chromium: sign up, sign in, the six industries, phone width."""

import re

import pytest
from playwright.sync_api import Page, expect

from dcx.config import DEFAULT_VERTICALS
from tests.conftest import PASSWORD

KEYS = [path.rsplit(".", 1)[1] for path in DEFAULT_VERTICALS]

pytestmark = pytest.mark.browser


def _open_menu(page: Page, phone: bool) -> None:
    """On a phone, open the collapsed menu and wait until its animation has finished."""
    # Bootstrap's script runs at the end of the page: a click before the page has loaded
    # opens nothing (seen once in CI on a loaded machine, right after signing in).
    page.wait_for_load_state("load")
    if phone:
        page.get_by_role("button", name="Menu").click()
        expect(page.locator("#dcx-nav.collapse.show")).to_be_visible()


def _open_switcher_and_pick(page: Page, key: str, phone: bool) -> None:
    _open_menu(page, phone)
    page.locator("#industry-switcher").click()
    page.locator(f'.dropdown-menu a[data-vertical="{key}"]').click()


@pytest.mark.parametrize("width,height", [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_sign_up_sign_in_and_visit_every_industry(
    page: Page, live_app, live_server, width, height, tmp_path
):
    page.set_viewport_size({"width": width, "height": height})
    phone = width < 500
    mail: list = []
    live_app.extensions["dcx_account_mailer"] = mail.append
    page.goto(f"{live_server}/")
    expect(page.locator(".dcx-story-card")).to_have_count(len(KEYS))

    page.goto(f"{live_server}/account/signup")
    page.get_by_label("Full name").fill("Browser Person")
    page.get_by_label("Email").fill("browser@example.com")
    page.get_by_label("Password (at least 12 characters)").fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("#signup-sent")).to_contain_text("Check your e-mail")
    # the link in the e-mail creates the account
    page.goto(re.search(r"https?://\S+/account/signup/confirm/\S+", mail[0].text).group(0))
    page.get_by_role("button", name="Create my account").click()
    expect(page.locator(".alert-success")).to_contain_text("Welcome, Browser Person")

    # sign out, then in again through the sign-in page
    _open_menu(page, phone)
    page.locator("#user-menu").click()
    expect(page.locator("#signout")).to_be_visible()
    with page.expect_navigation():
        page.locator("#signout").click()
    expect(page.locator(".alert-info")).to_contain_text("signed out")
    page.goto(f"{live_server}/account/signin")
    page.get_by_label("Email").fill("browser@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#user-menu")).to_contain_text("Browser Person")

    for key in KEYS:
        _open_switcher_and_pick(page, key, phone)
        expect(page).to_have_url(f"{live_server}/{key}/")
        expect(page.locator(f"#{key}-capabilities")).to_be_visible()
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{key} scrolls sideways at {width}px"


def test_home_at_phone_width_has_no_horizontal_scroll(page: Page, live_server, tmp_path):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/")
    expect(page.locator(".dcx-story-card").first).to_be_visible()
    shot = tmp_path / "home-390.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width}px wide at 390px"


def test_error_pages_use_the_layout(page: Page, live_server):
    response = page.goto(f"{live_server}/no/such/page")
    assert response.status == 404
    expect(page.get_by_role("heading", name="We could not find that page.")).to_be_visible()
    expect(page.locator("nav.navbar")).to_be_visible()


def test_language_switcher_speaks_spanish(page: Page, live_server):
    page.goto(f"{live_server}/")
    page.locator("#language-switcher").click()
    page.locator('a[lang="es"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Seis historias")
