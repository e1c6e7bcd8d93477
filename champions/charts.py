"""Bar charts drawn on the server as SVG that people can read without colour or JavaScript.

A chart is figures plus geometry worked out here; ``includes/bar_chart.html``
draws it with a title and description for screen readers, patterns as well as
colours, every figure written on or beside its bar, and the same figures in a
table below. A single-series bar chart is a stacked chart with one series.

    chart = bar_chart(
        chart_id="stages", title="…", description="…", category_heading="Principle",
        categories=["Principle 1", …], series=["Not started", …], values=[[3, 5, 1, 0], …],
    )
    {% include "includes/bar_chart.html" with chart=chart %}
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

WIDTH = 640
BAR_HEIGHT = 28
BAR_GAP = 14
LEGEND_ROW = 28
SWATCH = 16
CHAR_WIDTH = 7.6  # an average character at 14px, for laying out labels
MIN_WIDTH_FOR_TEXT = 26

# Fills darken in order, so a greyscale print still tells series apart; each
# also has its own pattern, and every segment carries its figure as text.
_STYLES = [
    ("#f3f2f1", None),
    ("#b6d7c9", "lines"),
    ("#4c9a7a", "dots"),
    ("#0b5c3e", "cross"),
    ("#8c8fb5", "lines"),
    ("#5f3f7a", "dots"),
]


@dataclass(frozen=True)
class Segment:
    series: str
    value: float
    text: str
    x: float
    width: float
    fill: str
    pattern: str | None
    show_text: bool

    @property
    def text_x(self) -> float:
        return round(self.x + self.width / 2, 1)


@dataclass(frozen=True)
class Bar:
    label: str
    y: float
    segments: list[Segment]
    total_text: str
    total_x: float
    # What a screen reader hears for the bar, where its visible label is shared with its group.
    spoken_label: str = ""

    @property
    def text_y(self) -> float:
        return round(self.y + BAR_HEIGHT / 2 + 5, 1)


@dataclass(frozen=True)
class LegendItem:
    label: str
    fill: str
    pattern: str | None
    x: float
    y: float

    @property
    def text_x(self) -> float:
        return round(self.x + SWATCH + 6, 1)

    @property
    def text_y(self) -> float:
        return round(self.y + 13, 1)


@dataclass(frozen=True)
class BarChart:
    chart_id: str
    title: str
    description: str
    category_heading: str
    series: list[str]
    bars: list[Bar]
    legend: list[LegendItem]
    label_width: float
    height: float
    show_totals: bool
    table_rows: list[tuple[str, list[str], str]]
    table_totals: bool = True
    width: int = WIDTH
    bar_height: int = BAR_HEIGHT
    swatch: int = SWATCH

    @property
    def label_x(self) -> float:
        return round(self.label_width - 8, 1)


def _text_width(text: str) -> float:
    return len(text) * CHAR_WIDTH


def _legend(series: Sequence[str], styles) -> tuple[list[LegendItem], float]:
    """The legend's items, wrapped onto rows to fit the width, and where the bars can start."""
    legend = []
    x, y = 0.0, 4.0
    for label, (fill, pattern) in zip(series, styles, strict=True):
        item_width = SWATCH + 6 + _text_width(label) + 18
        if x and x + item_width > WIDTH:
            x, y = 0.0, y + LEGEND_ROW
        legend.append(LegendItem(label, fill, pattern, round(x, 1), y))
        x += item_width
    return legend, y + LEGEND_ROW + 8


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    category_heading: str,
    categories: Sequence[str],
    series: Sequence[str],
    values: Sequence[Sequence[float]],
    value_text: Callable[[float], str] = lambda value: f"{value:g}",
    show_totals: bool = True,
    scale_to: float | None = None,
) -> BarChart:
    """Lay out a horizontal (stacked) bar chart: one bar per category, one segment per series.

    Bars are drawn to the scale of ``scale_to`` (by default the largest total).
    """
    if len(values) != len(categories) or any(len(row) != len(series) for row in values):
        raise ValueError("values must have one row per category and one figure per series")
    styles = [_STYLES[index % len(_STYLES)] for index in range(len(series))]
    legend, legend_bottom = _legend(series, styles)
    top = legend_bottom if len(series) > 1 else 0

    label_width = round(max((_text_width(label) for label in categories), default=0) + 12, 1)
    totals = [sum(row) for row in values]
    total_width = max((_text_width(value_text(total)) for total in totals), default=0) + 12
    plot_width = WIDTH - label_width - (total_width if show_totals else 0)
    scale = scale_to if scale_to else max(totals, default=0)
    bars = []
    for index, (label, row, total) in enumerate(zip(categories, values, totals, strict=True)):
        bar_y = top + index * (BAR_HEIGHT + BAR_GAP)
        x = label_width
        segments = []
        for name, value, (fill, pattern) in zip(series, row, styles, strict=True):
            width = plot_width * value / scale if scale else 0
            text = value_text(value)
            segments.append(
                Segment(
                    series=name,
                    value=value,
                    text=text,
                    x=round(x, 2),
                    width=round(width, 2),
                    fill=fill,
                    pattern=pattern,
                    show_text=width >= max(MIN_WIDTH_FOR_TEXT, _text_width(text) + 8),
                )
            )
            x += width
        bars.append(
            Bar(
                label=label,
                y=bar_y,
                segments=segments,
                total_text=value_text(total),
                total_x=round(x + 6, 2),
            )
        )
    height = top + len(categories) * (BAR_HEIGHT + BAR_GAP)
    table_rows = [
        (label, [value_text(value) for value in row], value_text(total))
        for label, row, total in zip(categories, values, totals, strict=True)
    ]
    return BarChart(
        chart_id=chart_id,
        title=title,
        description=description,
        category_heading=category_heading,
        series=list(series),
        bars=bars,
        legend=legend if len(series) > 1 else [],
        label_width=label_width,
        height=height,
        show_totals=show_totals,
        table_rows=table_rows,
        table_totals=show_totals,
    )


