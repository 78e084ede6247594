"""Sign-up is throttled per address."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "SIGNUP_RATE_LIMIT": "3/hour"}


def test_signups_from_one_address_are_throttled(app, client):
    def signup(n: int, address: str = "192.0.2.1"):
        return client.post(
            "/account/signup",
            data={
                "name": f"N{n}",
                "email": f"n{n}@example.com",
                "password": PASSWORD,
                "confirm": PASSWORD,
            },
            environ_base={"REMOTE_ADDR": address},
        )

    assert [signup(n).status_code for n in range(3)] == [303, 303, 303]
    assert signup(3).status_code == 429
    assert signup(4, "192.0.2.99").status_code == 303
    assert client.get("/account/signup").status_code in {200, 302}
