"""Scoring and storing maturity self-assessments.

The scoring functions are pure (answers in, numbers out) so they are tested without an app;
the storage functions add and flush, and the view commits.

Scoring: each answer is 1 (undeveloped) to 5 (systematic). A discipline's score is the mean
of its answers mapped linearly onto 0-100 (all 1s = 0, all 5s = 100); the overall score is
the mean of the discipline scores, so every discipline weighs the same whatever its number
of questions. Scores are whole numbers, rounded half up. The stage is the highest of
:data:`~dcx.platform.assessment.questions.STAGES` whose floor the score reaches.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from dcx.extensions import db
from dcx.platform.assessment.models import AssessmentRun
from dcx.platform.assessment.questions import (
    DISCIPLINES,
    HIGHEST,
    LOWEST,
    STAGES,
    STORIES_BY_DISCIPLINE,
    WEAK_BELOW,
    Discipline,
    Stage,
    all_questions,
)

MAX_RUNS_LISTED = 50


class IncompleteAnswers(ValueError):
    """Answers are missing or outside the scale; ``missing`` names the question ids."""

    def __init__(self, missing: Sequence[str]):
        super().__init__(f"{len(missing)} questions are unanswered")
        self.missing = list(missing)


@dataclass(frozen=True)
class Score:
    """What a set of answers scores: per discipline, overall, and the stage reached."""

    disciplines: dict[str, int]
    overall: int
    stage: Stage


@dataclass(frozen=True)
class StoryLink:
    """A demo story that shows a discipline done well: its vertical and whether it has a tour."""

    key: str
    title: str
    has_tour: bool


@dataclass(frozen=True)
class Recommendation:
    """A weak discipline and the stories to look at for it."""

    discipline: Discipline
    score: int
    stories: list[StoryLink] = field(default_factory=list)


def round_half_up(value: float) -> int:
    """Round to a whole number, halves upwards (Python's round() would round 12.5 to 12)."""
    return math.floor(value + 0.5)


def _exact_score(values: Sequence[int]) -> float:
    mean = sum(values) / len(values)
    return (mean - LOWEST) * 100 / (HIGHEST - LOWEST)


def answer_value(raw: Any) -> int | None:
    """An answer as an int on the scale, or None for anything else (empty, 0, 6, "x")."""
    if isinstance(raw, bool):
        return None
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        return None
    return value if LOWEST <= value <= HIGHEST else None


def clean_answers(raw: Mapping[str, Any]) -> dict[str, int]:
    """Every question's answer as an int 1-5; raises :class:`IncompleteAnswers` otherwise.

    Keys that are not questions are ignored.
    """
    answers: dict[str, int] = {}
    missing: list[str] = []
    for question in all_questions():
        value = answer_value(raw.get(question.id))
        if value is None:
            missing.append(question.id)
        else:
            answers[question.id] = value
    if missing:
        raise IncompleteAnswers(missing)
    return answers


def discipline_scores(answers: Mapping[str, int]) -> dict[str, int]:
    """Each discipline's 0-100 score from complete, clean answers."""
    return {
        d.key: round_half_up(_exact_score([answers[q.id] for q in d.questions]))
        for d in DISCIPLINES
    }


def overall_score(answers: Mapping[str, int]) -> int:
    """The mean of the (unrounded) discipline scores, 0-100."""
    exact = [_exact_score([answers[q.id] for q in d.questions]) for d in DISCIPLINES]
    return round_half_up(sum(exact) / len(exact))


def stage_for(score: float) -> Stage:
    """The maturity stage a 0-100 score reaches."""
    reached = STAGES[0]
    for stage in STAGES:
        if score >= stage.floor:
            reached = stage
    return reached


def stage_by_key(key: str) -> Stage:
    """The stage with this key (the first stage for an unknown one)."""
    return next((s for s in STAGES if s.key == key), STAGES[0])


def score(answers: Mapping[str, int]) -> Score:
    """Score complete, clean answers."""
    overall = overall_score(answers)
    return Score(discipline_scores(answers), overall, stage_for(overall))


def weak_disciplines(scores: Mapping[str, int], below: int = WEAK_BELOW) -> list[Discipline]:
    """Disciplines scoring under ``below``, weakest first (ties in questionnaire order)."""
    weak = [d for d in DISCIPLINES if scores.get(d.key, 0) < below]
    return sorted(weak, key=lambda d: scores.get(d.key, 0))


def recommendations(
    scores: Mapping[str, int],
    verticals: Iterable[Any],
    stories_by_discipline: Mapping[str, Sequence[str]] = STORIES_BY_DISCIPLINE,
    below: int = WEAK_BELOW,
) -> list[Recommendation]:
    """For each weak discipline, the loaded verticals whose stories show it done well.

    ``verticals`` are the loaded :class:`~dcx.verticals.Vertical` objects; keys in the
    mapping that are not loaded are skipped.
    """
    loaded = {v.key: v for v in verticals}
    result = []
    for d in weak_disciplines(scores, below):
        stories = [
            StoryLink(key, str(loaded[key].title), bool(loaded[key].tour))
            for key in stories_by_discipline.get(d.key, ())
            if key in loaded
        ]
        result.append(Recommendation(d, scores.get(d.key, 0), stories))
    return result


def changes(current: Mapping[str, int], previous: Mapping[str, int]) -> dict[str, int]:
    """Per discipline (and "overall" when both have it), current minus previous."""
    keys = [d.key for d in DISCIPLINES] + ["overall"]
    return {k: current[k] - previous[k] for k in keys if k in current and k in previous}


# --- storage ------------------------------------------------------------------------------


def new_access_key() -> str:
    """A random key that lets one browser session (and only it) reopen an anonymous run."""
    return secrets.token_urlsafe(32)


def create_run(user_id: int | None, answers: Mapping[str, int]) -> AssessmentRun:
    """Store a completed run with its scores; ``user_id`` None for an anonymous visitor."""
    result = score(answers)
    run = AssessmentRun(
        user_id=user_id,
        access_key=new_access_key(),
        answers=dict(answers),
        scores=result.disciplines,
        overall=result.overall,
        stage=result.stage.key,
    )
    db.session.add(run)
    db.session.flush()
    return run


def user_runs(user_id: int, limit: int = MAX_RUNS_LISTED) -> list[AssessmentRun]:
    """The customer's runs, newest first."""
    stmt = (
        select(AssessmentRun)
        .where(AssessmentRun.user_id == user_id)
        .order_by(AssessmentRun.created_at.desc(), AssessmentRun.id.desc())
        .limit(limit)
    )
    return list(db.session.execute(stmt).scalars())


def anonymous_runs(keys: Mapping[str, str]) -> list[AssessmentRun]:
    """The anonymous runs a browser session holds keys for (``{run id: access key}``)."""
    ids = [int(k) for k in keys if str(k).isdigit()]
    if not ids:
        return []
    stmt = (
        select(AssessmentRun)
        .where(AssessmentRun.id.in_(ids), AssessmentRun.user_id.is_(None))
        .order_by(AssessmentRun.created_at.desc(), AssessmentRun.id.desc())
    )
    return [
        run
        for run in db.session.execute(stmt).scalars()
        if secrets.compare_digest(run.access_key, str(keys.get(str(run.id), "")))
    ]


def claim_runs(keys: Mapping[str, str], user_id: int) -> int:
    """Give the anonymous runs a browser holds keys for to the account signing in there."""
    runs = anonymous_runs(keys)
    for run in runs:
        run.user_id = user_id
    db.session.flush()
    return len(runs)


def run_scores(run: AssessmentRun) -> dict[str, int]:
    """A run's discipline scores plus "overall", for comparing two runs."""
    return {**{k: int(v) for k, v in run.scores.items()}, "overall": run.overall}
