"""The showcase's favicon, drawn from the loaded brand: its colour and its initial.

``/favicon.svg`` (what the layout links) and ``/favicon.ico`` (what browsers and tools ask for
on their own) are made here, with no image library: the ICO holds one 32x32 PNG, a rounded
square in the brand's colour with a white dot.
"""

from __future__ import annotations

import re
import struct
import zlib

from markupsafe import escape

SIZE = 32
_HEX = re.compile(r"^#?([0-9a-fA-F]{6})$")


def rgb(colour: str, fallback: str = "#1f4e79") -> tuple[int, int, int]:
    """``#1f4e79`` as (31, 78, 121); a colour that is not #rrggbb gives ``fallback``."""
    found = _HEX.match(colour.strip()) or _HEX.match(fallback)
    assert found is not None
    value = int(found.group(1), 16)
    return value >> 16, (value >> 8) & 0xFF, value & 0xFF


def svg(name: str, colour: str) -> str:
    """A rounded square in the brand's colour with the brand's initial in white."""
    red, green, blue = rgb(colour)
    initial = escape((name.strip() or "D")[0].upper())
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
        f'<rect width="32" height="32" rx="7" fill="#{red:02x}{green:02x}{blue:02x}"/>'
        '<text x="16" y="23" font-family="system-ui,sans-serif" font-size="20" '
        f'font-weight="700" text-anchor="middle" fill="#fff">{initial}</text></svg>'
    )


def _inside_rounded_square(x: int, y: int, radius: int = 7) -> bool:
    """Whether pixel (x, y) lies inside a SIZE-wide square with corners of ``radius``."""
    cx = min(max(x, radius), SIZE - 1 - radius)
    cy = min(max(y, radius), SIZE - 1 - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius**2


def png(colour: str) -> bytes:
    """A 32x32 RGBA PNG: the rounded square in ``colour`` with a white dot in its middle."""
    red, green, blue = rgb(colour)
    rows = bytearray()
    for y in range(SIZE):
        rows.append(0)  # no filter
        for x in range(SIZE):
            if (x - 15.5) ** 2 + (y - 15.5) ** 2 <= 36:
                rows += bytes((255, 255, 255, 255))
            elif _inside_rounded_square(x, y):
                rows += bytes((red, green, blue, 255))
            else:
                rows += bytes((0, 0, 0, 0))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


def ico(colour: str) -> bytes:
    """A Windows icon file holding the PNG of :func:`png` (PNG entries are valid since Vista)."""
    image = png(colour)
    header = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", SIZE, SIZE, 0, 0, 1, 32, len(image), 6 + 16)
    return header + entry + image
