"""URL rules that compile their URL builders when first used, not when registered.

Werkzeug compiles two Python functions per rule (building a URL with and without extra query
arguments) as each rule is added. With about a thousand rules that was most of the cost of
:func:`dcx.create_app` (a quarter to half a second), paid by every web worker at start-up and
by every test, although a request builds URLs for a few dozen rules at most. Matching is
unchanged; only the builders wait until a URL for that rule is first built.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.routing import Rule


class LazyBuilderRule(Rule):
    """A :class:`~werkzeug.routing.Rule` whose URL builders are compiled on first use."""

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        compiled: Callable[..., tuple[str, str]] | None = None

        def build_on_first_use(rule: Rule, **values: Any) -> tuple[str, str]:
            nonlocal compiled
            if compiled is None:
                compiled = Rule._compile_builder(rule, append_unknown)
            return compiled(rule, **values)

        return build_on_first_use
