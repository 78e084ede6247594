"""Charts render as self-contained SVG: nothing fetched from the internet."""

import re

from dcx.platform import charts


def _external_urls(svg: str) -> set[str]:
    urls = set(re.findall(r"""(?:href|src)=["'](https?://[^"']+)""", svg))
    return {u for u in urls if "w3.org" not in u}


def test_line_chart_has_series_and_target_and_loads_nothing():
    svg = charts.line_chart(
        "Blood pressure", ["Mon", "Tue"], {"Systolic": [142, 135]}, guides={"Target": 130}
    )
    assert svg.startswith('<svg role="img"')
    assert "Systolic" in svg and "Target" in svg and "Blood pressure" in svg
    assert "<script" not in svg
    assert not _external_urls(svg)


def test_waterfall_ends_at_the_running_total():
    svg = charts.waterfall_chart(
        "Safe to spend", [("Balance", 1000), ("Bills", -300), ("Goals", -200)]
    )
    assert "Bills" in svg and "Goals" in svg
    assert "500" in svg  # the final bar's value


def test_bar_pie_and_radar_render():
    assert "Food" in charts.bar_chart("Spending", ["Food", "Rent"], {"This month": [120, 800]})
    assert "Food" in charts.pie_chart("Split", {"Food": 1, "Rent": 2})
    assert "Design" in charts.radar_chart(
        "Maturity", ["Strategy", "Design", "Culture"], {"You": [1, 2, 3]}, 4
    )


def test_the_waterfall_base_bars_are_invisible():
    svg = charts.waterfall_chart("Safe to spend", [("Balance", 1000), ("Bills", -300)])
    assert "rgba(0,0,0,0)" in svg


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
