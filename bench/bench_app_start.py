"""Benchmark: building the application, with URL builders compiled on first use or at once.

Every web worker builds the application once and every test builds one of its own, so its cost
multiplies. Times ``create_app`` with :class:`dcx.routing.LazyBuilderRule` (what the app uses)
and with Werkzeug's own ``Rule`` (every builder compiled as its rule is added), interleaved in
the same run, and prints both and their ratio. A script, not a test:

    .venv/bin/python bench/bench_app_start.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from werkzeug.routing import Rule

import dcx
from dcx.routing import LazyBuilderRule


def build(folder: Path, rule_class: type[Rule]) -> float:
    """Seconds to build the app with ``rule_class`` as its URL rule class."""
    dcx.LazyBuilderRule = rule_class  # type: ignore[attr-defined]  # what create_app installs
    try:
        started = time.perf_counter()
        app = dcx.create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}",
                "SECRET_KEY": "bench",
                "INSTANCE_PATH": str(folder / "instance"),
            }
        )
        elapsed = time.perf_counter() - started
    finally:
        dcx.LazyBuilderRule = LazyBuilderRule  # type: ignore[attr-defined]
    assert app.url_rule_class is rule_class
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    lazy: list[float] = []
    eager: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        build(folder, LazyBuilderRule)  # imports and first-time caches, measured by neither
        for _ in range(args.repeat):
            lazy.append(build(folder, LazyBuilderRule))
            eager.append(build(folder, Rule))
    lazy_ms, eager_ms = statistics.median(lazy) * 1000, statistics.median(eager) * 1000
    print(f"create_app, median of {args.repeat} interleaved builds each")
    print(f"  URL builders compiled at once (Werkzeug's Rule)  {eager_ms:8.1f} ms")
    print(f"  URL builders compiled on first use (the app's)   {lazy_ms:8.1f} ms")
    print(f"  ratio                                            {lazy_ms / eager_ms:8.2f}")


if __name__ == "__main__":
    main()
