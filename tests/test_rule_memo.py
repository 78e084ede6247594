"""The suite compiles each URL rule once per process (tests/rule_memo.py): an app built
with the memo routes and builds every URL exactly as one built without it."""

from __future__ import annotations

from werkzeug.routing.rules import Rule

from dcx import create_app
from tests import rule_memo
from tests.conftest import _base_config


def _every_url(app) -> dict[str, tuple[str, dict]]:
    """Each rule's URL built from sample values, and what matching it gives back."""
    adapter = app.url_map.bind("dcx.test")
    seen = {}
    for rule in app.url_map.iter_rules():
        values = {
            name: ("7" if "int" in type(conv).__name__.lower() else "seven")
            for name, conv in rule._converters.items()
        }
        method = sorted(rule.methods or {"GET"})[0]
        try:
            url = adapter.build(rule.endpoint, values, method=method)
        except Exception as error:  # a converter refusing the sample is an answer too
            seen[rule.rule] = (f"refused {type(error).__name__}", {})
            continue
        seen[rule.rule] = (url, adapter.match(url.split("?")[0], method=method))
    return seen


def test_the_memo_is_installed_here():
    assert rule_memo.supported()
    assert Rule.compile is rule_memo._compile


def test_an_app_built_with_the_memo_routes_as_one_built_without(tmp_path, monkeypatch):
    config = _base_config(tmp_path, f"sqlite:///{tmp_path / 'x.sqlite3'}")
    memoized = _every_url(create_app(config))
    monkeypatch.setattr(Rule, "compile", rule_memo._original)
    plain = _every_url(create_app(config))
    assert memoized == plain
    assert len(plain) > 100
