"""One way to build a link to one of our pages, inside a request or outside one.

Jobs, seeds and commands have no request, yet write messages and timeline entries that carry
links; they build them here from the URL map, never by pasting ``"/vertical/..."`` paths.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context, url_for


def link(endpoint: str, **values: Any) -> str:
    """A path to one of our pages (``link("banking.goal", goal_id=3)``), in a request or not.

    ``_anchor`` adds a fragment. Outside a request the path is built from the app's URL map, so
    it is relative to the site: messages make it absolute with the configured base URL.
    """
    if has_request_context():
        return url_for(endpoint, **values)
    anchor = values.pop("_anchor", None)
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return path + (f"#{anchor}" if anchor else "")


DEFAULT_BASE_URL = "http://127.0.0.1:5000"


def base_url() -> str:
    """Where people reach the site (``DCX_BASE_URL``), without a trailing slash.

    Anything that leaves the site (an email, a feed, a QR code, a calendar) is absolute on this,
    never on the request's Host header, which a client or a proxy chooses.
    """
    return (current_app.config.get("DCX_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")


def external(endpoint: str, **values: Any) -> str:
    """An absolute URL to one of our pages, on the configured base URL."""
    return base_url() + link(endpoint, **values)


def tag_uri(specific: str) -> str:
    """A permanent identifier (RFC 4151 ``tag:`` URI) for something we publish.

    The authority is ``DCX_TAG_AUTHORITY`` ("city.example,2026"), else the base URL's host
    with the year 2026: set it once for a deployment and never change it, and every id stays.
    """
    from urllib.parse import urlsplit

    authority = current_app.config.get("DCX_TAG_AUTHORITY") or (
        f"{urlsplit(base_url()).hostname or 'dcx.example'},2026"
    )
    return f"tag:{authority}:{specific}"
