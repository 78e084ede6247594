"""Server-side SVG charts (pygal): no JavaScript, no CDN, readable on a phone and in print.

Each function returns markup safe to place in a template through the ``chart`` macro. Series
values are numbers; money arrives as exact ``Decimal`` amounts in major units, as the service
gives them (``dcx.platform.numbers.to_major`` with the currency's own digits, never ``/ 100``),
and is drawn from floats only where pygal draws.

A chart is drawn twice: wide, for a desktop column, and narrow, for a phone, with fewer x
labels, one legend entry a line and the same text size. An SVG scales its text with its
width, so a single wide drawing squeezed into a phone's 350 px would write its labels at
5 px; the stylesheet shows the drawing that fits the chart's own width (a container query on
``.dcx-chart``). A chart with nothing to draw returns empty markup: the macro shows a sentence
in its place instead of an empty frame.
"""

from __future__ import annotations

import math
import re
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import wraps
from typing import Any

import pygal
from flask import current_app, has_app_context
from flask_babel import format_currency, format_decimal, get_locale
from flask_babel import gettext as _
from flask_babel.speaklater import LazyString
from markupsafe import Markup
from pygal.style import Style

BRAND = "#1f4e79"
MONEY_IN = "#2e7d4f"
MONEY_OUT = "#b03a2e"
_CLEAR = "rgba(0,0,0,0)"
_ZERO = Decimal(0)
_COLOURS = (BRAND, "#c0392b", "#2e8b57", "#d68910", "#6c3483", "#17a2b8")
_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"


@dataclass(frozen=True)
class Layout:
    """One drawing of a chart: its width in SVG units, its text size and its label density."""

    name: str
    width: int
    font_size: int
    title_font_size: int
    most_x_labels: int
    most_value_ticks: int
    legend_columns: int | None
    extra_height_per_legend_line: int


# Wide: shown when the chart has 576 px or more, where 14 units are at least 10 px.
WIDE = Layout("wide", 800, 14, 16, 12, 16, None, 0)
# Narrow: 400 units in a phone's ~335 px keep 14-unit text at about 12 px.
NARROW = Layout("narrow", 400, 14, 16, 5, 5, 1, 22)
LAYOUTS = (WIDE, NARROW)

# A value to draw: a number, or an exact amount of money in major units
Value = float | Decimal


def _drawn(values: Sequence[Value | None]) -> list[float | None]:
    """The values as pygal draws them (floats), missing ones kept as gaps."""
    return [None if v is None else float(v) for v in values]


def _style(layout: Layout, colours: Sequence[str] = _COLOURS) -> Style:
    return Style(
        background="transparent",
        plot_background="transparent",
        foreground="#212529",
        foreground_strong="#212529",
        foreground_subtle="#6c757d",
        colors=tuple(colours),
        font_family=_FONT,
        label_font_size=layout.font_size,
        major_label_font_size=layout.font_size,
        legend_font_size=layout.font_size,
        title_font_size=layout.title_font_size,
        value_font_size=layout.font_size - 1,
    )


def number(value: float | None) -> str:
    """An axis or value label in the visitor's locale: 1.234,5 in Spanish, 1,234.5 in English."""
    return "" if value is None else format_decimal(value, format="#,##0.##")


def money(value: Value | None, currency: str) -> str:
    """An amount in major units as money in the visitor's locale: €1,234.50, 1.234,50 €."""
    return "" if value is None else format_currency(value, currency)


def whole_money(value: Value | None, currency: str) -> str:
    """An axis label in money without cents: €1,500 in English, 1.500 € in Spanish."""
    if value is None:
        return ""
    pattern = get_locale().currency_formats["standard"].pattern
    return format_currency(
        value, currency, format=re.sub(r"\.0+", "", pattern), currency_digits=False
    )


def has_data(values: Sequence[Value | None], zero_is_data: bool = True) -> bool:
    """Whether a chart of ``values`` would draw anything: a value, or one that is not 0."""
    return any(v is not None and (zero_is_data or v != 0) for v in values)


