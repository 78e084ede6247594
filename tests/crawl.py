"""Walk the pages a seeded persona reaches: from every GET page without arguments, following
the links on each page, as the persona signed in through the real sign-in form."""

from __future__ import annotations

from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit
from xml.etree import ElementTree

from icalendar import Calendar
from werkzeug.exceptions import HTTPException

from dcx.extensions import db
from dcx.platform.showcase.loader import read_showcase, seed_showcase
from dcx.verticals import registry
from tests.conftest import AuthActions

ATTRIBUTES = ("placeholder", "aria-label", "title", "alt")
# A tour link only shows a step and its button (a POST signs in): a walk may visit it.
SKIP = ("/static/", "/api/", "/bootstrap/", "/account/signout")
PAGES_PER_PERSONA = 400  # a bound, not a sample: the walk stops when nothing new is left
PAGES_PER_KIND = 3  # of one route (books/1, books/2 ...): every kind of page, not every page


class PageText(HTMLParser):
    """The visible text nodes of a page and the attributes a reader hears or sees."""

    def __init__(self) -> None:
        super().__init__()
        self.nodes: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._hidden += 1
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])
        for name in ATTRIBUTES:
            if values.get(name):
                self.nodes.append(" ".join(values[name].split()))

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.nodes.append(" ".join(data.split()))


# Feeds a page links to, read for the text a reader's calendar or feed reader shows
FEEDS = ("text/calendar", "application/atom+xml")
CALENDAR_TEXT = ("X-WR-CALNAME", "SUMMARY", "DESCRIPTION", "LOCATION")


def feed_text(mimetype: str, body: bytes) -> PageText:
    """The texts a calendar (its name, each event's summary, description and place) or an
    Atom feed (every element's text) shows its reader, as the nodes of a :class:`PageText`."""
    text = PageText()
    if mimetype == "text/calendar":
        for component in Calendar.from_ical(body).walk():
            text.nodes.extend(
                " ".join(str(component[name]).split())
                for name in CALENDAR_TEXT
                if name in component
            )
    else:
        root = ElementTree.fromstring(body)  # noqa: S314 - the app's own feed
        text.nodes.extend(" ".join(t.split()) for t in root.itertext() if t.strip())
    return text


def start_pages(app) -> list[str]:
    """Every GET page of the app that takes no argument."""
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments and not rule.rule.startswith(SKIP)
    )


def walk(
    client,
    start: list[str],
    check: Callable[[str, str, PageText], list[str]],
    pages_per_kind: int = PAGES_PER_KIND,
    feeds: bool = False,
    per_kind: Counter[str] | None = None,
) -> tuple[int, list[tuple[str, str]]]:
    """Visit, breadth first, every kind of HTML page the client reaches (``pages_per_kind`` of
    each route), and with ``feeds`` the calendars and Atom feeds they link to; ``check(url,
    html, text)`` says what is wrong with each. Returns the number of pages visited and (url,
    finding) pairs. ``per_kind`` counts the pages of each route visited so far: shared by
    several walks, a route one walk has visited enough is not visited again by the next."""
    adapter = client.application.url_map.bind("localhost")
    seen, queue, found = set(start), deque(start), []
    per_kind = Counter() if per_kind is None else per_kind
    visited = 0
    while queue and visited < PAGES_PER_PERSONA:
        url = queue.popleft()
        try:
            kind = adapter.match(urlsplit(url).path, method="GET")[0]
        except HTTPException:
            continue
        if per_kind[kind] >= pages_per_kind:
            continue
        page = client.get(url)
        if 300 <= page.status_code < 400:
            # a redirect (the language switch, a route that forwards) is one of its kind too:
            # every page links to it with its own address, and each answer is the same redirect
            per_kind[kind] += 1
            continue
        if page.status_code != 200:
            continue
        if feeds and page.mimetype in FEEDS:
            per_kind[kind] += 1
            body = page.get_data()
            text = feed_text(page.mimetype, body)
            found.extend((url, finding) for finding in check(url, body.decode(), text))
            continue
        if page.mimetype != "text/html":
            continue
        per_kind[kind] += 1
        visited += 1
        html = page.get_data(as_text=True)
        parser = PageText()
        parser.feed(html)
        found.extend((url, finding) for finding in check(url, html, parser))
        for href in parser.links:
            target = urldefrag(href)[0]
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            if target.startswith(SKIP) or target in seen:
                continue
            seen.add(target)
            queue.append(target)
    return visited, found


