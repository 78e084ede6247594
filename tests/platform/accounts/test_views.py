"""Account pages through the test client, and the security promises of issue 2."""

import re

import pytest

from dcx.extensions import db
from dcx.platform.accounts.models import User
from tests.conftest import PASSWORD, make_user


def test_signup_with_bad_input_answers_400_and_keeps_what_was_typed(client):
    response = client.post(
        "/account/signup",
        data={"name": "Nia", "email": "not-an-email", "password": "short", "confirm": "x"},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'value="Nia"' in page
    assert "invalid-feedback" in page


def test_wrong_password_shows_an_error(client, users):
    users()
    response = client.post(
        "/account/signin", data={"email": "customer@example.com", "password": "nope nope nope"}
    )
    assert response.status_code == 400
    assert "not right" in response.get_data(as_text=True)


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example", "/\\evil.example"])
def test_next_only_lands_on_local_pages(client, users, target):
    users()
    response = client.post(
        f"/account/signin?next={target}",
        data={"email": "customer@example.com", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_to_a_local_page_is_followed(client, users):
    users()
    response = client.post(
        "/account/signin?next=/banking/",
        data={"email": "customer@example.com", "password": PASSWORD},
    )
    assert response.headers["Location"] == "/banking/"


def test_old_session_cookie_is_refused_after_signout(client, customer):
    assert client.get("/account/profile").status_code == 200
    old_cookie = client.get_cookie("session").value
    client.post("/account/signout")
    replay = client.application.test_client()
    replay.set_cookie("session", old_cookie)
    response = replay.get("/account/profile")
    assert response.status_code == 302
    assert "/account/signin" in response.headers["Location"]


def test_session_is_renewed_at_signin(client, users):
    users()
    client.get("/language/es")
    before = client.get_cookie("session").value
    client.post("/account/signin", data={"email": "customer@example.com", "password": PASSWORD})
    assert client.get_cookie("session").value != before


def test_the_failure_after_the_limit_answers_429(client, users, app):
    users()
    limit = app.config["SIGNIN_MAX_FAILURES"]
    for _ in range(limit):
        r = client.post(
            "/account/signin",
            data={"email": "customer@example.com", "password": "wrong wrong wrong"},
        )
        assert r.status_code == 400
    r = client.post("/account/signin", data={"email": "customer@example.com", "password": PASSWORD})
    assert r.status_code == 429
    assert "Too many attempts" in r.get_data(as_text=True)


def test_profile_saves_phone_language_and_consent(client, customer):
    r = client.post(
        "/account/profile",
        data={"name": "Casey C", "phone": "+40 721 000 000", "locale": "ro", "health_consent": "y"},
    )
    assert r.status_code == 302
    user = db.session.get(User, customer.id)
    assert (user.name, user.phone, user.locale, user.health_consent) == (
        "Casey C",
        "+40 721 000 000",
        "ro",
        True,
    )


def test_profile_rejects_a_bad_phone_with_400(client, customer):
    r = client.post("/account/profile", data={"name": "Casey", "phone": "call me maybe"})
    assert r.status_code == 400


def test_password_change_needs_the_current_password(client, customer):
    r = client.post(
        "/account/password",
        data={
            "current": "wrong wrong wrong",
            "new": "another long one",
            "confirm": "another long one",
        },
    )
    assert r.status_code == 400
    r = client.post(
        "/account/password",
        data={"current": PASSWORD, "new": "another long one", "confirm": "another long one"},
    )
    assert r.status_code == 302
    assert client.get("/account/profile").status_code == 200  # this device stays signed in


def test_profile_requires_sign_in(client):
    r = client.get("/account/profile")
    assert r.status_code == 302 and "/account/signin?next=" in r.headers["Location"]


class TestCsrf:
    """Every form post without a token answers 400, on every POST route of the app."""

    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_a_form_without_csrf_token_answers_400(self, app, client):
        make_user()
        # Routes a foreign client posts to by design, each deliberately exempt: the one-click
        # unsubscribe of RFC 8058 (the mail client posts, with the message's own token).
        deliberately_exempt = {"/inbox/unsubscribe/<int:user_id>/<topic>/<token>"}
        rules = [
            r
            for r in app.url_map.iter_rules()
            if "POST" in r.methods
            and not r.rule.startswith(("/api/", "/open311/"))
            and r.rule not in deliberately_exempt
        ]
        assert rules, "no POST routes found"
        for rule in rules:
            url = re.sub(
                r"<any\(([^,)]+)[^)]*\):[^>]+>", lambda m: m.group(1).strip(" '\""), rule.rule
            )
            url = re.sub(r"<(?:[^:>]+:)?[^>]+>", "1", url)
            response = client.post(
                url, data={"email": "customer@example.com", "password": PASSWORD}
            )
            assert response.status_code == 400, rule.rule
