"""The shared template pieces: one section navigation, one POST button."""

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
