"""One customer account layer for every vertical: users, roles, sessions, profile."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the account pages, models and the sweep of ended sessions."""
    from flask_babel import lazy_gettext as _l

    from dcx.platform.accounts import lifetime, models  # noqa: F401
    from dcx.platform.accounts.views import bp
    from dcx.verticals import JobSpec

    app.register_blueprint(bp)
    app.extensions["dcx_platform_jobs"].append(
        JobSpec(
            id="platform.sweep_sessions",
            trigger={"minute": 23},
            function=lifetime.sweep,
            description=_l(
                "Delete ended sessions, old failed sign-ins and expired sign-up requests."
            ),
        )
    )