GROUP_GAP = 18
GROUPED_STYLES = [_STYLES[3], _STYLES[1], _STYLES[5], _STYLES[2], _STYLES[4]]


def grouped_bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    category_heading: str,
    categories: Sequence[str],
    series: Sequence[str],
    values: Sequence[Sequence[float | None]],
    value_text: Callable[[float], str] = lambda value: f"{value:g}",
    scale_to: float | None = None,
    missing_text: str = "none",
) -> BarChart:
    """Lay out a horizontal grouped bar chart: one group per category, one bar per series, each
    bar's figure written beside it (``missing_text`` where a figure is ``None``).

    The table below the chart has a row per category and a column per series.
    """
    if len(values) != len(categories) or any(len(row) != len(series) for row in values):
        raise ValueError("values must have one row per category and one figure per series")
    styles = [GROUPED_STYLES[index % len(GROUPED_STYLES)] for index in range(len(series))]
    legend, top = _legend(series, styles)

    label_width = round(max((_text_width(label) for label in categories), default=0) + 12, 1)
    texts = [value_text(v) if v is not None else missing_text for row in values for v in row]
    figure_width = max((_text_width(text) for text in texts), default=0) + 12
    plot_width = WIDTH - label_width - figure_width
    scale = scale_to or max((v for row in values for v in row if v is not None), default=0)
    bars, bar_y = [], top
    for label, row in zip(categories, values, strict=True):
        for position, (name, value, (fill, pattern)) in enumerate(
            zip(series, row, styles, strict=True)
        ):
            width = plot_width * (value or 0) / scale if scale else 0
            text = value_text(value) if value is not None else missing_text
            segment = Segment(
                name, value or 0, text, label_width, round(width, 2), fill, pattern, False
            )
            bars.append(
                Bar(
                    label=label if position == 0 else "",
                    y=round(bar_y, 2),
                    segments=[segment],
                    total_text=text,
                    total_x=round(label_width + width + 6, 2),
                    spoken_label=label,
                )
            )
            bar_y += BAR_HEIGHT + 4
        bar_y += GROUP_GAP
    table_rows = [
        (label, [value_text(v) if v is not None else missing_text for v in row], "")
        for label, row in zip(categories, values, strict=True)
    ]
    return BarChart(
        chart_id=chart_id,
        title=title,
        description=description,
        category_heading=category_heading,
        series=list(series),
        bars=bars,
        legend=legend,
        label_width=label_width,
        height=round(bar_y, 2),
        show_totals=True,
        table_rows=table_rows,
        table_totals=False,
    )
