"""Synthetic customers added with ``--scale`` have no password anyone can sign in with."""

from __future__ import annotations

from sqlalchemy import select

from dcx.extensions import db
from dcx.platform.accounts import services
from dcx.platform.accounts.models import User
from dcx.platform.showcase.loader import scale_showcase


def test_synthetic_customers_cannot_sign_in(app, client):
    scale_showcase([], "default", 3)
    synthetic = (
        db.session.execute(select(User).where(User.email.like("%@scale.dcx.example")))
        .scalars()
        .all()
    )
    assert len(synthetic) == 3
    for user in synthetic:
        assert not user.password_hash.startswith("$argon2")
        for guess in ("synthetic-2026-not-for-sign-in", "", user.password_hash):
            assert not services.check_password(user, guess)
    response = client.post(
        "/account/signin",
        data={"email": synthetic[0].email, "password": "synthetic-2026-not-for-sign-in"},
    )
    assert response.status_code == 400
