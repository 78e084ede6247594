"""The questionnaire form: one radio group per question, built from the questions as data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.validators import InputRequired

from dcx.platform.assessment import services
from dcx.platform.assessment.questions import SCALE, all_questions
from dcx.platform.forms import SelectChoice


class QuestionnaireForm(FlaskForm):
    """Every question of :mod:`~dcx.platform.assessment.questions` as a required 1-5 choice."""

    def answered(self) -> int:
        """How many questions hold a valid answer (for the progress shown on the page)."""
        return sum(1 for q in all_questions() if services.answer_value(self[q.id].data))

    def answers(self) -> dict[str, Any]:
        """The submitted answers by question id (raw; clean them with the services)."""
        return {q.id: self[q.id].data for q in all_questions()}


def _question_field(text) -> RadioField:
    return RadioField(
        text,
        choices=[SelectChoice(str(level.value), level.label) for level in SCALE],
        validators=[InputRequired(message=_l("Choose the answer closest to your organisation."))],
    )


for _question in all_questions():
    setattr(QuestionnaireForm, _question.id, _question_field(_question.text))


def draft_answers(data: Mapping[str, Any] | None) -> dict[str, str]:
    """The valid answers found in a saved draft, as the form's string choices."""
    found: dict[str, str] = {}
    for question in all_questions():
        value = services.answer_value((data or {}).get(question.id))
        if value is not None:
            found[question.id] = str(value)
    return found
