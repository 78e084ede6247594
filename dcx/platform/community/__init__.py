"""One community for every vertical: spaces, members, threads, posts, reactions, reports.

A vertical keeps its own pages and passes what differs: its key (``vertical``), how an
author's name is shown (``author_names``) and who may moderate (its staff department).
The shared partials live in ``community/macros.html``.
"""

from flask import Blueprint, Flask

bp = Blueprint("community", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """Register the community tables and the shared template partials."""
    from dcx.platform.community import models  # noqa: F401

    app.register_blueprint(bp)