def _config(chart, title: str, height: int, layout: Layout, legend_lines: int) -> None:
    chart.config.value_formatter = number
    chart.config.js = []  # pygal would otherwise load its tooltip script from the internet
    chart.config.disable_xml_declaration = True
    chart.config.style = _style(layout)
    chart.config.height = height + layout.extra_height_per_legend_line * legend_lines
    chart.config.width = layout.width
    chart.config.explicit_size = False
    chart.config.legend_at_bottom = True
    chart.config.legend_at_bottom_columns = layout.legend_columns
    chart.config.legend_box_size = layout.font_size
    chart.config.truncate_legend = -1
    chart.config.no_data_text = ""
    chart.config.max_scale = layout.most_value_ticks
    chart.config.truncate_label = -1  # fewer labels rather than "1,2…"
    chart.title = title


def _thin_x_labels(chart, labels: Sequence[str], layout: Layout) -> None:
    """Write at most ``layout.most_x_labels`` of the x labels, evenly spread."""
    chart.x_labels = list(labels)
    if len(labels) > layout.most_x_labels:
        chart.config.x_labels_major_count = layout.most_x_labels
        chart.config.show_minor_x_labels = False


def whole_ticks(values: Sequence[Value | None], most: int = 6) -> list[int]:
    """Axis ticks for counts: whole numbers from 0, at most about ``most`` of them (pygal would
    otherwise label 1 review with 0.2, 0.4, ...)."""
    top = max((v for v in values if v is not None), default=0)
    top = max(1, math.ceil(top))
    step = max(1, math.ceil(top / most))
    return list(range(0, top + step, step))


def _svg(chart) -> Markup:
    # pygal inlines its tooltip configuration as a script; without its JS it does nothing.
    svg = re.sub(r"<script\b.*?</script>", "", chart.render(is_unicode=True), flags=re.S)
    # It also gives that script each point's position (<desc class="x ">135.29...</desc>):
    # coordinates in English digits that a screen reader would read out as text.
    svg = re.sub(r'<desc class="[xy] [^"]*">[^<]*</desc>', "", svg)
    svg = re.sub(r"<title\s*/>|<title></title>", "", svg)
    # Its legend entries carry ids for that script (activate-serie-N), the same in both drawings
    # of a chart and in every chart of a page, where an id must be unique.
    svg = re.sub(r' id="activate-serie-\d+"', "", svg)
    # pygal builds the SVG with an XML library, which escapes every title and label.
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S704  # nosec B704


def _render(draw: Callable[[Layout], Any]) -> Markup:
    """Both drawings of one chart; the stylesheet shows the one that fits."""
    return Markup("").join(
        Markup('<div class="dcx-chart-{}">{}</div>').format(layout.name, _svg(draw(layout)))
        for layout in LAYOUTS
    )


#: How many charts an application keeps drawn, by what they were drawn from and the language:
#: a page seen again (a customer's vitals, a staff dashboard) shows the same charts until its
#: data changes, and pygal's drawing was most of such a page's time. The oldest goes first.
MOST_REMEMBERED = 128
_CHART_ID = re.compile(r"chart-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _frozen(value: Any) -> Hashable:
    """``value`` as a key: mappings and sequences as tuples, lazy texts as their text."""
    if isinstance(value, str | int | float | Decimal | bool | None):
        return value
    if isinstance(value, Mapping):
        return tuple((_frozen(k), _frozen(v)) for k, v in value.items())
    if isinstance(value, Sequence):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, LazyString):
        return str(value)
    raise TypeError(f"not a chart input: {type(value).__name__}")


