"""The network table: filters, sort order, the spread of stages chart and the CSV export.

The rows come from ``champions.selectors.network_rows`` (a fixed number of
queries); everything here works on those rows in memory, so sorting by any
column, filtering and charting add no queries.
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

from django.http import QueryDict

from champions.charts import BarChart, bar_chart
from champions.selectors import STAGE_LABELS, STAGE_RANK, NetworkRow
from keepitlocal.models import Council
from principles.exports import spreadsheet_safe
from principles.models import Principle, Stage

DEFAULT_SORT = "name"
KIND_LABELS = dict(Council.Kind.choices)


def _principle_key(index: int) -> Callable[[NetworkRow], int]:
    return lambda row: STAGE_RANK[row.stages[index]]


SORT_KEYS: dict[str, Callable[[NetworkRow], object]] = {
    "name": lambda row: row.name.casefold(),
    "kind": lambda row: KIND_LABELS.get(row.kind, row.kind),
    "joined": lambda row: row.joined_on,
    "endorsement": lambda row: row.endorsement.label if row.endorsement else None,
    "champions": lambda row: row.champions_in_post,
    **{f"p{number}": _principle_key(number - 1) for number in range(1, 7)},
    "assessment": lambda row: row.assessment_average,
    "spend": lambda row: row.local_spend_percentage,
}


def filter_rows(rows: list[NetworkRow], filters: dict) -> list[NetworkRow]:
    """The rows matching every filter given: name, kind, champions, stage of a principle."""
    if name := filters.get("q", "").strip().casefold():
        rows = [row for row in rows if name in row.name.casefold()]
    if kind := filters.get("kind"):
        rows = [row for row in rows if row.kind == kind]
    champions = filters.get("champions")
    if champions == "both":
        rows = [row for row in rows if row.champions_in_post == 2]
    elif champions == "vacancy":
        rows = [row for row in rows if row.champions_in_post < 2]
    principle, stage = filters.get("principle"), filters.get("stage")
    if principle and stage:
        rows = [row for row in rows if row.stages[principle - 1] == stage]
    return rows


def sort_rows(rows: list[NetworkRow], sort: str, descending: bool) -> list[NetworkRow]:
    """Rows in the order asked for; councils with nothing recorded in that column come last."""
    key = SORT_KEYS.get(sort, SORT_KEYS[DEFAULT_SORT])
    by_name = sorted(rows, key=SORT_KEYS["name"])
    known = [row for row in by_name if key(row) is not None]
    unknown = [row for row in by_name if key(row) is None]
    # Python's sort is stable, also in reverse, so ties stay in name order.
    return sorted(known, key=key, reverse=descending) + unknown


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    hidden_prefix: str = ""
    numeric: bool = False


def network_columns(principles: list[Principle]) -> list[Column]:
    return [
        Column("name", "Council"),
        Column("joined", "Joined"),
        Column("endorsement", "Endorsement"),
        Column("champions", "Champions"),
        *(Column(f"p{p.number}", str(p.number), hidden_prefix="Principle ") for p in principles),
        Column("assessment", "Assessment average", numeric=True),
        Column("spend", "Local spend", numeric=True),
    ]


@dataclass(frozen=True)
class SortLink:
    column: Column
    href: str
    aria_sort: str  # "ascending", "descending" or "none"


def sort_links(
    columns: list[Column], query: QueryDict, sort: str, descending: bool
) -> list[SortLink]:
    """Column headings that sort the table, keeping the filters; the current one reverses."""
    links = []
    for column in columns:
        params = query.copy()
        params.pop("page", None)
        current = column.key == sort
        params["sort"] = column.key
        params["order"] = "asc" if current and descending else "desc" if current else "asc"
        state = ("descending" if descending else "ascending") if current else "none"
        links.append(SortLink(column, f"?{params.urlencode()}", state))
    return links


def stage_spread_chart(
    rows: list[NetworkRow], principles: list[Principle], chart_id: str = "stage-spread"
) -> BarChart:
    """How many of the listed councils are at each stage of each principle."""
    stages = list(Stage.values)
    counts = [[0] * len(stages) for _ in principles]
    for row in rows:
        for index, stage in enumerate(row.stages):
            counts[index][STAGE_RANK[stage]] += 1
    noun = "council" if len(rows) == 1 else "councils"
    most = []
    for principle, row_counts in zip(principles, counts, strict=True):
        if rows:
            top = max(range(len(stages)), key=lambda i: row_counts[i])
            most.append(f"principle {principle.number}: {STAGE_LABELS[stages[top]].lower()}")
    description = (
        f"For each principle, how many of the {len(rows)} {noun} listed are at each stage: "
        "not started, developing, established and embedded."
        + (f" The most common stage is, for {'; '.join(most)}." if most else "")
        + " The same figures are in the table below the chart."
    )
    return bar_chart(
        chart_id=chart_id,
        title="Spread of stages across the network",
        description=description,
        category_heading="Principle",
        categories=[f"Principle {p.number}" for p in principles],
        series=[STAGE_LABELS[stage] for stage in stages],
        values=counts,
        value_text=lambda value: f"{value:,.0f}",
    )


CSV_HEADERS = [
    "Council",
    "Kind of authority",
    "Joined",
    "Endorsement",
    "Cabinet champion",
    "Senior management champion",
]


def network_csv(rows: list[NetworkRow], principles: list[Principle]) -> bytes:
    """The table as CSV, UTF-8 with a byte order mark so Excel reads it correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            *CSV_HEADERS,
            *(f"Principle {p.number}: {p.title}" for p in principles),
            "Latest assessment average",
            "Local spend (%)",
        ]
    )
    for row in rows:
        cells = [
            row.name,
            KIND_LABELS.get(row.kind, row.kind),
            row.joined_on.isoformat() if row.joined_on else "",
            row.endorsement.label if row.endorsement else "Not recorded yet",
            "In post" if row.cabinet_in_post else "Vacant",
            "In post" if row.senior_in_post else "Vacant",
            *row.stage_labels,
            "" if row.assessment_average is None else row.assessment_average,
            "" if row.local_spend_percentage is None else row.local_spend_percentage,
        ]
        writer.writerow([spreadsheet_safe(cell) for cell in cells])
    return buffer.getvalue().encode("utf-8-sig")
