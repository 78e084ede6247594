"""Account rules called directly: hashing, sessions, throttling, safe redirects."""

import pytest

from dcx.extensions import db
from dcx.platform.accounts import services
from dcx.platform.accounts.models import AccountSession, User


def test_password_hash_starts_with_its_scheme_and_is_not_the_password(app):
    user = services.create_user("a@example.com", "A", "twelve chars long")
    assert user.password_hash.startswith("$argon2id$")
    assert "twelve chars long" not in user.password_hash
    assert services.check_password(user, "twelve chars long")
    assert not services.check_password(user, "twelve chars lonG")


def test_short_passwords_are_refused(app):
    with pytest.raises(services.AccountError, match="12"):
        services.create_user("a@example.com", "A", "elevenchars")


def test_emails_are_unique_ignoring_case(app):
    services.create_user("Casey@Example.com", "A", "twelve chars long")
    with pytest.raises(services.AccountError, match="already exists"):
        services.create_user("casey@example.COM ", "B", "twelve chars long")


def test_a_closed_session_finds_no_user(app):
    user = services.create_user("a@example.com", "A", "twelve chars long")
    token = services.open_session(user)
    assert services.user_for_session(token).id == user.id
    services.close_session(token)
    assert services.user_for_session(token) is None


def test_session_tokens_are_stored_hashed(app):
    user = services.create_user("a@example.com", "A", "twelve chars long")
    token = services.open_session(user)
    db.session.commit()
    stored = db.session.query(AccountSession).one()
    assert stored.token_hash != token and len(stored.token_hash) == 64


def test_signin_is_blocked_after_the_limit_per_account_and_per_address(app):
    for _ in range(5):
        assert services.authenticate("x@example.com", "wrong password!", "10.0.0.1") is None
    assert services.signin_blocked("x@example.com", "10.9.9.9", 5, 15)
    assert not services.signin_blocked("other@example.com", "10.9.9.9", 5, 15)
    for i in range(20):
        services.record_signin_failure(f"u{i}@example.com", "10.0.0.2")
    assert services.signin_blocked("fresh@example.com", "10.0.0.2", 5, 15)


def test_password_change_signs_out_other_devices(app):
    user = services.create_user("a@example.com", "A", "twelve chars long")
    laptop = services.open_session(user)
    services.change_password(user, "twelve chars long", "a brand new secret")
    assert services.user_for_session(laptop) is None
    assert db.session.get(User, user.id).password_hash.startswith("$argon2id$")


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https://evil.example",
        "/\\evil.example",
        "http:/evil",
        "",
        None,
        "evil",
        "/\x00x",
    ],
)
def test_unsafe_next_targets_are_refused(target):
    assert not services.is_safe_next(target)


@pytest.mark.parametrize("target", ["/", "/banking/", "/account/profile?tab=1"])
def test_local_next_targets_are_accepted(target):
    assert services.is_safe_next(target)
