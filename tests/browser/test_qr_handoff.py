"""The phone hand-off QR code decodes from a screenshot, on a laptop and at phone width.

A real decoder (zxing-cpp) reads the code off what Chromium rendered, as a phone camera would:
it must find the whole symbol with its quiet zone, and read the hand-off link on the
configured base URL.
"""

from __future__ import annotations

import io
import re

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser


def _sign_in(page: Page, base: str, email: str, next_path: str) -> None:
    page.goto(f"{base}/account/signin?next={next_path}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_handoff_qr_decodes_to_the_link_on_the_base_url(
    page: Page, live_app, live_server, live_db, width
):
    with live_db() as db:
        make_user("qr@example.com", "Quinn")
        db.session.commit()
    page.set_viewport_size({"width": width, "height": 900})
    _sign_in(page, live_server, "qr@example.com", "/government/reports/new")
    page.get_by_role("button", name="Continue on my phone").click()
    code = page.get_by_role(
        "img", name="QR code: scan it with your phone to continue this form there"
    )
    expect(code).to_be_visible()
    link = page.locator("[data-draft-handoff-link]").get_attribute("href")
    assert link.startswith(live_app.config["DCX_BASE_URL"] + "/d/")

    svg = code.evaluate(
        "e => ({viewBox: e.getAttribute('viewBox'), width: e.getAttribute('width'),"
        " shown: e.getBoundingClientRect().width})"
    )
    assert svg["viewBox"] and svg["width"] is None
    assert svg["shown"] >= 120  # big enough for a camera, not shrunk away

    # the panel has finished opening (Bootstrap adds "show" once its animation ends)
    expect(page.locator("[data-draft-handoff] .collapse")).to_have_class(re.compile(r"\bshow\b"))
    shot = Image.open(io.BytesIO(page.screenshot(full_page=True)))
    found = [
        r.text for r in zxingcpp.read_barcodes(shot) if r.format == zxingcpp.BarcodeFormat.QRCode
    ]
    assert found == [link]
