"""Every page a seeded persona reaches, in Spanish and in Romanian with the real catalogues,
holds no text that the catalogue translates left in English.

The showcase is seeded in the language, so its personas speak it; each persona then walks every
page it can reach from the pages without arguments, following the links on them. A text node
(or a placeholder, label, title or alt text) that holds an English message the catalogue has a
translation for is a message that skipped gettext, or asked for it in the wrong locale.
"""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from babel.messages.pofile import read_po

from dcx.extensions import db
from dcx.platform.showcase.loader import read_showcase, seed_showcase
from dcx.verticals import registry
from tests.conftest import AuthActions

ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")
WORDS = re.compile(r"[A-Za-z][A-Za-z'\u2019]+")
ATTRIBUTES = ("placeholder", "aria-label", "title", "alt")
SKIP = ("/static/", "/api/", "/bootstrap/", "/account/signout")
PAGES_PER_PERSONA = 80


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


class _Text(HTMLParser):
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


def _start_pages(app) -> list[str]:
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments and not rule.rule.startswith(SKIP)
    )


def _walk(
    client, start: list[str], fragments: tuple[set[str], set[str]]
) -> tuple[int, list[tuple[str, str]]]:
    long, short = fragments
    seen, queue, found = set(start), deque(start), []
    visited = 0
    while queue and visited < PAGES_PER_PERSONA:
        url = queue.popleft()
        page = client.get(url)
        if page.status_code != 200 or page.mimetype != "text/html":
            continue
        visited += 1
        parser = _Text()
        parser.feed(page.get_data(as_text=True))
        for node in parser.nodes:
            found.extend((url, fragment) for fragment in long if fragment in node)
            if node.strip(" .,:;!?()-\u2013") in short:
                found.append((url, node))
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


@pytest.mark.parametrize("language", ["es", "ro"])
def test_no_page_a_persona_reaches_is_left_in_english(app, language):
    seed_showcase(registry(), "default", language=language)
    db.session.commit()
    fragments = english_fragments(language)
    assert len(fragments[0]) > 500 and len(fragments[1]) > 300, "hundreds of messages"
    start = _start_pages(app)
    left: dict[str, set[str]] = {}
    for persona in read_showcase("default", language=language)["personas"]:
        client = app.test_client()
        signed_in = AuthActions(client).login(persona["email"], persona["password"])
        assert signed_in.status_code == 302, persona["email"]
        visited, found = _walk(client, start, fragments)
        assert visited > 10, (persona["email"], visited)
        for url, fragment in found:
            left.setdefault(fragment, set()).add(f"{persona['email']} {url}")
    assert not left, "\n".join(f"{text!r} on {sorted(where)[:3]}" for text, where in left.items())
