"""Every python sample in docs/ runs, in order, against a real app and a signed-up customer."""

import re
from pathlib import Path

import pytest

from dcx.extensions import db
from tests.conftest import make_user

DOCS = Path(__file__).resolve().parents[1] / "docs"
SAMPLE = re.compile(r"```python\n(.*?)```", re.S)


def _samples(path: Path) -> list[str]:
    return SAMPLE.findall(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("doc", sorted(DOCS.glob("*.md")), ids=lambda p: p.name)
def test_every_python_sample_runs(app, doc):
    samples = _samples(doc)
    if not samples:
        pytest.skip("no python samples")
    # samples run as if in a module of the project, so Blueprint(__name__) finds its root
    namespace = {"user": make_user(email="docs@example.com"), "__name__": __name__}
    for number, code in enumerate(samples, start=1):
        try:
            exec(compile(code, f"{doc.name} sample {number}", "exec"), namespace)  # noqa: S102
        except Exception as exc:
            pytest.fail(f"{doc.name} sample {number} failed: {exc!r}\n{code}")
    db.session.rollback()


def test_extending_has_samples_for_every_platform_service():
    text = (DOCS / "extending.md").read_text(encoding="utf-8")
    for name in (
        "clock.now",
        "notify(",
        "record(",
        "discard(",
        "owned_or_404",
        "run_due_jobs",
        "ingest_route",
        "Obligation(",
        "CalendarEntry(",
        "community.ensure_spaces",
    ):
        assert name in text, name
