"""Every route with a path parameter, generated from the URL map, asked with hostile and with
another owner's real ids by those who must not see what is behind them.

Each rule is requested, with each of its methods, with an id beyond the database's integer
range and with a non-numeric string, as another customer, as staff of another department and
anonymously: never a 500. Then the real ids: the owner (a customer, and each department's
staff) walks the seeded showcase, and every link and form action it reaches whose rule takes a
parameter is asked again, with the same method, by the other customer, by staff of another
department and anonymously. None may see the owner's data: the answer is a refusal (403, 404,
a redirect to sign-in) or a page holding no value distinctive of the owner's rows. A rule the
walks never reach is left out only with its reason in :data:`LEFT_OUT`.

One showcase is seeded for the module; the walks and the visitors share it.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as dt_time
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import String, Text, event, select
from sqlalchemy.engine import Engine
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Rule
from werkzeug.routing.converters import AnyConverter, NumberConverter

from dcx import create_app
from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.inputs import DB_INT_MAX
from dcx.platform.showcase.loader import read_showcase, seed_showcase
from dcx.verticals import registry
from tests.conftest import (
    DATABASE_URL,
    AuthActions,
    RequestScopedClient,
    _base_config,
    database_uri,
    empty_what_was_written,
)
from tests.crawl import SKIP, PageText, start_pages

# Beyond an INTEGER column (PostgreSQL refuses it), beyond 64 bits (SQLite does), not a number.
HOSTILE = (str(DB_INT_MAX + 1), "9" * 20, "not-an-id")
# Whose pages are walked for real ids: the customer with the most seeded data, and the staff.
CUSTOMERS = ("alex", "maria")
STAFF = ("service_advisor", "bank_advisor", "professor", "city_officer", "clinician", "bookseller")
ADMIN = "admin"
REFUSED = {401, 403, 404, 405}
# Rows a customer writes for others to read: their texts are no secret of the owner's.
PUBLIC_TABLES = {
    "community_post": "posts are read by everyone in the space",
    "community_thread": "threads are read by everyone in the space",
    "community_membership": "no text",
    "retail_review": "reviews are shown on the book's page",
    "retail_rsvp": "the guest list is the event's",
    "government_repair": "a street report is public on the status page",
}
# Columns of private rows that name something public, and why.
PUBLIC_COLUMNS = {
    "health_module_progress.module": "a learning module's key: the catalogue is everyone's",
}
# Staff pages every department may open, and why.
STAFF_WIDE = {
    "timeline.customer_360": "the customer 360 serves every department (health is hidden "
    "there without the customer's consent)",
}
ADMIN_ONLY = {"jobs.run", "notify.retry_delivery"}
# Rules the owners' walks do not reach with a real id, and why; the hostile ids still reach
# every rule. The test fails on a rule missing here, and on one listed that the walks reach.
_STATIC = "a file by its path: no id, no owner"
_SCRIPT = "fetched by the page's script, never a link or a form"
_IN_SEED = "offered only for rows in a state the seed gives no walker (one page of each route)"
LEFT_OUT: dict[str, str] = {
    "bootstrap.static": _STATIC,
    "drafts.static": _STATIC,
    "pwa.static": _STATIC,
    "pwa.icon": "the app's icon by size: no owner",
    "retail.cover": "a public book's cover, an image rather than a link",
    "accounts.confirm_signup": "an e-mailed link holding a one-time token",
    "notify.unsubscribe": "an e-mailed link signed for its reader",
    "drafts.handoff": "a one-time hand-off link, shown as a QR code",
    "timeline.feed": "a calendar address holding its owner's secret, for a calendar app",
    "drafts.show": _SCRIPT,
    "drafts.save": _SCRIPT,
    "drafts.discard": _SCRIPT,
    "education.conversation_poll": _SCRIPT,
    "education.staff.staff_conversation_poll": _SCRIPT,
    "government_api.crew_position": "a device's API with a bearer token "
    "(tests/platform/test_api_contract.py)",
    "open311.discovery": "the public Open311 API: no owner",
    "open311.request_detail": "the public Open311 API: no owner",
    "open311.requests_list": "the public Open311 API: no owner",
    "open311.service_definition": "the public Open311 API: no owner",
    "open311.services": "the public Open311 API: no owner",
    "sandboxes.open_sandbox": "sandboxes exist only in showcase mode, not in this walk's",
    "showcase.tour_step": "a tour's steps are taken inside a sandbox",
    "assessment.result": "a run is made by taking the assessment; the seed has none",
    "assessment.download": "a run is made by taking the assessment; the seed has none",
    **dict.fromkeys(
        (
            "automotive.revoke",
            "automotive.staff.complete",
            "government.citizen_photo",
            "government.staff.acknowledge_incident",
            "government.staff.acknowledge_task",
            "government.staff.complete_handoff",
            "government.staff.finish_task",
            "government.staff.staff_photo",
            "government.still_broken",
            "health.accept_goal",
            "health.cheer",
            "health.quiz",
            "health.reply",
            "health.report",
            "health.staff.moderate",
            "notify.remove_device",
            "notify.rename_device",
            "notify.retry_delivery",
            "retail.decide",
            "retail.edit_review",
            "retail.reservation",
            "retail.staff.moderate_post",
        ),
        _IN_SEED,
    ),
}


@dataclass
class Persona:
    """A seeded persona, signed in on its own client."""

    key: str
    email: str
    role: str
    department: str
    client: RequestScopedClient = field(repr=False)
    user_id: int = 0


@dataclass
class PostForm:
    """A POST form on a page: where it goes and its fields with the values the page gave."""

    action: str
    fields: dict[str, str] = field(default_factory=dict)


class PostForms(HTMLParser):
    """The POST forms of a page (and the buttons that post elsewhere), with their fields."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self.forms: list[PostForm] = []
        self._open: PostForm | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        values = {k: v or "" for k, v in attrs}
        name = values.get("name", "")
        if tag == "form":
            post = values.get("method", "get").lower() == "post"
            self._open = PostForm(values.get("action") or self.url) if post else None
            if self._open is not None:
                self.forms.append(self._open)
        elif tag in ("button", "input") and values.get("formaction"):
            self.forms.append(PostForm(values["formaction"]))
        elif self._open is None or not name or name == "csrf_token":
            return
        elif tag == "input" and values.get("type") not in ("file", "submit", "button", "image"):
            if values.get("type") in ("checkbox", "radio") and "checked" not in values:
                self._open.fields.setdefault(name, "")
            else:
                self._open.fields[name] = values.get("value", "")
        elif tag == "select":
            self._select = name
            self._open.fields[name] = ""
        elif (
            tag == "option"
            and self._select
            and ("selected" in values or not self._open.fields[self._select])
        ):
            self._open.fields[self._select] = values.get("value", "")
        elif tag == "textarea":
            self._textarea = name
            self._open.fields[name] = ""

    def handle_data(self, data):
        if self._open is not None and self._textarea:
            self._open.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._open = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


