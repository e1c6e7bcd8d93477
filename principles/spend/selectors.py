"""Reads for local spend: periods and their charts, the latest figure against target for one
council or many, the supplier register, and what an uploaded spend file holds."""

import datetime
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.db import connection
from django.db.models import Count, F, Max, Min, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.formats import date_format

from keepitlocal.charts import LineChart, line_chart
from keepitlocal.models import Council
from principles.spend.models import (
    LocalSpendColumnMapping,
    LocalSpendImport,
    LocalSpendPeriod,
    LocalSpendSettings,
    LocalSpendTransaction,
    Supplier,
    financial_year_label,
    financial_year_of,
    period_dates,
)
from principles.spend.transparency import (
    MAX_PROBLEMS_SHOWN,
    FileRefused,
    Payment,
    PaymentKeys,
    Problem,
    guess_columns,
    headers_key,
    read_payments,
)

_TENTH = Decimal("0.1")

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
    """A council's latest local spend percentage, against its target for that period.

    A period computed from imported files whose suppliers are not all classified yet has no
    result to show: ``is_known`` is False and ``classified_percentage`` says how far along
    the classifying is.
    """

    council_id: int
    period_label: str
    percentage: Decimal
    target_percentage: Decimal | None
    starts_on: datetime.date
    ends_on: datetime.date
    total_spend: Decimal = Decimal("0.00")
    unclassified_spend: Decimal | None = None
    period_meets_target: bool | None = None

    @classmethod
    def of(cls, period: LocalSpendPeriod) -> "LocalSpendSummary":
        return cls(
            council_id=period.council_id,
            period_label=period.label,
            percentage=period.percentage,
            target_percentage=period.target_percentage,
            starts_on=period.starts_on,
            ends_on=period.ends_on,
            total_spend=period.total_spend,
            unclassified_spend=period.unclassified_spend if period.is_computed else None,
            period_meets_target=period.meets_target,
        )

    @property
    def is_known(self) -> bool:
        """False while some of the period's spend is with suppliers not classified yet."""
        return not self.unclassified_spend

    @property
    def meets_target(self) -> bool | None:
        return self.period_meets_target if self.is_known else None

    @property
    def classified_percentage(self) -> Decimal:
        """The share of the period's spend whose suppliers are classified, rounded down, so
        that it says 100% only when all of it is."""
        if not self.total_spend or self.total_spend <= 0:
            return Decimal("0.0")
        classified = self.total_spend - (self.unclassified_spend or 0)
        share = classified * 100 / self.total_spend
        return min(max(share, Decimal(0)), Decimal(100)).quantize(_TENTH, rounding=ROUND_DOWN)


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
                values=[
                    period.percentage if period.local_share_known else None for period in chosen
                ],
                targets=[period.target_percentage for period in chosen],
                no_value_text="not known yet",
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


# A supplier's payments, without those held already from another file.
_COUNTED = Q(transactions__duplicate_of__isnull=True)
_PAYMENTS = Count("transactions", filter=_COUNTED)


def supplier_register(council: Council, show: str = "all") -> QuerySet[Supplier]:
    """The council's suppliers with what it paid each, the largest first."""
    return (
        Supplier.objects.filter(SHOW[show][1], council=council)
        .annotate(total_spend=Sum("transactions__amount", filter=_COUNTED), payment_count=_PAYMENTS)
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
            total_spend=Sum("transactions__amount", filter=_COUNTED),
            payment_count=_PAYMENTS,
            first_paid_on=Min("transactions__paid_on", filter=_COUNTED),
            last_paid_on=Max("transactions__paid_on", filter=_COUNTED),
        ),
        council=council,
        pk=pk,
    )


# --- Spend files -----------------------------------------------------------


def council_spend_imports(council: Council) -> QuerySet[LocalSpendImport]:
    return LocalSpendImport.objects.filter(council=council).select_related(
        "uploaded_by", "imported_by", "undone_by"
    )


