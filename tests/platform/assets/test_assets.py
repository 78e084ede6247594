"""Static assets are shipped like a production site: hashed names, a year of immutable
caching, brotli and gzip; pages themselves are compressed too."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import brotli
import pytest

from dcx.platform.assets import HASHED_NAME
from dcx.platform.assets.build import build, hashed_name

IMMUTABLE = "public, max-age=31536000, immutable"
LOCAL_ASSET = re.compile(r'(?:href|src)="(/[^"]+\.(?:css|js))"')


def _assets(app):
    return list(app.extensions["dcx_assets"].values())


def test_every_asset_is_cached_for_a_year_and_sent_compressed(app, client, customer):
    assets = _assets(app)
    assert {a.filename for a in assets} >= {
        "dcx.css",
        "css/bootstrap.min.css",
        "js/bootstrap.min.js",
    }
    for asset in assets:
        plain = client.get(asset.url)
        assert plain.status_code == 200, asset.url
        assert plain.headers["Cache-Control"] == IMMUTABLE
        assert "Content-Encoding" not in plain.headers
        assert "Cookie" not in plain.headers.get("Vary", "")
        assert "Set-Cookie" not in plain.headers

        br = client.get(asset.url, headers={"Accept-Encoding": "gzip, deflate, br"})
        assert br.headers["Content-Encoding"] == "br"
        assert br.headers["Cache-Control"] == IMMUTABLE
        assert "Accept-Encoding" in br.headers["Vary"]
        assert brotli.decompress(br.data) == plain.data
        assert len(br.data) < len(plain.data)

        gz = client.get(asset.url, headers={"Accept-Encoding": "gzip"})
        assert gz.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(gz.data) == plain.data


def test_a_page_links_only_to_hashed_assets(client, customer):
    page = client.get("/")
    urls = LOCAL_ASSET.findall(page.get_data(as_text=True))
    assert len(urls) >= 3
    for url in urls:
        assert HASHED_NAME.search(url), url
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert answer.headers["Cache-Control"] == IMMUTABLE


def test_pages_are_sent_compressed(client, customer):
    plain = client.get("/")
    br = client.get("/", headers={"Accept-Encoding": "gzip, br"})
    assert br.headers["Content-Encoding"] == "br"
    assert brotli.decompress(br.data).startswith(b"<!doctype html>")
    assert len(br.data) * 3 < len(plain.data)
    gz = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert gz.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(gz.data).startswith(b"<!doctype html>")


def test_a_hashed_name_changes_with_the_content_and_is_built_once(tmp_path: Path):
    first = hashed_name("css/site.css", b"body{}")
    assert first != hashed_name("css/site.css", b"body{color:red}")
    assert first == hashed_name("css/site.css", b"body{}")
    assert HASHED_NAME.search(first)

    source = tmp_path / "site.css"
    source.write_bytes(b"body { margin: 0 }\n" * 50)
    root = tmp_path / "built"
    [asset] = build([("static", "site.css", source, "/static")], root).values()
    assert asset.built.read_bytes() == source.read_bytes()
    assert brotli.decompress(Path(f"{asset.built}.br").read_bytes()) == source.read_bytes()
    assert gzip.decompress(Path(f"{asset.built}.gz").read_bytes()) == source.read_bytes()
    written = asset.built.stat().st_mtime_ns
    build([("static", "site.css", source, "/static")], root)
    assert asset.built.stat().st_mtime_ns == written


def test_an_unknown_static_file_is_still_served_by_flask(client):
    assert client.get("/static/missing.css").status_code == 404


@pytest.mark.parametrize("endpoint", ["static", "drafts.static", "bootstrap.static"])
def test_url_for_names_the_hashed_copy(app, endpoint):
    from flask import url_for

    [asset] = [a for a in _assets(app) if a.endpoint == endpoint][:1]
    with app.test_request_context():
        assert url_for(endpoint, filename=asset.filename) == asset.url
