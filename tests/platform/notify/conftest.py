"""Notification fixtures: topics declared as if by verticals, customers in bulk, and a real
SMTP server (aiosmtpd) on a free local port."""

import socket

import pytest

from dcx.verticals import Topic
from tests.conftest import insert_customers

TOPICS = {
    "demo.report": Topic("demo.report", "Monthly report", ("email", "push")),
    "demo.alert": Topic("demo.alert", "Urgent alert", ("sms",)),
    "demo.news": Topic("demo.news", "News", ()),
}


@pytest.fixture
def topics(app, monkeypatch):
    """Declare three topics on the registry, as verticals would with ``topics=(...)``."""
    monkeypatch.setattr(app.extensions["dcx_verticals"], "topics", lambda: dict(TOPICS))
    return TOPICS


@pytest.fixture
def many_customers(app):
    """Factory: insert ``n`` customers set-based and return their ids."""
    return insert_customers


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    """A local TCP port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    """A local SMTP server for the test: ``(controller, inbox)``."""
    from aiosmtpd.controller import Controller

    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, handler
    finally:
        controller.stop()


def smtp_config(smtp_server, base_url: str) -> dict:
    """The settings that send the app's email to ``smtp_server``, with links on ``base_url``."""
    controller, _ = smtp_server
    return {
        "MAIL_SERVER": controller.hostname,
        "MAIL_PORT": controller.port,
        "MAIL_SENDER": "bank@dcx.example",
        "DCX_BASE_URL": base_url,
    }
