"""Every page a seeded persona reaches, in Spanish and in Romanian with the real catalogues,
holds no text that the catalogue translates left in English.

The showcase is seeded in the language, so its personas speak it; each persona then walks every
page it can reach from the pages without arguments, following the links on them. A text node
(or a placeholder, label, title or alt text) that holds an English message the catalogue has a
translation for is a message that skipped gettext, or asked for it in the wrong locale.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.crawl import PageText, walk_as_every_persona

ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")
WORDS = re.compile(r"[A-Za-z][A-Za-z'\u2019]+")


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


@pytest.mark.parametrize("language", ["es", "ro"])
def test_no_page_a_persona_reaches_is_left_in_english(app, language):
    long, short = english_fragments(language)
    assert len(long) > 500 and len(short) > 300, "the catalogue translates hundreds of messages"

    def english(url: str, html: str, text: PageText) -> list[str]:
        found = []
        for node in text.nodes:
            found.extend(fragment for fragment in long if fragment in node)
            if node.strip(" .,:;!?()-\u2013") in short:
                found.append(node)
        return found

    left: dict[str, set[str]] = {}
    for email, visited, found in walk_as_every_persona(app, english, language):
        assert visited > 10, (email, visited)
        for url, fragment in found:
            left.setdefault(fragment, set()).add(f"{email} {url}")
    assert not left, "\n".join(f"{text!r} on {sorted(where)[:3]}" for text, where in left.items())
