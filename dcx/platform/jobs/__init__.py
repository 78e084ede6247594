"""The job runner: scheduled jobs declared as data, each run claimed once in the database."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the run log, the admin pages and the scheduler for `flask dcx demo`."""
    from flask import url_for
    from flask_babel import lazy_gettext as _l

    from dcx.platform import simulation
    from dcx.platform.jobs import models  # noqa: F401
    from dcx.platform.jobs.scheduler import start_in_background
    from dcx.platform.jobs.views import bp
    from dcx.verticals import JobSpec

    app.register_blueprint(bp)
    app.extensions["dcx_platform_jobs"].append(
        JobSpec(
            id="platform.live_on",
            trigger={"minute": "*/5"},
            function=simulation.live_on,
            description=_l(
                "Let the world live the real time that passed since the clock last moved, "
                "so sensors keep reporting."
            ),
        )
    )
    app.extensions["dcx_demo_starters"].append(start_in_background)

    def admin_nav(user):
        if not user.is_admin:
            return []
        return [
            {
                "url": url_for("jobs.index"),
                "label": _l("Jobs"),
                "icon": "clock-history",
                "id": "nav-jobs",
            }
        ]

    app.extensions["dcx_user_nav"].append(admin_nav)
