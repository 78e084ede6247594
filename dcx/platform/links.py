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
