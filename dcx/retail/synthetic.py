"""The bookstore's generated people and titles, every one distinct.

The showcase lists first names, last names and title phrases (seeds/default/retail.yaml); the
seed combines them into authors, readers and a catalogue. Combined naively they repeat: a
reader list that cycles both name lists meets "Ben Dumont" again every 25 readers, and two
title patterns can give one title's words twice. Here names are drawn from the first x last
grid without repeating a pair, and a title is refused when its words (leaving out "the", "of",
"in", "and") are those of one already given.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

_LINKING_WORDS = frozenset({"a", "an", "and", "in", "of", "the"})
_INITIALS = "ABCDEFGHJKLMNOPRSTVW"


def distinct_names(firsts: Sequence[str], lasts: Sequence[str], count: int) -> list[str]:
    """``count`` different "First Last" names, the same ones for the same lists every time.

    The grid of pairs is walked so that neighbours differ in both names; past its size, a
    middle initial ("Ada B. Castell") and then a number make further names distinct.
    """
    if not firsts or not lasts:
        raise ValueError("names need at least one first name and one last name")
    names = []
    grid = len(firsts) * len(lasts)
    for k in range(count):
        round_, cell = divmod(k, grid)
        column, row = divmod(cell, len(firsts))
        # Each first name meets every last name once per round, starting at a different one.
        first = firsts[row]
        last = lasts[(row * 7 + column) % len(lasts)]
        if round_ == 0:
            names.append(f"{first} {last}")
            continue
        initial = _INITIALS[(round_ - 1) % len(_INITIALS)]
        again = (round_ - 1) // len(_INITIALS)
        names.append(f"{first} {initial}. {last}" + (f" {again + 1}" if again else ""))
    return names


def people(data: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """The showcase's authors and readers: one list of distinct names, authors first."""
    authors, readers = data["counts"]["authors"], data["counts"]["readers"]
    names = distinct_names(data["first_names"], data["last_names"], authors + readers)
    return names[:authors], names[authors:]


def title_key(title: str) -> frozenset[str]:
    """What makes a title itself: its words, in any order, without the linking ones."""
    words = re.findall(r"\w+", title.lower())
    return frozenset(w for w in words if w not in _LINKING_WORDS)


def _candidates(
    phrases: Sequence[str], patterns: Sequence[str], places: Sequence[str]
) -> Iterator[str]:
    """Every title the phrases make, in a fixed order."""
    for pattern, phrase, place in itertools.product(patterns, phrases, places):
        yield pattern.format(phrase=phrase, place=place)


def distinct_title(
    rng: random.Random,
    phrases: Sequence[str],
    patterns: Sequence[str],
    places: Sequence[str],
    taken: set[frozenset[str]],
    volume: Callable[[str, int], str],
) -> str:
    """A title from a subject's ``phrases`` (set in a place by a pattern) unlike every one in
    ``taken``.

    A few random draws first (the catalogue reads varied); when they all collide, the first
    free title in a fixed order; when every title is taken, ``volume(title, n)`` numbers one
    (in the showcase's language). The title's key is added to ``taken``.
    """
    title = ""
    for _attempt in range(8):
        pattern = rng.choice(patterns)
        title = pattern.format(phrase=rng.choice(phrases), place=rng.choice(places))
        if title_key(title) not in taken:
            break
    else:
        drawn = title
        title = next(
            (t for t in _candidates(phrases, patterns, places) if title_key(t) not in taken), ""
        )
        number = 1
        while not title:
            number += 1
            numbered = volume(drawn, number)
            if title_key(numbered) not in taken:
                title = numbered
    taken.add(title_key(title))
    return title
