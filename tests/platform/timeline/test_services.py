def test_a_lazy_text_is_written_in_the_customers_language_whoever_caused_it(app):
    from flask_babel import force_locale
    from flask_babel import lazy_gettext as _l

    from dcx.platform.timeline.services import record
    from tests.conftest import make_user

    romanian = make_user(email="ro@example.com")
    romanian.locale = "ro"
    english = make_user(email="en@example.com")
    with force_locale("es"):  # a Spanish member of staff causes both events
        ro_event = record(
            romanian, "banking", "goal_reached", _l("Report #%(number)s fixed", number=7)
        )
        en_event = record(
            english, "banking", "goal_reached", _l("Report #%(number)s fixed", number=7)
        )
    with force_locale("ro"):
        expected = str(_l("Report #%(number)s fixed", number=7))
    assert ro_event.subject == expected != "Report #7 fixed"
    assert en_event.subject == "Report #7 fixed"
