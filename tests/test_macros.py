"""The shared template pieces: one section navigation, one POST button, one form."""

import re

import pytest
from flask import render_template_string

from tests.conftest import AuthActions, make_user


def _current_links(html: str) -> list[str]:
    return re.findall(r'<a [^>]*aria-current="page"[^>]*>([^<]*(?:<svg.*?</svg>)?[^<]*)</a>', html)


@pytest.mark.parametrize(
    ("path", "label", "who"),
    [
        ("/banking/goals", "Goals", {}),
        ("/retail/books", "Books", {}),
        ("/government/staff", "Traffic", {"role": "staff", "department": "government"}),
    ],
)
def test_a_section_nav_marks_the_page_you_are_on_once(app, path, label, who):
    make_user(email="someone@example.com", **who)
    client = app.test_client()
    AuthActions(client).login("someone@example.com")
    html = client.get(path).get_data(as_text=True)
    current = _current_links(html)
    assert len(current) == 1, current
    assert current[0].strip().endswith(label)


def test_a_post_button_is_a_form_with_its_csrf_token_and_question(app):
    app.config["WTF_CSRF_ENABLED"] = True
    with app.test_request_context("/"):
        html = render_template_string(
            '{% from "macros.html" import post_button %}'
            '{{ post_button("/x/stop", "Stop", fields={"bill": 3}, question="Sure?") }}'
        )
    assert '<form method="post" action="/x/stop"' in html
    assert re.search(r'name="csrf_token" value="[^"]+"', html)
    assert '<input type="hidden" name="bill" value="3">' in html
    assert 'data-confirm="Sure?"' in html and "onsubmit" not in html
    assert '<button class="btn btn-outline-primary btn-sm" type="submit">Stop</button>' in html


def _render(app, source: str, **context) -> str:
    app.config["WTF_CSRF_ENABLED"] = True
    with app.test_request_context("/"):
        return render_template_string(source, **context)


def test_a_post_button_carries_an_icon_ids_and_button_attributes(app):
    html = _render(
        app,
        '{% from "macros.html" import post_button %}'
        '{{ post_button("/clock", "Next", "btn btn-sm", form_class=None, icon="check2-all", id="go",'
        ' form_id="clock-form", attrs={"name": "step", "value": "1d", "aria-label": "A day",'
        ' "disabled": none}) }}',
    )
    assert '<form method="post" action="/clock" id="clock-form">' in html
    button = re.search(r"<button [^>]*>", html).group(0)
    assert 'class="btn btn-sm"' in button and 'id="go"' in button
    assert 'name="step"' in button and 'value="1d"' in button and 'aria-label="A day"' in button
    assert "disabled" not in button
    assert re.search(r"<button [^>]*><svg[^>]*>.*</svg> Next</button>", html, re.S)


def test_a_post_button_keeps_its_offline_queue_and_what_its_call_adds(app):
    html = _render(
        app,
        '{% from "macros.html" import post_button %}'
        '{% call post_button("/dose", "Taken", offline_queue="health.dose", form_class="d-flex",'
        ' attrs={"disabled": "disabled"}) %}<button name="taken" value="0">Skipped</button>{% endcall %}',
    )
    assert 'class="d-flex" data-offline-queue="health.dose"' in html
    assert (
        'disabled="disabled">Taken</button><button name="taken" value="0">Skipped</button>' in html
    )
    assert html.rstrip().endswith("</form>")


def test_a_label_with_markup_stays_markup_and_text_is_escaped(app):
    html = _render(
        app,
        '{% from "macros.html" import post_button %}'
        "{% set label %}{{ name }} <span>· staff</span>{% endset %}"
        '{{ post_button("/as", label, "dropdown-item", attrs={"data-persona": name}) }}',
        name="<Ana>",
    )
    assert "&lt;Ana&gt; <span>· staff</span></button>" in html
    assert 'data-persona="&lt;Ana&gt;"' in html


