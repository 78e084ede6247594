"""URL rules compile their builders on first use, and build exactly what Werkzeug's own do."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import Map, Rule
from werkzeug.routing.converters import AnyConverter, NumberConverter

from dcx.routing import LazyBuilderRule


def _sample(converter: object) -> object:
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    return 7 if isinstance(converter, NumberConverter) else "x-1"


def test_every_rule_builds_the_url_werkzeugs_own_rule_builds(app: Flask) -> None:
    assert app.url_rule_class is LazyBuilderRule
    plain = Map(
        [
            Rule(r.rule, endpoint=r.endpoint, defaults=r.defaults, methods=r.methods)
            for r in app.url_map.iter_rules()
        ],
        converters=app.url_map.converters,
    )
    ours = app.url_map.bind("localhost")
    theirs = plain.bind("localhost")
    built = 0
    for rule in app.url_map.iter_rules():
        values = {name: _sample(conv) for name, conv in rule._converters.items()}
        for extra in ({}, {"page": 2, "q": "a b"}):
            assert ours.build(rule.endpoint, {**values, **extra}) == theirs.build(
                rule.endpoint, {**values, **extra}
            ), rule.rule
            built += 1
    assert built > 300


def test_a_rules_builder_is_compiled_only_when_a_url_is_first_built(app: Flask) -> None:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == "site.home")
    first = rule._build
    assert first.__name__ == "build_on_first_use"
    assert rule.build({}) == ("", "/")
    assert rule.build({}) == ("", "/")
