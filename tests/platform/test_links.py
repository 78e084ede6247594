"""One URL builder, in a request and outside one (jobs, seeds, commands)."""

from dcx.platform.links import link


def test_a_link_outside_a_request_is_the_sites_path(app):
    assert link("banking.index") == "/banking/"
    assert link("site.home", _anchor="stories") == "/#stories"


def test_a_link_inside_a_request_is_url_for(app):
    with app.test_request_context("/", base_url="https://bank.example/"):
        assert link("banking.index") == "/banking/"
