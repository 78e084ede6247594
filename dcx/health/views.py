"""Health pages."""

from flask import Blueprint, render_template

bp = Blueprint("health", __name__, template_folder="templates")


@bp.route("/")
def index():
    """The landing page: the story and what the customer can do here."""
    return render_template("health/index.html")
