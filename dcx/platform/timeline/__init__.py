"""One activity stream per customer across every vertical, and the staff's customer 360."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the timeline, the calendar feed and the customer 360, with their menu entries."""
    from flask import url_for
    from flask_babel import lazy_gettext as _l

    from dcx.platform.timeline import models  # noqa: F401
    from dcx.platform.timeline.views import bp

    app.register_blueprint(bp)

    def nav(user):
        if user.is_staff:
            return [
                {
                    "url": url_for("timeline.customers"),
                    "label": _l("Customers"),
                    "icon": "people",
                    "id": "nav-customers",
                }
            ]
        return [
            {
                "url": url_for("timeline.mine"),
                "label": _l("My timeline"),
                "icon": "clock-history",
                "id": "nav-timeline",
            },
            {
                "url": url_for("timeline.my_calendar"),
                "label": _l("Calendar"),
                "icon": "calendar3",
                "id": "nav-calendar",
            },
        ]

    app.extensions["dcx_user_nav"].append(nav)
