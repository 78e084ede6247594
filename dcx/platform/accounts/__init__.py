"""One customer account layer for every vertical: users, roles, sessions, profile."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the account pages and models."""
    from dcx.platform.accounts import models  # noqa: F401
    from dcx.platform.accounts.views import bp

    app.register_blueprint(bp)
