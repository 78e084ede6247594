"""The drafts endpoints and the "continue on my phone" link, through the test client."""

import io
import re
from datetime import timedelta

import pytest
from flask import render_template_string
from flask_login import login_user

from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.drafts import services
from tests.conftest import PASSWORD, AuthActions, make_user

KEY = "test.profile"
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Safari/604.1"


@pytest.fixture
def other(app):
    """A second customer, signed in on a client of their own."""
    user = make_user("maria@example.com", "Maria")
    c = app.test_client()
    AuthActions(c).login(user.email)
    return c, user


def _save(client, data, url="/test/profile", **headers):
    return client.post(f"/drafts/{KEY}", json={"data": data, "url": url}, headers=headers)


def _link(app, user, form_key=KEY) -> str:
    token = services.handoff_token(app.config["SECRET_KEY"], user.id, form_key)
    return f"/d/{token}"


def test_signed_out_visitors_get_401_json(client):
    for method in ("get", "post", "delete"):
        response = getattr(client, method)(f"/drafts/{KEY}", json={"data": {}})
        assert response.status_code == 401
        assert response.is_json


def test_no_draft_answers_204_so_a_first_visit_logs_no_error(client, customer):
    response = client.get(f"/drafts/{KEY}")
    assert response.status_code == 204
    assert response.get_data() == b""


def test_save_then_load_returns_the_fields_time_and_device(client, customer):
    response = _save(client, {"name": "Casey", "colours": ["red", "blue"], "step": "2"})
    assert response.status_code == 200
    assert response.json["device"] == "laptop"
    assert response.json["messages"]["saved"] == "Draft saved {time} on {device}"

    body = client.get(f"/drafts/{KEY}").json
    assert body["data"] == {"name": "Casey", "colours": ["red", "blue"], "step": "2"}
    assert body["device"] == "laptop"
    assert body["device_label"] == "laptop"
    assert body["updated_at"].startswith(clock.now().date().isoformat())
    assert services.load(customer.id, KEY).url == "/test/profile"


def test_the_device_comes_from_the_user_agent(client, customer):
    assert _save(client, {"name": "x"}, **{"User-Agent": IPHONE}).json["device"] == "phone"
    assert client.get(f"/drafts/{KEY}").json["device"] == "phone"


def test_passwords_and_csrf_tokens_are_not_stored(client, customer):
    _save(client, {"name": "Casey", "password": "secret secret", "csrf_token": "t"})
    assert client.get(f"/drafts/{KEY}").json["data"] == {"name": "Casey"}


def test_delete_discards_the_draft(client, customer):
    _save(client, {"name": "Casey"})
    assert client.delete(f"/drafts/{KEY}").status_code == 204
    assert client.get(f"/drafts/{KEY}").status_code == 204
    assert client.delete(f"/drafts/{KEY}").status_code == 204  # twice is harmless


def test_another_customer_cannot_read_change_or_delete_my_draft(client, customer, other):
    other_client, maria = other
    _save(client, {"name": "Casey"})

    assert other_client.get(f"/drafts/{KEY}").status_code == 204
    assert other_client.delete(f"/drafts/{KEY}").status_code == 204
    assert _save(other_client, {"name": "Maria"}).status_code == 200

    assert client.get(f"/drafts/{KEY}").json["data"] == {"name": "Casey"}
    assert other_client.get(f"/drafts/{KEY}").json["data"] == {"name": "Maria"}
    assert services.load(customer.id, KEY).data == {"name": "Casey"}
    assert services.load(maria.id, KEY).data == {"name": "Maria"}


def test_a_draft_over_64_kb_answers_413_json(client, customer):
    response = _save(client, {f"f{i}": "x" * 4000 for i in range(17)})
    assert response.status_code == 413
    assert response.is_json
    assert client.get(f"/drafts/{KEY}").status_code == 204


def test_a_chunked_body_over_64_kb_answers_413_json(client, customer):
    big = b'{"data": {"a": "' + b"x" * 70_000 + b'"}}'
    response = client.post(
        f"/drafts/{KEY}",
        input_stream=io.BytesIO(big),
        headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
    )
    assert response.status_code in (400, 413)
    assert response.is_json


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        b'{"data": "text"}',
        b'{"data": {"a": {"b": 1}}}',
        b'{"data": {"a": null}}',
        b'{"nothing": 1}',
        b'{"data": {"notes": "' + b"x" * 5001 + b'"}}',
    ],
    ids=["text", "list", "datatext", "nested", "null", "nodata", "long"],
)
def test_bad_data_answers_400_json(client, customer, body):
    response = client.post(f"/drafts/{KEY}", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.is_json
    assert client.get(f"/drafts/{KEY}").status_code == 204


def test_an_unknown_form_key_answers_400_json(client, customer):
    response = client.post("/drafts/NoDot", json={"data": {"a": "b"}})
    assert response.status_code == 400
    assert response.is_json


def test_loading_a_draft_takes_few_queries(client, customer, query_counter):
    _save(client, {"name": "Casey"})
    with query_counter() as q:
        assert client.get(f"/drafts/{KEY}").status_code == 200
    assert q() <= 4  # the session, the clock offset, the showcase (its language), the draft


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_saving_needs_the_csrf_token_in_a_header(app, client):
    make_user()
    signin = client.get("/account/signin").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', signin)
    token = token or re.search(r'name="csrf_token" value="([^"]+)"', signin)
    client.post(
        "/account/signin",
        data={"email": "customer@example.com", "password": PASSWORD, "csrf_token": token[1]},
    )
    refused = client.post(f"/drafts/{KEY}", json={"data": {"name": "Casey"}})
    assert refused.status_code == 400
    assert refused.is_json
    assert "CSRF" in refused.json["error"]

    page = client.get("/account/profile").get_data(as_text=True)
    fresh = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]
    accepted = client.post(
        f"/drafts/{KEY}", json={"data": {"name": "Casey"}}, headers={"X-CSRFToken": fresh}
    )
    assert accepted.status_code == 200


