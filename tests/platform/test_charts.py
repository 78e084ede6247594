"""Charts render as self-contained SVG: nothing fetched from the internet."""

import re
import xml.etree.ElementTree as ET
from decimal import Decimal

from dcx.platform import charts

SVG = "{http://www.w3.org/2000/svg}"


def _external_urls(svg: str) -> set[str]:
    urls = set(re.findall(r"""(?:href|src)=["'](https?://[^"']+)""", svg))
    return {u for u in urls if "w3.org" not in u}


def test_line_chart_has_series_and_target_and_loads_nothing():
    svg = charts.line_chart(
        "Blood pressure", ["Mon", "Tue"], {"Systolic": [142, 135]}, guides={"Target": 130}
    )
    assert svg.startswith('<div class="dcx-chart-wide"><svg role="img"')
    assert svg.count('<svg role="img"') == 2  # the wide drawing and the narrow one
    assert "Systolic" in svg and "Target" in svg and "Blood pressure" in svg
    assert "<script" not in svg
    assert not _external_urls(svg)


def test_waterfall_ends_at_the_running_total(app):
    svg = charts.waterfall_chart(
        "Safe to spend", [("Balance", 1000), ("Bills", -300), ("Goals", -200)], "Left", "EUR"
    )
    assert "Bills" in svg and "Goals" in svg and "Left" in svg
    assert "€500.00" in _values(_wide(svg))  # the final bar's value


def test_the_waterfall_draws_exact_amounts_in_the_currency_s_digits(app):
    steps = [("Balance", Decimal("1.234")), ("Fee", Decimal("-0.001"))]
    assert "BHD1.233" in _values(_wide(charts.waterfall_chart("Left", steps, "=", "BHD")))
    bars = charts.bar_chart("Spending", ["Food"], {"This month": [Decimal("12.34")]})
    assert "12.34" in bars


def test_bar_pie_and_radar_render():
    assert "Food" in charts.bar_chart("Spending", ["Food", "Rent"], {"This month": [120, 800]})
    assert "Food" in charts.pie_chart("Split", {"Food": 1, "Rent": 2})
    assert "Design" in charts.radar_chart(
        "Maturity", ["Strategy", "Design", "Culture"], {"You": [1, 2, 3]}, 4
    )


def test_the_waterfall_base_bars_are_invisible(app):
    svg = charts.waterfall_chart("Safe to spend", [("Balance", 1000), ("Bills", -300)], "=", "EUR")
    assert "rgba(0,0,0,0)" in svg


def _wide(markup: str) -> ET.Element:
    """The wide drawing of a chart, parsed."""
    svg = markup[markup.index("<svg") : markup.index("</svg>") + len("</svg>")]
    return ET.fromstring(svg)  # noqa: S314 - our own chart


def _values(svg: ET.Element) -> list[str]:
    return [t.text for t in svg.iter(f"{SVG}text") if "value" in t.get("class", "") and t.text]


def _bar_colours(svg: ET.Element) -> list[set[str]]:
    """The colours of the bars drawn, bar by bar from left to right (invisible ones left out)."""
    css = "".join(s.text or "" for s in svg.iter(f"{SVG}style"))
    fill: dict[str, str] = {}
    for colour, value in re.findall(r"\.(color-\d+)[^{]*\{[^}]*?fill:([^;}]+)", css):
        fill.setdefault(colour, value)  # the series' own rule comes first, then its texts
    by_x: dict[float, set[str]] = {}
    for series in svg.iter(f"{SVG}g"):
        colour = next((c for c in series.get("class", "").split() if c.startswith("color-")), "")
        if "series" not in series.get("class", "") or fill.get(colour) == "rgba(0,0,0,0)":
            continue
        for rect in series.iter(f"{SVG}rect"):
            x = round(float(rect.get("x")))
            if float(rect.get("height")) > 0:
                by_x.setdefault(x, set()).add(fill[colour])
    return [by_x[x] for x in sorted(by_x)]


