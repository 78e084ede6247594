"""Every page of every story, as each seeded persona, in Chromium at phone width (390 px):
no console error, no failed request (the page or anything it loads), nothing wider than the
phone. The pages are found by the crawler's walk (one of each route; the staff of all
departments share theirs), then opened in the browser with nothing blocked."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from dcx.extensions import db
from dcx.platform.showcase.loader import read_showcase, seed_showcase
from dcx.verticals import registry
from tests.conftest import live_application, serving
from tests.crawl import pages_reached, sign_in, start_pages

pytestmark = [pytest.mark.browser, pytest.mark.presentation]

WIDTH = 390
# Links that change the visitor's settings rather than show a page.
NOT_PAGES = ("/language/",)

# The widest elements past the right edge, each with whether it sits in a chart.
OVERFLOW = """(width) => {
  const found = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.right <= width + 1 || box.width === 0) continue;
    if ([...el.children].some((c) => c.getBoundingClientRect().right > width + 1)) continue;
    const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
      (el.classList.length ? "." + [...el.classList].slice(0, 2).join(".") : "");
    found.push({name: name, right: Math.round(box.right), chart: !!el.closest(".dcx-chart")});
  }
  return found.slice(0, 3);
}"""


def _sign_in(page: Page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/account/signin")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("form button[type=submit]").click()
    expect(page.locator("#user-menu")).to_be_attached()


def _failed(request, log: list[str]) -> None:
    """A request that never got an answer; one the browser dropped itself (a favicon still on
    its way when the walk opens the next page: net::ERR_ABORTED) is no fault of the page."""
    if "ERR_ABORTED" not in (request.failure or ""):
        log.append(f"failed {request.url}: {request.failure}")


def _problems_of(page: Page, url: str, log: list[str]) -> list[str]:
    """What is wrong with ``url`` once open: console errors, failed requests, overflow."""
    problems = list(log)
    log.clear()
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > WIDTH:
        culprits = page.evaluate(OVERFLOW, WIDTH)
        charts = culprits and all(c["chart"] for c in culprits)
        where = ", ".join(f"{c['name']} to {c['right']}px" for c in culprits)
        problems.append(f"{width}px wide{' (a chart)' if charts else ''}: {where}")
    return problems


# The personas who walk together: the staff of every department share their count of pages per
# route (a page every staff member sees, the inbox or the customer list, is opened once, and
# each department's own pages by its staff), each customer and the admin walk alone. One test
# per group, so parallel workers share the walk.
PERSONAS = read_showcase("default")["personas"]
GROUPS: dict[str, list[dict]] = {
    "staff": [p for p in PERSONAS if p["role"] == "staff"],
    **{p["key"]: [p] for p in PERSONAS if p["role"] != "staff"},
}


@pytest.fixture(scope="module")
def showcase(_schema, tmp_path_factory) -> Iterator[tuple[Flask, str]]:
    """The default showcase seeded once for this module's walks (a GET writes nothing, so no
    walk changes what the next one sees), served on a free local port: (app, base URL)."""
    # each persona signs in twice (the crawler, the browser), to a sandbox of its own each time
    tmp = tmp_path_factory.mktemp("phone")
    with live_application(_schema, tmp, DCX_SANDBOX_MAX_PER_ADDRESS=50) as app:
        with app.app_context():
            seed_showcase(registry(), "default")
            db.session.commit()
            db.session.remove()
        with serving(app) as base:
            yield app, base


@pytest.mark.parametrize("group", list(GROUPS))
def test_every_page_of_every_story_is_clean_at_phone_width(browser: Browser, showcase, group):
    app, base = showcase
    start = start_pages(app)
    per_kind: Counter[str] = Counter()
    found: dict[str, list[str]] = {}
    walked = 0
    for persona in GROUPS[group]:
        client = app.test_client()
        assert sign_in(client, persona["email"], persona["password"]).status_code == 302
        urls = [
            u
            for u in pages_reached(client, start, per_kind=per_kind)
            if not u.startswith(NOT_PAGES)
        ]
        walked += len(urls)
        context = browser.new_context(viewport={"width": WIDTH, "height": 844})
        page = context.new_page()
        log: list[str] = []
        page.on("console", lambda m, log=log: log.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e, log=log: log.append(f"script error: {e}"))
        page.on(
            "response",
            lambda r, log=log: log.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )
        page.on("requestfailed", lambda r, log=log: _failed(r, log))
        _sign_in(page, base, persona["email"], persona["password"])
        for url in urls:
            page.goto(f"{base}{url}", wait_until="load")
            page.wait_for_timeout(100)  # what the page's scripts ask for once loaded
            problems = _problems_of(page, url, log)
            if problems:
                found[f"{persona['email']} {url}"] = problems
        context.close()
    # a customer or the admin reaches every page of theirs; the staff (of one department
    # after another) the pages their colleagues did not open before them
    assert walked > 10, (group, walked)
    assert not found, "\n".join(f"{where}: {'; '.join(p)}" for where, p in sorted(found.items()))
