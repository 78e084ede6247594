"""Pages draw their icons inline: no page links to the Bootstrap Icons sprite or font."""

from __future__ import annotations

import pytest

from dcx.platform.assets.icons import drawings, icon_svg


def test_an_icon_is_drawn_inline_from_the_installed_set(app):
    with app.app_context():
        svg = str(icon_svg("bank"))
    view_box, body = drawings()["bank"]
    assert svg.startswith('<svg class="bi"')
    assert f'viewBox="{view_box}"' in svg
    assert body in svg and "<path" in body
    assert 'aria-hidden="true"' in svg
    assert "<use" not in svg


def test_an_icon_with_a_title_is_an_image_with_that_label(app):
    with app.app_context():
        svg = str(icon_svg("bank", title='Bank "A"'))
    assert 'role="img" aria-label="Bank &#34;A&#34;"' in svg


def test_an_unknown_icon_fails_in_tests(app):
    with app.app_context(), pytest.raises(LookupError):
        icon_svg("no-such-icon")


def test_an_unknown_icon_draws_nothing_on_a_live_site(app, caplog):
    app.testing = False
    with app.app_context():
        svg = str(icon_svg("no-such-icon"))
    assert "<path" not in svg
    assert "no-such-icon" in caplog.text


def test_pages_never_link_to_the_icon_sprite_or_font(client, customer):
    page = client.get("/").get_data(as_text=True)
    assert "bootstrap-icons" not in page
    assert '<svg class="bi"' in page
    assert "<use" not in page
