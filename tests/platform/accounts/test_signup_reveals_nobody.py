"""Sign-up does not tell whether an address has an account: the same answer and the same
work either way, in a showcase as outside one; the link e-mailed to a new address creates the
account."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.accounts import signup
from dcx.platform.accounts.models import SignUpRequest, User
from dcx.platform.logs import mask_secrets
from tests.conftest import PASSWORD, make_user


@pytest.fixture
def showcase() -> bool:
    """Outside a showcase unless a test says otherwise (by parametrizing ``showcase``)."""
    return False


@pytest.fixture
def app_config(showcase):
    return {"DCX_SHOWCASE_MODE": showcase, "DCX_BASE_URL": "https://site.example"}


both_modes = pytest.mark.parametrize("showcase", [False, True], ids=["outside", "showcase"])


@pytest.fixture
def outbox(app):
    sent: list[signup.AccountEmail] = []
    app.extensions["dcx_account_mailer"] = sent.append
    return sent


@pytest.fixture
def hashes(monkeypatch):
    """Count the password hashes a sign-up computes."""
    calls = []
    real = signup.hash_password

    def counting(password: str) -> str:
        calls.append(password)
        return real(password)

    monkeypatch.setattr(signup, "hash_password", counting)
    return calls


def _signup(client, email: str, name: str = "Nia"):
    return client.post(
        "/account/signup",
        data={"name": name, "email": email, "password": PASSWORD, "confirm": PASSWORD},
    )


@both_modes
def test_a_taken_and_a_free_address_get_the_same_answer_and_work(app, client, outbox, hashes):
    make_user(email="taken@example.com", name="Owner")
    taken = _signup(client, "Taken@Example.com")
    free = _signup(client, "free@example.com")
    assert (taken.status_code, taken.location) == (free.status_code, free.location)
    assert taken.status_code == 303 and free.location.endswith("/account/signup/sent")
    assert len(hashes) == 2  # one password hash each
    assert [m.to for m in outbox] == ["taken@example.com", "free@example.com"]  # one e-mail each
    assert taken.get_data() == free.get_data()
    page = client.get(free.location).get_data(as_text=True)
    assert "Check your e-mail" in page and "already" not in page
    # nobody was signed in, and the free address has no account until the link is followed
    assert "Owner" not in client.get("/").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_the_owner_of_a_taken_address_is_told_and_nothing_is_created(app, client, outbox):
    make_user(email="taken@example.com", name="Owner")
    _signup(client, "taken@example.com", name="Intruder")
    (note,) = outbox
    assert "already has one" in note.text and "https://site.example/account/signin" in note.text
    assert db.session.scalar(select(func.count()).select_from(SignUpRequest)) == 0


@both_modes
def test_the_link_creates_the_account_once_and_signs_in(app, client, outbox):
    _signup(client, "free@example.com", name="Nia")
    (mail,) = outbox
    link = re.search(r"https://site\.example(/account/signup/confirm/\S+)", mail.text).group(1)
    asked = client.get(link)
    assert asked.status_code == 200 and "Create my account" in asked.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == 0  # GET writes nothing
    done = client.post(link)
    assert done.status_code == 303
    assert db.session.execute(select(User.name).where(User.email == "free@example.com")).scalar()
    assert "Nia" in client.get("/").get_data(as_text=True)
    assert client.get(link).status_code == 404  # used once
    assert mask_secrets(f"GET {link} HTTP/1.1").endswith("/account/signup/confirm/*** HTTP/1.1")


def test_an_expired_link_creates_nothing(app, client, outbox):
    _signup(client, "free@example.com")
    token = outbox[0].text.split("/account/signup/confirm/")[1].split()[0]
    later = clock.now() + signup.CONFIRM_WITHIN + timedelta(minutes=1)
    assert signup.pending(token) is not None
    db.session.execute(
        SignUpRequest.__table__.update().values(created_at=clock.now() - signup.CONFIRM_WITHIN)
    )
    db.session.commit()
    response = client.post(f"/account/signup/confirm/{token}")
    assert response.status_code == 303 and response.location.endswith("/account/signin")
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    assert signup.sweep_signup_requests(later) == 1


@pytest.mark.parametrize("showcase", [True], ids=["showcase"])
def test_a_showcase_with_no_mail_server_shows_the_email_once_so_a_visitor_can_finish(
    app, client, outbox
):
    signed = _signup(client, "free@example.com", name="Nia")
    page = client.get(signed.location).get_data(as_text=True)
    assert "This showcase sends no e-mail" in page and "Finish creating your account" in page
    link = re.search(r'href="https://site\.example(/account/signup/confirm/[^"]+)"', page)
    assert link, page
    assert client.post(link.group(1)).status_code == 303
    assert "Nia" in client.get("/").get_data(as_text=True)
    # shown once: the page asked again is the plain answer
    again = client.get(signed.location).get_data(as_text=True)
    assert "Finish creating your account" not in again and "Check your e-mail" in again


@both_modes
def test_with_a_mail_server_the_email_is_only_sent(app, client, outbox, showcase):
    app.config["MAIL_SERVER"] = "mail.example"
    page = client.get(_signup(client, "free@example.com").location).get_data(as_text=True)
    assert "Finish creating your account" not in page and "Check your e-mail" in page
    assert len(outbox) == 1
