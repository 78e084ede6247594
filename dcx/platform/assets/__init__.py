"""Static assets shipped like a production site, and pages sent compressed.

Every file a page links to (this application's ``static/`` folders and the few files it loads
from installed packages, such as Bootstrap from bootstrap-flask) is copied on start-up under a
name that holds a hash of its content, next to gzip and brotli versions of it
(:mod:`dcx.platform.assets.build`). WhiteNoise, wrapped around the WSGI application, answers
those names before Flask sees the request: far-future immutable caching, the smallest encoding
the browser accepts, no session and so no ``Vary: Cookie``. ``url_for`` for a static endpoint
builds the hashed name, so a changed file is a new URL and a cached one is never asked for
again. HTML and JSON answers are compressed by Flask-Compress.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import Flask
from whitenoise import WhiteNoise

from dcx.extensions import compress
from dcx.platform.assets.build import Asset, build, sources
from dcx.platform.assets.icons import icon_svg

# one year, the longest lifetime HTTP caches are asked to honour (RFC 9111)
ONE_YEAR = 31_536_000
HASHED_NAME = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")


class AssetServer(WhiteNoise):
    """WhiteNoise answering only the hashed names it is given, each cached for a year."""

    def add_cache_headers(self, headers: Any, path: str, url: str) -> None:
        """A hashed name never changes content: public, a year, immutable."""
        if HASHED_NAME.search(url):
            headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
        else:
            super().add_cache_headers(headers, path, url)


def init_app(app: Flask) -> None:
    """Build the hashed, compressed copies, serve them in front of Flask and link to them."""
    app.config.setdefault("ASSETS_ROOT", str(Path(app.instance_path) / "assets"))
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_STREAMS", False)
    app.config.setdefault("COMPRESS_BR_LEVEL", 4)
    compress.init_app(app)
    app.jinja_env.globals["icon_svg"] = icon_svg

    assets = build(sources(app), Path(app.config["ASSETS_ROOT"]))
    server = AssetServer(app.wsgi_app, allow_all_origins=False)
    for asset in assets.values():
        server.add_file_to_dictionary(asset.url, str(asset.built))
    app.wsgi_app = server  # type: ignore[method-assign]
    app.extensions["dcx_assets"] = assets

    @app.url_defaults
    def _hashed_name(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" or endpoint.endswith(".static"):
            asset: Asset | None = assets.get((endpoint, values.get("filename", "")))
            if asset is not None:
                values["filename"] = asset.hashed_filename
