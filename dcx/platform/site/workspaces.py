"""Where each staff member works: the staff workspace of the verticals they serve.

A vertical names its workspace in ``Vertical.staff_endpoint``; a staff member whose department
is that vertical finds it in the menu and on the home page, one click away.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import url_for

from dcx.platform.accounts.models import Role
from dcx.verticals import registry


@dataclass(frozen=True)
class Workspace:
    """One staff workspace a person may open."""

    key: str
    title: str
    icon: str
    url: str


def workspaces_for(user: Any) -> list[Workspace]:
    """The workspaces of the verticals a staff member serves (none for customers and admins,
    whose presenter bar already reaches every page)."""
    if not getattr(user, "is_authenticated", False) or user.role != Role.STAFF:
        return []
    return [
        Workspace(v.key, str(v.title), v.icon, url_for(v.staff_endpoint))
        for v in registry()
        if v.staff_endpoint and user.serves(v.key)
    ]