def sign_in(client, email: str, password: str):
    """Sign ``client`` in through the real form, with its CSRF token when the app checks it."""
    import re

    form = client.get("/account/signin").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
    data = {"email": email, "password": password}
    if token:
        data["csrf_token"] = token.group(1)
    return client.post("/account/signin", data=data)


def pages_reached(
    client, start: list[str], pages_per_kind: int = 1, per_kind: Counter[str] | None = None
) -> list[str]:
    """The HTML pages the client reaches from ``start``, ``pages_per_kind`` of each route, in
    the order a breadth-first walk finds them (for a browser to visit them again); with
    ``per_kind`` shared by several walks, a route an earlier walk reached is not reached again."""
    reached: list[str] = []

    def note(url: str, html: str, text: PageText) -> list[str]:
        reached.append(url)
        return []

    walk(client, start, note, pages_per_kind, per_kind=per_kind)
    return reached


#: The showcase's operator: email, name and a password no seed publishes.
OPERATOR = ("operator@example.com", "Olga Operator", "an operator's own words")


def walk_as_every_persona(
    app,
    check: Callable[[str, str, PageText], list[str]],
    language: str | None = None,
    more: Callable[[dict[str, int]], list[str]] | None = None,
    feeds: bool = False,
    pages_per_kind: int = PAGES_PER_KIND,
    once_per_role: bool = False,
    starting: Callable[[str, str], None] | None = None,
) -> Iterator[tuple[str, int, list[tuple[str, str]]]]:
    """Seed the default showcase (in ``language``) and walk it as each of its personas;
    ``more({persona key: user id})`` adds to the seeded world first, and returns pages to start
    from as well (a persona for whom one is not there is answered 404, and goes on). With
    ``once_per_role`` the personas of one role (customer, staff, admin) share their count of
    pages per route: a route one has visited enough, the next of that role does not visit
    again, so each walks only the pages new to its role (a department's own, a customer's
    other stories). ``starting(email, role)`` is told who walks next, before the walk."""
    from dcx.platform.accounts.models import User

    seed_showcase(registry(), "default", language=language)
    db.session.commit()
    personas = read_showcase("default", language=language)["personas"]
    start = start_pages(app)
    if more is not None:
        ids = {
            p["key"]: db.session.execute(
                db.select(User.id).filter_by(email=p["email"])
            ).scalar_one()
            for p in personas
        }
        start += more(ids)
        db.session.commit()
    # in a showcase each persona signs in to a sandbox of its own, all from this one address
    limit = app.config.get("DCX_SANDBOX_MAX_PER_ADDRESS", 10)
    app.config["DCX_SANDBOX_MAX_PER_ADDRESS"] = max(limit, 2 * len(personas))
    walkers = [(p["email"], p["password"], p["role"]) for p in personas]
    if app.config.get("DCX_SHOWCASE_MODE"):
        # the personas walk their own sandboxes; the main database's pages (the presenters'
        # list of sandboxes) are its operator's, an admin no seed publishes
        from dcx.platform.accounts.services import create_user

        operator = create_user(*OPERATOR, role="admin")
        operator.locale = "" if language in (None, "en") else language  # as the personas
        db.session.commit()
        walkers.append((OPERATOR[0], OPERATOR[2], "admin"))
    # a tour's step page, which a persona's walk (longer inside a sandbox) may not come to
    steps = [f"/showcase/tours/{v.key}/1" for v in registry() if v.tour][:1]
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    for email, password, role in walkers:
        if starting is not None:
            starting(email, role)
        client = app.test_client()
        signed_in = AuthActions(client).login(email, password)
        assert signed_in.status_code == 302, email
        per_kind = kinds[role] if once_per_role else None
        visited, found = walk(client, start + steps, check, pages_per_kind, feeds, per_kind)
        yield email, visited, found
