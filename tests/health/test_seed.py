"""The health seed: Maria's story, and seeding twice changes nothing."""

from sqlalchemy import func, select

from dcx.extensions import db
from dcx.health import care_team, medication, models, panel
from dcx.health import goals as health_goals
from dcx.platform import clock
from dcx.platform.community.models import CommunityPost, CommunitySpace
from dcx.platform.showcase.loader import seed_showcase
from dcx.platform.timeline.models import Event

TABLES = [
    models.HealthCareTeamMember,
    models.HealthPatientProfile,
    models.HealthVisit,
    models.HealthGoal,
    models.HealthObservation,
    models.HealthMedication,
    models.HealthDose,
    models.HealthExercise,
    models.HealthModuleProgress,
]


COMMUNITY = [CommunitySpace, CommunityPost]  # the health rows of the shared community


def _counts():
    counts = {
        m.__tablename__: db.session.execute(select(func.count()).select_from(m)).scalar_one()
        for m in TABLES
    }
    spaces = select(CommunitySpace.id).where(CommunitySpace.vertical == "health")
    counts["community_space"] = db.session.execute(
        select(func.count()).select_from(spaces.subquery())
    ).scalar_one()
    counts["community_post"] = db.session.execute(
        select(func.count(CommunityPost.id)).where(CommunityPost.space_id.in_(spaces))
    ).scalar_one()
    return counts


def test_seed_twice_changes_nothing(app):
    registry = app.extensions["dcx_verticals"]
    seed_showcase(registry)
    db.session.commit()
    first = _counts()
    assert all(first[m.__tablename__] > 0 for m in [*TABLES, *COMMUNITY]), first
    seed_showcase(registry)
    db.session.commit()
    assert _counts() == first


def test_seeded_story_is_coherent(app):
    seed_showcase(app.extensions["dcx_verticals"])
    db.session.commit()
    from dcx.platform.accounts.services import find_user

    maria, doc = find_user("maria@dcx.example"), find_user("clinician@dcx.example")
    assert care_team.care_team_ids(maria.id) == [doc.id]
    rows = panel.panel(doc.id)
    assert rows[0].patient.id == maria.id and rows[0].last_bp
    pdc = medication.adherence(maria.id)
    assert pdc is not None and 0.5 < pdc <= 1
    goal = next(g for g in health_goals.goals_of(maria.id) if g.measure == "systolic")
    assert 0 < health_goals.goal_view(goal).progress < 1


def test_scale_gives_each_synthetic_customer_a_care_history(app):
    from dcx.platform.showcase.loader import scale_showcase

    registry = app.extensions["dcx_verticals"]
    seed_showcase(registry, "default", only=("health",))
    db.session.commit()
    assert scale_showcase([registry.get("health")], "default", 5, batch=3) == 5
    from dcx.platform.accounts.models import User

    doc = db.session.execute(select(User).where(User.email == "clinician@dcx.example")).scalar_one()
    synthetic = (
        db.session.execute(select(User).where(User.email.like("%@scale.dcx.example")))
        .scalars()
        .all()
    )
    assert len(synthetic) == 5
    for user in synthetic:
        assert care_team.care_team_ids(user.id) == [doc.id]
        goals = health_goals.goals_of(user.id)
        assert any(g.measure == "exercise_minutes" for g in goals)
        readings = health_goals.measure_values(user.id, "systolic", days=40)
        assert len(readings) >= 5 and all(90 < v < 180 for _, v in readings)
        assert health_goals.current_value(user.id, "weight") is not None
        if any(g.measure in ("systolic", "glucose") for g in goals):
            pdc = medication.adherence(user.id)
            assert pdc is not None and 0.5 < pdc <= 1
    assert panel.panel(doc.id)  # the synthetic patients reach the clinician's panel
    _assert_the_private_timeline_tells_their_care([u.id for u in synthetic])
    before = _counts()
    events = db.session.execute(select(func.count(Event.id))).scalar()
    scale_showcase([registry.get("health")], "default", 5, batch=3)
    assert _counts() == before
    assert db.session.execute(select(func.count(Event.id))).scalar() == events


def _assert_the_private_timeline_tells_their_care(ids: list[int]) -> None:
    """The visit, each goal agreed, each medicine prescribed and each module completed is one
    private event, as record_visit, set_goal, prescribe and submit_quiz write it."""
    from dcx.health.learning import MODULES

    for patient_id in ids:
        visit = panel.visits_of(patient_id)[0]
        expected = {f"health.visit:{visit.id}": ("Visit with your care team", visit.occurred_at)}
        for goal in health_goals.goals_of(patient_id):
            label = health_goals.MEASURES[goal.measure].label
            expected[f"health.goal_set:{goal.id}"] = (
                f"New goal: {label} to {health_goals.format_value(goal.target)}",
                goal.created_at,
            )
        for med in medication.medications_of(patient_id):
            expected[f"health.medication:{med.id}"] = (f"Medication: {med.name}", visit.occurred_at)
        for done in db.session.execute(
            select(models.HealthModuleProgress).where(
                models.HealthModuleProgress.patient_id == patient_id,
                models.HealthModuleProgress.completed_at.is_not(None),
            )
        ).scalars():
            title = MODULES[done.module].title
            expected[f"health.module:{done.module}"] = (f"Completed: {title}", done.completed_at)
        events = db.session.execute(select(Event).where(Event.user_id == patient_id)).scalars()
        stored = {e.key: (e.subject, e.occurred_at) for e in events if e.private}
        assert {k: s for k, (s, _) in stored.items()} == {k: s for k, (s, _) in expected.items()}
        for key, (_, at) in stored.items():
            happened = expected[key][1]
            # a module finished later today is on the timeline as of the scale run, not ahead
            assert at == happened or (at < happened and at <= clock.now()), key
        assert db.session.execute(
            select(func.count(Event.id)).where(Event.user_id == patient_id)
        ).scalar() == len(stored)  # every one of them private
