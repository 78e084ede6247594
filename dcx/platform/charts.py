"""Server-side SVG charts (pygal): no JavaScript, no CDN, readable on a phone and in print.

Each function returns markup safe to place in a template through the ``chart`` macro. Series
values are plain numbers (convert minor units to major before charting money).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

import pygal
from flask_babel import format_decimal
from markupsafe import Markup
from pygal.style import Style

_STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#212529",
    foreground_strong="#212529",
    foreground_subtle="#6c757d",
    colors=("#1f4e79", "#c0392b", "#2e8b57", "#d68910", "#6c3483", "#17a2b8"),
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=13,
    title_font_size=15,
    value_font_size=12,
)


def number(value: float | None) -> str:
    """An axis or value label in the visitor's locale: 1.234,5 in Spanish, 1,234.5 in English."""
    return "" if value is None else format_decimal(value, format="#,##0.##")


def _config(chart, title: str, height: int) -> None:
    chart.config.value_formatter = number
    chart.config.js = []  # pygal would otherwise load its tooltip script from the internet
    chart.config.disable_xml_declaration = True
    chart.config.style = _STYLE
    chart.config.height = height
    chart.config.width = 800
    chart.config.explicit_size = False
    chart.config.legend_at_bottom = True
    chart.config.truncate_legend = -1
    chart.title = title


def whole_ticks(values: Sequence[float | None], most: int = 6) -> list[int]:
    """Axis ticks for counts: whole numbers from 0, at most about ``most`` of them (pygal would
    otherwise label 1 review with 0.2, 0.4, ...)."""
    top = max((v for v in values if v is not None), default=0)
    top = max(1, math.ceil(top))
    step = max(1, math.ceil(top / most))
    return list(range(0, top + step, step))


def _render(chart) -> Markup:
    # pygal inlines its tooltip configuration as a script; without its JS it does nothing.
    svg = re.sub(r"<script\b.*?</script>", "", chart.render(is_unicode=True), flags=re.S)
    # pygal builds the SVG with an XML library, which escapes every title and label.
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S704


def line_chart(
    title: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    height: int = 320,
    guides: Mapping[str, float] | None = None,
) -> Markup:
    """A line chart of one or more series over ``labels``; ``guides`` draws target lines."""
    chart = pygal.Line(show_dots=len(labels) <= 40, x_label_rotation=30, show_minor_x_labels=False)
    _config(chart, title, height)
    chart.x_labels = list(labels)
    if len(labels) > 12:
        step = max(1, len(labels) // 8)
        chart.x_labels_major = list(labels)[::step]
    for name, values in series.items():
        chart.add(name, list(values))
    for name, value in (guides or {}).items():
        chart.add(name, [value] * len(labels), show_dots=False, stroke_style={"dasharray": "6,4"})
    return _render(chart)


def bar_chart(
    title: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    height: int = 320,
    horizontal: bool = False,
    counts: bool = False,
) -> Markup:
    """A bar chart (grouped when several series are given); ``counts`` labels the value axis
    with whole numbers only."""
    chart = (pygal.HorizontalBar if horizontal else pygal.Bar)(
        x_label_rotation=0 if horizontal else 30
    )
    _config(chart, title, height)
    chart.x_labels = list(labels)
    for name, values in series.items():
        chart.add(name, list(values))
    if counts:
        chart.y_labels = whole_ticks([v for values in series.values() for v in values])
    return _render(chart)


def waterfall_chart(title: str, steps: Sequence[tuple[str, float]], height: int = 320) -> Markup:
    """A waterfall: a starting amount, then additions and deductions, ending at the result.

    ``steps`` are (label, signed amount); the first is the start. Drawn as stacked bars with
    an invisible base so each bar floats at the running total.
    """
    chart = pygal.StackedBar(x_label_rotation=30, show_legend=True)
    _config(chart, title, height)
    chart.x_labels = [label for label, _ in steps] + ["="]
    base: list[float] = []
    rises: list[float | None] = []
    falls: list[float | None] = []
    running = 0.0
    for i, (_, amount) in enumerate(steps):
        if i == 0:
            base.append(0)
            rises.append(amount)
            falls.append(None)
            running = amount
            continue
        if amount >= 0:
            base.append(running)
            rises.append(amount)
            falls.append(None)
        else:
            base.append(running + amount)
            rises.append(None)
            falls.append(-amount)
        running += amount
    base.append(0)
    rises.append(running)
    falls.append(None)
    # pygal ignores a series colour but honours one per value: the floating base is invisible
    clear = "rgba(0,0,0,0)"
    chart.add(
        "",
        [{"value": v, "color": clear} for v in base],
        fill=False,
        stroke=False,
        show_dots=False,
        show_in_legend=False,
    )
    chart.add("+", rises)
    chart.add("-", falls)
    return _render(chart)


def pie_chart(title: str, parts: Mapping[str, float], height: int = 320) -> Markup:
    """A donut chart of parts of a whole."""
    chart = pygal.Pie(inner_radius=0.45)
    _config(chart, title, height)
    for name, value in parts.items():
        chart.add(name, value)
    return _render(chart)


def radar_chart(
    title: str, axes: Sequence[str], series: Mapping[str, Sequence[float]], maximum: float
) -> Markup:
    """A radar (spider) chart, e.g. maturity per discipline."""
    chart = pygal.Radar(range=(0, maximum), fill=True)
    _config(chart, title, 420)
    chart.x_labels = list(axes)
    for name, values in series.items():
        chart.add(name, list(values))
    return _render(chart)
