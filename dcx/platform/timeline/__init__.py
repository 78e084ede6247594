"""One activity stream per customer across every vertical, and the staff's customer 360."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the timeline table."""
    from dcx.platform.timeline import models  # noqa: F401
