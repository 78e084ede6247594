"""A message speaks its recipient's language: ``recipient_locales`` and ``in_locale``."""

from __future__ import annotations

from datetime import date

from flask_babel import format_date, get_locale, gettext, lazy_gettext
from sqlalchemy import select

from dcx.extensions import db
from dcx.filters import money
from dcx.platform.notify.models import Message
from dcx.platform.notify.services import (
    RecipientLocale,
    in_locale,
    notify_each,
    recipient_locales,
)
from tests.conftest import make_user


def _user(email: str, locale: str):
    user = make_user(email=email)
    user.locale = locale
    db.session.commit()
    return user


def test_each_recipient_gets_their_language_or_english(app):
    spanish = _user("es@example.com", "es")
    romanian = _user("ro@example.com", "ro")
    browser = _user("browser@example.com", "")  # "follow the browser": a job has none
    unknown = _user("fr@example.com", "fr")  # not one of LANGUAGES
    missing = unknown.id + 1000
    locales = recipient_locales([spanish.id, romanian.id, browser.id, unknown.id, missing])
    assert locales == {
        spanish.id: "es",
        romanian.id: "ro",
        browser.id: "en",
        unknown.id: "en",
        missing: "en",
    }


def test_recipient_locales_is_one_query_whatever_the_number_of_recipients(
    app, many_customers, query_counter
):
    ids = many_customers(40)
    with query_counter() as one:
        recipient_locales(ids[:1])
    with query_counter() as forty:
        recipient_locales(iter(ids))  # any iterable, read once
    assert one() == forty() <= 2  # the users' languages, and the site's default language
    with query_counter() as none:
        assert recipient_locales([]) == {}
    assert none() == 0


def test_who_has_not_chosen_gets_the_language_the_showcase_was_seeded_in(app):
    from dcx.platform.showcase.models import ShowcaseState

    browser = _user("browser@example.com", "")
    english = _user("en@example.com", "en")
    db.session.add(ShowcaseState(id=1, name="default", brand_name="DCX", language="es"))
    db.session.commit()
    assert recipient_locales([browser.id, english.id]) == {browser.id: "es", english.id: "en"}


def test_recipient_locales_follows_the_configured_languages(app):
    romanian = _user("ro@example.com", "ro")
    app.config["LANGUAGES"] = ("en", "es")
    assert recipient_locales([romanian.id]) == {romanian.id: "en"}


def test_in_locale_renders_gettext_lazy_strings_and_formats_outside_a_request(app):
    lazy = lazy_gettext("Income")
    with in_locale("es"):
        assert gettext("Income") == "Ingresos"
        assert str(lazy) == "Ingresos"
        assert format_date(date(2026, 11, 15)) == "15 nov 2026"
        assert money(250_000, "EUR") == "2.500,00\xa0€"
        with in_locale("ro"):
            assert gettext("Income") == "Venituri"
        assert gettext("Income") == "Ingresos"  # the outer block's language comes back
    assert gettext("Income") == "Income"
    assert str(get_locale()) == "en"


def test_in_locale_inside_the_same_language_switches_nothing_and_another_still_switches(
    app, monkeypatch
):
    from flask_babel import force_locale, get_timezone

    from dcx.platform.notify import services

    switches = []
    real = services.force_locale
    monkeypatch.setattr(services, "force_locale", lambda code: switches.append(code) or real(code))
    spain = RecipientLocale("es", "Europe/Madrid")
    with in_locale(spain):
        for _ in range(3):
            with in_locale(RecipientLocale("es", "Europe/Madrid")):
                assert gettext("Income") == "Ingresos"
                assert str(get_timezone()) == "Europe/Madrid"
        with in_locale("es"):  # no zone of its own: the enclosing one is kept
            assert str(get_timezone()) == "Europe/Madrid"
        with in_locale(RecipientLocale("es", "America/Mexico_City")):  # another zone
            assert str(get_timezone()) == "America/Mexico_City"
        with force_locale("ro"), in_locale(spain):  # someone switched in between
            assert gettext("Income") == "Ingresos"
        assert str(get_timezone()) == "Europe/Madrid"
    assert switches == ["es", "es", "es"]


def test_in_locale_falls_back_to_english_for_an_unknown_or_empty_code(app):
    for code in ("", "fr", "xx-YY"):
        with in_locale(code):
            assert gettext("Income") == "Income"
            assert str(get_locale()) == "en"


def test_in_locale_inside_a_request_gives_the_visitors_language_back(app):
    with app.test_request_context(headers={"Accept-Language": "ro"}):
        assert gettext("Income") == "Venituri"
        with in_locale("es"):
            assert gettext("Income") == "Ingresos"
        assert gettext("Income") == "Venituri"


def test_notify_each_writes_every_message_in_its_recipients_language_once(app):
    spanish = _user("es-each@example.com", "es")
    romanian = _user("ro-each@example.com", "ro")

    def compose(user):
        return {"title": lazy_gettext("Cancel"), "body": gettext("Cancel"), "key": "each:1"}

    people = [spanish, romanian]
    assert notify_each("test.each", people, lambda user: user.id, compose) == 2
    assert notify_each("test.each", people, lambda user: user.id, compose) == 0  # once-only
    sent = dict(db.session.execute(select(Message.user_id, Message.title)).all())
    assert sent == {spanish.id: "Cancelar", romanian.id: "Anulează"}
    bodies = set(db.session.execute(select(Message.body)).scalars())
    assert bodies == {"Cancelar", "Anulează"}
