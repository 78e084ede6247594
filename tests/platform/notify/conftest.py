"""Notification fixtures: topics declared as if by verticals, and customers in bulk (the real
SMTP server, ``smtp_server``, is the whole suite's: tests/conftest.py)."""

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
