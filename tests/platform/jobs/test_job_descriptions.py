"""Every job's description on /admin/jobs is asked of the catalogue in the admin's language.

The descriptions are declared once, at import time, beside each job (``@scheduled``); they must
be lazy strings so that each page renders them in its visitor's locale. These tests install a
Spanish catalogue of their own that translates each description to ``[es] <msgid>``: seeing
that on the page proves the page asked gettext for it, in the visitor's locale.
"""

from __future__ import annotations

import html

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from flask_babel import LazyString, get_domain

from dcx.extensions import db
from dcx.platform.jobs.runner import all_jobs
from tests.conftest import AuthActions, make_user


def spanish(text: object) -> str:
    """What the test catalogue makes of a message id."""
    return f"[es] {text}"


@pytest.fixture
def app_config(tmp_path):
    """Translations from a catalogue folder the ``spanish_descriptions`` fixture fills."""
    return {"BABEL_TRANSLATION_DIRECTORIES": str(tmp_path / "catalogue")}


@pytest.fixture
def spanish_descriptions(app, tmp_path):
    """A Spanish catalogue holding only the job descriptions (read when first needed)."""
    catalog = Catalog(locale="es")
    for text in {str(spec.description) for spec in all_jobs()}:
        catalog.add(text, spanish(text))
    folder = tmp_path / "catalogue" / "es" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.mo").open("wb") as handle:
        write_mo(handle, catalog)


@pytest.fixture(autouse=True)
def _fresh_catalogues(app):
    """Flask-Babel caches catalogues by locale on one object every app shares: start and end
    each test with it empty, so no other test's Spanish leaks in here, nor ours out."""
    get_domain().cache.clear()
    yield
    get_domain().cache.clear()


@pytest.fixture
def spanish_admin(app, spanish_descriptions):
    """A client signed in as an admin who reads the site in Spanish."""
    user = make_user(email="admin-es@example.com", name="Ana Admin", role="admin")
    user.locale = "es"
    db.session.commit()
    client = app.test_client()
    AuthActions(client).login(user.email)
    return client


def test_every_job_has_a_lazy_description(app):
    specs = all_jobs()
    assert len(specs) >= 17  # the six industries' jobs and the platform's
    undescribed = [s.id for s in specs if not str(s.description).strip()]
    assert undescribed == []
    eager = [s.id for s in specs if not isinstance(s.description, LazyString)]
    assert eager == []  # rendered per request, in the visitor's language


def test_jobs_page_shows_each_description_in_the_admins_language(app, spanish_admin):
    page = spanish_admin.get("/admin/jobs").get_data(as_text=True)
    for spec in all_jobs():
        row = page[page.index(f'data-job="{spec.id}"') :]
        row = html.unescape(row[: row.index("</tr>")])
        assert f'<div class="small text-body-secondary">{spanish(spec.description)}</div>' in row


def test_jobs_page_stays_in_english_for_an_english_admin(app, spanish_descriptions, admin_client):
    page = html.unescape(admin_client.get("/admin/jobs").get_data(as_text=True))
    for spec in all_jobs():
        with app.test_request_context():
            english = str(spec.description)
        assert english in page
        assert spanish(english) not in page
