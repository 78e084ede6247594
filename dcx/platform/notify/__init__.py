"""The notification centre: inbox, outbox per channel, preferences, delivery with retries.

Any vertical calls :func:`dcx.platform.notify.services.notify` inside its own transaction;
the message lands in the inbox and in the outbox together, or not at all.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the inbox tables (views and delivery are added by the notify package)."""
    from dcx.platform.notify import models  # noqa: F401
