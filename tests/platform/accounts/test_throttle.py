"""Sign-in throttling per account and per address that never locks the owner out, the password
page under the same throttle, and no timing difference for unknown e-mails."""

from __future__ import annotations

from argon2 import PasswordHasher

from dcx.platform.accounts import services
from tests.conftest import PASSWORD, make_user

WRONG = "wrong wrong wrong"


def _signin(client, email, password, address="10.0.0.1"):
    return client.post(
        "/account/signin",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_the_owner_on_a_device_used_before_signs_in_while_the_account_is_throttled(app, client):
    make_user()
    assert _signin(client, "customer@example.com", PASSWORD).status_code == 302
    client.post("/account/signout")
    guesser = app.test_client()
    for _ in range(app.config["SIGNIN_MAX_FAILURES"]):
        assert _signin(guesser, "customer@example.com", WRONG, "198.51.100.7").status_code == 400
    assert _signin(guesser, "customer@example.com", PASSWORD, "198.51.100.7").status_code == 429
    assert _signin(client, "customer@example.com", PASSWORD).status_code == 302


def test_an_address_throttled_by_guessing_still_lets_known_devices_in(app, client):
    make_user()
    assert _signin(client, "customer@example.com", PASSWORD, "203.0.113.5").status_code == 302
    client.post("/account/signout")
    neighbour = app.test_client()
    for n in range(app.config["SIGNIN_MAX_FAILURES"] * 4):
        _signin(neighbour, f"nobody{n}@example.com", WRONG, "203.0.113.5")
    assert _signin(neighbour, "other@example.com", WRONG, "203.0.113.5").status_code == 429
    assert _signin(client, "customer@example.com", PASSWORD, "203.0.113.5").status_code == 302


def test_a_forged_known_device_cookie_does_not_lift_the_throttle(app, client):
    user = make_user()
    client.set_cookie("dcx_known_device", f"[{user.id}].forged")
    for _ in range(app.config["SIGNIN_MAX_FAILURES"]):
        _signin(client, "customer@example.com", WRONG)
    assert _signin(client, "customer@example.com", PASSWORD).status_code == 429


def test_wrong_current_passwords_count_as_failed_sign_ins(app, client, customer):
    for _ in range(app.config["SIGNIN_MAX_FAILURES"]):
        response = client.post(
            "/account/password",
            data={"current": WRONG, "new": "a brand new secret", "confirm": "a brand new secret"},
        )
        assert response.status_code == 400
    response = client.post(
        "/account/password",
        data={"current": PASSWORD, "new": "a brand new secret", "confirm": "a brand new secret"},
    )
    assert response.status_code == 429


def test_an_unknown_email_costs_the_same_hashing_work(app, monkeypatch):
    make_user()
    calls: list[str] = []
    real_verify = PasswordHasher.verify

    def counting_verify(self, hashed, password):
        calls.append(hashed)
        return real_verify(self, hashed, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting_verify)
    assert services.authenticate("customer@example.com", WRONG, "10.0.0.1") is None
    assert services.authenticate("nobody@example.com", WRONG, "10.0.0.1") is None
    assert len(calls) == 2
    assert all(h.startswith("$argon2id$") for h in calls)