@dataclass
class World:
    """The seeded showcase, its signed-in personas, and what the owners' walks found."""

    app: object
    personas: dict[str, Persona]
    anonymous: RequestScopedClient
    # (method, url) reached by each owner, per rule
    reached: dict[str, set[tuple[str, str, str]]]
    # the first POST form of each rule each walker reached: (walker, rule, form)
    forms: list[tuple[str, str, PostForm]]
    distinctive: dict[str, set[str]]


def _owned_texts(user_id: int) -> tuple[set[str], set[str]]:
    """Texts of rows owned by ``user_id`` (through any column referring to the user), and
    every other text the database holds (others' rows, and what no one owns: catalogues)."""
    mine: set[str] = set()
    others: set[str] = set()
    for table in db.metadata.sorted_tables:
        owners = [
            c
            for c in table.columns
            if any(fk.column.table.name == "account_user" for fk in c.foreign_keys)
        ]
        texts = [
            c
            for c in table.columns
            if isinstance(c.type, String | Text) and f"{table.name}.{c.name}" not in PUBLIC_COLUMNS
        ]
        if not texts:
            continue
        private = bool(owners) and table.name not in PUBLIC_TABLES
        for row in db.session.execute(select(*owners, *texts)):
            values = {v for v in row[len(owners) :] if isinstance(v, str) and len(v) >= 8}
            if private and user_id in row[: len(owners)]:
                mine |= values
            else:
                others |= values
    return mine, others


