"""The blueprints every vertical starts from: its pages and its guarded staff workspace.

A vertical's pages sit on a blueprint named after its key (mounted at ``/<key>``, templates in
``dcx/<key>/templates/<key>/``); its staff pages on a nested ``staff`` blueprint at
``/<key>/staff`` that the department guard covers as a whole (see
:func:`dcx.platform.accounts.guards.staff_blueprint`).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint

from dcx.platform.accounts.guards import staff_blueprint


def vertical_blueprints(
    key: str, label: Callable[[str, str | None], str] | None = None
) -> tuple[Blueprint, Blueprint]:
    """The vertical ``key``'s blueprint and its staff blueprint, already nested at ``/staff``.

    With ``label`` (the vertical's ``labels.label(kind, value)``), the blueprint also gives
    templates the filter ``<key>_label``: ``{{ value|<key>_label("kind") }}`` shows a stored key
    in the visitor's language. The filter is app-wide (Jinja filters cannot be limited to one
    blueprint), hence the vertical's prefix; unlike a context variable it also reaches macros
    imported without context.
    """
    bp = Blueprint(key, f"dcx.{key}", template_folder="templates")
    staff_bp = staff_blueprint(key, f"dcx.{key}")
    bp.register_blueprint(staff_bp, url_prefix="/staff")
    if label is not None:

        def stored_key_label(value: str | None, kind: str) -> str:
            return label(kind, value)

        bp.add_app_template_filter(stored_key_label, f"{key}_label")
    return bp, staff_bp
