"""Notification fixtures: topics declared as if by verticals, and customers in bulk."""

import pytest
from sqlalchemy import insert

from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.accounts.models import User
from dcx.verticals import Topic

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

    def _make(n: int) -> list[int]:
        now = clock.now()
        rows = [
            {
                "email": f"bulk{i}@example.com",
                "name": f"Bulk {i}",
                "password_hash": "x",
                "role": "customer",
                "department": "",
                "phone": "",
                "locale": "",
                "health_consent": False,
                "created_at": now,
            }
            for i in range(n)
        ]
        ids = db.session.execute(insert(User).returning(User.id), rows).scalars().all()
        db.session.commit()
        return sorted(ids)

    return _make
