"""Bootstrap Icons drawn inline: a page carries the few icons it shows, not the whole set.

The icons come from the Bootstrap Icons sprite that bootstrap-flask installs; it is read once
per process and each icon's drawing is cut out of it, so a page never links to the 1.1 MB
sprite (or the icon font) and its icons need no request at all.
"""

from __future__ import annotations

import logging
import re
from functools import cache
from pathlib import Path

import flask_bootstrap
from flask import current_app
from markupsafe import Markup, escape

SPRITE = Path(flask_bootstrap.__file__).parent / "static/bootstrap5/icons/bootstrap-icons.svg"
_SYMBOL = re.compile(r'<symbol [^>]*?viewBox="([^"]+)" id="([^"]+)">(.*?)</symbol>', re.S)

log = logging.getLogger(__name__)


@cache
def drawings() -> dict[str, tuple[str, str]]:
    """Every icon of the installed set: name -> (viewBox, inner SVG markup)."""
    text = SPRITE.read_text(encoding="utf-8")
    return {name: (view_box, body) for view_box, name, body in _SYMBOL.findall(text)}


@cache
def _svg(name: str, title: str | None) -> Markup:
    drawing = drawings().get(name)
    if drawing is None:
        log.warning("no icon named %r in Bootstrap Icons", name)
        view_box, body = "0 0 16 16", ""
    else:
        view_box, body = drawing
    label = f'role="img" aria-label="{escape(title)}"' if title else 'aria-hidden="true"'
    # the drawing is the installed icon set's own markup; the only text from a caller (the
    # title) is escaped above
    return Markup(  # noqa: S704  # nosec B704
        f'<svg class="bi" width="1em" height="1em" fill="currentColor" viewBox="{view_box}" '
        f'focusable="false" {label}>{body}</svg>'
    )


def icon_svg(name: str, title: str | None = None) -> Markup:
    """The icon ``name`` as an inline ``<svg>`` (decorative unless it has a ``title``).

    A name the set does not have is a mistake in a template: tests and debug runs fail on it,
    a live site logs it and draws nothing.
    """
    name = str(name)
    if name not in drawings() and (current_app.testing or current_app.debug):
        raise LookupError(f"no icon named {name!r} in Bootstrap Icons")
    return _svg(name, None if title is None else str(title))