def council_spend_import(council: Council, pk: int) -> LocalSpendImport:
    """One uploaded spend file of the current council; another council's is a 404."""
    return get_object_or_404(
        LocalSpendImport.objects.select_related("uploaded_by", "imported_by", "undone_by"),
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


@dataclass(slots=True)
class Tally:
    """How many payments, and how much they add up to."""

    count: int = 0
    amount: Decimal = Decimal("0.00")

    def add(self, amount: Decimal, count: int = 1) -> None:
        self.count += count
        self.amount += amount


@dataclass
class FileSummary:
    """What a spend file holds, read with its columns mapped.

    ``keys`` are its payments' keys in the file's order; ``held`` names, by payment key, the
    import each payment the council already holds came from. Those payments are tallied in
    ``duplicates`` and not in ``by_date``, which tallies every other payment by its day.
    """

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
    keys: list[str] = field(default_factory=list)
    held: dict[str, int] = field(default_factory=dict)
    duplicates: dict[int, Tally] = field(default_factory=dict)
    by_date: dict[datetime.date, Tally] = field(default_factory=dict)

    @property
    def financial_year_labels(self) -> list[str]:
        return [financial_year_label(year) for year in sorted(self.financial_years)]

    @property
    def problems_not_shown(self) -> int:
        return self.problem_count - len(self.problems)

    @property
    def new_financial_years(self) -> set[int]:
        """The financial years of the payments the council does not hold yet."""
        return {financial_year_of(day) for day in self.by_date}

    @property
    def new_first_paid_on(self) -> datetime.date | None:
        return min(self.by_date, default=None)

    @property
    def new_last_paid_on(self) -> datetime.date | None:
        return max(self.by_date, default=None)


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


def held_payments_batch_size() -> int | None:
    """How many payment keys one query looks up: all of a file's at once on PostgreSQL (an
    array parameter), else as many as the database takes parameters."""
    if connection.vendor == "postgresql":
        return None
    return min(5_000, (connection.features.max_query_params or 5_000) - 10)


def held_payments(council_id: int, keys: list[str]) -> dict[str, int]:
    """Of these payment keys, those the council holds already: key → the import it came from.

    Found through the index of counted payments (council, key).
    """
    if not keys:
        return {}
    size = held_payments_batch_size()
    if size is None:
        meta = LocalSpendTransaction._meta
        quote = connection.ops.quote_name
        column = {name: quote(meta.get_field(name).column) for name in _HELD_COLUMNS}
        # Names from the model, values as parameters; one array, not 100,000 placeholders.
        sql = (
            f"SELECT {column['payment_key']}, {column['spend_import']} "  # noqa: S608
            f"FROM {quote(meta.db_table)} WHERE {column['council']} = %s "
            f"AND {column['duplicate_of']} IS NULL AND {column['payment_key']} = ANY(%s)"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [council_id, keys])
            return dict(cursor.fetchall())
    held = {}
    for start in range(0, len(keys), size):
        held.update(
            LocalSpendTransaction.objects.filter(
                council_id=council_id,
                payment_key__in=keys[start : start + size],
                duplicate_of__isnull=True,
            ).values_list("payment_key", "spend_import_id")
        )
    return held


_HELD_COLUMNS = ("payment_key", "spend_import", "council", "duplicate_of")


def read_spend_file(spend_import: LocalSpendImport, *, sample_size: int = 10) -> FileSummary:
    """Read every row of a mapped spend file: its totals, suppliers and bad rows (the first 50),
    and which of its payments the council holds already, from which file.

    ``keys`` keeps every payment's key, in the file's order, for the import to write.
    Raises FileRefused if the stored file cannot be read.
    """
    summary = FileSummary()
    suppliers = summary.suppliers
    key_of = PaymentKeys()
    keys, days, amounts = summary.keys, [], []
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
            keys.append(key_of(row))
            days.append(row.paid_on)
            amounts.append(row.amount)
    if summary.problem_count:
        keys.clear()
        return summary
    summary.held = held = held_payments(spend_import.council_id, keys)
    duplicates, by_date = summary.duplicates, summary.by_date
    for key, paid_on, amount in zip(keys, days, amounts, strict=True):
        earlier = held.get(key)
        if earlier is not None:
            tally = duplicates.get(earlier)
            if tally is None:
                tally = duplicates[earlier] = Tally()
        else:
            tally = by_date.get(paid_on)
            if tally is None:
                tally = by_date[paid_on] = Tally()
        tally.count += 1
        tally.amount += amount
    return summary


def spend_file_preview(spend_import: LocalSpendImport) -> FileSummary:
    """What importing the file would do: its totals, bad rows, and how many suppliers are new."""
    summary = read_spend_file(spend_import)
    known = set(
        Supplier.objects.filter(council_id=spend_import.council_id).values_list("key", flat=True)
    )
    summary.new_supplier_count = sum(1 for key in summary.suppliers if key not in known)
    return summary


# --- Which payments count, and why the others do not ------------------------------


@dataclass(frozen=True)
class NotCounted:
    """Payments of a file that no period counts, and why, in the officer's words."""

    reason: str
    tally: Tally
    period: LocalSpendPeriod | None = None  # the period entered by hand, to switch to computed


@dataclass(frozen=True)
class PaymentCoverage:
    """Where a file's payments count: in which computed periods, and those that count nowhere."""

    counted: Tally
    counted_in: list[str]
    not_counted: list[NotCounted]

    @property
    def not_counted_total(self) -> Tally:
        total = Tally()
        for item in self.not_counted:
            total.add(item.tally.amount, item.tally.count)
        return total

    @property
    def total(self) -> Tally:
        total = self.not_counted_total
        total.add(self.counted.amount, self.counted.count)
        return total


def _held_reason(earlier: LocalSpendImport | None) -> str:
    if earlier is None:
        return "already held from another file"
    when = ""
    if earlier.imported_at:
        when = f", imported {date_format(timezone.localtime(earlier.imported_at), 'j F Y')}"
    return f"already held from “{earlier.file_name}”{when}"


def payment_coverage(
    *,
    by_date: dict[datetime.date, Tally],
    duplicates: dict[int, Tally],
    periods: Iterable[LocalSpendPeriod],
    earlier_imports: dict[int, LocalSpendImport],
) -> PaymentCoverage:
    """Sort a file's payments: counted in a computed period, or not counted because they
    are held already from another file, their period is entered by hand, or they fall
    outside every period; each with its number and total."""
    periods = sorted(periods, key=lambda p: (p.starts_on, p.kind != LocalSpendPeriod.Kind.YEAR))
    counted, outside = Tally(), Tally()
    counted_in: dict[str, None] = {}
    entered: dict[int, tuple[LocalSpendPeriod, Tally]] = {}
    for day, tally in sorted(by_date.items()):
        covering = [p for p in periods if p.starts_on <= day <= p.ends_on]
        computed = [p for p in covering if p.is_computed]
        if computed:
            counted.add(tally.amount, tally.count)
            for period in computed:
                counted_in.setdefault(period.label)
        elif covering:
            by_hand = covering[0]  # the year before its quarters
            entered.setdefault(by_hand.pk or id(by_hand), (by_hand, Tally()))[1].add(
                tally.amount, tally.count
            )
        else:
            outside.add(tally.amount, tally.count)
    not_counted = [
        NotCounted(reason=_held_reason(earlier_imports.get(pk)), tally=tally)
        for pk, tally in sorted(duplicates.items())
    ]
    not_counted += [
        NotCounted(reason=f"{period.label} is entered by hand", tally=tally, period=period)
        for period, tally in entered.values()
    ]
    if outside.count:
        not_counted.append(NotCounted(reason="outside any period", tally=outside))
    return PaymentCoverage(counted=counted, counted_in=list(counted_in), not_counted=not_counted)


def spend_file_preview_coverage(council: Council, summary: FileSummary) -> PaymentCoverage:
    """Where the payments of a file not imported yet would count, once imported: the council's
    periods, and the computed year an import adds for a year without one."""
    periods = list(council_spend_periods(council))
    have_years = {p.financial_year for p in periods if p.kind == LocalSpendPeriod.Kind.YEAR}
    for year in sorted(summary.new_financial_years - have_years):
        starts_on, ends_on = period_dates(year, None)
        periods.append(
            LocalSpendPeriod(
                council=council,
                financial_year=year,
                starts_on=starts_on,
                ends_on=ends_on,
                source=LocalSpendPeriod.Source.IMPORTED,
            )
        )
    earlier = LocalSpendImport.objects.filter(council=council, pk__in=list(summary.duplicates))
    return payment_coverage(
        by_date=summary.by_date,
        duplicates=summary.duplicates,
        periods=periods,
        earlier_imports={spend_import.pk: spend_import for spend_import in earlier},
    )


def imported_file_coverage(council: Council, spend_import: LocalSpendImport) -> PaymentCoverage:
    """Where an imported file's payments count now, as the council's periods stand."""
    payments = LocalSpendTransaction.objects.filter(spend_import=spend_import)
    by_date = {
        row["paid_on"]: Tally(row["count"], row["amount"])
        for row in payments.filter(duplicate_of__isnull=True)
        .values("paid_on")
        .annotate(count=Count("pk"), amount=Sum("amount"))
        .order_by()
    }
    duplicates = {
        row["duplicate_of"]: Tally(row["count"], row["amount"])
        for row in payments.filter(duplicate_of__isnull=False)
        .values("duplicate_of")
        .annotate(count=Count("pk"), amount=Sum("amount"))
        .order_by()
    }
    earlier = LocalSpendImport.objects.filter(council=council, pk__in=list(duplicates))
    return payment_coverage(
        by_date=by_date,
        duplicates=duplicates,
        periods=council_spend_periods(council),
        earlier_imports={item.pk: item for item in earlier},
    )


def undo_preview(spend_import: LocalSpendImport) -> dict:
    """What undoing an import would do: the computed periods it recomputes, and how many of
    its payments later files hold too (those are counted from them instead)."""
    periods = LocalSpendPeriod.objects.none()
    if spend_import.first_paid_on is not None:
        periods = LocalSpendPeriod.objects.filter(
            council_id=spend_import.council_id,
            source=LocalSpendPeriod.Source.IMPORTED,
            starts_on__lte=spend_import.last_paid_on,
            ends_on__gte=spend_import.first_paid_on,
        ).order_by("starts_on", "kind")
    later_copies = (
        LocalSpendTransaction.objects.filter(duplicate_of=spend_import)
        .values("payment_key")
        .distinct()
        .count()
    )
    return {"recomputed": list(periods), "later_copies": later_copies}
