"""The health seed: Maria's story, and seeding twice changes nothing."""

from sqlalchemy import func, select

from dcx.extensions import db
from dcx.health import models, services
from dcx.platform.showcase.loader import seed_showcase

TABLES = [
    models.CareTeamMember,
    models.PatientProfile,
    models.Visit,
    models.Goal,
    models.Observation,
    models.Medication,
    models.Dose,
    models.Exercise,
    models.ModuleProgress,
    models.Group,
    models.Post,
]


def _counts():
    return {
        m.__tablename__: db.session.execute(select(func.count()).select_from(m)).scalar_one()
        for m in TABLES
    }


def test_seed_twice_changes_nothing(app):
    registry = app.extensions["dcx_verticals"]
    seed_showcase(registry)
    db.session.commit()
    first = _counts()
    assert all(first[m.__tablename__] > 0 for m in TABLES), first
    seed_showcase(registry)
    db.session.commit()
    assert _counts() == first


def test_seeded_story_is_coherent(app):
    seed_showcase(app.extensions["dcx_verticals"])
    db.session.commit()
    from dcx.platform.accounts.services import find_user

    maria, doc = find_user("maria@dcx.example"), find_user("clinician@dcx.example")
    assert services.care_team_ids(maria.id) == [doc.id]
    rows = services.panel(doc.id)
    assert rows[0].patient.id == maria.id and rows[0].last_bp
    pdc = services.adherence(maria.id)
    assert pdc is not None and 0.5 < pdc <= 1
    goal = next(g for g in services.goals_of(maria.id) if g.measure == "systolic")
    assert 0 < services.goal_view(goal).progress < 1
