"""The installable app's parts, checked as Lighthouse would: the manifest's fields, its icons'
sizes and purposes, the service worker's scope, and a shell whose caches follow the release."""

from __future__ import annotations

import io

from flask import url_for
from PIL import Image

from dcx.extensions import db
from dcx.platform.pwa import shell
from dcx.platform.showcase.models import ShowcaseState


def _load_acme() -> None:
    db.session.add(
        ShowcaseState(id=1, name="acme", brand_name="Acme Group Savings", brand_colour="#8b0000")
    )
    db.session.commit()


def test_the_manifest_names_the_loaded_brand_and_installs_standalone(client):
    _load_acme()
    response = client.get("/pwa/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json()
    assert manifest["name"] == "Acme Group Savings"
    assert manifest["short_name"] == "Acme"
    assert manifest["theme_color"] == manifest["background_color"] == "#8b0000"
    assert manifest["start_url"] == "/"
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["lang"] == "en"


def test_the_manifest_speaks_the_visitors_language(client):
    client.get("/language/es")
    manifest = client.get("/pwa/manifest.webmanifest").get_json()
    assert manifest["lang"] == "es"
    assert "Digital customer experience" not in manifest["description"]


def test_every_icon_is_a_png_of_its_declared_size_in_the_brands_colour(client):
    _load_acme()
    icons = client.get("/pwa/manifest.webmanifest").get_json()["icons"]
    declared = {(icon["sizes"], icon["purpose"]) for icon in icons}
    assert declared == {
        ("192x192", "any"),
        ("512x512", "any"),
        ("192x192", "maskable"),
        ("512x512", "maskable"),
    }
    for icon in icons:
        response = client.get(icon["src"])
        assert response.status_code == 200
        assert response.mimetype == icon["type"] == "image/png"
        image = Image.open(io.BytesIO(response.data)).convert("RGBA")
        assert f"{image.width}x{image.height}" == icon["sizes"]
        corner = image.getpixel((0, 0))
        if icon["purpose"] == "maskable":  # full bleed: a launcher's mask cuts the brand
            assert corner == (0x8B, 0, 0, 255)
        else:  # rounded corners, the brand in the middle of the edge
            assert corner[3] == 0
            assert image.getpixel((image.width // 2, 2)) == (0x8B, 0, 0, 255)


def test_a_rebranded_showcase_gets_new_icon_urls(client):
    before = client.get("/pwa/manifest.webmanifest").get_json()["icons"][0]["src"]
    _load_acme()
    after = client.get("/pwa/manifest.webmanifest").get_json()["icons"][0]["src"]
    assert before != after


def test_an_unknown_icon_is_a_404(client):
    assert client.get("/pwa/icons/any-64.png").status_code == 404
    assert client.get("/pwa/icons/round-192.png").status_code == 404


def test_the_service_worker_may_control_the_whole_site(client):
    response = client.get("/pwa/sw.js")
    assert response.status_code == 200
    assert response.mimetype in ("text/javascript", "application/javascript")
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response.headers["Cache-Control"]
    page = client.get("/").get_data(as_text=True)
    version = shell.version()
    assert (
        f'<meta name="dcx-service-worker" content="/pwa/sw.js?v={version}" data-scope="/">' in page
    )
    assert '<link rel="manifest" href="/pwa/manifest.webmanifest">' in page


def test_the_shell_lists_what_every_page_needs_and_all_of_it_answers(app, client):
    body = client.get("/pwa/shell.json").get_json()
    assert body["version"] == shell.version()
    assert "/pwa/offline" in body["urls"]
    with app.test_request_context():
        stylesheet = url_for("static", filename="dcx.css")  # its content-hashed name
        queue = url_for("pwa.static", filename="offline-queue.js")
    assert stylesheet in body["urls"]
    assert queue in body["urls"]
    # icons are drawn inline: the icon sprite is no part of the shell
    assert not [url for url in body["urls"] if "bootstrap-icons" in url]
    for url in body["urls"]:
        assert client.get(url).status_code == 200, url


def test_the_version_changes_with_any_static_file(app, tmp_path, monkeypatch):
    first = shell.compute_version(app)
    assert first == shell.compute_version(app)
    folder = tmp_path / "static"
    folder.mkdir()
    (folder / "a.js").write_text("one")
    monkeypatch.setattr(shell, "_own_static_folders", lambda _app: [folder])
    one = shell.compute_version(app)
    (folder / "a.js").write_text("two")
    assert shell.compute_version(app) not in (one, first)


def test_the_offline_page_is_translated(client):
    client.get("/language/ro")
    page = client.get("/pwa/offline").get_data(as_text=True)
    assert 'id="offline-page"' in page
    assert "You are offline" not in page
