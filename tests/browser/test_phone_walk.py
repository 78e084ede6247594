"""Every page of every story, as each seeded persona, in Chromium at phone width (390 px):
no console error, no failed request (the page or anything it loads), nothing wider than the
phone. The pages are found by the crawler's walk (one of each route), then opened in the
browser with nothing blocked."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from dcx.platform.showcase.loader import read_showcase, seed_showcase
from dcx.verticals import registry
from tests.crawl import pages_reached, sign_in, start_pages

pytestmark = pytest.mark.browser

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


# One test per persona, so parallel workers share the walk.
PERSONAS = {p["key"]: p for p in read_showcase("default")["personas"]}


@pytest.mark.parametrize("who", list(PERSONAS))
def test_every_page_of_every_story_is_clean_at_phone_width(
    browser: Browser, live_server, live_app, live_db, who
):
    with live_db() as db:
        seed_showcase(registry(), "default")
        db.session.commit()
        start = start_pages(live_app)
    found: dict[str, list[str]] = {}
    persona = PERSONAS[who]
    client = live_app.test_client()
    assert sign_in(client, persona["email"], persona["password"]).status_code == 302
    urls = [u for u in pages_reached(client, start) if not u.startswith(NOT_PAGES)]
    assert len(urls) > 10, (persona["email"], urls)
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
    _sign_in(page, live_server, persona["email"], persona["password"])
    for url in urls:
        page.goto(f"{live_server}{url}", wait_until="load")
        page.wait_for_timeout(100)  # what the page's scripts ask for once loaded
        problems = _problems_of(page, url, log)
        if problems:
            found[f"{persona['email']} {url}"] = problems
    context.close()
    assert not found, "\n".join(f"{where}: {'; '.join(p)}" for where, p in sorted(found.items()))