def test_the_waterfall_reads_right_brand_total_red_money_out_green_money_in(app):
    svg = _wide(
        charts.waterfall_chart(
            "Why this number",
            [("Available balance", 1000), ("Bills", -300), ("Refund", 50), ("Goals", -1200)],
            "Safe to spend",
            "EUR",
        )
    )
    brand, money_in, money_out = {charts.BRAND}, {charts.MONEY_IN}, {charts.MONEY_OUT}
    # The goals cross 0 (750 down to -450): two parts, both money out.
    assert _bar_colours(svg) == [brand, money_out, money_in, money_out, brand]
    legend = [t.text for t in _legend_texts(svg)]
    assert legend == ["Start and result", "Money in", "Money out"]  # no blank, "+" or "-"
    assert sorted(set(_values(svg))) == sorted(
        {"€1,000.00", "-€300.00", "€50.00", "-€1,200.00", "-€450.00"}
    )


def _legend_texts(svg: ET.Element) -> list[ET.Element]:
    legends = [g for g in svg.iter(f"{SVG}g") if "legends" in g.get("class", "")]
    return [t for g in legends for t in g.iter(f"{SVG}text")]


def test_the_waterfall_speaks_the_visitors_language_and_money(app, fresh_catalogues):
    from flask_babel import force_locale

    with force_locale("es"):
        svg = _wide(
            charts.waterfall_chart(
                "Por qué", [("Saldo", 1234.5), ("Facturas", -34.5)], "Libre", "EUR"
            )
        )
    legend = [t.text for t in _legend_texts(svg)]
    assert "Start and result" not in legend and "Money out" not in legend
    assert "1234,50\xa0€" in _values(svg) or "1.234,50\xa0€" in _values(svg)
    axis = [
        t.text
        for g in svg.iter(f"{SVG}g")
        if "axis y" in g.get("class", "")
        for t in g.iter(f"{SVG}text")
    ]
    assert "1000\xa0€" in axis or "1.000\xa0€" in axis  # whole euros on the axis


def test_axis_numbers_follow_the_locale(app):
    from flask_babel import force_locale

    from dcx.platform import charts

    with force_locale("es"):
        svg = str(charts.bar_chart("Ratings", ["a", "b"], {"Books": [1234.5, 2.25]}))
        assert charts.number(1234.5) == "1234,5" or charts.number(1234.5) == "1.234,5"
    assert "1.234,5" in svg or "1234,5" in svg
    assert charts.number(1234.5) == "1,234.5" and charts.number(None) == ""


def test_counts_are_labelled_with_whole_numbers(app):
    assert charts.whole_ticks([0, 1, 0]) == [0, 1]
    assert charts.whole_ticks([]) == [0, 1]
    assert charts.whole_ticks([3, None, 17]) == [0, 3, 6, 9, 12, 15, 18]
    plain = str(charts.bar_chart("Reviews", ["a", "b", "c"], {"Reviews": [0, 1, 0]}))
    whole = str(charts.bar_chart("Reviews", ["a", "b", "c"], {"Reviews": [0, 1, 0]}, counts=True))
    assert re.search(r">0\.\d+<", plain)  # pygal's own axis for one review: 0.1, 0.2 ...
    assert not re.search(r">0\.\d+<", whole) and ">1<" in whole


def test_a_chart_with_nothing_to_draw_is_empty_markup(app):
    assert charts.line_chart("Weight", ["Mon", "Tue"], {"Weight": [None, None]}) == ""
    assert charts.line_chart("Weight", [], {"Weight": []}, guides={"Goal": 80}) == ""
    assert charts.bar_chart("Ratings", ["1", "2"], {"Reviews": [0, 0]}, counts=True) == ""
    assert charts.bar_chart("Spending", [], {"This month": []}, horizontal=True) == ""
    assert charts.pie_chart("Split", {"Food": 0}) == ""
    assert charts.waterfall_chart("Why", [], "Left", "EUR") == ""
    # A line at 0 is a reading: it is drawn.
    assert charts.line_chart("Minutes", ["w1", "w2"], {"Minutes": [0, 0]}) != ""