def test_the_form_macro_renders_each_field_with_its_arguments_and_button(app):
    from flask_wtf import FlaskForm
    from wtforms import HiddenField, StringField, TextAreaField

    class NoteForm(FlaskForm):
        kind = HiddenField(default="note")
        title = StringField("Title")
        body = TextAreaField("Body")

    app.config["WTF_CSRF_ENABLED"] = True
    with app.test_request_context("/"):
        html = render_template_string(
            '{% from "macros.html" import form %}'
            '{% call form(f, "/notes", "Send", id="note-form", form_class="mt-2", offline_queue="q",'
            ' btn_class="btn btn-outline-primary btn-sm", attrs={"data-draft": "x.note",'
            ' "enctype": "multipart/form-data"}, field_args={"body": {"rows": 2}}) %}'
            "<p data-draft-status></p>{% endcall %}",
            f=NoteForm(),
        )
    opening = re.search(r"<form [^>]*>", html).group(0)
    for attribute in (
        'action="/notes"',
        'id="note-form"',
        'class="mt-2"',
        'data-offline-queue="q"',
        'data-draft="x.note"',
        'enctype="multipart/form-data"',
        "novalidate",
    ):
        assert attribute in opening, attribute
    assert re.search(r'name="csrf_token" type="hidden" value="[^"]+"', html)
    assert '<input id="kind" name="kind" type="hidden" value="note">' in html
    assert re.search(r'<textarea [^>]*rows="2"', html)
    assert 'id="title" name="title"' in html
    assert html.index("data-draft-status") < html.index(
        '<button class="btn btn-outline-primary btn-sm" type="submit">Send</button>'
    )


def test_the_form_macro_defaults_to_a_primary_save_button_without_a_class(app):
    from flask_wtf import FlaskForm
    from wtforms import StringField

    class NameForm(FlaskForm):
        name = StringField("Name")

    with app.test_request_context("/"):
        html = render_template_string(
            '{% from "macros.html" import form %}{{ form(f) }}', f=NameForm()
        )
    # no action: the form posts to its own page (HTML allows no empty action)
    assert re.search(r'<form method="post" novalidate>', html)
    assert '<button class="btn btn-primary" type="submit">Save</button>' in html


def test_capabilities_list_what_a_visitor_can_do_with_links_where_given(app):
    html = _render(
        app,
        '{% from "macros.html" import capabilities %}'
        '{{ capabilities("city", ["Watch traffic", ("Report a pothole", "/city/report")], heading_class="h6") }}',
    )
    assert '<h2 class="h6">What you can do here</h2>' in html
    assert '<ul class="list-group" id="city-capabilities">' in html
    items = re.findall(r'<li class="list-group-item"><svg.*?</svg> (.*?)</li>', html, re.S)
    assert items == ["Watch traffic", '<a href="/city/report">Report a pothole</a>']


@pytest.mark.parametrize(
    "key", ["automotive", "banking", "education", "government", "health", "retail"]
)
def test_every_landing_page_tells_its_story_and_lists_its_capabilities_once(app, key):
    html = app.test_client().get(f"/{key}/").get_data(as_text=True)
    assert html.count(f'id="{key}-capabilities"') == 1
    assert html.count('class="list-group-item"><svg') >= 4
    assert html.count('<h2 class="h5">The story</h2>') == 1
    assert '<p class="text-body-secondary">Persona: ' in html


def test_a_data_table_draws_its_header_and_one_row_per_item_or_says_it_is_empty(app):
    source = (
        '{% from "macros.html" import data_table %}'
        "{% set hidden %}<span>Actions</span>{% endset %}"
        '{% call(bill) data_table(bills, "bills", ["Bill", ("Amount", "text-end"), hidden], "No bills.",'
        ' caption="Your bills", wrap_class="position-relative") %}<tr data-bill="{{ bill }}"></tr>{% endcall %}'
    )
    html = _render(app, source, bills=[1, 2])
    assert '<div class="dcx-table-wrap position-relative">' in html
    assert '<table class="table table-sm align-middle" id="bills">' in html
    assert '<caption class="visually-hidden">Your bills</caption>' in html
    assert (
        '<thead><tr><th scope="col">Bill</th><th scope="col" class="text-end">Amount</th>'
        '<th scope="col"><span>Actions</span></th></tr></thead>'
    ) in html
    assert re.findall(r'data-bill="(\d)"', html) == ["1", "2"]
    empty = _render(app, source, bills=[])
    assert "<table" not in empty and "No bills." in empty and "dcx-empty" in empty
