"""Citizens' reports with photos: a report becomes a repair; the reporter confirms or reopens it."""

from __future__ import annotations

import io
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path

from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import case, func, select

from dcx.extensions import db
from dcx.government import planner
from dcx.government import repairs as government_repairs
from dcx.government.forms import CATEGORY_LABELS
from dcx.government.models import (
    GovernmentRepair,
    GovernmentRepairEvent,
    GovernmentStreet,
    WorkOrderStatus,
)
from dcx.government.rules import KEY
from dcx.platform import staff_lists
from dcx.platform.links import link
from dcx.platform.sandboxes import files_folder
from dcx.platform.timeline.services import record

MAX_PHOTO_BYTES = 1024 * 1024
PHOTO_SIGNATURES = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}
PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
MAX_PHOTO_PIXELS = 40_000_000
# A photo is written before its report is committed; one younger than this may still be on its
# way into a report, so the sweep leaves it alone.
ORPHAN_PHOTO_AGE = timedelta(hours=1)


def photo_type(data: bytes) -> str | None:
    """The image type the bytes really are (JPEG, PNG or WebP), whatever the upload claims."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    for mime, signatures in PHOTO_SIGNATURES.items():
        if any(data.startswith(sig) for sig in signatures):
            return mime
    return None


def photo_dir() -> Path:
    """Where report photos are kept: the instance folder (a sandbox's own), never the package."""
    folder = files_folder() / KEY / "photos"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def without_metadata(data: bytes, mime: str) -> bytes:
    """The photo re-encoded from its pixels alone: no EXIF (a phone writes where it was taken
    there), no comments or other metadata; turned upright first, since the orientation lives in
    the EXIF that is dropped. ValueError when the bytes are not a decodable image of ``mime``.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    fmt = PILLOW_FORMATS[mime]
    try:
        with Image.open(io.BytesIO(data), formats=[fmt]) as image:
            if image.width * image.height > MAX_PHOTO_PIXELS:
                raise ValueError("the photo has too many pixels")
            upright = ImageOps.exif_transpose(image)
            pixels = Image.new(upright.mode, upright.size)
            pixels.paste(upright)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValueError(f"not a {fmt} image") from exc
    if fmt == "JPEG" and pixels.mode not in {"RGB", "L", "CMYK"}:
        pixels = pixels.convert("RGB")
    out = io.BytesIO()
    pixels.save(out, format=fmt, **({"quality": 90} if fmt != "PNG" else {}))
    return out.getvalue()


def store_photo(data: bytes, mime: str) -> str:
    """Keep an uploaded photo, without its metadata, under an unguessable name (the name goes
    on the report); ValueError when it is not a decodable image."""
    clean = without_metadata(data, mime)
    name = f"{secrets.token_hex(16)}.{mime.split('/')[1]}"
    (photo_dir() / name).write_bytes(clean)
    return name


def photo_path(repair: GovernmentRepair) -> Path | None:
    """The report's photo on disk, or None when it has none (or the file is gone)."""
    if not repair.photo_file:
        return None
    path = photo_dir() / repair.photo_file
    return path if path.is_file() else None


def sweep_orphan_photos(older_than: datetime) -> int:
    """Delete photos no report names (a failed submission, a showcase reset), written before
    ``older_than`` (real time: file times are not on the demo clock). Returns how many."""
    kept = set(
        db.session.execute(
            select(GovernmentRepair.photo_file).where(GovernmentRepair.photo_file != "")
        ).scalars()
    )
    cutoff = older_than.timestamp()
    removed = 0
    for path in photo_dir().iterdir():
        if path.is_file() and path.name not in kept and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def report_repair(
    reporter_id: int,
    category: str,
    street: GovernmentStreet,
    location: str,
    description: str,
    photo_file: str = "",
    photo_type: str = "",
) -> GovernmentRepair:
    """A citizen's report of something broken on a street."""
    repair = government_repairs._new_repair(
        category=category,
        location=(f"{street.name} — {location}" if location else street.name)[:160],
        description=description,
        x=(street.x1 + street.x2) / 2,
        y=(street.y1 + street.y2) / 2,
        reporter_id=reporter_id,
        photo_file=photo_file,
        photo_type=photo_type,
    )
    record(
        reporter_id,
        KEY,
        "report_submitted",
        _l(
            "Report #%(number)s: %(category)s",
            number=repair.id,
            category=CATEGORY_LABELS.get(category, category),
        ),
        repair.location,
        link=link("government.citizen_report", repair_id=repair.id),
        key=f"government.report_submitted:{repair.id}",
    )
    return repair


def citizen_reports(user_id: int) -> list[GovernmentRepair]:
    """A citizen's own reports, newest first."""
    return list(
        db.session.execute(
            select(GovernmentRepair)
            .where(GovernmentRepair.reporter_id == user_id)
            .order_by(GovernmentRepair.created_at.desc(), GovernmentRepair.id.desc())
        ).scalars()
    )


def repairs_page(wanted: staff_lists.ListRequest) -> Pagination:
    """One page of the repair requests, newest first, found by place or category."""
    stmt = select(GovernmentRepair).order_by(GovernmentRepair.id.desc())
    return staff_lists.page_of(
        stmt, wanted, search=(GovernmentRepair.location, GovernmentRepair.category)
    )


#: Repairs the planner offers to schedule at once: the newest waiting, and the one picked.
PLANNER_WAITING = 12


def waiting_repairs(
    picked: int | None = None, limit: int = PLANNER_WAITING
) -> list[GovernmentRepair]:
    """The repairs waiting to be scheduled (reported or acknowledged) that the planner offers:
    the ``picked`` one first if it waits, then the newest, ``limit`` in all (one statement)."""
    first = case((GovernmentRepair.id == (picked or 0), 0), else_=1)
    return list(
        db.session.execute(
            select(GovernmentRepair)
            .where(GovernmentRepair.status.in_(government_repairs.WAITING_STATUSES))
            .order_by(first, GovernmentRepair.id.desc())
            .limit(limit)
        ).scalars()
    )


def count_repairs(statuses: Iterable[str]) -> int:
    """How many repairs have one of ``statuses`` (counted in SQL)."""
    return db.session.execute(
        select(func.count(GovernmentRepair.id)).where(GovernmentRepair.status.in_(tuple(statuses)))
    ).scalar_one()


def confirm_fixed(repair: GovernmentRepair, user_id: int) -> GovernmentRepairEvent:
    """The reporter agrees it is fixed: the repair is closed."""
    return government_repairs.transition(
        repair, "closed", user_id, government_repairs.NOTE_CONFIRMED
    )


def reopen(repair: GovernmentRepair, user_id: int, note: str = "") -> GovernmentRepairEvent:
    """A citizen says it is not really fixed: the repair goes back to reported.

    ``note`` is what the citizen typed, or one of the ``NOTE_*`` keys.
    """
    event = government_repairs.transition(
        repair, "reported", user_id, note or government_repairs.NOTE_REOPENED
    )
    for order in planner._orders_of(repair.id):
        if order.status == WorkOrderStatus.SCHEDULED:
            order.status = WorkOrderStatus.CANCELLED.value
    db.session.flush()
    return event