def test_the_chart_macro_says_a_sentence_for_an_empty_chart(app):
    from flask import render_template_string

    with app.test_request_context():
        page = render_template_string(
            '{% from "macros.html" import chart %}{{ chart(svg, "Caption", empty="No data yet.") }}',
            svg=charts.bar_chart("Ratings", ["1"], {"Reviews": [0]}),
        )
    assert "No data yet." in page and "<svg" not in page and "Caption" not in page


def test_on_a_phone_every_bar_keeps_its_label_and_no_axis_label_is_cut(app):
    months = ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]
    markup = str(charts.bar_chart("Income", months, {"Income": [3200, 3200, 3200, 0, 3200, 1]}))
    narrow = markup[markup.index('class="dcx-chart-narrow"') :]
    assert all(f">{month}<" in narrow for month in months)
    wide_bars = str(
        charts.bar_chart("Spending", ["Housing", "Food"], {"Now": [1234, 456]}, horizontal=True)
    )
    assert "…" not in wide_bars


def test_a_short_line_chart_writes_every_date_and_a_long_one_a_few(app):
    def axis_labels(markup: str) -> list[list[str]]:
        drawings = [ET.fromstring(m) for m in re.findall(r"<svg .*?</svg>", markup, re.S)]  # noqa: S314
        return [
            [
                t.text
                for g in svg.iter(f"{SVG}g")
                if g.get("class") == "axis x"
                for t in g.iter(f"{SVG}text")
            ]
            for svg in drawings
        ]

    weeks = ["15 Nov", "22 Nov", "29 Nov", "6 Dec"]
    assert axis_labels(
        str(charts.line_chart("Minutes", weeks, {"Minutes": [30, 90, 120, 90]}))
    ) == [
        weeks,
        weeks,
    ]
    days = [f"{d} Oct" for d in range(1, 31)]
    wide, narrow = axis_labels(str(charts.line_chart("Weight", days, {"Weight": [80.0] * 30})))
    assert 6 <= len(wide) <= 12 and 3 <= len(narrow) <= 5


def test_every_bar_is_a_whole_rect_and_no_id_repeats(app):
    # pygal drops the width of a horizontal bar of 0, and gives both drawings of a chart the
    # same legend ids: two pages' worth of HTML errors
    markup = str(
        charts.bar_chart(
            "Ratings", ["1", "2", "3"], {"Reviews": [0, 4, 1], "Yours": [1, 0, 0]}, horizontal=True
        )
    )
    rects = re.findall(r"<rect\b[^>]*>", markup)
    assert rects and all(" width=" in rect and " height=" in rect for rect in rects)
    ids = re.findall(r'\bid="([^"]+)"', markup)
    assert len(ids) == len(set(ids))


def test_a_chart_drawn_again_with_the_same_data_and_language_is_not_drawn_twice(app, monkeypatch):
    import pygal
    from flask_babel import force_locale

    drawn = []
    real = pygal.Line.render
    monkeypatch.setattr(
        pygal.Line, "render", lambda self, **kw: drawn.append(1) or real(self, **kw)
    )

    def chart(values, title="Weight"):
        return charts.line_chart(title, ["Mon", "Tue"], {"kg": values}, guides={"Target": 80})

    def same(a, b):  # the same drawing; each shown chart has ids of its own
        ids = charts._CHART_ID
        return ids.sub("", a) == ids.sub("", b) and not set(ids.findall(a)) & set(ids.findall(b))

    with app.test_request_context():
        first = chart([81.5, 1234.5])
        assert same(chart([81.5, 1234.5]), first) and len(drawn) == 2  # wide, narrow: once
        assert not same(chart([81.5, 1234.0]), first) and len(drawn) == 4  # other data
        with force_locale("es"):
            spanish = chart([81.5, 1234.5])
        assert len(drawn) == 6 and "1.234,5" in spanish and "1.234,5" not in first
        # bounded: the oldest is forgotten once more charts than the bound were drawn
        for n in range(charts.MOST_REMEMBERED):
            chart([float(n), 1.0])
        drawn.clear()
        assert same(chart([81.5, 1234.5]), first) and len(drawn) == 2