class Needles:
    """Many texts looked for in a page at once: each page position's next 8 characters are
    looked up among the texts' first 8 (every text has at least 8), so the cost grows with
    the page, not with the number of texts."""

    def __init__(self, texts: set[str]) -> None:
        self.texts = texts
        self._by_prefix: dict[str, list[str]] = defaultdict(list)
        for text in texts:
            self._by_prefix[text[:8]].append(text)

    def found_in(self, page: str) -> list[str]:
        """The texts ``page`` holds, sorted."""
        found, candidates = set(), self._by_prefix
        for i in range(len(page) - 7):
            for text in candidates.get(page[i : i + 8], ()):
                if page.startswith(text, i):
                    found.add(text)
        return sorted(found)


def _distinctive(persona: Persona) -> set[str]:
    """What only ``persona``'s own rows hold, and their e-mail address (their name is no
    secret: the showcase's tours introduce each persona by name)."""
    from dcx.platform.accounts.models import User

    user = db.session.get_one(User, persona.user_id)
    mine, others = _owned_texts(persona.user_id)
    # a link (to a course both follow) is no secret either
    texts = mine - others - {user.name}
    return {t for t in texts if not t.isdigit() and not t.startswith("/")} | {user.email}


@pytest.fixture(scope="module")
def world(_schema, tmp_path_factory):
    """The default showcase seeded once (outside showcase mode: each persona signs in to the
    same database), every persona signed in, and the owners' walks done."""
    tmp = tmp_path_factory.mktemp("urlwalk")
    uri = database_uri(_schema, tmp, "urlwalk")
    app = create_app({**_base_config(tmp, uri), "DCX_SHOWCASE_MODE": False})
    app.test_client_class = RequestScopedClient
    with app.app_context():
        try:
            _before_the_first_dose()
            seed_showcase(registry(), "default")
            db.session.commit()
            from dcx.platform.accounts.models import User

            personas = {}
            for p in read_showcase("default")["personas"]:
                client = app.test_client()
                signed_in = AuthActions(client).login(p["email"], p["password"])
                assert signed_in.status_code == 302, p["email"]
                personas[p["key"]] = Persona(
                    p["key"],
                    p["email"],
                    p.get("role", "customer"),
                    p.get("department", ""),
                    client,
                    db.session.execute(select(User.id).filter_by(email=p["email"])).scalar_one(),
                )
            reached: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
            forms: list[tuple[str, str, PostForm]] = []
            started = time.monotonic()
            for key, prefixes in _walkers(personas).items():
                for rule, method, url, form in _owner_walk(app, personas[key].client, prefixes):
                    if form is not None:
                        forms.append((key, rule.endpoint, form))
                    if rule.arguments:
                        reached[rule.endpoint].add((key, method, url))
            print(f"walks: {time.monotonic() - started:.1f} s")
            distinctive = {key: _distinctive(personas[key]) for key in CUSTOMERS}
            yield World(app, personas, app.test_client(), reached, forms, distinctive)
        finally:
            db.session.remove()
            if DATABASE_URL:
                empty_what_was_written()
            db.engine.dispose()


def _before_the_first_dose() -> None:
    """Move the showcase clock to the next 06:00 UTC: the showcase lives up to now when a
    persona signs in, so later in the day the morning dose is already marked and the walk finds
    no dose to record (the rule's reach would hang on the hour the suite runs)."""
    now = clock.now()
    six = datetime.combine(now.date(), dt_time(6), tzinfo=UTC)
    clock.advance((six if six > now else six + timedelta(days=1)) - now)
    db.session.commit()


def _walkers(personas: dict[str, Persona]) -> dict[str, tuple[str, ...]]:
    """Whose pages are walked, and under which paths: the customer everywhere a customer
    goes, each department's staff in its workspace, the admin in the admin's pages."""
    walkers = dict.fromkeys(CUSTOMERS, ("/",))
    for key in STAFF:
        walkers[key] = (f"/{personas[key].department}/staff", "/staff/")
    walkers[ADMIN] = ("/admin", "/inbox/outbox")
    return walkers


def _route(adapter, url: str, method: str) -> Rule | None:
    try:
        rule, _ = adapter.match(urlsplit(url).path, method=method, return_rule=True)
    except HTTPException:
        return None
    return None if rule.endpoint == "static" else rule


