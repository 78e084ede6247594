"""Rules of the house that hold for every vertical and the platform, checked on the code.

Views are thin: a view module parses the request, calls a feature's service and renders. The
statements live in the services, as named functions a test can call without a request, so no
module that holds a view of the app builds or runs a query itself.
"""

from __future__ import annotations

import ast
import inspect
import sys
from pathlib import Path

# What builds or runs a statement: ``select(...)``, ``db.session.execute(...)`` and their kin.
QUERY_BUILDERS = {"select", "insert", "update", "delete", "text", "rows_where"}
SESSION_QUERIES = {"execute", "scalar", "scalars", "query"}


def sql_in(source: str) -> list[tuple[int, str]]:
    """Where ``source`` builds or runs SQL itself: (line, call) for each ``select(``,
    ``db.select(``, ``sqlalchemy.select(`` (and insert, update, delete, text), each
    ``<anything>.execute(`` / ``.scalar(`` / ``.scalars(`` / ``.query(`` on a session or an
    engine, each ``db.paginate(`` and each legacy ``Model.query``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            name = ast.unparse(func)
            builds = isinstance(func, ast.Name) and func.id in QUERY_BUILDERS
            runs = isinstance(func, ast.Attribute) and (
                (
                    func.attr in QUERY_BUILDERS
                    and ast.unparse(func.value) in ("db", "sa", "sqlalchemy")
                )
                or func.attr in SESSION_QUERIES
                or name == "db.paginate"
            )
            if builds or runs:
                found.append((node.lineno, name))
        elif (
            isinstance(node, ast.Attribute)
            and node.attr == "query"
            and isinstance(node.value, ast.Name)
            and node.value.id[:1].isupper()
        ):
            found.append((node.lineno, ast.unparse(node)))
    return sorted(set(found))


def view_modules(app) -> dict[str, Path]:
    """Every module of the application that holds a view function of the app, by name."""
    modules = {}
    for view in app.view_functions.values():
        name = inspect.unwrap(view).__module__
        if name == "dcx" or name.startswith("dcx."):
            modules[name] = Path(sys.modules[name].__file__ or "")
    return modules


def test_the_check_sees_sql_written_in_a_view():
    source = """
def page():
    rows = db.session.execute(select(Book).where(Book.id == 1)).scalars()
    one = db.session.scalar(db.select(func.count()).select_from(Book))
    pager = db.paginate(stmt)
    legacy = Book.query.all()
    listed = rows_where(Book, Book.id > 1)
    with services.register() as reg:
        reg.execute(sa.select(Visit))
    return render_template("page.html", rows=services.books_of(user_id))
"""
    calls = [call for _, call in sql_in(source)]
    assert "db.session.execute" in calls and "select" in calls
    assert "db.session.scalar" in calls and "db.select" in calls
    assert "db.paginate" in calls and "reg.execute" in calls and "sa.select" in calls
    assert "rows_where" in calls  # the shared list query is a query too
    assert any(call.startswith("Book.query") for call in calls)
    assert not any("services" in call or "render_template" in call for call in calls)


def test_no_view_module_writes_sql(app):
    modules = view_modules(app)
    # every vertical and the platform hold views: the walk found them
    for package in ("automotive", "banking", "education", "government", "health", "retail"):
        assert any(name.startswith(f"dcx.{package}.") for name in modules), package
    assert any(name.startswith("dcx.platform.") for name in modules)
    offenders = [
        f"{path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}:{line}: {call}"
        for name, path in sorted(modules.items())
        for line, call in sql_in(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "SQL in view modules; move it to the feature's services:\n" + "\n".join(
        offenders
    )
