"""Charts read on a phone: at 390 px their labels are still 10 px or more, and no chart is
wider than the screen (the safe-to-spend waterfall, a vehicle's telemetry, the health vitals,
the city's traffic)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page
from sqlalchemy import select

from dcx.automotive.models import AutomotiveVehicle
from dcx.platform.showcase.loader import seed_showcase

pytestmark = [pytest.mark.browser, pytest.mark.presentation]

PHONE = {"width": 390, "height": 844}

# Every text of every chart shown, in CSS pixels as drawn: its font size times the scale the
# SVG is drawn at (a rotated label's matrix holds its scale in a and b).
_DRAWN_TEXT = """() => [...document.querySelectorAll('.dcx-chart svg')]
  .filter(svg => svg.getBoundingClientRect().width > 0)
  .flatMap(svg => [...svg.querySelectorAll('.axis text, .legends text, .title')]
    .filter(t => t.textContent.trim() && t.getBoundingClientRect().width > 0)
    .map(t => {
      const m = t.getScreenCTM();
      const size = parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
      return [t.textContent.trim(), Math.round(size * 10) / 10];
    }))"""

_CHART_BOXES = """() => [...document.querySelectorAll('.dcx-chart svg')]
  .map(svg => svg.getBoundingClientRect())
  .filter(box => box.width > 0)
  .map(box => [box.left, box.right])"""


def _sign_in(page: Page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/account/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def _too_small_or_too_wide(page: Page, url: str) -> dict[str, object]:
    page.goto(url)
    boxes = page.evaluate(_CHART_BOXES)
    assert boxes, f"no chart drawn on {url}"
    texts = page.evaluate(_DRAWN_TEXT)
    assert texts, f"no chart text on {url}"
    problems: dict[str, object] = {}
    small = [(text, size) for text, size in texts if size < 10]
    if small:
        problems["text under 10 px"] = small[:5]
    wide = [box for box in boxes if box[0] < 0 or box[1] > PHONE["width"]]
    if wide:
        problems["wider than the screen"] = wide
    return problems


def test_charts_read_at_phone_width(page: Page, live_server, live_app, live_db):
    with live_db() as db:
        seed_showcase(
            live_app.extensions["dcx_verticals"],
            "default",
            only=("automotive", "banking", "government", "health"),
        )
        db.session.commit()
        vehicle = db.session.execute(select(AutomotiveVehicle.id)).scalars().first()
    page.set_viewport_size(PHONE)
    found = {}
    for email, password, paths in (
        (
            "alex@dcx.example",
            "showcase-alex-2026",
            ["/banking/safe-to-spend", f"/automotive/vehicles/{vehicle}"],
        ),
        ("maria@dcx.example", "showcase-maria-2026", ["/health/vitals"]),
        ("city@dcx.example", "showcase-staff-2026", ["/government/staff"]),
    ):
        page.context.clear_cookies()
        _sign_in(page, live_server, email, password)
        for path in paths:
            problems = _too_small_or_too_wide(page, f"{live_server}{path}")
            if problems:
                found[path] = problems
    assert found == {}


def test_a_desktop_column_draws_the_wide_chart(page: Page, live_server, live_app, live_db):
    with live_db() as db:
        seed_showcase(live_app.extensions["dcx_verticals"], "default", only=("banking",))
        db.session.commit()
    page.set_viewport_size({"width": 1280, "height": 800})
    _sign_in(page, live_server, "alex@dcx.example", "showcase-alex-2026")
    page.goto(f"{live_server}/banking/safe-to-spend")
    assert page.locator(".dcx-chart-wide svg").is_visible()
    assert not page.locator(".dcx-chart-narrow svg").is_visible()
    assert min(size for _text, size in page.evaluate(_DRAWN_TEXT)) >= 10