def _inside(url: str, prefixes: tuple[str, ...]) -> bool:
    return url.startswith(prefixes) and not url.startswith(SKIP)


def _owner_walk(app, client, prefixes: tuple[str, ...]):
    """Walk, breadth first, one page of each route under ``prefixes`` as ``client``; yield
    (rule, method, url, form) for the first link (form None) or POST form found of each
    rule."""
    adapter = app.url_map.bind("localhost")
    queue = [p for p in start_pages(app) if p.startswith(prefixes)]
    seen, kinds, found = set(queue), set(), set()
    while queue:
        url = queue.pop(0)
        rule = _route(adapter, url, "GET")
        kind = rule.rule if rule else url  # one page of each route, whatever its query
        if kind in kinds:
            continue
        kinds.add(kind)
        page = client.get(url)
        if page.status_code != 200 or page.mimetype != "text/html":
            continue
        html = page.get_data(as_text=True)
        links, forms = PageText(), PostForms(url)
        links.feed(html)
        forms.feed(html)
        targets = [("GET", a, None) for a in links.links]
        targets += [("POST", f.action, f) for f in forms.forms]
        for method, target, form in targets:
            target = target.split("#")[0]
            if urlsplit(target).netloc or not target.startswith("/"):
                continue
            rule = _route(adapter, target, method)
            wanted = rule is not None and (rule.arguments or form is not None)
            if wanted and (rule.rule, method) not in found:
                found.add((rule.rule, method))
                yield rule, method, target, form
            if method == "GET" and target not in seen and _inside(target, prefixes):
                seen.add(target)
                queue.append(target)


def _hostile_url(adapter, rule: Rule, text: str) -> str:
    """``rule`` built with ``text`` for every parameter (the first choice of an ``any``)."""
    marker = 987654321
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        elif isinstance(converter, NumberConverter):
            values[name] = marker
        else:
            values[name] = text
    return adapter.build(rule.endpoint, values).replace(str(marker), text)


def _visitors(world: World, url: str, owner: str = "") -> dict[str, RequestScopedClient]:
    """A customer other than ``owner``, staff of a department other than the URL's, and no
    one."""
    customer = next(key for key in CUSTOMERS if key != owner)
    section = urlsplit(url).path.strip("/").split("/")[0]
    staff = next(
        p for p in world.personas.values() if p.role == "staff" and p.department != section
    )
    return {
        customer: world.personas[customer].client,
        f"staff ({staff.department})": staff.client,
        "anonymous": world.anonymous,
    }


@dataclass
class Answer:
    """A response's status, or 500 for an exception the app let through (as testing does)."""

    status_code: int
    location: str = ""
    body: str = ""
    error: str = ""


def _ask(client, url: str, method: str, data: dict[str, str] | None = None) -> Answer:
    try:
        response = client.open(url, method=method, data=data)
    except Exception as error:
        db.session.rollback()
        return Answer(500, error=f"{type(error).__name__}: {error}"[:200])
    return Answer(response.status_code, response.location or "", response.get_data(as_text=True))


def _signin_redirect(response) -> bool:
    return response.status_code in (302, 303) and "/account/signin" in response.location


def test_hostile_ids_on_every_route_are_never_a_500(world):
    adapter = world.app.url_map.bind("localhost")
    failures, tried = [], 0
    started = time.monotonic()
    for rule in world.app.url_map.iter_rules():
        if not rule.arguments or rule.endpoint == "static":
            continue
        methods = sorted((rule.methods or set()) & {"GET", "POST", "DELETE"})
        for text in HOSTILE:
            url = _hostile_url(adapter, rule, text)
            for who, client in _visitors(world, url).items():
                for method in methods:
                    response = _ask(client, url, method)
                    tried += 1
                    if response.status_code >= 500:
                        failures.append(f"{method} {url} as {who}: {response.error}")
    print(f"hostile: {tried} requests in {time.monotonic() - started:.1f} s")
    assert tried > 900
    assert not failures, "\n".join(failures)


