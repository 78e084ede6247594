"""The DCX maturity self-assessment: a prospect scores their own organisation."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the assessment's blueprint and models; runs taken before signing in follow the
    visitor into their account."""
    from dcx.platform.accounts.views import signing_in
    from dcx.platform.assessment import models, views  # noqa: F401  (models: its table)

    app.register_blueprint(views.bp)
    signing_in.connect(views.claim_this_browsers_runs, sender=app, weak=False)
