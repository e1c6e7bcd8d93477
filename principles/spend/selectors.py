"""Reads for local spend: periods and their charts, the latest figure against target for one
council or many, the supplier register, and what an uploaded spend file holds."""

import datetime
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Max, Min, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.shortcuts import get_object_or_404

from keepitlocal.charts import LineChart, line_chart
from keepitlocal.models import Council
from principles.spend.models import (
    LocalSpendColumnMapping,
    LocalSpendImport,
    LocalSpendPeriod,
    LocalSpendSettings,
    Supplier,
    financial_year_label,
    financial_year_of,
)
from principles.spend.transparency import (
    MAX_PROBLEMS_SHOWN,
    FileRefused,
    Payment,
    Problem,
    guess_columns,
    headers_key,
    read_payments,
)

# --- Settings and periods --------------------------------------------------


def council_spend_settings(council: Council) -> LocalSpendSettings | None:
    return LocalSpendSettings.objects.filter(council=council).first()


def council_spend_periods(council: Council) -> QuerySet[LocalSpendPeriod]:
    return LocalSpendPeriod.objects.filter(council=council).order_by("starts_on", "kind")


def council_spend_period(council: Council, pk: int) -> LocalSpendPeriod:
    """One period of the current council; another council's is a 404."""
    return get_object_or_404(LocalSpendPeriod, council=council, pk=pk)


@dataclass(frozen=True)
class LocalSpendSummary:
    """A council's latest local spend percentage, against its target for that period."""

    council_id: int
    period_label: str
    percentage: Decimal
    target_percentage: Decimal | None
    meets_target: bool | None
    starts_on: datetime.date
    ends_on: datetime.date

    @classmethod
    def of(cls, period: LocalSpendPeriod) -> "LocalSpendSummary":
        return cls(
            council_id=period.council_id,
            period_label=period.label,
            percentage=period.percentage,
            target_percentage=period.target_percentage,
            meets_target=period.meets_target,
            starts_on=period.starts_on,
            ends_on=period.ends_on,
        )


def _latest_periods(councils) -> QuerySet[LocalSpendPeriod]:
    # The period ending last with any spend; a year before its own fourth quarter.
    return (
        LocalSpendPeriod.objects.filter(council__in=councils, total_spend__gt=0)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("council_id")],
                order_by=[F("ends_on").desc(), F("starts_on").asc()],
            )
        )
        .filter(rank=1)
    )


def council_latest_local_spend(council: Council) -> LocalSpendSummary | None:
    """The council's latest local spend percentage against target, or None with no figures."""
    period = _latest_periods([council]).first()
    return LocalSpendSummary.of(period) if period is not None else None


def councils_latest_local_spend(
    councils: QuerySet[Council] | Iterable[Council],
) -> dict[int, LocalSpendSummary]:
    """The latest local spend of many councils at once, by council id, in one query.

    Councils without figures are left out. Pass a queryset to keep it to one query
    however many councils there are.
    """
    return {period.council_id: LocalSpendSummary.of(period) for period in _latest_periods(councils)}


def local_spend_charts(periods: Iterable[LocalSpendPeriod]) -> list[LineChart]:
    """Percentage of spend that was local over time against target: one chart of financial
    years, and one of quarters if the council records quarters."""
    periods = list(periods)
    charts = []
    for kind, chart_id, title in (
        (LocalSpendPeriod.Kind.YEAR, "local-spend-years", "Local spend by financial year"),
        (LocalSpendPeriod.Kind.QUARTER, "local-spend-quarters", "Local spend by quarter"),
    ):
        chosen = [period for period in periods if period.kind == kind]
        if not chosen:
            continue
        charts.append(
            line_chart(
                chart_id=chart_id,
                title=f"{title}, as a percentage of all third-party spend",
                labels=[
                    period.label if kind == LocalSpendPeriod.Kind.YEAR else _quarter_label(period)
                    for period in chosen
                ],
                values=[period.percentage for period in chosen],
                targets=[period.target_percentage for period in chosen],
            )
        )
    return charts


def _quarter_label(period: LocalSpendPeriod) -> str:
    return f"Q{period.quarter} {financial_year_label(period.financial_year)}"


# --- Supplier register -----------------------------------------------------

SHOW = {
    "all": ("All suppliers", Q()),
    "unknown": ("Location not known", Q(is_local__isnull=True)),
    "local": ("Local", Q(is_local=True)),
    "not_local": ("Not local", Q(is_local=False)),
}


def supplier_register(council: Council, show: str = "all") -> QuerySet[Supplier]:
    """The council's suppliers with what it paid each, the largest first."""
    return (
        Supplier.objects.filter(SHOW[show][1], council=council)
        .annotate(total_spend=Sum("transactions__amount"), payment_count=Count("transactions"))
        .order_by(F("total_spend").desc(nulls_last=True), "name", "pk")
    )


def largest_unclassified_suppliers(council: Council, limit: int = 10) -> list[Supplier]:
    """Suppliers whose location is not known, by what they were paid: what to classify next."""
    return list(supplier_register(council, "unknown")[:limit])


def supplier_register_counts(council: Council) -> dict[str, int]:
    counts = Supplier.objects.filter(council=council).aggregate(
        all=Count("pk"),
        unknown=Count("pk", filter=Q(is_local__isnull=True)),
        local=Count("pk", filter=Q(is_local=True)),
        not_local=Count("pk", filter=Q(is_local=False)),
    )
    return counts


