"""The bookstore's generated readers, authors and titles never repeat."""

from __future__ import annotations

import random
from collections import Counter

from sqlalchemy import select

from dcx.extensions import db
from dcx.platform.accounts.models import User
from dcx.platform.showcase.loader import seed_showcase
from dcx.retail import synthetic
from dcx.retail.models import RetailBook


def _repeated(items) -> list:
    return [item for item, times in Counter(items).items() if times > 1]


def test_seeding_the_bookstore_gives_hundreds_of_distinct_people_and_titles(app):
    seed_showcase(app.extensions["dcx_verticals"], "default", only=("retail",))
    db.session.commit()
    readers = db.session.execute(
        select(User.name).where(User.email.like("reader%@dcx.example"))
    ).scalars()
    books = db.session.execute(select(RetailBook.title, RetailBook.authors)).all()
    authors = {a for _title, names in books for a in names.strip(";").split(";") if a}
    titles = [title for title, _authors in books]
    assert len(titles) == 300
    readers = list(readers)
    assert len(readers) == 60 and _repeated(readers) == []  # no three "Ben Dumont"s
    assert set(readers).isdisjoint(authors)  # a reader is not taken for an author
    # No "Elegant Cell" beside "The Elegant Cell", nor "Hours in Winter" beside "Winter Hours".
    assert _repeated(synthetic.title_key(t) for t in titles) == []
    assert not any(t.endswith(")") for t in titles)  # no "(Book 3)" patches either


def test_names_are_distinct_past_every_pair_and_the_same_each_time():
    firsts, lasts = ["Ada", "Ben", "Clara"], ["Dumont", "Fischer"]
    names = synthetic.distinct_names(firsts, lasts, 300)
    assert _repeated(names) == [] and names[:6] == [
        "Ada Dumont",
        "Ben Fischer",
        "Clara Dumont",
        "Ada Fischer",
        "Ben Dumont",
        "Clara Fischer",
    ]
    assert names[6] == "Ada A. Dumont"
    assert synthetic.distinct_names(firsts, lasts, 300) == names


def test_titles_stay_distinct_when_the_phrases_run_out():
    taken: set[frozenset[str]] = set()
    rng = random.Random(7)
    titles = [
        synthetic.distinct_title(
            rng,
            ["The Silent Key", "Silent Key"],
            ["{phrase}", "{phrase} in {place}"],
            ["Rome"],
            taken,
            lambda title, number: f"{title}, Volume {number}",
        )
        for _ in range(5)
    ]
    assert _repeated(synthetic.title_key(t) for t in titles) == []
    assert "The Silent Key" in titles or "Silent Key" in titles  # the same words, once
    assert "The Silent Key in Rome" in titles or "Silent Key in Rome" in titles
    assert any("Volume" in t for t in titles)
