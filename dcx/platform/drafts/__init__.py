"""Server-side form drafts: a form started on a laptop is finished on a phone."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the drafts table and the job that expires old drafts."""
    from dcx.platform.drafts import models, services  # noqa: F401
    from dcx.verticals import JobSpec

    app.extensions["dcx_platform_jobs"].append(
        JobSpec(
            id="platform.expire_drafts",
            trigger={"hour": 3, "minute": 30},
            function=services.expire,
            description="Delete form drafts untouched for 30 days.",
        )
    )
