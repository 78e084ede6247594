"""The app's icons, drawn from the loaded brand with Pillow: its colour and its initial.

A phone shows them on its home screen and on the splash screen of the installed app. The
"any" icons are a rounded square; the "maskable" ones fill the whole square with the brand's
colour and keep the initial inside the central 80 % safe zone, so any mask shape a launcher
cuts (circle, squircle, teardrop) leaves it whole.
"""

from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from dcx.platform.site.favicon import rgb

SIZES = (192, 512)
PURPOSES = ("any", "maskable")


@lru_cache(maxsize=32)
def png(name: str, colour: str, size: int, purpose: str = "any") -> bytes:
    """A ``size``-pixel square PNG of the brand: ``purpose`` is "any" or "maskable"."""
    if size not in SIZES or purpose not in PURPOSES:
        raise ValueError(f"no {purpose} icon of {size} px")
    fill = rgb(colour)
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if purpose == "maskable":
        draw.rectangle((0, 0, size, size), fill=fill)
        glyph = size * 0.42  # well inside the safe zone (a circle of 40 % radius)
    else:
        draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 5, fill=fill)
        glyph = size * 0.6
    initial = (name.strip() or "D")[0].upper()
    font = ImageFont.load_default(size=glyph)
    draw.text((size / 2, size / 2), initial, fill=(255, 255, 255, 255), font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
