"""The notification centre: inbox, outbox per channel, preferences, delivery with retries.

Any vertical calls :func:`dcx.platform.notify.services.notify` inside its own transaction;
the message lands in the inbox and in the outbox together, or not at all. The platform job
``platform.deliver_outbox`` (:func:`dcx.platform.notify.delivery.deliver_due`) then sends the
outbox every minute through the channel adapters.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the tables, the inbox pages, the delivery job and the menu entries."""
    from flask import url_for
    from flask_babel import lazy_gettext as _l

    from dcx.platform.notify import (
        devices,  # noqa: F401  (its routes on the inbox's blueprint)
        models,  # noqa: F401
    )
    from dcx.platform.notify.delivery import deliver_due, init_adapters
    from dcx.platform.notify.services import unread_count
    from dcx.platform.notify.views import bp, init_csrf_exemptions
    from dcx.platform.notify.webpush import send_push
    from dcx.verticals import JobSpec

    app.register_blueprint(bp)
    init_csrf_exemptions(app.extensions["csrf"])
    init_adapters(app)
    app.extensions["dcx_notify_adapters"]["push"] = send_push
    app.extensions["dcx_platform_jobs"].append(
        JobSpec(
            id="platform.deliver_outbox",
            trigger={"minute": "*"},
            function=deliver_due,
            description=_l(
                "Send the notification outbox (email, SMS, push) with retries and backoff."
            ),
        )
    )

    def inbox_nav(user):
        count = unread_count(user.id)
        return [
            {
                "url": url_for("notify.index"),
                "label": _l("Inbox"),
                "icon": "bell",
                "id": "nav-inbox",
                "badge": count or None,
            }
        ]

    def outbox_nav(user):
        if not user.is_admin:
            return []
        return [
            {
                "url": url_for("notify.outbox"),
                "label": _l("Outbox"),
                "icon": "send",
                "id": "nav-outbox",
            }
        ]

    def preferences_link():
        return [{"url": url_for("notify.preferences"), "label": _l("Notification preferences")}]

    app.extensions["dcx_user_nav"].extend((inbox_nav, outbox_nav))
    app.extensions["dcx_profile_links"].append(preferences_link)
