"""What every page carries besides its content: the favicon, and error pages that speak the
visitor's language."""

from __future__ import annotations

import struct

import pytest

from dcx.extensions import db


def test_favicon_ico_answers_with_an_icon_in_the_brands_colour(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/vnd.microsoft.icon"
    data = response.get_data()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind, count) == (0, 1, 1)
    assert data[22:30] == b"\x89PNG\r\n\x1a\n"


def test_every_page_links_the_brands_svg_icon(client):
    page = client.get("/").get_data(as_text=True)
    assert '<link rel="icon" href="/favicon.svg" type="image/svg+xml">' in page
    icon = client.get("/favicon.svg")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert "<svg" in icon.get_data(as_text=True)


def test_the_favicon_follows_the_loaded_brand(app, client):
    from dcx.platform.showcase.models import ShowcaseState

    db.session.add(
        ShowcaseState(id=1, name="northwind", brand_name="Northwind", brand_colour="#aa3300")
    )
    db.session.commit()
    svg = client.get("/favicon.svg").get_data(as_text=True)
    assert 'fill="#aa3300"' in svg and ">N</text>" in svg


@pytest.mark.parametrize(
    ("language", "title", "explanation"),
    [
        ("ro", "Nu ai acces la această pagină.", "aparține altcuiva"),
        ("es", "No tienes acceso a esta página.", "pertenece a otra persona"),
    ],
)
def test_a_forbidden_page_explains_itself_in_the_visitors_language(
    client, customer, language, title, explanation
):
    client.get(f"/language/{language}")
    customer.locale = language
    db.session.commit()
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "You don't have the permission" not in page
    assert explanation in page
    assert f"<title>{title}" in page


@pytest.mark.parametrize("language", ["ro", "es"])
def test_a_missing_page_explains_itself_in_the_visitors_language(client, language):
    client.get(f"/language/{language}")
    page = client.get("/no/such/page").get_data(as_text=True)
    assert "The requested URL was not found" not in page
    assert {"ro": "adresa", "es": "dirección"}[language] in page.lower()
    assert "<title>404" not in page
