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
from flask_sqlalchemy.pagination import Pagination, SelectPagination
from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import QueryableAttribute, lazyload

from dcx.extensions import db
from dcx.platform.inputs import DB_INT_MAX

#: The longest search a list accepts; longer text is cut (a search is never an error).
MAX_SEARCH = 100


@dataclass(frozen=True)
class ListRequest:
    """What a staff list was asked for: a search text and a page number (from 1)."""

    q: str = ""
    page: int = 1


def requested() -> ListRequest:
    """The search and page of this request's query string, made safe: a page below 1, or one
    that is not a number, is page 1; a number too large for the database is the furthest page
    (which :func:`page_of` brings back to the last)."""
    q = (request.args.get("q") or "").strip()[:MAX_SEARCH]
    page = request.args.get("page", type=int)
    if page is None:
        raw = request.args.get("page") or ""
        page = DB_INT_MAX if raw.isascii() and raw.isdigit() else 1
    return ListRequest(q=q, page=max(1, page))


def last_page(total: int, per_page: int) -> int:
    """The number of the last page of ``total`` rows, ``per_page`` a page (1 when empty)."""
    return max(1, -(-total // per_page))


def clamped_page(page: int, total: int, per_page: int) -> int:
    """``page`` brought within the pages of ``total`` rows: below 1 is the first, past the
    end the last, so an offset is never larger than the rows there are."""
    return min(max(page, 1), last_page(total, per_page))


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


class _CountedPagination(SelectPagination):
    """A page of a statement whose rows were counted before the page was chosen."""

    def _query_count(self) -> int:
        return int(self._query_args["total"])


def page_of(
    stmt: Select,
    wanted: ListRequest,
    search: Sequence[QueryableAttribute[Any] | ColumnElement[Any]] = (),
    per_page: int | None = None,
) -> Pagination:
    """One page of ``stmt`` (which orders its rows) filtered by ``wanted.q`` over ``search``:
    two statements (the count, then the page), whatever the list's length. A page past the
    end is the last page (a huge number costs no long offset scan), one below 1 the first."""
    found = matching(stmt, wanted.q, search)
    per_page = per_page or page_size()
    counted = found.options(lazyload("*")).order_by(None).subquery()
    total = int(db.session.execute(select(func.count()).select_from(counted)).scalar_one())
    return _CountedPagination(
        page=clamped_page(wanted.page, total, per_page),
        per_page=per_page,
        max_per_page=None,
        error_out=False,
        select=found,
        session=db.session(),
        total=total,
    )
