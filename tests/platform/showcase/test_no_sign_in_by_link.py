"""A link signs nobody in: every tour step and "view as" URL, fetched by a stranger with a GET,
or posted without this site's CSRF token, or from another site's page, leaves the visitor
anonymous and the database as it was."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dcx.extensions import db
from dcx.platform.showcase.loader import read_showcase, seed_showcase
from dcx.verticals import registry


@pytest.fixture
def app_config():
    """CSRF checked, as in production."""
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def seeded(app):
    seed_showcase(app.extensions["dcx_verticals"], "default", only=())  # personas are enough
    db.session.commit()


def _tour_urls() -> list[str]:
    return [
        f"/showcase/tours/{v.key}/{n}"
        for v in registry()
        for n in range(1, len(v.tour) + 1)
        if v.tour
    ] + [f"/showcase/tours/{v.key}" for v in registry() if v.tour]


def _view_as_urls() -> list[str]:
    return [f"/showcase/view-as/{p['key']}" for p in read_showcase("default")["personas"]]


def _row_counts() -> dict[str, int]:
    db.session.expire_all()
    return {
        table.name: db.session.execute(select(func.count()).select_from(table)).scalar_one()
        for table in db.metadata.sorted_tables
    }


def _nobody_signed_in(client) -> None:
    with client.session_transaction() as session:
        assert "_user_id" not in session
        assert "dcx_sandbox" not in session  # and no sandbox made (its row would count too)
    assert "data-signed-in" not in client.get("/").get_data(as_text=True)
    folder = Path(client.application.instance_path) / "sandboxes"
    assert not folder.exists() or not list(folder.glob("*.db"))


def _token(client) -> str:
    page = client.get("/showcase/tours").get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page) or re.search(
        r'name="csrf-token" content="([^"]+)"', page
    )
    if found is None:  # the tour list has no form: a page that does
        page = client.get("/account/signin").get_data(as_text=True)
        found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def test_every_tour_and_view_as_link_fetched_with_a_get_signs_nobody_in(app, client, seeded):
    urls = _tour_urls()
    assert len(urls) > 20  # every story's steps, not a sample
    before = _row_counts()
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'id="tour-go"' in response.get_data(as_text=True), url
        assert response.headers.get("Location") is None, url
    for url in [*_view_as_urls(), "/showcase/sandbox"]:
        assert client.get(url).status_code == 405, url
    _nobody_signed_in(client)
    assert _row_counts() == before


def test_a_post_without_the_sites_token_signs_nobody_in(app, client, seeded):
    before = _row_counts()
    for url in [*_tour_urls(), *_view_as_urls(), "/showcase/sandbox"]:
        response = client.post(url)
        assert response.status_code in (400, 405), url
    _nobody_signed_in(client)
    assert _row_counts() == before


def test_a_post_from_another_sites_page_signs_nobody_in(app, client, seeded):
    token = _token(client)
    before = _row_counts()
    for url in [*_tour_urls(), *_view_as_urls(), "/showcase/sandbox"]:
        for headers in (
            {"Origin": "https://attacker.example"},
            {"Origin": "null"},
            {"Sec-Fetch-Site": "cross-site"},
        ):
            response = client.post(url, data={"csrf_token": token}, headers=headers)
            assert response.status_code in (400, 403, 405), (url, headers)
    _nobody_signed_in(client)
    assert _row_counts() == before


def test_the_button_on_our_own_page_does_sign_in(app, client, seeded):
    """The control: the same POST with the token from our page and our origin works (in a
    sandbox of the visitor's own), so the refusals above are the checks at work."""
    token = _token(client)
    response = client.post(
        "/showcase/tours/banking/1",
        data={"csrf_token": token},
        headers={"Origin": "http://localhost"},
    )
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert "_user_id" in session and session.get("dcx_sandbox")
