"""Districts and departments: the city's areas, who works in which department."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from dcx.extensions import db
from dcx.government.models import (
    DEPARTMENTS,
    GovernmentDepartmentMember,
)

CITY_WIDTH, CITY_HEIGHT = 3000.0, 2000.0
DISTRICTS = {
    "old_town": _l("Old Town"),
    "riverside": _l("Riverside"),
    "market": _l("Market Quarter"),
    "harbour": _l("Harbour"),
}
DEPARTMENT_LABELS = {
    "transport": _l("Transport"),
    "public_works": _l("Public works"),
    "police": _l("Police"),
    "communications": _l("Communications"),
}


def district_of(x: float, y: float) -> str:
    """The district a point of the city lies in (the city is cut in four quarters)."""
    west = x < CITY_WIDTH / 2
    north = y < CITY_HEIGHT / 2
    if north:
        return "old_town" if west else "riverside"
    return "market" if west else "harbour"


def department_of(user_id: int) -> str | None:
    """The city department of a government staff member, or None."""
    return db.session.execute(
        select(GovernmentDepartmentMember.department).where(
            GovernmentDepartmentMember.user_id == user_id
        )
    ).scalar_one_or_none()


def assign_department(user_id: int, department: str) -> GovernmentDepartmentMember:
    """Put a staff member in a city department (get-or-update)."""
    if department not in DEPARTMENTS:
        raise ValueError(f"unknown department {department!r}")
    member = db.session.execute(
        select(GovernmentDepartmentMember).where(GovernmentDepartmentMember.user_id == user_id)
    ).scalar_one_or_none()
    if member is None:
        member = GovernmentDepartmentMember(user_id=user_id, department=department)
        db.session.add(member)
    member.department = department
    db.session.flush()
    return member


def department_staff(department: str) -> list[int]:
    """Ids of the staff in a city department."""
    return list(
        db.session.execute(
            select(GovernmentDepartmentMember.user_id).where(
                GovernmentDepartmentMember.department == department
            )
        ).scalars()
    )
