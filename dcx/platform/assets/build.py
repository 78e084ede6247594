"""Hashed, precompressed copies of the static files a page may link to.

A copy is named after a hash of its content (``dcx.css`` becomes ``dcx.0123456789ab.css``),
so the folder can be shared by several processes and several versions of the application: a
name, once written, always holds the same bytes. Files are written atomically (a temporary
name, then a rename), so web workers starting together never read half a file.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import brotli
from flask import Flask

# What the pages load from installed packages: (endpoint, filename). The rest of those
# packages' folders (themes, fonts, icon sprites, source maps) is never linked to.
PACKAGE_ASSETS = (
    ("bootstrap.static", "css/bootstrap.min.css"),
    ("bootstrap.static", "js/bootstrap.min.js"),
    ("bootstrap.static", "umd/popper.min.js"),
)
COMPRESSIBLE = {".css", ".js", ".svg", ".json", ".txt", ".map", ".html", ".xml"}


@dataclass(frozen=True)
class Asset:
    """One static file: where Flask would serve it and its hashed, compressed copy."""

    endpoint: str
    filename: str
    hashed_filename: str
    url: str
    built: Path


def _url_paths(app: Flask) -> dict[str, str]:
    """The URL folder of each static endpoint, read from its rule (``/drafts/static``)."""
    return {
        rule.endpoint: rule.rule.removesuffix("/<path:filename>")
        for rule in app.url_map.iter_rules()
        if rule.endpoint == "static" or rule.endpoint.endswith(".static")
    }


def _static_folders(app: Flask) -> list[tuple[str, Path]]:
    """(endpoint, folder) of the app's and each blueprint's own static folder."""
    folders = []
    if app.static_folder:
        folders.append(("static", Path(app.static_folder)))
    for name, blueprint in app.blueprints.items():
        if name != "bootstrap" and blueprint.static_folder:
            folders.append((f"{name}.static", Path(blueprint.static_folder)))
    return folders


def sources(app: Flask) -> list[tuple[str, str, Path, str]]:
    """Every file to ship: (endpoint, filename, source path, URL of its folder)."""
    url_paths = _url_paths(app)
    found = []
    for endpoint, folder in _static_folders(app):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and endpoint in url_paths:
                filename = path.relative_to(folder).as_posix()
                found.append((endpoint, filename, path, url_paths[endpoint]))
    bootstrap = app.blueprints.get("bootstrap")
    if bootstrap is not None and bootstrap.static_folder and "bootstrap.static" in url_paths:
        for endpoint, filename in PACKAGE_ASSETS:
            path = Path(bootstrap.static_folder) / filename
            if path.is_file():
                found.append((endpoint, filename, path, url_paths[endpoint]))
    return found


def hashed_name(filename: str, content: bytes) -> str:
    """``css/site.css`` with a hash of its content: ``css/site.0123456789ab.css``."""
    stem, dot, suffix = filename.rpartition(".")
    digest = hashlib.sha256(content).hexdigest()[:12]
    if not dot or "/" in suffix:
        return f"{filename}.{digest}"
    return f"{stem}.{digest}.{suffix}"


def _write_atomically(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    with os.fdopen(handle, "wb") as file:
        file.write(data)
    os.chmod(temporary, 0o644)  # readable by a web server run as another user
    os.replace(temporary, target)


def _write(target: Path, content: bytes) -> None:
    """The file, then its brotli and gzip versions where they are smaller."""
    if target.suffix in COMPRESSIBLE:
        brotli_data = brotli.compress(content, quality=11)
        if len(brotli_data) < len(content):
            _write_atomically(target.with_name(target.name + ".br"), brotli_data)
        gzip_data = gzip.compress(content, compresslevel=9, mtime=0)
        if len(gzip_data) < len(content):
            _write_atomically(target.with_name(target.name + ".gz"), gzip_data)
    # the plain file last: its presence says the build of this name is complete
    _write_atomically(target, content)


def build(files: list[tuple[str, str, Path, str]], root: Path) -> dict[tuple[str, str], Asset]:
    """Write each file's hashed copy (and compressed versions) under ``root`` if missing."""
    assets = {}
    for endpoint, filename, source, url_path in files:
        content = source.read_bytes()
        hashed = hashed_name(filename, content)
        url = f"{url_path.rstrip('/')}/{hashed}"
        built = root / url.lstrip("/")
        if not built.is_file():
            _write(built, content)
        assets[(endpoint, filename)] = Asset(endpoint, filename, hashed, url, built)
    return assets
