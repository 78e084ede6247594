"""Server-side form drafts: a form started on a laptop is finished on a phone.

Any page makes a form resumable with one attribute, ``<form data-draft="banking.savings">``:
the drafts script (loaded on every page) saves its named fields as the customer types and
restores them on any device. ``{% from "drafts/macros.html" import continue_on_phone %}``
``{{ continue_on_phone("banking.savings") }}`` shows the QR code and short link; the view that
accepts the form calls :func:`dcx.platform.drafts.services.discard`.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the drafts table, endpoints, script, template helpers and expiry job."""
    from flask_babel import lazy_gettext as _l

    from dcx.platform.drafts import models, services, views  # noqa: F401
    from dcx.verticals import JobSpec

    app.register_blueprint(views.bp)
    # The short link sits outside /drafts to stay short; its endpoint still belongs to the
    # drafts blueprint (same name prefix), so the blueprint's error handlers apply.
    app.add_url_rule("/d/<token>", endpoint="drafts.handoff", view_func=views.handoff)
    app.extensions["dcx_scripts"].append(("drafts.static", "drafts.js"))
    app.add_template_global(views.handoff_url, "draft_handoff_url")
    app.add_template_global(views.qr_svg, "draft_qr_svg")
    app.extensions["dcx_platform_jobs"].append(
        JobSpec(
            id="platform.expire_drafts",
            trigger={"hour": 3, "minute": 30},
            function=services.expire,
            description=_l("Delete form drafts untouched for 30 days."),
        )
    )
