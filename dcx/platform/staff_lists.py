"""Staff lists a page at a time, searchable: the one way every staff workspace lists people.

A staff list (the advisor's customers, the clinician's patients, the workshop's vehicles)
shows one page of ``DCX_STAFF_PAGE_SIZE`` rows, found by a search over a few text columns, and
the page's figures are computed for that page only, so a page costs the same whether a
workspace serves fifty customers or fifty thousand. The view reads the query string with
:func:`requested`, a feature's service builds its statement and calls :func:`page_of`, and the
template shows the search box and the pager with the macros of ``staff_list.html``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import current_app, request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, Select, func, or_
from sqlalchemy.orm import QueryableAttribute

from dcx.extensions import db

#: The longest search a list accepts; longer text is cut (a search is never an error).
MAX_SEARCH = 100


@dataclass(frozen=True)
class ListRequest:
    """What a staff list was asked for: a search text and a page number (from 1)."""

    q: str = ""
    page: int = 1


def requested() -> ListRequest:
    """The search and page of this request's query string, made safe: a page below 1, or one
    that is not a number, is page 1."""
    q = (request.args.get("q") or "").strip()[:MAX_SEARCH]
    page = request.args.get("page", 1, type=int) or 1
    return ListRequest(q=q, page=max(1, page))


def page_size() -> int:
    """Rows on a page of a staff list (``DCX_STAFF_PAGE_SIZE``)."""
    return max(1, int(current_app.config.get("DCX_STAFF_PAGE_SIZE", 25)))


def matching(
    stmt: Select, q: str, columns: Sequence[QueryableAttribute[Any] | ColumnElement[Any]]
) -> Select:
    """``stmt`` narrowed to rows where any of ``columns`` contains ``q`` (any case); the
    search's own ``%`` and ``_`` are matched literally."""
    if not q:
        return stmt
    escaped = q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    return stmt.where(or_(*(func.lower(c).like(pattern, escape="\\") for c in columns)))


def page_of(
    stmt: Select,
    wanted: ListRequest,
    search: Sequence[QueryableAttribute[Any] | ColumnElement[Any]] = (),
    per_page: int | None = None,
) -> Pagination:
    """One page of ``stmt`` (which orders its rows) filtered by ``wanted.q`` over ``search``:
    two statements (the page and the count), whatever the list's length. A page past the
    end is an empty page, not an error."""
    return db.paginate(
        matching(stmt, wanted.q, search),
        page=wanted.page,
        per_page=per_page or page_size(),
        max_per_page=None,
        error_out=False,
        count=True,
    )
