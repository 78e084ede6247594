"""What makes the showcase an installable app: its manifest, its version and its shell.

The manifest is built per request from the loaded showcase's brand (name, colour, icons), in
the visitor's language. The version names the service worker's caches: it changes with the
application's release and with any of its own static files, so a new release replaces what
phones have cached instead of serving yesterday's files.
"""

from __future__ import annotations

import hashlib
from importlib import metadata
from pathlib import Path
from typing import Any

from flask import Flask, current_app, url_for

from dcx.platform import brand
from dcx.platform.pwa import icons

SHORT_NAME_LENGTH = 12


def _package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "0"


def _own_static_folders(app: Flask) -> list[Path]:
    """The static folders shipped inside the project (Bootstrap's are named by its version)."""
    root = Path(app.root_path)
    folders = [Path(app.static_folder)] if app.static_folder else []
    for blueprint in app.blueprints.values():
        folder = blueprint.static_folder
        if folder and Path(folder).is_relative_to(root):
            folders.append(Path(folder))
    return folders


def compute_version(app: Flask) -> str:
    """A short hash of the release and the contents of every static file the project ships."""
    digest = hashlib.sha256()
    for package in ("dcx-showcase", "bootstrap-flask"):
        digest.update(f"{package}={_package_version(package)}\n".encode())
    for folder in sorted(_own_static_folders(app)):
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def version() -> str:
    """The app's version (computed once per process, on first use)."""
    found = current_app.extensions.get("dcx_pwa_version")
    if found is None:
        found = current_app.extensions["dcx_pwa_version"] = compute_version(current_app)
    return found


def _brand_tag(current: dict[str, str]) -> str:
    """A short hash of the brand, so a re-branded showcase's icons are fetched anew."""
    return hashlib.sha256(f"{current['name']}|{current['colour']}".encode()).hexdigest()[:8]


def manifest(locale: str) -> dict[str, Any]:
    """The web app manifest for the loaded brand, in ``locale``."""
    from flask_babel import gettext as _

    current = brand.current()
    name = current["name"]
    short = name if len(name) <= SHORT_NAME_LENGTH else name.split()[0][:SHORT_NAME_LENGTH]
    tag = _brand_tag(current)
    return {
        "id": url_for("site.home"),
        "name": name,
        "short_name": short,
        "description": _("Digital customer experience across the whole customer lifecycle."),
        "lang": locale,
        "start_url": url_for("site.home"),
        "scope": url_for("site.home"),
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": current["colour"],
        "background_color": current["colour"],
        "icons": [
            {
                "src": url_for("pwa.icon", size=size, purpose=purpose, v=tag),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": purpose,
            }
            for purpose in icons.PURPOSES
            for size in icons.SIZES
        ],
    }


def shell_urls() -> list[str]:
    """What the service worker stores when it installs: the offline page and the page chrome."""
    scripts = current_app.extensions["dcx_scripts"]
    return [
        url_for("pwa.offline"),
        url_for("static", filename="dcx.css"),
        url_for("bootstrap.static", filename="css/bootstrap.min.css"),
        url_for("bootstrap.static", filename="umd/popper.min.js"),
        url_for("bootstrap.static", filename="js/bootstrap.min.js"),
        url_for("site.favicon_svg"),
        *[url_for(endpoint, filename=filename) for endpoint, filename in scripts],
    ]