def council_supplier(council: Council, pk: int) -> Supplier:
    """One supplier of the current council, with what it was paid; another's is a 404."""
    return get_object_or_404(
        Supplier.objects.select_related("updated_by").annotate(
            total_spend=Sum("transactions__amount"),
            payment_count=Count("transactions"),
            first_paid_on=Min("transactions__paid_on"),
            last_paid_on=Max("transactions__paid_on"),
        ),
        council=council,
        pk=pk,
    )


# --- Spend files -----------------------------------------------------------


def council_spend_imports(council: Council) -> QuerySet[LocalSpendImport]:
    return LocalSpendImport.objects.filter(council=council).select_related(
        "uploaded_by", "imported_by"
    )


def council_spend_import(council: Council, pk: int) -> LocalSpendImport:
    """One uploaded spend file of the current council; another council's is a 404."""
    return get_object_or_404(
        LocalSpendImport.objects.select_related("uploaded_by", "imported_by"),
        council=council,
        pk=pk,
    )


def imported_already(council: Council, content_hash: str) -> LocalSpendImport | None:
    """The earlier import of a file with the same content, if any."""
    return (
        LocalSpendImport.objects.filter(
            council=council, content_hash=content_hash, status=LocalSpendImport.Status.IMPORTED
        )
        .select_related("imported_by")
        .first()
    )


def remembered_columns(council: Council, headers: Iterable[str]) -> dict[str, int] | None:
    """The columns chosen for the last file with these column names, if any."""
    remembered = LocalSpendColumnMapping.objects.filter(
        council=council, headers_key=headers_key(headers)
    ).first()
    return remembered.mapping if remembered is not None else None


def suggested_columns(spend_import: LocalSpendImport) -> dict[str, int]:
    """The columns to offer: those already chosen, else remembered, else guessed."""
    return (
        spend_import.mapping
        or remembered_columns(spend_import.council, spend_import.headers)
        or guess_columns(spend_import.headers)
    )


@dataclass
class SupplierSeen:
    name: str
    ref: str
    postcode: str


@dataclass
class FileSummary:
    """What a spend file holds, read with its columns mapped."""

    payment_count: int = 0
    total: Decimal = Decimal("0.00")
    credit_count: int = 0
    first_paid_on: datetime.date | None = None
    last_paid_on: datetime.date | None = None
    financial_years: set[int] = field(default_factory=set)
    suppliers: dict[str, SupplierSeen] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    sample: list[Payment] = field(default_factory=list)
    new_supplier_count: int = 0

    @property
    def financial_year_labels(self) -> list[str]:
        return [financial_year_label(year) for year in sorted(self.financial_years)]

    @property
    def problems_not_shown(self) -> int:
        return self.problem_count - len(self.problems)


@contextmanager
def opened_spend_file(spend_import: LocalSpendImport):
    """The uploaded file, open for reading bytes as a stream."""
    if not spend_import.file:
        raise FileRefused("The uploaded file is no longer kept. Upload it again")
    try:
        stored = spend_import.file.storage.open(spend_import.file.name, "rb")
    except OSError:
        raise FileRefused("The uploaded file can no longer be read. Upload it again") from None
    with stored:
        yield getattr(stored, "file", stored)


def spend_file_payments(spend_import: LocalSpendImport, binary) -> Iterator[Payment | Problem]:
    """Every row of an open spend file, read with the columns chosen for it."""
    return read_payments(
        binary,
        encoding=spend_import.encoding,
        delimiter=spend_import.delimiter,
        header_row=spend_import.header_row,
        mapping=spend_import.mapping,
        header_width=len(spend_import.headers),
    )


def read_spend_file(spend_import: LocalSpendImport, *, sample_size: int = 10) -> FileSummary:
    """Read every row of a mapped spend file: its totals, suppliers and bad rows (the first 50).

    Raises FileRefused if the stored file cannot be read.
    """
    summary = FileSummary()
    suppliers = summary.suppliers
    with opened_spend_file(spend_import) as binary:
        for row in spend_file_payments(spend_import, binary):
            if type(row) is Problem:
                summary.problem_count += 1
                if len(summary.problems) < MAX_PROBLEMS_SHOWN:
                    summary.problems.append(row)
                continue
            if summary.problem_count:
                continue  # the file will be refused: only its problems matter now
            summary.payment_count += 1
            summary.total += row.amount
            if row.amount < 0:
                summary.credit_count += 1
            if summary.first_paid_on is None or row.paid_on < summary.first_paid_on:
                summary.first_paid_on = row.paid_on
            if summary.last_paid_on is None or row.paid_on > summary.last_paid_on:
                summary.last_paid_on = row.paid_on
            summary.financial_years.add(financial_year_of(row.paid_on))
            seen = suppliers.get(row.supplier_key)
            if seen is None:
                suppliers[row.supplier_key] = SupplierSeen(
                    row.supplier_name, row.supplier_ref, row.postcode
                )
            elif row.postcode and not seen.postcode:
                seen.postcode = row.postcode
            if len(summary.sample) < sample_size:
                summary.sample.append(row)
    return summary


def spend_file_preview(spend_import: LocalSpendImport) -> FileSummary:
    """What importing the file would do: its totals, bad rows, and how many suppliers are new."""
    summary = read_spend_file(spend_import)
    known = set(
        Supplier.objects.filter(council_id=spend_import.council_id).values_list("key", flat=True)
    )
    summary.new_supplier_count = sum(1 for key in summary.suppliers if key not in known)
    return summary
