"""Scoring of the maturity self-assessment: pure functions, edge cases and stage thresholds."""

import pytest

from dcx.platform.assessment import services
from dcx.platform.assessment.questions import (
    DISCIPLINES,
    STAGES,
    STORIES_BY_DISCIPLINE,
    WEAK_BELOW,
    all_questions,
)
from dcx.verticals import TourStep


def _all(value: int) -> dict[str, int]:
    return {q.id: value for q in all_questions()}


def test_every_discipline_has_four_to_six_questions_with_unique_ids():
    ids = [q.id for q in all_questions()]
    assert len(ids) == len(set(ids))
    assert {d.key for d in DISCIPLINES} == {
        "strategy",
        "customers",
        "design",
        "measurement",
        "governance",
        "culture",
    }
    assert all(4 <= len(d.questions) <= 6 for d in DISCIPLINES)
    assert set(STORIES_BY_DISCIPLINE) == {d.key for d in DISCIPLINES}


def test_all_ones_score_zero_and_are_initial():
    result = services.score(_all(1))
    assert result.disciplines == {d.key: 0 for d in DISCIPLINES}
    assert result.overall == 0
    assert result.stage.key == "initial"


def test_all_fives_score_a_hundred_and_are_optimising():
    result = services.score(_all(5))
    assert set(result.disciplines.values()) == {100}
    assert result.overall == 100
    assert result.stage.key == "optimising"


def test_all_threes_sit_in_the_middle():
    result = services.score(_all(3))
    assert set(result.disciplines.values()) == {50}
    assert result.stage.key == "defined"


def test_mixed_answers_score_each_discipline_on_its_own_mean():
    answers = _all(1)
    strategy = DISCIPLINES[0]
    # strategy: 5, 4, 3, 2 -> mean 3.5 -> (3.5 - 1) / 4 = 62.5 -> 63 (half up)
    for q, value in zip(strategy.questions, (5, 4, 3, 2), strict=False):
        answers[q.id] = value
    # culture: all 4 -> 75
    for q in DISCIPLINES[-1].questions:
        answers[q.id] = 4
    scores = services.discipline_scores(answers)
    assert scores["strategy"] == 63
    assert scores["culture"] == 75
    assert scores["design"] == 0
    # overall is the mean of the exact discipline scores: (62.5 + 75) / 6 = 22.9 -> 23
    assert services.overall_score(answers) == 23
    assert services.score(answers).stage.key == "developing"


def test_one_step_up_in_one_answer_moves_a_discipline_by_a_sixteenth():
    answers = _all(1)
    answers[DISCIPLINES[1].questions[0].id] = 2  # mean 1.25 -> 6.25 -> 6
    assert services.discipline_scores(answers)["customers"] == 6
    answers[DISCIPLINES[1].questions[1].id] = 2  # mean 1.5 -> 12.5 -> 13 (half up)
    assert services.discipline_scores(answers)["customers"] == 13


@pytest.mark.parametrize(
    "score,stage",
    [
        (0, "initial"),
        (19, "initial"),
        (19.99, "initial"),
        (20, "developing"),
        (39, "developing"),
        (40, "defined"),
        (59, "defined"),
        (60, "managed"),
        (79, "managed"),
        (80, "optimising"),
        (100, "optimising"),
    ],
)
def test_stage_thresholds(score, stage):
    assert services.stage_for(score).key == stage


def test_stages_start_at_zero_and_rise():
    floors = [s.floor for s in STAGES]
    assert floors[0] == 0
    assert floors == sorted(floors) and len(set(floors)) == len(floors)


def test_round_half_up():
    assert services.round_half_up(12.5) == 13
    assert services.round_half_up(12.49) == 12
    assert services.round_half_up(0) == 0


@pytest.mark.parametrize("raw", ["", None, "0", "6", "x", "2.5", True, [], "-1"])
def test_answers_outside_the_scale_are_refused(raw):
    assert services.answer_value(raw) is None


def test_clean_answers_names_every_missing_question():
    raw = {k: str(v) for k, v in _all(3).items()}
    first, second = all_questions()[0].id, all_questions()[5].id
    raw[first] = ""
    raw[second] = "9"
    raw["not_a_question"] = "3"
    with pytest.raises(services.IncompleteAnswers) as caught:
        services.clean_answers(raw)
    assert caught.value.missing == [first, second]


def test_clean_answers_returns_ints_for_every_question():
    answers = services.clean_answers({k: str(v) for k, v in _all(4).items()})
    assert answers == _all(4)


class _Vertical:
    def __init__(self, key, title, tour=()):
        self.key, self.title, self.tour = key, title, tour


def test_recommendations_cover_weak_disciplines_weakest_first_and_skip_unloaded_stories():
    scores = {d.key: 100 for d in DISCIPLINES}
    scores["measurement"] = 25
    scores["strategy"] = 10
    scores["design"] = WEAK_BELOW  # exactly at the threshold is not weak
    loaded = [
        _Vertical("banking", "Banking", tour=(TourStep("t", "n", "banking.index"),)),
        _Vertical("health", "Health"),
    ]
    recs = services.recommendations(scores, loaded)
    assert [r.discipline.key for r in recs] == ["strategy", "measurement"]
    strategy, measurement = recs
    # strategy maps to banking and automotive; automotive is not loaded here
    assert [(s.key, s.has_tour) for s in strategy.stories] == [("banking", True)]
    assert [(s.key, s.has_tour) for s in measurement.stories] == [("health", False)]
    assert strategy.score == 10


def test_no_recommendations_when_nothing_is_weak():
    assert services.recommendations({d.key: 80 for d in DISCIPLINES}, []) == []


def test_changes_per_discipline_and_overall():
    current = {"strategy": 50, "design": 20, "overall": 40}
    previous = {"strategy": 25, "design": 30, "overall": 40}
    assert services.changes(current, previous) == {"strategy": 25, "design": -10, "overall": 0}


def test_create_run_stores_answers_and_scores(app, users):
    from dcx.extensions import db

    user = users()
    run = services.create_run(user.id, _all(5))
    db.session.commit()
    assert run.overall == 100 and run.stage == "optimising"
    assert run.scores["governance"] == 100
    assert len(run.access_key) >= 32
    assert services.user_runs(user.id) == [run]
    assert services.anonymous_runs({str(run.id): run.access_key}) == []  # owned: not anonymous


def test_anonymous_runs_need_the_matching_key(app):
    from dcx.extensions import db

    run = services.create_run(None, _all(2))
    db.session.commit()
    assert services.anonymous_runs({str(run.id): run.access_key}) == [run]
    assert services.anonymous_runs({str(run.id): "guess"}) == []
    assert services.anonymous_runs({"nope": "x"}) == []
