"""The showcase as an app on the phone: installable, usable offline, exactly once.

- A web app manifest and icons drawn from the loaded brand (:mod:`.shell`, :mod:`.icons`).
- A service worker (``static/sw.js``) that keeps the page chrome and the pages a customer
  opened, under caches named after the app's version, and shows an offline page otherwise.
- An offline queue (``static/offline-queue.js``): any ``<form data-offline-queue="NAME">``
  submitted offline is stored on the phone and sent when the connection returns.
- Idempotency keys (:mod:`.idempotency`): a POST carrying one is carried out once per key.

Web Push itself is a notification channel: see :mod:`dcx.platform.notify.webpush`.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the manifest, worker and queue endpoints, the scripts and the key check."""
    from flask_babel import lazy_gettext as _l

    from dcx.platform.pwa import idempotency, models, shell, views  # noqa: F401
    from dcx.verticals import JobSpec

    app.register_blueprint(views.bp)
    idempotency.init_app(app)
    app.add_template_global(shell.version, "pwa_version")
    app.extensions["dcx_scripts"].extend(
        [
            ("pwa.static", "app.js"),
            ("pwa.static", "offline-queue.js"),
            ("pwa.static", "push.js"),
        ]
    )
    app.extensions["dcx_platform_jobs"].append(
        JobSpec(
            id="platform.expire_idempotency_keys",
            trigger={"hour": 3, "minute": 45},
            function=idempotency.expire,
            description=_l("Forget the keys of actions sent from phones more than 30 days ago."),
        )
    )
