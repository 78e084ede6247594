"""The showcase as an app in Chromium: it installs, pages it has not kept show it is offline,
and a push message becomes a notification."""

import json

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def app_context(browser_type, browser_type_launch_args, tmp_path):
    """A browser with a real profile: Chromium never offers to install from a private one."""
    context = browser_type.launch_persistent_context(
        str(tmp_path / "profile"), **browser_type_launch_args
    )
    yield context
    context.close()


def worker_ready(page) -> list:
    # ``ready`` settles when a worker is activating; wait until it has activated
    return page.evaluate(
        """navigator.serviceWorker.ready.then(r => r.active.state === "activated"
             ? [r.active.state, r.scope]
             : new Promise(done => r.active.addEventListener(
                 "statechange", () => done([r.active.state, r.scope]))))"""
    )


def test_chromium_installs_the_app(app_context: BrowserContext, live_server):
    page = app_context.new_page()
    page.goto(f"{live_server}/")
    state, scope = worker_ready(page)
    assert state == "activated"
    assert scope == f"{live_server}/"
    page.reload()  # now the page is controlled by the worker, as an installed app's would be
    assert page.evaluate("navigator.serviceWorker.controller !== null")

    cdp = app_context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["url"] == f"{live_server}/pwa/manifest.webmanifest"
    assert manifest["errors"] == []
    parsed = manifest["manifest"]
    assert parsed["display"] == "kStandalone"
    assert parsed["startUrl"] == f"{live_server}/"
    assert parsed["scope"] == f"{live_server}/"
    assert {icon["sizes"] for icon in parsed["icons"]} == {"192x192", "512x512"}
    assert cdp.send("Page.getInstallabilityErrors") == {"installabilityErrors": []}


def sign_in(page, live_server, email: str) -> None:
    page.goto(f"{live_server}/account/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#user-menu")).to_be_visible()


def test_pages_kept_open_offline_and_others_say_offline(
    app_context: BrowserContext, live_server, live_db
):
    with live_db():
        make_user(email="walker@example.com", name="Wendy Walker")
    page = app_context.new_page()
    page.goto(f"{live_server}/")
    worker_ready(page)
    sign_in(page, live_server, "walker@example.com")
    page.goto(f"{live_server}/inbox/")
    expect(page.locator("h1")).to_have_text("Inbox")

    app_context.set_offline(True)
    page.goto(f"{live_server}/account/profile")
    expect(page.locator("#offline-page h1")).to_have_text("You are offline")
    page.goto(f"{live_server}/inbox/")
    expect(page.locator("h1")).to_have_text("Inbox")
    app_context.set_offline(False)

    # signing out forgets the pages kept for offline use on this device
    page.locator("#user-menu").click()
    page.locator("#signout").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    page.wait_for_function(
        "caches.keys().then(names => !names.some(n => n.startsWith('dcx-pages-')))"
    )


def test_a_push_message_becomes_a_notification_with_its_title(
    app_context: BrowserContext, live_server
):
    app_context.grant_permissions(["notifications"], origin=live_server)
    page = app_context.new_page()
    page.goto(f"{live_server}/")
    worker_ready(page)
    cdp = app_context.new_cdp_session(page)
    registrations: list[dict] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(event["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    page.wait_for_timeout(200)
    registration_id = next(r["registrationId"] for r in registrations if not r["isDeleted"])
    message = {"title": "Your November report", "body": "You saved 120 EUR.", "tag": "report"}
    shown: list = []
    for _attempt in range(3):  # a push sent while the worker starts up may be dropped
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {
                "origin": f"{live_server}/",
                "registrationId": registration_id,
                "data": json.dumps(message),
            },
        )
        for _ in range(20):
            shown = page.evaluate(
                "navigator.serviceWorker.ready.then(r => r.getNotifications())"
                ".then(list => list.map(n => [n.title, n.body]))"
            )
            if shown:
                break
            page.wait_for_timeout(100)
        if shown:
            break
    assert shown == [["Your November report", "You saved 120 EUR."]]
