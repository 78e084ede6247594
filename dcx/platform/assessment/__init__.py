"""The DCX maturity self-assessment: a prospect scores their own organisation."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the assessment's blueprint and models."""
    from dcx.platform.assessment import models, views  # noqa: F401  (models: its table)

    app.register_blueprint(views.bp)
