"""Showcases: files in ``seeds/`` with a brand, personas and each vertical's data."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register presenter mode, tours, the loaded showcase's brand and its language."""
    from dcx.platform.showcase import (
        models,  # noqa: F401
        tours,  # noqa: F401  (its routes)
    )
    from dcx.platform.showcase import presenter as presenting
    from dcx.platform.showcase.views import bp, current_tour

    app.register_blueprint(bp)
    app.extensions["dcx_brand_provider"] = presenting.brand
    app.extensions["dcx_default_language"] = presenting.language
    app.add_template_filter(presenting.with_cast, "cast")

    @app.context_processor
    def _presenter_context():
        who = presenting.presenter()
        return {
            "presenter_mode": (
                {
                    "personas": presenting.personas(),
                    "language": presenting.language() or "en",
                    "presenter": who,
                }
                if who is not None or presenting.in_own_sandbox()
                else None
            ),
            "tour": current_tour(),
            "url_endpoints": app.view_functions,
        }
