"""The one brand of the running showcase, for pages, messages and files alike.

The showcase package registers a provider (the loaded showcase's name and colour) in
``app.extensions["dcx_brand_provider"]``; before any showcase is loaded, or in an app without
the showcase package, the configured ``DCX_BRAND`` stands. Every place that names the brand
(the layout, SMS signatures, calendar files, the API's title) asks here, so a branded copy of
the showcase is branded everywhere at once.
"""

from __future__ import annotations

from flask import current_app

DEFAULT_COLOUR = "#1f4e79"


def current() -> dict[str, str]:
    """The brand as ``{"name": ..., "colour": ...}``."""
    provider = current_app.extensions.get("dcx_brand_provider")
    if provider is not None:
        return provider()
    return {"name": current_app.config["DCX_BRAND"], "colour": DEFAULT_COLOUR}


def name() -> str:
    """The brand's name."""
    return current()["name"]
