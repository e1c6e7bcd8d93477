"""Charts are drawn to scale, say every figure in words, and refuse figures that do not fit."""

import pytest
from django.template.loader import render_to_string

from champions.charts import bar_chart
from tests.html import text


def chart(**overrides):
    options = {
        "chart_id": "spend",
        "title": "Local spend by year",
        "description": "Local spend rose each year.",
        "category_heading": "Year",
        "categories": ["2024", "2025"],
        "series": ["Local", "Not local"],
        "values": [[30, 10], [60, 20]],
    }
    return bar_chart(**{**options, **overrides})


def test_bars_are_drawn_to_the_scale_of_the_largest_total():
    drawn = chart()
    small, large = drawn.bars
    assert sum(s.width for s in large.segments) == pytest.approx(
        2 * sum(s.width for s in small.segments)
    )
    assert large.segments[0].width == pytest.approx(3 * large.segments[1].width)
    assert large.segments[1].x == pytest.approx(large.segments[0].x + large.segments[0].width)
    assert [bar.total_text for bar in drawn.bars] == ["40", "80"]


def test_a_figure_too_wide_for_its_segment_is_left_to_the_table():
    drawn = chart(values=[[1, 999], [500, 500]])
    assert drawn.bars[0].segments[0].show_text is False
    assert drawn.bars[0].segments[1].show_text is True
    assert drawn.table_rows[0] == ("2024", ["1", "999"], "1000")


def test_series_differ_by_pattern_as_well_as_colour():
    drawn = chart(series=["A", "B", "C", "D"], values=[[1, 1, 1, 1], [1, 1, 1, 1]])
    styles = [(s.fill, s.pattern) for s in drawn.bars[0].segments]
    assert len({fill for fill, _ in styles}) == 4
    assert [pattern for _, pattern in styles] == [None, "lines", "dots", "cross"]
    assert [item.label for item in drawn.legend] == ["A", "B", "C", "D"]


def test_a_single_series_chart_has_no_legend():
    drawn = chart(series=["Councils"], values=[[3], [5]])
    assert drawn.legend == []
    assert drawn.bars[0].y == 0


def test_figures_that_do_not_match_the_categories_are_refused():
    with pytest.raises(ValueError, match="one row per category"):
        chart(values=[[1, 2]])
    with pytest.raises(ValueError, match="one figure per series"):
        chart(values=[[1], [2]])


def test_an_empty_chart_draws_no_bars_but_keeps_its_table():
    drawn = chart(values=[[0, 0], [0, 0]])
    assert all(segment.width == 0 for bar in drawn.bars for segment in bar.segments)
    assert drawn.table_rows[1] == ("2025", ["0", "0"], "0")


def test_the_svg_is_named_described_and_followed_by_its_figures():
    import lxml.html

    html = lxml.html.fromstring(
        f"<div>{render_to_string('includes/bar_chart.html', {'chart': chart()})}</div>"
    )
    svg = html.cssselect("svg")[0]
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "spend-title spend-desc"
    assert text(svg.cssselect("#spend-title")[0]) == "Local spend by year"
    assert text(svg.cssselect("#spend-desc")[0]) == "Local spend rose each year."
    assert [text(t) for t in svg.cssselect("g > text")][:2] == ["Local", "Not local"]
    assert "60" in [text(t) for t in svg.cssselect("text")]
    assert not html.cssselect("[style]")
    table = html.cssselect("table")[0]
    assert text(table.cssselect("caption")[0]) == "Local spend by year: the figures in the chart"
    assert [text(th) for th in table.cssselect("thead th")] == [
        "Year",
        "Local",
        "Not local",
        "Total",
    ]
    assert [text(c) for c in table.cssselect("tbody tr")[1]] == ["2025", "60", "20", "80"]


def test_a_grouped_chart_draws_one_bar_per_series_to_a_fixed_scale_and_names_each_bar():
    from champions.charts import grouped_bar_chart

    drawn = grouped_bar_chart(
        chart_id="results",
        title="Scores by principle",
        description="Scores from 1 to 4.",
        category_heading="Principle",
        categories=["Principle 1", "Principle 2"],
        series=["This assessment", "Network median"],
        values=[[2.0, 4.0], [None, 1.0]],
        value_text=lambda value: f"{value:.1f}",
        scale_to=4.0,
        missing_text="not scored",
    )
    assert [bar.label for bar in drawn.bars] == ["Principle 1", "", "Principle 2", ""]
    widths = [bar.segments[0].width for bar in drawn.bars]
    assert widths[1] == pytest.approx(2 * widths[0]) and widths[2] == 0
    assert widths[1] == pytest.approx(4 * widths[3])
    assert [bar.total_text for bar in drawn.bars] == ["2.0", "4.0", "not scored", "1.0"]
    # Each series has its own pattern as well as its own colour.
    assert len({(item.fill, item.pattern) for item in drawn.legend}) == 2
    assert len({item.pattern for item in drawn.legend}) == 2
    html = render_to_string("includes/bar_chart.html", {"chart": drawn})
    assert "Principle 2, Network median: 1.0" in html
    assert "Total" not in html
    assert drawn.table_rows[1] == ("Principle 2", ["not scored", "1.0"], "")
