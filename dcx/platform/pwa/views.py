"""The app's endpoints: manifest, icons, service worker, its shell list and the offline page."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, render_template, send_from_directory
from flask_wtf.csrf import generate_csrf

from dcx.platform import brand
from dcx.platform.pwa import icons, shell

bp = Blueprint(
    "pwa",
    __name__,
    url_prefix="/pwa",
    template_folder="templates",
    static_folder="static",
)


@bp.route("/manifest.webmanifest")
def manifest():
    """The web app manifest: the loaded brand's name, colours and icons."""
    from dcx import _select_locale

    response = jsonify(shell.manifest(_select_locale()))
    response.mimetype = "application/manifest+json"
    response.cache_control.no_cache = True
    return response


@bp.route("/icons/<purpose>-<int:size>.png")
def icon(purpose: str, size: int):
    """The brand's icon at 192 or 512 px, for "any" use or "maskable"."""
    if size not in icons.SIZES or purpose not in icons.PURPOSES:
        abort(404)
    current = brand.current()
    response = current_app.response_class(
        icons.png(current["name"], current["colour"], size, purpose), mimetype="image/png"
    )
    response.cache_control.max_age = 3600
    return response


@bp.route("/sw.js")
def service_worker():
    """The service worker (a static file), allowed to control every page of the site."""
    response = send_from_directory(bp.static_folder or "", "sw.js", max_age=0)
    response.headers["Service-Worker-Allowed"] = "/"
    response.cache_control.no_cache = True
    return response


@bp.route("/shell.json")
def shell_json():
    """What the service worker caches when it installs, under the app's version."""
    response = jsonify({"version": shell.version(), "urls": shell.shell_urls()})
    response.cache_control.no_store = True
    return response


@bp.route("/offline")
def offline():
    """The page shown for a page that is neither reachable nor stored on the device."""
    return render_template("pwa/offline.html")


@bp.route("/csrf-token")
def csrf_token():
    """A fresh form token for the queue, which sends forms saved hours ago."""
    response = jsonify({"csrf_token": generate_csrf()})
    response.cache_control.no_store = True
    return response