def _remembered(draw: Callable[..., Markup]) -> Callable[..., Markup]:
    """Draw a chart once for the same inputs in the same language, then give it again."""

    @wraps(draw)
    def remembered(*args: Any, **kwargs: Any) -> Markup:
        if not has_app_context():
            return draw(*args, **kwargs)
        try:
            key = (draw.__name__, str(get_locale()), _frozen(args), _frozen(kwargs))
        except TypeError:  # an input that is not plain data: drawn each time
            return draw(*args, **kwargs)
        known: OrderedDict[Hashable, tuple[str, list[str]]] = current_app.extensions.setdefault(
            "dcx_charts_drawn", OrderedDict()
        )
        if key not in known:
            drawn = draw(*args, **kwargs)
            known[key] = (str(drawn), sorted(set(_CHART_ID.findall(drawn))))
            while len(known) > MOST_REMEMBERED:
                known.popitem(last=False)
            return drawn
        known.move_to_end(key)
        text, ids = known[key]
        # each drawing styles itself through its own id: a chart shown twice on a page must
        # not carry the same one twice
        for old in ids:
            text = text.replace(old, f"chart-{uuid.uuid4()}")
        return Markup(text)  # noqa: S704  # nosec B704 - markup drawn by _render above

    return remembered


@_remembered
def line_chart(
    title: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[Value | None]],
    height: int = 320,
    guides: Mapping[str, float] | None = None,
) -> Markup:
    """A line chart of one or more series over ``labels``; ``guides`` draws target lines.

    Empty markup when no series has a value.
    """
    if not any(has_data(values) for values in series.values()):
        return Markup("")

    def draw(layout: Layout):
        chart = pygal.Line(show_dots=len(labels) <= 40, x_label_rotation=30)
        _config(chart, title, height, layout, len(series) + len(guides or {}))
        _thin_x_labels(chart, labels, layout)
        for name, values in series.items():
            chart.add(name, _drawn(values))
        for name, value in (guides or {}).items():
            chart.add(
                name, [value] * len(labels), show_dots=False, stroke_style={"dasharray": "6,4"}
            )
        return chart

    return _render(draw)


@_remembered
def bar_chart(
    title: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[Value | None]],
    height: int = 320,
    horizontal: bool = False,
    counts: bool = False,
) -> Markup:
    """A bar chart (grouped when several series are given); ``counts`` labels the value axis
    with whole numbers only.

    Empty markup when there is no bar to draw (every value missing or 0).
    """
    if not labels or not any(has_data(values, zero_is_data=False) for values in series.values()):
        return Markup("")

    def draw(layout: Layout):
        chart = (pygal.HorizontalBar if horizontal else pygal.Bar)(
            x_label_rotation=0 if horizontal else 30
        )
        _config(chart, title, height, layout, len(series))
        chart.x_labels = list(labels)  # a bar without its label would be a riddle
        for name, values in series.items():
            # pygal writes a horizontal bar of 0 as a <rect> without its width (invalid SVG);
            # a bar of no value draws the same nothing
            drawn = _drawn(values)
            chart.add(name, [None if horizontal and v == 0 else v for v in drawn])
        if counts:
            chart.y_labels = whole_ticks([v for values in series.values() for v in values])
        return chart

    return _render(draw)


