"""The drafts services, called directly: save, load, discard, expiry, secrets, limits, links."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from dcx.extensions import db
from dcx.platform import clock
from dcx.platform.drafts import services
from dcx.platform.drafts.models import Draft
from tests.conftest import make_user

KEY = "banking.savings"
SECRET = "test-secret"


@pytest.fixture
def alex(app):
    return make_user("alex@example.com", "Alex")


@pytest.fixture
def maria(app):
    return make_user("maria@example.com", "Maria")


def _count() -> int:
    return db.session.execute(select(func.count()).select_from(Draft)).scalar_one()


def test_a_saved_draft_loads_back_with_its_page_and_device(alex):
    services.save(
        alex.id, KEY, {"goal": "Bike", "amount": 300}, url="/banking/open", device="laptop"
    )
    db.session.commit()

    draft = services.load(alex.id, KEY)
    assert draft.data == {"goal": "Bike", "amount": "300"}
    assert draft.url == "/banking/open"
    assert draft.device == "laptop"
    assert abs(clock.now() - draft.updated_at) < timedelta(seconds=5)


def test_saving_again_replaces_the_draft_and_keeps_its_page(alex):
    services.save(alex.id, KEY, {"goal": "Bike"}, url="/banking/open", device="laptop")
    services.save(alex.id, KEY, {"goal": "Car", "step": "2"}, device="phone")

    assert _count() == 1
    draft = services.load(alex.id, KEY)
    assert draft.data == {"goal": "Car", "step": "2"}
    assert draft.url == "/banking/open"
    assert draft.device == "phone"


def test_drafts_are_per_customer_and_per_form(alex, maria):
    services.save(alex.id, KEY, {"goal": "Bike"})
    services.save(alex.id, "government.repair", {"street": "Main"})
    services.save(maria.id, KEY, {"goal": "Piano"})

    assert services.load(alex.id, KEY).data == {"goal": "Bike"}
    assert services.load(maria.id, KEY).data == {"goal": "Piano"}
    services.discard(maria.id, KEY)
    assert services.load(maria.id, KEY) is None
    assert services.load(alex.id, KEY).data == {"goal": "Bike"}
    assert _count() == 2


def test_discard_of_a_missing_draft_is_harmless(alex):
    services.discard(alex.id, KEY)
    assert services.load(alex.id, KEY) is None


def test_drafts_expire_after_30_days(alex, maria):
    services.save(alex.id, KEY, {"goal": "Bike"})
    db.session.commit()

    clock.advance(timedelta(days=29))
    assert services.load(alex.id, KEY) is not None
    services.save(maria.id, KEY, {"goal": "Piano"})  # touched later: lives longer
    db.session.commit()

    clock.advance(timedelta(days=2))
    assert services.load(alex.id, KEY) is None
    assert services.expire(clock.now()) == 1
    db.session.commit()
    assert _count() == 1
    assert services.load(maria.id, KEY).data == {"goal": "Piano"}
    assert services.expire(clock.now()) == 0  # a rerun deletes nothing more


def test_the_expiry_job_is_registered_and_runs(app, alex):
    from dcx.platform.jobs.runner import run_due_jobs

    spec = next(j for j in app.extensions["dcx_platform_jobs"] if j.id == "platform.expire_drafts")
    assert spec.function is services.expire
    services.save(alex.id, KEY, {"goal": "Bike"})
    db.session.commit()
    clock.advance(timedelta(days=31))
    db.session.commit()
    run_due_jobs()
    db.session.commit()
    assert _count() == 0


def test_saving_over_an_expired_draft_reuses_its_row(alex):
    services.save(alex.id, KEY, {"goal": "Bike"})
    db.session.commit()
    clock.advance(timedelta(days=40))

    services.save(alex.id, KEY, {"goal": "Car"})
    db.session.commit()
    assert _count() == 1
    assert services.load(alex.id, KEY).data == {"goal": "Car"}


def test_secrets_are_never_stored(alex):
    services.save(
        alex.id,
        KEY,
        {
            "password": "hunter2hunter2",
            "new_password": "x",
            "confirmPassword": "x",
            "csrf_token": "abc",
            "card_pin": "1234",
            "cvv": "999",
            "shipping_address": "1 Main St",
            "opinion": "great",
            "spinach": "yes",
        },
    )
    db.session.commit()
    stored = db.session.execute(select(Draft.data)).scalar_one()
    assert stored == {"shipping_address": "1 Main St", "opinion": "great", "spinach": "yes"}


@pytest.mark.parametrize(
    "data",
    [
        {f"field{i}": "x" for i in range(services.MAX_FIELDS + 1)},
        {"notes": "x" * (services.MAX_VALUE_LENGTH + 1)},
        {"nested": {"a": "b"}},
        {"nothing": None},
        {"tags": ["a"] * (services.MAX_LIST_ITEMS + 1)},
        {"": "no name"},
        {f"f{i}": "x" * 4000 for i in range(20)},  # 80 KB in all
    ],
    ids=["fields", "long", "nested", "null", "list", "noname", "total"],
)
def test_oversized_or_odd_drafts_are_refused(alex, data):
    with pytest.raises(services.DraftError):
        services.save(alex.id, KEY, data)
    assert _count() == 0


@pytest.mark.parametrize("key", ["", "nodot", "Banking.savings", "a." + "x" * 61, "../etc"])
def test_unknown_form_keys_are_refused(alex, key):
    with pytest.raises(services.DraftError):
        services.save(alex.id, key, {"a": "b"})


@pytest.mark.parametrize(
    "url", ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:x", "/" * 600]
)
def test_only_local_pages_are_remembered(alex, url):
    services.save(alex.id, KEY, {"a": "b"}, url=url)
    assert services.load(alex.id, KEY).url == ""


@pytest.mark.parametrize(
    "agent,label",
    [
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Safari/604.1",
            "phone",
        ),
        ("Mozilla/5.0 (Linux; Android 14; Pixel 8) Chrome/120.0 Mobile Safari/537.36", "phone"),
        ("Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) Safari/604.1", "tablet"),
        ("Mozilla/5.0 (Linux; Android 13; SM-X700) Chrome/120.0 Safari/537.36", "tablet"),
        ("Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/140.0 Safari/537.36", "laptop"),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) Safari/605.1.15", "laptop"),
        ("", "laptop"),
        (None, "laptop"),
    ],
)
def test_the_device_is_named_from_the_user_agent(agent, label):
    assert services.device_label(agent) == label


def test_a_handoff_token_names_the_customer_and_form(app):
    token = services.handoff_token(SECRET, 7, KEY)
    assert services.read_handoff_token(SECRET, token) == (7, KEY)


def test_a_handoff_token_expires_after_an_hour_on_the_showcase_clock(app):
    token = services.handoff_token(SECRET, 7, KEY)
    clock.advance(timedelta(minutes=59))
    assert services.read_handoff_token(SECRET, token) == (7, KEY)
    clock.advance(timedelta(minutes=2))
    with pytest.raises(services.HandoffExpired):
        services.read_handoff_token(SECRET, token)


@pytest.mark.parametrize("mangle", ["tamper", "other_key", "garbage"])
def test_a_tampered_handoff_token_is_refused(app, mangle):
    token = services.handoff_token(SECRET, 7, KEY)
    if mangle == "tamper":
        token = services.handoff_token(SECRET, 8, KEY).split(".")[0] + "." + token.split(".", 1)[1]
    elif mangle == "other_key":
        token = services.handoff_token("another-secret", 7, KEY)
    else:
        token = "not-a-token"
    with pytest.raises(services.HandoffError) as info:
        services.read_handoff_token(SECRET, token)
    assert not isinstance(info.value, services.HandoffExpired)


def test_two_devices_saving_the_first_draft_at_once_share_one_row(alex, monkeypatch):
    services.save(alex.id, KEY, {"goal": "Bike"}, device="laptop")
    db.session.commit()
    # The phone looked before the laptop's row was committed, so it tries to insert too.
    real_row = services._row
    calls = []

    def _row_missed_once(user_id, form_key):
        calls.append(form_key)
        return None if len(calls) == 1 else real_row(user_id, form_key)

    monkeypatch.setattr(services, "_row", _row_missed_once)
    services.save(alex.id, KEY, {"goal": "Car"}, device="phone")
    db.session.commit()

    assert _count() == 1
    draft = real_row(alex.id, KEY)
    assert (draft.data, draft.device) == ({"goal": "Car"}, "phone")
