"""Every page of every vertical and of the platform, as each persona who can see it, in Spanish
and in Romanian with the real catalogues, holds no text that the catalogue translates left in
English; so do the calendars and feeds the pages link to.

The showcase is seeded in the language, so its personas speak it (customers, the staff of each
department, the admin); a few things a persona does only through a form (a review, a café
reservation, a self-assessment) are added, so the pages that show them exist too. Each persona
then walks every page it can reach from the pages without arguments, following the links on
them. A text node (or a placeholder, label, title or alt text) that holds an English message the
catalogue has a translation for is a message that skipped gettext, asked for it in the wrong
locale, or was stored in English when it was written for this reader: stored category keys,
staff cards with their plural forms, timeline entries, calendar entries, flags and notes all
reach a page here. What no page shows on a GET (form errors, what a POST writes, texts composed
outside a request) is proved in tests/test_composed_text_speaks_the_language.py.

The same walk checks that no page shows template internals: a macro printed instead of called
(``<Macro 'chart'>``, a variable shadowed by an import) or an undefined value.

Every GET route is accounted for: reached by the walk, or named below with the reason it is not
a page a reader reads (a new page nobody links to fails here until it is linked or named).
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from dcx.extensions import db
from dcx.platform import clock
from tests.crawl import SKIP, PageText, walk_as_every_persona

ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")
WORDS = re.compile(r"[A-Za-z][A-Za-z'\u2019]+")
# Day and month names come from the locale data (CLDR), not the catalogue: English ones on a
# Spanish or Romanian page are a date formatted without the locale (strftime). Not after a "/":
# time zones are named in English ("Atlantic/Jan Mayen").
ENGLISH_CALENDAR = re.compile(
    r"(?<![/\w])(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day|Mon|Tue|Wed|Thu|Fri|Sat|Sun|January|"
    r"February|March|April|June|July|August|September|October|November|December|Jan|Feb|Mar|"
    r"Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\b"
)

BROKEN = ("<Macro ", "Undefined", "jinja2.")

# A number with an English decimal point ("8.1", "20.0%", "84.8") is a number formatted without
# the locale: Spanish and Romanian write "8,1". A run of dotted numbers is not one: a thousands
# separator ("1.234", "12.345.678"), a date ("06.12.2026"), a version or an address; nor is a
# number inside a web address or a machine timestamp (a feed's "20:51:12.311937").
DOTTED = re.compile(r"(?<![\w.:])v?\d+(?:\.\d+)+(?![\w.]*\d)")
GROUPED = re.compile(r"\d{1,3}(?:\.\d{3})+")
ADDRESS = re.compile(r"\S*(?:https?://|www\.|/)\S*")


def english_decimals(nodes: list[str]) -> list[str]:
    """The numbers in ``nodes`` written with an English decimal point."""
    found = []
    for node in nodes:
        for match in DOTTED.finditer(ADDRESS.sub(" ", node)):
            number = match.group()
            if number.startswith("v") or number.count(".") > 1 or GROUPED.fullmatch(number):
                continue
            found.append(f"decimal point {number} in {node!r}")
    return found


def test_a_decimal_check_tells_an_english_point_from_the_locale_s_numbers():
    assert english_decimals(["Tu respuesta: 8.1", "20.0%", "84,8 · 84.8"]) == [
        "decimal point 8.1 in 'Tu respuesta: 8.1'",
        "decimal point 20.0 in '20.0%'",
        "decimal point 84.8 in '84,8 · 84.8'",
    ]
    assert not english_decimals(
        [
            "1.234,56 €",
            "12.345",
            "06.12.2026",
            "v1.2",
            "1.2.3",
            "https://x.example/a/1.5",
            "8,1",
            "2026-12-06T20:51:12.3+00:00",
        ]
    )


# GET routes a persona's walk does not read, and why: each is proved elsewhere.
NOT_READ = {
    # data for a page's script, files and pictures, not text a reader reads here
    "automotive.live": "JSON for the fleet page's script",
    "government.staff.live": "JSON for the traffic dashboard's script",
    "notify.phone_json": "JSON for the presenter bar's phone preview",
    "drafts.show": "JSON: a form's saved draft",
    "drafts.static": "the drafts script",
    "health.export_csv": "the patient's data export (CSV)",
    "health.export_json": "the patient's data export (JSON)",
    "retail.cover": "a book cover (SVG)",
    "government.citizen_photo": "a report's photo",
    "government.staff.staff_photo": "a report's photo",
    "site.favicon_ico": "the icon",
    "site.favicon_svg": "the icon",
    "site.healthz": "a load balancer's health check",
    "pwa.manifest": "the installable app's manifest (JSON)",
    "pwa.icon": "the installable app's icons",
    "pwa.service_worker": "the offline script",
    "pwa.static": "the offline script's files",
    "pwa.shell_json": "JSON for the offline script",
    "pwa.csrf_token": "JSON for the offline script",
    "open311.discovery": "the Open311 API for other programs (JSON)",
    "open311.services": "the Open311 API for other programs (JSON)",
    "open311.service_definition": "the Open311 API for other programs (JSON)",
    "open311.requests_list": "the Open311 API for other programs (JSON)",
    "open311.request_detail": "the Open311 API for other programs (JSON)",
    "notify.unsubscribe": "a signed link from a message, not from a page (tests/platform/notify)",
    "accounts.confirm_signup": "a link from a sign-up e-mail, outside a showcase only",
    # a redirect to a page the walk reads
    "notify.open_message": "opened by the inbox's POST, which marks it read (tests/platform/notify)",
    "education.mastery_overview": "redirects to the course's mastery page",
    "showcase.phone": "redirects to the inbox's phone preview",
    "site.language": "sets the language and redirects back",
    "drafts.handoff": "a phone's QR link: redirects to the form (tests/platform/drafts)",
}


def english_fragments(language: str) -> tuple[set[str], set[str]]:
    """The fixed parts of every message the catalogue translates differently: long ones (three
    words or more, found inside a text) and short ones (a label, found as a whole text)."""
    path = ROOT / "dcx" / "translations" / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalogue = read_po(handle)
    long, short, said = set(), set(), set()
    for message in catalogue:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        said.update(" ".join(text.split()) for text in strings if text)
    for message in catalogue:
        if not message.id or message.fuzzy:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings) or set(ids) & set(strings):
            continue
        for text in ids:
            for part in PLACEHOLDER.split(text):
                part = " ".join(part.split()).strip(" .,:;!?()-\u2013")
                words = len(WORDS.findall(part))
                if "<" in part or not words:
                    continue
                if words >= 3:
                    long.add(part)
                elif part == text.strip():  # a whole label, not a piece between placeholders
                    short.add(part)
    # a short English text that is also what the language says for another message
    # ("Principal", "Note") is not a message left in English
    return long, short - said


def english_in(nodes: list[str], long: set[str], short: set[str]) -> list[str]:
    """The English messages in ``nodes``: a long fragment anywhere, a short label as a whole
    text or as a whole part of one ("R-1: Open", "Food \u203a Groceries", "Vehicles · 2", a
    sentence)."""
    found = []
    for node in nodes:
        found.extend(fragment for fragment in long if fragment in node)
        parts = {node, *re.split(r"\s*[:\u203a\u00b7\u2014|]\s*|\.\s", node)}
        found.extend(part for part in parts if part.strip(" .,:;!?()-\u2013") in short)
        found.extend(f"{m.group()} in {node!r}" for m in ENGLISH_CALENDAR.finditer(node))
    return found


def more_to_read(ids: dict[str, int]) -> list[str]:
    """What a customer writes only through a form: a review, a café reservation and a
    self-assessment, so that the pages that show them are walked too; and the pages to start
    from that no link on a page names: the review's editor, each calendar's feed."""
    from dcx.platform.accounts.models import User
    from dcx.platform.assessment import services as assessment
    from dcx.platform.assessment.questions import all_questions
    from dcx.platform.timeline import calendar
    from dcx.retail import reviews
    from dcx.retail import services as retail
    from dcx.retail.models import RetailBook

    books = db.session.execute(select(RetailBook.id).order_by(RetailBook.id).limit(2)).scalars()
    first, second = list(books)
    pages = []
    for key in ("alex", "maria"):
        review = reviews.save_review(ids[key], first, 8, "Bien", "Muy bien")
        retail.reserve_for_cafe(ids[key], clock.today() + timedelta(days=1), [second])
        assessment.create_run(ids[key], {q.id: 3 for q in all_questions()})
        db.session.flush()
        secret = calendar.feed_secret(db.session.get(User, ids[key]))
        pages += [f"/retail/reviews/{review.id}/edit", f"/calendar/{ids[key]}/{secret}.ics"]
    assessment.create_run(ids["admin"], {q.id: 2 for q in all_questions()})
    return pages


@pytest.mark.presentation
@pytest.mark.parametrize("language", ["es", "ro"])
def test_no_page_a_persona_reaches_is_left_in_english(app, language):
    long, short = english_fragments(language)
    assert len(long) > 500 and len(short) > 300, "the catalogue translates hundreds of messages"
    adapter = app.url_map.bind("localhost")
    read: set[str] = set()

    def english(url: str, html: str, text: PageText) -> list[str]:
        read.add(adapter.match(urlsplit(url).path, method="GET")[0])
        shown = "\n".join(text.nodes)  # a printed macro arrives escaped (&lt;Macro ...) or raw
        broken = [mark for mark in BROKEN if mark in shown or mark in html]
        return english_in(text.nodes, long, short) + english_decimals(text.nodes) + broken

    left: dict[str, set[str]] = {}
    for email, visited, found in walk_as_every_persona(
        app, english, language, more=more_to_read, feeds=True
    ):
        assert visited > 10, (email, visited)
        for url, fragment in found:
            left.setdefault(fragment, set()).add(f"{email} {url}")
    assert not left, "\n".join(f"{text!r} on {sorted(where)[:3]}" for text, where in left.items())

    routes = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.rule.startswith(SKIP)
    }
    unread = routes - read
    assert not unread - set(NOT_READ), f"pages no persona reaches (link or name them): {unread}"
    assert not set(NOT_READ) - unread, f"read now, no longer to name: {set(NOT_READ) - unread}"