def _staff_only(endpoint: str, who: str) -> bool:
    """Whether ``who`` must be refused ``rule``, a page or action a member of staff reached:
    a department's workspace is its staff's, the admin's pages the admin's; a page every
    department shares (:data:`STAFF_WIDE`) to customers and to no one signed out."""
    if endpoint in STAFF_WIDE:
        return not who.startswith("staff")
    return ".staff." in endpoint or endpoint in ADMIN_ONLY


def test_another_owners_real_ids_show_nothing_of_theirs(world):
    owners = {p.key: p for p in world.personas.values()}
    for key, secrets in world.distinctive.items():
        assert len(secrets) > 20, (key, secrets)
    failures, tried = [], 0
    needles: dict[tuple[str, ...], Needles] = {}
    started = time.monotonic()
    for endpoint, found in sorted(world.reached.items()):
        for owner_key, method, url in sorted(found):
            owner = owners[owner_key]
            for who, client in _visitors(world, url, owner_key).items():
                if who.startswith("staff") and endpoint in STAFF_WIDE:
                    continue
                response = _ask(client, url, method)
                tried += 1
                status = response.status_code
                if status >= 500:
                    failures.append(f"{method} {url} ({owner_key}'s) as {who}: {response.error}")
                    continue
                if status in REFUSED or _signin_redirect(response):
                    continue
                if owner.role != "customer" and _staff_only(endpoint, who):
                    failures.append(f"{method} {url} ({owner_key}'s) as {who}: {status}")
                    continue
                # the owner's data, or for what staff reached, any customer's but the visitor's
                whose = tuple(k for k in CUSTOMERS if k == owner_key or k != who)
                if whose not in needles:
                    needles[whose] = Needles(set().union(*(world.distinctive[k] for k in whose)))
                leaked = needles[whose].found_in(response.body)
                if leaked:
                    failures.append(f"{method} {url} ({owner_key}'s) as {who}: {leaked[:3]}")
    print(f"real ids: {tried} requests in {time.monotonic() - started:.1f} s")
    assert not failures, "\n".join(failures)


def test_the_owner_sees_its_distinctive_values_on_its_own_pages(world):
    """The check above can see a leak: the values it looks for are on the owner's own pages."""
    for key in CUSTOMERS:
        client, secrets = world.personas[key].client, Needles(world.distinctive[key])
        own = [
            url
            for found in world.reached.values()
            for owner, method, url in found
            if owner == key and method == "GET"
        ]
        showing = [url for url in own if secrets.found_in(_ask(client, url, "GET").body)]
        assert len(showing) >= 5, (key, own, showing)
        print(
            f"{key}: {len(showing)} of {len(own)} own pages show some of its {len(secrets.texts)}"
        )


def test_a_rule_the_walks_do_not_reach_is_left_out_with_its_reason(world):
    rules = {
        r.endpoint for r in world.app.url_map.iter_rules() if r.arguments and r.endpoint != "static"
    }
    unreached = rules - set(world.reached)
    assert unreached == set(LEFT_OUT), "\n".join(sorted(unreached ^ set(LEFT_OUT)))


# --- hostile values in every form an owner reaches ----------------------------------------

