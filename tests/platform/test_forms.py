"""The shared form pieces: WTForms' own SelectChoice, the select field, adding an error,
required data."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form, SelectField, StringField
from wtforms.fields import choices
from wtforms.validators import DataRequired

from dcx.platform import forms
from dcx.platform.forms import SelectChoice, add_error, validated


class _Form(Form):
    name = StringField(validators=[DataRequired()])
    colour = SelectField(choices=[SelectChoice("red", "Red"), SelectChoice("blue", "Blue")])


def test_select_choice_is_the_wtforms_class_and_renders_its_label():
    assert SelectChoice is choices.SelectChoice
    form = _Form(MultiDict({"name": "Ana", "colour": "blue"}))
    assert form.validate()
    assert [
        (value, label, selected) for value, label, selected, _kw in form.colour.iter_choices()
    ] == [
        ("red", "Red", False),
        ("blue", "Blue", True),
    ]


def test_add_error_keeps_the_errors_validation_gave():
    form = _Form(MultiDict({"colour": "red"}))
    assert not form.validate()
    before = list(form.name.errors)
    add_error(form.name, "Taken.")
    assert form.name.errors == [*before, "Taken."]
    assert form.errors["name"] == [*before, "Taken."]


def test_add_error_works_on_a_field_not_validated_yet():
    form = _Form(MultiDict({"name": "Ana", "colour": "red"}))
    add_error(form.name, "Taken.")
    assert form.name.errors == ["Taken."]


def test_validated_returns_data_and_refuses_none():
    form = _Form(MultiDict({"name": "Ana", "colour": "red"}))
    assert form.validate()
    assert validated(form.name.data) == "Ana"
    assert validated(0.0) == 0.0
    with pytest.raises(ValueError, match="no data"):
        validated(None)


class _Choosing(Form):
    """A required select that opens on a real choice, and one that opens on a placeholder."""

    street = forms.SelectField(
        choices=[SelectChoice("1", "Main St"), SelectChoice("2", "High St")],
        validators=[DataRequired()],
    )
    professor = forms.SelectField(
        choices=[SelectChoice("", "Choose…"), SelectChoice("7", "Ada")],
        validators=[DataRequired()],
    )


def test_a_select_says_required_only_when_it_opens_on_a_placeholder():
    form = _Choosing()
    # HTML: a required select's first option must be an empty placeholder
    assert "required" not in form.street()
    assert "required" in form.professor()
    assert "required" not in form.street(required=True)  # as Bootstrap's render_field asks
    assert not _Choosing(MultiDict({"professor": "7"})).validate()  # the validators still hold


def test_a_long_select_writes_each_option_once_and_as_wtforms_does(monkeypatch):
    from wtforms import widgets

    zones = [SelectChoice(f"Zone/{n}", f"Zone {n} <{n}>") for n in range(300)]

    class Zones(Form):
        ours = forms.SelectField(choices=zones)
        theirs = SelectField(choices=zones)

    picked = Zones(MultiDict({"ours": "Zone/7", "theirs": "Zone/7"}))
    ours, theirs = str(picked.ours()), str(picked.theirs())
    assert ours.split(">", 1)[1] == theirs.split(">", 1)[1]  # the same options, escaped
    assert '<option selected value="Zone/7">Zone 7 &lt;7&gt;</option>' in ours
    written = []
    real = widgets.core.html_params
    monkeypatch.setattr(widgets.core, "html_params", lambda **kw: written.append(kw) or real(**kw))
    again = Zones(MultiDict({"ours": "Zone/8"}))
    html = str(again.ours())
    assert len(written) <= 3  # the select, and the two options whose selection changed
    assert '<option selected value="Zone/8">' in html and 'selected value="Zone/7"' not in html
