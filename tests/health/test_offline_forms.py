"""The patient's actions on the move are marked to wait on the phone when it is offline."""

import pytest


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/health/vitals", "health.vital"),
        ("/health/food", "health.meal"),
        ("/health/exercise", "health.exercise"),
    ],
)
def test_logging_forms_queue_offline(client, customer, path, kind):
    body = client.get(path).get_data(as_text=True)
    assert f'data-offline-queue="{kind}"' in body
