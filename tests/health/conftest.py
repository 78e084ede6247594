"""Health fixtures: a patient, their clinician on the care team, and outsiders."""

from __future__ import annotations

import pytest

from dcx.extensions import db
from dcx.health import care_team
from tests.conftest import AuthActions, make_user


@pytest.fixture
def clinician(app):
    """A health clinician."""
    return make_user("doc@example.com", "Dr. Doc", role="staff", department="health")


@pytest.fixture
def patient(app, clinician):
    """A patient with ``clinician`` on the care team."""
    user = make_user("pat@example.com", "Pat Patient")
    care_team.add_to_care_team(user.id, clinician.id)
    db.session.commit()
    return user


def login(app, user):
    """A new client signed in as ``user``."""
    c = app.test_client()
    AuthActions(c).login(user.email)
    return c


@pytest.fixture
def patient_client(app, patient):
    """The patient, signed in."""
    return login(app, patient)


@pytest.fixture
def clinician_client(app, clinician):
    """The clinician, signed in."""
    return login(app, clinician)
