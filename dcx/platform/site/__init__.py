"""The showcase's front door: home page, language switch, error pages."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the home page and error pages."""
    from dcx.platform.site.views import bp

    app.register_blueprint(bp)
