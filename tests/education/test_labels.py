"""Mastery levels reach a Spanish student through the catalogue, never as raw keys.

The app's real Spanish texts arrive later, so these tests install a catalogue of their own
that translates each label's message id to ``[es] <msgid>``: seeing that on a page proves the
page asked gettext, in the visitor's locale, for the label of the key.
"""

from __future__ import annotations

import pytest
from flask_babel import LazyString, get_locale

from dcx.education import labels, module_tests, services
from dcx.extensions import db
from tests.conftest import AuthActions, marked, marked_catalogue
from tests.education.conftest import miss_beta

spanish = marked  # what the test catalogue makes of a message id


@pytest.fixture
def app_config(tmp_path):
    """Translations from a Spanish catalogue holding only the labels."""
    return marked_catalogue(tmp_path, {str(t) for t in labels.LEVEL_LABELS.values()})


@pytest.fixture(autouse=True)
def _fresh_catalogues(fresh_catalogues):
    """Each test starts and ends with Flask-Babel\'s shared catalogue cache empty."""


@pytest.fixture
def spanish_student(app, world):
    """The student, in Spanish and signed in, after a test that left beta weak."""
    world.student.locale = "es"
    module_tests.submit_attempt(
        module_tests.start_attempt(world.student.id, world.t1), miss_beta(world)
    )
    db.session.commit()
    client = app.test_client()
    AuthActions(client).login(world.student.email)
    return client


def test_every_mastery_level_has_a_label():
    assert set(labels.LEVEL_LABELS) == {level for level, _ in services.MASTERY_LEVELS}
    assert all(isinstance(text, LazyString) for text in labels.LEVEL_LABELS.values())


def test_label_falls_back_to_what_is_stored(app):
    with app.test_request_context():
        assert labels.label("level", "mastered") == "Mastered"
        assert labels.label("level", "legendary") == "legendary"
        assert labels.label("rank", "mastered") == "mastered"
        assert labels.label("level", None) == ""


def test_mastery_page_names_every_level_in_spanish(world, spanish_student):
    body = spanish_student.get(f"/education/courses/{world.course.id}/mastery").get_data(
        as_text=True
    )
    for level, _ in services.MASTERY_LEVELS:
        assert spanish(labels.LEVEL_LABELS[level]) in body  # the legend names every level
    mastery = {m.key: m for m in services.topic_mastery(world.student.id, world.course)}
    for key, topic in mastery.items():
        row = body[body.index(f'data-topic="{key}"') :]
        row = row[: row.index("</tr>")]
        assert f"{spanish(labels.LEVEL_LABELS[topic.level])}</span>" in row
    suggestion = body[body.index('data-suggestion="beta"') :]
    assert f"{spanish(labels.LEVEL_LABELS[mastery['beta'].level])} · " in suggestion
    assert not any(f">{level.capitalize()}" in body for level in labels.LEVEL_LABELS)


def test_labels_are_looked_up_when_the_page_renders(world, spanish_student, monkeypatch):
    for level in labels.LEVEL_LABELS:
        monkeypatch.setitem(
            labels.LEVEL_LABELS, level, LazyString(lambda: f"sentinel-{get_locale()}")
        )
    body = spanish_student.get(f"/education/courses/{world.course.id}/mastery").get_data(
        as_text=True
    )
    assert "sentinel-es" in body