def test_the_script_is_served_and_loaded_on_every_page(client):
    page = client.get("/").get_data(as_text=True)
    # under a name holding a hash of its content (drafts.0123456789ab.js), cached for a year
    found = re.search(r'<script src="(/drafts/static/drafts\.[0-9a-f]{12}\.js)" defer>', page)
    assert found, page
    script = client.get(found.group(1))
    assert script.status_code == 200
    assert "dcx:draft-restored" in script.get_data(as_text=True)


# --- the "continue on my phone" link --------------------------------------------------------


def test_my_link_opens_the_page_of_my_draft(app, client, customer):
    _save(client, {"name": "Casey"}, url="/test/profile?from=laptop")
    response = client.get(_link(app, customer))
    assert response.status_code == 302
    assert response.headers["Location"] == "/test/profile?from=laptop"


def test_the_link_asks_a_signed_out_visitor_to_sign_in_first(app, client):
    casey = make_user()
    services.save(casey.id, KEY, {"name": "Casey"}, url="/test/profile")
    db.session.commit()
    link = _link(app, casey)

    response = client.get(link)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/signin?next=")
    assert "%2Fd%2F" in response.headers["Location"]

    signed_in = client.post(
        response.headers["Location"], data={"email": casey.email, "password": PASSWORD}
    )
    assert signed_in.headers["Location"] == link
    assert client.get(link).headers["Location"] == "/test/profile"


def test_my_link_opened_by_another_customer_answers_404(app, client, customer, other):
    other_client, _maria = other
    _save(client, {"name": "Casey"})
    _save(other_client, {"name": "Maria"})  # Maria has a draft of the same form: still 404
    response = other_client.get(_link(app, customer))
    assert response.status_code == 404
    assert "We could not find that page." in response.get_data(as_text=True)


def test_a_link_to_a_discarded_draft_answers_404(app, client, customer):
    _save(client, {"name": "Casey"})
    link = _link(app, customer)
    client.delete(f"/drafts/{KEY}")
    assert client.get(link).status_code == 404


def test_a_link_to_a_draft_without_a_page_answers_404(app, client, customer):
    _save(client, {"name": "Casey"}, url="https://evil.example/")
    assert client.get(_link(app, customer)).status_code == 404


def test_a_tampered_link_answers_400_with_a_clear_page(app, client, customer):
    _save(client, {"name": "Casey"})
    token = _link(app, customer)[3:]
    _payload, rest = token.split(".", 1)
    forged = services.handoff_token(app.config["SECRET_KEY"], customer.id + 1, KEY).split(".")[0]
    for bad in (f"{forged}.{rest}", token[:-3] + "AAA", "nonsense"):
        response = client.get(f"/d/{bad}")
        assert response.status_code == 400
        assert "This link is not valid." in response.get_data(as_text=True)


def test_an_expired_link_answers_410_with_a_clear_page(app, client, customer):
    _save(client, {"name": "Casey"})
    link = _link(app, customer)
    clock.advance(timedelta(hours=1, minutes=1))
    db.session.commit()
    response = client.get(link)
    assert response.status_code == 410
    page = response.get_data(as_text=True)
    assert "This link has expired." in page
    assert "Continue on my phone" in page


def test_the_macro_shows_a_qr_code_and_the_short_link(app, customer):
    template = '{% from "drafts/macros.html" import continue_on_phone %}{{ continue_on_phone(k) }}'
    with app.test_request_context("/test/profile"):
        login_user(customer)
        html = render_template_string(template, k=KEY)
    # on the configured base URL, not the request's host: a phone must reach it
    link = re.search(r"data-draft-handoff-link>(http://127.0.0.1:5000/d/[^<]+)<", html)[1]
    assert services.read_handoff_token(app.config["SECRET_KEY"], link.rsplit("/", 1)[1]) == (
        customer.id,
        KEY,
    )
    assert '<svg role="img" aria-label="QR code: scan it with your phone' in html
    assert "<path" in html
    assert "Continue on my phone" in html


def test_the_macro_shows_nothing_to_a_signed_out_visitor(app):
    template = '{% from "drafts/macros.html" import continue_on_phone %}{{ continue_on_phone(k) }}'
    with app.test_request_context("/test/profile"):
        assert render_template_string(template, k=KEY).strip() == ""
