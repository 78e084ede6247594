"""Conditional GET for what clients poll (feeds, calendars): ETag, Last-Modified, 304.

A feed reader or a calendar app fetches the same URL every few minutes; answering "not
modified" when nothing changed saves both sides the body.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

from flask import Response, request


def conditional(
    body: bytes,
    mimetype: str,
    last_modified: datetime | None = None,
    volatile_prefixes: Iterable[bytes] = (),
    headers: dict[str, str] | None = None,
) -> Response:
    """A response with a strong ETag of ``body`` that answers 304 to a matching request.

    Lines starting with one of ``volatile_prefixes`` (an iCalendar DTSTAMP is "now" on every
    build) are left out of the ETag, so the tag changes only when the content does.
    """
    prefixes = tuple(volatile_prefixes)
    stable = b"\n".join(
        line for line in body.splitlines() if not prefixes or not line.startswith(prefixes)
    )
    response = Response(body, mimetype=mimetype, headers=headers)
    response.set_etag(hashlib.sha256(stable).hexdigest()[:32])
    if last_modified is not None:
        response.last_modified = last_modified.replace(microsecond=0)
    response.cache_control.no_cache = True  # may be stored, but ask (cheaply) every time
    response.make_conditional(request)  # turns it into a 304 in place when the client has it
    return response
