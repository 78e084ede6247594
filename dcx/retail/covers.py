"""Generated book covers: an SVG drawn from the title and author, for books without a cover.

The colours come from a hash of the title and the author, so a book always gets the same
cover and neighbouring books on a shelf look different.
"""

from __future__ import annotations

import hashlib
import textwrap
from xml.sax.saxutils import escape


def _hue(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:6], 16) % 360


def cover_svg(title: str, author: str) -> str:
    """An SVG cover (2:3) with the title and the author on two colours of their own."""
    hue = _hue(title)
    accent = (_hue(author) + 150) % 360
    lines = textwrap.wrap(title, 16)[:5] or [""]
    title_text = "".join(
        f'<text x="100" y="{92 + i * 26}" text-anchor="middle" font-size="20" '
        f'font-weight="600" fill="#fff">{escape(line)}</text>'
        for i, line in enumerate(lines)
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 300" role="img" '
        f'aria-label="{escape(title, {chr(34): "&quot;"})}">'
        f'<rect width="200" height="300" fill="hsl({hue},45%,32%)"/>'
        f'<rect x="0" y="236" width="200" height="64" fill="hsl({accent},55%,45%)"/>'
        f'<rect x="14" y="14" width="172" height="208" fill="none" stroke="#fff" '
        f'stroke-opacity=".35" stroke-width="2"/>'
        f"{title_text}"
        f'<text x="100" y="274" text-anchor="middle" font-size="15" fill="#fff">'
        f"{escape(author[:28])}</text></svg>"
    )
