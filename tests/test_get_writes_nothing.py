"""No GET that writes: every page each persona of the seeded showcase reaches is read-only.

A GET may be repeated, prefetched, followed by a link scanner or replayed by a browser's back
button; what it changes would change behind the customer's back. The walk signs each persona
in (a POST), then follows every link it finds, and fails on any INSERT, UPDATE or DELETE run
while a GET request is answered, in any database (the showcase's, a sandbox's, the register).
"""

from __future__ import annotations

import re
from collections import defaultdict

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from tests.crawl import walk_as_every_persona

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


def test_no_get_a_persona_reaches_writes(app):
    writes: dict[tuple[str, str], set[str]] = defaultdict(set)  # (table, endpoint): verbs

    def note(conn, cursor, statement, parameters, context, executemany):
        if not has_request_context() or request.method not in ("GET", "HEAD"):
            return
        found = written_table(statement)
        if found is not None and found[1] not in BOOKKEEPING:
            writes[found[1], request.endpoint or request.path].add(found[0])

    event.listen(Engine, "before_cursor_execute", note)
    try:
        walked = 0
        for email, visited, _ in walk_as_every_persona(app, lambda url, html, text: []):
            assert visited > 10, (email, visited)
            walked += 1
    finally:
        event.remove(Engine, "before_cursor_execute", note)
    assert walked >= 3
    assert not writes, "GET requests that write:\n" + "\n".join(
        f"{endpoint} {'/'.join(sorted(verbs))} {table}"
        for (table, endpoint), verbs in sorted(writes.items())
    )
