"""Compile each URL rule once per test process, not once per app.

Every test builds its own app, and every app binds the same 220 rules; Werkzeug parses each
rule and generates its URL builders on every bind, which was about a third of building an app.
What a rule compiles to depends only on the rule and its map's settings, so the result of the
first compilation is handed to every later rule with the same key, rebound to that rule.

Only the suite does this: a deployed process builds its app once. If Werkzeug stops storing
the compiled state in the attributes below, :func:`install` leaves ``Rule.compile`` alone and
the suite is merely slower (``tests/test_rule_memo.py`` says so).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from werkzeug.routing.rules import Rule

STATE = ("_parts", "_trace", "_converters", "_build", "_build_unknown")

_original: Callable[[Rule], None] = Rule.compile
_compiled: dict[Hashable, tuple[Any, ...]] = {}


def _key(rule: Rule) -> Hashable:
    """Everything :meth:`Rule.compile` reads: the rule, its map's settings and converters."""
    bound = rule.map
    return (
        rule.rule,
        rule.subdomain,
        rule.host,
        rule.merge_slashes,
        rule.endpoint,
        repr(sorted((rule.defaults or {}).items())),
        bound.host_matching,
        tuple(sorted(bound.converters.items())),
    )


def _compile(rule: Rule) -> None:
    key = _key(rule)
    found = _compiled.get(key)
    if found is None:
        _original(rule)
        _compiled[key] = tuple(getattr(rule, name) for name in STATE)
        return
    parts, trace, converters, build, build_unknown = found
    rule._parts = parts
    rule._trace = trace
    rule._converters = converters
    rule.arguments.update(converters)
    rule._build = build.__func__.__get__(rule, None)
    rule._build_unknown = build_unknown.__func__.__get__(rule, None)


def supported() -> bool:
    """Whether this Werkzeug keeps a rule's compiled state where :func:`_compile` looks."""
    from werkzeug.routing import Map

    probe = Rule("/probe/<int:n>", endpoint="probe")
    Map([probe])
    return all(hasattr(probe, name) for name in STATE) and hasattr(probe._build, "__func__")


def install() -> bool:
    """Memoize rule compilation for this process; False (and nothing changed) if unsupported."""
    if Rule.compile is _compile:
        return True
    if not supported():
        return False
    Rule.compile = _compile  # type: ignore[method-assign]
    return True