# Forms not posted hostile values, and why: each would end the walker's session or move the
# whole showcase (and take seconds), not read a field.
NOT_FUZZED = {
    "/account/signout": "signs the walker out",
    "/account/password": "changes the walker's password, signing its other sessions out",
    "/admin/clock": "moves the showcase clock: a month of simulation per example",
    "/showcase/run-due": "runs every due job",
    "/showcase/reset": "reseeds the showcase",
}
WRITE = re.compile(r"^\s*(INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.I)
# Written on a refusal on purpose: the session's own bookkeeping, and a failed sign-in is
# counted so that guessing is throttled.
BOOKKEEPING = {"account_session", "account_signin_failure"}
# A page shown again after a refused post that moves its reader's read mark, as its GET does
# (tests/test_every_page.py fails on any): (endpoint, table).
READ_MARKS = {("education.conversation", "education_conversation")}

hostile_values = st.one_of(
    st.sampled_from(
        [
            "1e308",
            "-1e308",
            "9" * 20,
            str(DB_INT_MAX + 1),
            "-1",
            "-99999999999",
            "NaN",
            "Infinity",
            "a\x00b",
            "0001-01-01",
            "9999-12-31T23:59:59-14:00",
            "\u202e\U0001d518\u2603 \ufeff",
            "<script>alert(1)</script>",
        ]
    ),
    st.builds(
        lambda c, n: c * n,
        st.sampled_from(["x", "\u00e9", "\U0001d518", "9"]),
        st.sampled_from([300, 20_000]),
    ),
    st.text(max_size=20),
)


def _writes(ask):
    """Run ``ask()``; return its answer and the tables written during it."""
    written: set[str] = set()

    def note(conn, cursor, statement, parameters, context, executemany):
        match = WRITE.match(statement)
        if match:
            written.add(match.group(2).lower())

    event.listen(Engine, "before_cursor_execute", note)
    try:
        answer = ask()
    finally:
        event.remove(Engine, "before_cursor_execute", note)
    return answer, written - BOOKKEEPING


def test_hostile_values_in_every_form_are_never_a_500_and_a_refusal_stores_nothing(world):
    fuzzed, failures = [], []
    started = time.monotonic()
    for walker, endpoint, form in world.forms:
        if urlsplit(form.action).path in NOT_FUZZED or not form.fields:
            continue
        fuzzed.append(endpoint)
        read_marks = {table for e, table in READ_MARKS if e == endpoint}
        try:
            _hostile_poster(world.personas[walker].client, form, read_marks)()
        except AssertionError as error:
            failures.append(f"{walker} {endpoint}: {str(error)[:400]}")
    print(f"forms: {len(fuzzed)} in {time.monotonic() - started:.1f} s")
    assert len(fuzzed) > 30
    assert not failures, "\n".join(failures)


def _hostile_poster(client, form: PostForm, read_marks: set[str]):
    """A property: ``form`` posted with hostile values in one to three of its fields (the
    others as the page gave them) is never a 500, and stores nothing when refused."""

    @settings(
        max_examples=3,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=(Phase.generate,),  # a failure is reported as found, not shrunk
    )
    @given(data=st.data())
    def post_hostile(data):
        names = sorted(form.fields)
        chosen = data.draw(st.sets(st.sampled_from(names), min_size=1, max_size=3))
        values = {n: data.draw(hostile_values) if n in chosen else form.fields[n] for n in names}
        answer, written = _writes(lambda: _ask(client, form.action, "POST", values))
        assert answer.status_code < 500, (form.action, values, answer.error)
        refused = answer.status_code not in (302, 303)
        assert not (refused and written - read_marks), (form.action, answer.status_code, written)

    return post_hostile


# Form classes not posted hostile values with all their fields, and why.
FORMS_LEFT_OUT: dict[str, str] = {
    "dcx.banking.forms.TransactionFilterForm": "a GET filter: its values are query arguments",
    "dcx.retail.forms.SearchForm": "a GET search: its values are query arguments",
    "dcx.platform.accounts.forms.PasswordForm": NOT_FUZZED["/account/password"],
    "dcx.health.forms.CareTeamForm": "shown only while a clinician is left to add; the "
    "seeded walkers have added every one",
    "dcx.government.forms.StatusForm": "the first of its forms a walk meets is a status "
    "button (to_status alone), without the note",
}


def _form_classes() -> dict[str, set[str]]:
    """Every form class of the app, by qualified name, with the names of its text fields
    (neither its buttons nor its files)."""
    from flask_wtf import FlaskForm
    from wtforms.fields import FileField, SubmitField
    from wtforms.fields.core import UnboundField

    classes, pending = {}, list(FlaskForm.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if not cls.__module__.startswith("dcx."):
            continue
        names = {
            name
            for name in dir(cls)
            if isinstance(field := getattr(cls, name), UnboundField)
            and not issubclass(field.field_class, SubmitField | FileField)
        }
        if names:
            classes[f"{cls.__module__}.{cls.__qualname__}"] = names
    return classes


def test_every_form_class_is_posted_hostile_values_or_left_out_with_its_reason(world):
    posted = [
        set(form.fields)
        for _, _, form in world.forms
        if form.fields and urlsplit(form.action).path not in NOT_FUZZED
    ]
    unposted = {
        name
        for name, fields in _form_classes().items()
        if not any(fields <= names for names in posted)
    }
    assert unposted == set(FORMS_LEFT_OUT), "\n".join(sorted(unposted ^ set(FORMS_LEFT_OUT)))
