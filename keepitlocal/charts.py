"""Line charts drawn on the server as SVG, readable without colour and without JavaScript.

``line_chart`` works out the geometry; ``templates/includes/line_chart.html`` draws it:
an image with a title and a description that state every figure, each point labelled
with its value, and a target drawn as a dashed line labelled in words. Pages show the
same figures in a table beside the chart.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

WIDTH = 640
HEIGHT = 320
_LEFT, _RIGHT, _TOP, _BOTTOM = 56, WIDTH - 112, 28, HEIGHT - 56


@dataclass(frozen=True)
class ChartPoint:
    label_lines: tuple[str, ...]
    x: float
    y: float | None  # None: no value for this point (the line breaks there)
    value_text: str
    value_y: float | None


@dataclass(frozen=True)
class Gridline:
    y: float
    text: str


@dataclass(frozen=True)
class LineChart:
    chart_id: str
    title: str
    description: str
    points: tuple[ChartPoint, ...]
    line_paths: tuple[str, ...]
    target_paths: tuple[str, ...]
    target_label: str
    target_label_y: float | None
    gridlines: tuple[Gridline, ...]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = _LEFT
    right: int = _RIGHT
    top: int = _TOP
    bottom: int = _BOTTOM

    @property
    def label_x(self) -> int:
        return self.right + 8

    @property
    def axis_label_x(self) -> int:
        return self.left - 8

    @property
    def x_label_y(self) -> int:
        return self.bottom + 20


def _number(value: Decimal) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _paths(coordinates: Sequence[tuple[float, float | None]]) -> tuple[str, ...]:
    """One SVG path per run of points that have values."""
    paths, current = [], []
    for x, y in coordinates:
        if y is None:
            if len(current) > 1:
                paths.append(" ".join(current))
            current = []
            continue
        current.append(f"{'M' if not current else 'L'} {x:.1f} {y:.1f}")
    if len(current) > 1:
        paths.append(" ".join(current))
    return tuple(paths)


def line_chart(
    *,
    chart_id: str,
    title: str,
    labels: Sequence[str],
    values: Sequence[Decimal | None],
    targets: Sequence[Decimal | None] | None = None,
    unit: str = "%",
    maximum: Decimal = Decimal(100),
    gridline_step: Decimal = Decimal(20),
    no_value_text: str = "no figures",
) -> LineChart:
    """The geometry of a line chart of ``values`` (one per label), with an optional target.

    Values are drawn between 0 and ``maximum`` (a value outside is drawn at the edge and
    still labelled with its real figure). ``chart_id`` must be unique on the page.
    """
    targets = list(targets) if targets is not None else [None] * len(values)
    if not len(labels) == len(values) == len(targets):
        raise ValueError("labels, values and targets must be the same length")
    count = max(len(labels), 1)
    plot_width, plot_height = _RIGHT - _LEFT, _BOTTOM - _TOP

    def y_of(value: Decimal | None) -> float | None:
        if value is None:
            return None
        clamped = min(max(value, Decimal(0)), maximum)
        return round(_BOTTOM - float(clamped / maximum) * plot_height, 1)

    points, line, target_line = [], [], []
    for index, (label, value, target) in enumerate(zip(labels, values, targets, strict=True)):
        x = round(_LEFT + (index + 0.5) * plot_width / count, 1)
        y = y_of(value)
        points.append(
            ChartPoint(
                label_lines=tuple(str(label).split(" ")),
                x=x,
                y=y,
                value_text=f"{_number(value)}{unit}" if value is not None else "",
                value_y=round(y - 10, 1) if y is not None else None,
            )
        )
        line.append((x, y))
        target_line.append((x, y_of(target)))

    known_targets = [t for t in targets if t is not None]
    target_label, target_label_y = "", None
    if known_targets:
        same = all(t == known_targets[0] for t in known_targets)
        target_label = f"Target {_number(known_targets[-1])}{unit}" if same else "Target"
        target_label_y = round(y_of(known_targets[-1]) + 4, 1)
        if len(known_targets) == 1 or (same and len(points) == 1):
            # A single target is drawn across the whole chart.
            y = y_of(known_targets[-1])
            target_line = [(_LEFT, y), (_RIGHT, y)]
        else:
            # Stretch the first and last known targets to the chart's edges.
            target_line = [(_LEFT, target_line[0][1]), *target_line, (_RIGHT, target_line[-1][1])]

    gridlines = []
    step = gridline_step
    level = Decimal(0)
    while level <= maximum:
        gridlines.append(Gridline(y=y_of(level), text=f"{_number(level)}{unit}"))
        level += step

    described = []
    for label, value, target in zip(labels, values, targets, strict=True):
        figure = f"{_number(value)}{unit}" if value is not None else no_value_text
        if target is not None:
            figure += f" against a target of {_number(target)}{unit}"
        described.append(f"{label}: {figure}")
    description = f"{title}. " + ("; ".join(described) if described else "No figures yet") + "."

    return LineChart(
        chart_id=chart_id,
        title=title,
        description=description,
        points=tuple(points),
        line_paths=_paths(line),
        target_paths=_paths(target_line),
        target_label=target_label,
        target_label_y=target_label_y,
        gridlines=tuple(gridlines),
    )
