"""Counts take the right plural form: "1 member", "2 members"; in Spanish two forms, in
Romanian three ("1 membru", "2 membri", "20 de membri").

Pages render through the test client with the real catalogues, so each test proves both that
the code asks ngettext and that the catalogue holds every form.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale
from sqlalchemy import select

from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.community.models import CommunityMembership
from dcx.platform.notify import services as notify
from dcx.platform.timeline.models import Event
from dcx.retail import reading_groups
from dcx.retail import services as retail
from dcx.verticals import VerticalRegistry, registry
from tests.conftest import AuthActions, make_user, speaking

CATALOGUES = Path(__file__).resolve().parents[2] / "dcx" / "translations"

# What each language calls groups of 1, 2 and 20 members, and tours of 1, 2 and 20 steps.
MEMBERS = {
    "en": ("1 member", "2 members", "20 members"),
    "es": ("1 miembro", "2 miembros", "20 miembros"),
    "ro": ("1 membru", "2 membri", "20 de membri"),
}
STEPS = {
    "en": ("1 step", "2 steps", "20 steps"),
    "es": ("1 paso", "2 pasos", "20 pasos"),
    "ro": ("1 pas", "2 pași", "20 de pași"),
}


def _page(client, url: str, language: str) -> str:
    """The page as a visitor whose browser asks for ``language`` sees it."""
    response = client.get(url, headers={"Accept-Language": language})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'<html lang="{language}"' in page
    return page


def _between(page: str, start: str, end: str) -> str:
    """The text of ``page`` from ``start`` up to the next ``end``."""
    tail = page[page.index(start) :]
    return tail[: tail.index(end)]


@pytest.fixture
def book_clubs(app):
    """Three book clubs, of 1, 2 and 20 members, named by their size."""
    people = [make_user(email=f"reader{i}@example.com", name=f"Reader {i}") for i in range(20)]
    for size in (1, 2, 20):
        group = reading_groups.create_group(f"club-{size}", f"Club of {size}")
        db.session.add_all(
            CommunityMembership(space_id=group.id, user_id=p.id) for p in people[:size]
        )
    db.session.commit()


@pytest.mark.parametrize("language", ["en", "es", "ro"])
def test_book_clubs_count_their_members_in_the_plural_form_of_the_language(
    client, book_clubs, language
):
    page = _page(client, "/retail/groups", language)
    for size, text in zip((1, 2, 20), MEMBERS[language], strict=True):
        card = _between(page, f">Club of {size}</a>", "</div></div></div>")
        assert f">{text}</p>" in card, (size, card)  # whole: "1 miembros" holds "1 miembro"


@pytest.fixture
def tours_of(app, monkeypatch):
    """Factory: the loaded verticals with tours of exactly these lengths, one vertical each."""

    def _make(*lengths: int) -> list[str]:
        touring = [v for v in registry() if v.tour][: len(lengths)]
        assert len(touring) == len(lengths), "needs a vertical with a tour for each length"
        shaped = [
            dataclasses.replace(v, tour=(v.tour * n)[:n])
            for v, n in zip(touring, lengths, strict=True)
        ]
        monkeypatch.setitem(app.extensions, "dcx_verticals", VerticalRegistry(shaped))
        return [v.key for v in shaped]

    return _make


@pytest.mark.parametrize("language", ["en", "es", "ro"])
def test_the_tours_list_counts_steps_in_the_plural_form_of_the_language(client, tours_of, language):
    keys = tours_of(1, 2, 20)
    page = _page(client, "/showcase/tours", language)
    for key, text in zip(keys, STEPS[language], strict=True):
        entry = _between(page, f'data-tour="{key}"', "</a>")
        assert f">{text} · " in entry, (key, entry)


@pytest.mark.parametrize(
    ("language", "one", "many"),
    [
        ("en", "1 message marked read.", "20 messages marked read."),
        ("es", "1 mensaje marcado como leído.", "20 mensajes marcados como leídos."),
        ("ro", "1 mesaj marcat ca citit.", "20 de mesaje marcate ca citite."),
    ],
)
def test_marking_the_inbox_read_says_how_many_in_the_right_form(app, language, one, many):
    reader = speaking(make_user(email="counter@example.com"), language)
    client = app.test_client()
    AuthActions(client).login(reader.email)
    topic = next(iter(registry().topics()))
    for count, expected in ((1, one), (20, many)):
        for i in range(count):
            notify.notify(reader.id, topic, f"Note {count}-{i}")
        db.session.commit()
        client.post("/inbox/read-all")
        assert expected in client.get("/inbox/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("language", "forms"),
    [
        (
            "ro",
            (
                "1 carte pusă deoparte la masa din cafenea",
                "2 cărți puse deoparte la masa din cafenea",
            ),
        ),
        ("en", ("1 book set aside at the café table", "2 books set aside at the café table")),
    ],
)
def test_a_cafe_reservation_on_the_timeline_counts_its_books_in_the_customers_language(
    app, language, forms
):
    reader = speaking(make_user(email="cafe@example.com"), language)
    isbns = [f"979000000{i:03d}" for i in range(2)]
    books = [
        retail.add_book(
            isbn + str(retail.isbn13_check_digit(isbn)), title, ["Ann"], ["Fiction"], 900, stock=5
        )
        for isbn, title in zip(isbns, ("Book 0", "Book 1"), strict=True)
    ]
    tomorrow = clock.today() + timedelta(days=1)
    retail.reserve_for_cafe(reader.id, tomorrow, [books[0].id])
    retail.reserve_for_cafe(reader.id, tomorrow, [b.id for b in books])
    subjects = db.session.execute(
        select(Event.subject).where(Event.kind == "cafe_reserved").order_by(Event.id)
    ).scalars()
    assert tuple(subjects) == forms


def test_too_many_cafe_titles_is_refused_in_the_readers_language(app):
    with pytest.raises(retail.RetailError) as refused:
        retail.reserve_for_cafe(1, clock.today(), range(1, retail.MAX_CAFE_TITLES + 2))
    with force_locale("ro"):
        assert str(refused.value) == f"Alege între 1 și {retail.MAX_CAFE_TITLES} cărți."
    with force_locale("en"):
        assert str(refused.value) == f"Choose between 1 and {retail.MAX_CAFE_TITLES} books."


@pytest.mark.parametrize("language", ["es", "ro"])
def test_every_plural_entry_keeps_its_count_and_romanian_says_de_from_twenty(language):
    with (CATALOGUES / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    plurals = [m for m in catalogue if m.id and isinstance(m.id, tuple)]
    assert len(plurals) >= 40
    for m in plurals:
        # the singular may drop the number ("Obiectivul tău"); every plural form shows it
        assert all("%(num)d" in form for form in m.string[1:]), m.id
    if language == "ro":
        assert catalogue.num_plurals == 3
        for m in plurals:
            assert "%(num)d de " in m.string[2], m.id