@_remembered
def waterfall_chart(
    title: str,
    steps: Sequence[tuple[str, Value]],
    result_label: str,
    currency: str,
    height: int = 360,
) -> Markup:
    """A waterfall: a starting amount, then additions and deductions, ending at the result.

    ``steps`` are (label, signed amount in major units, exact as a ``Decimal``); the first is the start, and the last
    bar, ``result_label``, is the running total. The start and the result are in the brand
    colour, money in is green and money out red; every amount is written as money in
    ``currency`` for the visitor's locale. Empty markup without steps.
    """
    if not steps:
        return Markup("")
    kinds = (
        ("total", _("Start and result"), BRAND),
        ("in", _("Money in"), MONEY_IN),
        ("out", _("Money out"), MONEY_OUT),
    )
    bars: list[tuple[str, Decimal, Decimal, Decimal]] = []  # kind, low, high, amount shown
    running = Decimal(0)
    for i, (_label, value) in enumerate(steps):
        amount = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
        if i == 0:
            bars.append(("total", min(_ZERO, amount), max(_ZERO, amount), amount))
            running = amount
            continue
        kind = "in" if amount >= 0 else "out"
        bars.append((kind, min(running, running + amount), max(running, running + amount), amount))
        running += amount
    bars.append(("total", min(_ZERO, running), max(_ZERO, running), running))
    x_labels = [label for label, _amount in steps] + [result_label]

    # pygal stacks values above 0 and below 0 apart: a bar that crosses 0 is drawn in two
    # parts, so each kind has a series above 0 and one below; only the parts drawn are added,
    # the first of each kind named (an untitled series has no legend entry).
    parts: list[tuple[str | None, str, list[dict[str, Any] | None]]] = []
    for below in (False, True):
        for key, name, colour in kinds:
            values = [
                _part(low, high, below, money(amount, currency)) if kind == key else None
                for kind, low, high, amount in bars
            ]
            if any(values):
                named = not any(title == name for title, _c, _v in parts)
                parts.append((name if named else None, colour, values))
    base = [_float_base(low, high) for _kind, low, high, _amount in bars]

    def draw(layout: Layout):
        chart = pygal.StackedBar(
            x_label_rotation=30 if layout is WIDE else 45, print_values=layout is WIDE
        )
        _config(chart, title, height, layout, len(parts))
        chart.config.style = _style(layout, [_CLEAR, *(colour for _t, colour, _v in parts)])
        chart.config.value_formatter = lambda v: whole_money(v, currency)
        chart.x_labels = x_labels
        chart.add(None, base, **_SILENT)
        for name, _colour, values in parts:
            chart.add(name, values, **_SILENT)
        return chart

    return _render(draw)


# pygal writes a value for every bar, 0 where a series has none: only the parts say theirs.
_SILENT: dict[str, Any] = {"formatter": lambda _v: ""}


def _float_base(low: Decimal, high: Decimal) -> float | dict[str, Any] | None:
    """The invisible part under a floating bar: from 0 to its near end, on its side of 0."""
    if low >= 0:
        return {"value": float(low), "color": _CLEAR}
    if high <= 0:
        return {"value": float(high), "color": _CLEAR}
    return None  # the bar crosses 0: it starts at 0 both ways


def _part(low: Decimal, high: Decimal, below: bool, label: str) -> dict[str, Any] | None:
    """The part of the bar [low, high] above 0 (or below, with ``below``) on top of its base."""
    if low >= 0:
        value = None if below else high - low
    elif high <= 0:
        value = (low - high) if below else None
    else:
        value = low if below else high
    if value is None:
        return None
    # A bar crossing 0 says its amount once, on the part above.
    text = "" if below and high > 0 else label
    return {"value": float(value), "formatter": lambda _v: text}


@_remembered
def pie_chart(title: str, parts: Mapping[str, float], height: int = 320) -> Markup:
    """A donut chart of parts of a whole; empty markup when the whole is 0."""
    if not has_data(list(parts.values()), zero_is_data=False):
        return Markup("")

    def draw(layout: Layout):
        chart = pygal.Pie(inner_radius=0.45)
        _config(chart, title, height, layout, len(parts))
        for name, value in parts.items():
            chart.add(name, value)
        return chart

    return _render(draw)


@_remembered
def radar_chart(
    title: str, axes: Sequence[str], series: Mapping[str, Sequence[float]], maximum: float
) -> Markup:
    """A radar (spider) chart, e.g. maturity per discipline; empty markup without values."""
    if not axes or not any(has_data(values) for values in series.values()):
        return Markup("")

    def draw(layout: Layout):
        chart = pygal.Radar(range=(0, maximum), fill=True)
        _config(chart, title, 420, layout, len(series))
        # pygal titles each spoke with its angle in radians ("1.570796327"): say nothing there
        chart.config.x_value_formatter = lambda _theta: ""
        chart.x_labels = list(axes)
        for name, values in series.items():
            chart.add(name, list(values))
        return chart

    return _render(draw)
