"""Writes for local spend: settings, periods, spend file imports and the supplier register.

Each service checks permission, validates and works in one transaction: a spend file is
imported whole or not at all, and a computed period's totals are recomputed in the same
transaction as the change that moves them (an import, a supplier reclassified, new local
areas). See docs/adr/0005 for how hand-entered and computed periods coexist.
"""

import copy
import csv
import datetime
import io
import os
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Min, Q, Sum
from django.utils import timezone
from django.utils.formats import date_format

from keepitlocal.models import Council, User
from keepitlocal.writes import EditConflict, FieldConflict, council_write, values_at
from principles.spend.models import (
    LocalSpendColumnMapping,
    LocalSpendImport,
    LocalSpendPeriod,
    LocalSpendSettings,
    LocalSpendTransaction,
    Supplier,
    financial_year_label,
    period_dates,
)
from principles.spend.postcodes import normalise_postcode, postcode_is_local
from principles.spend.selectors import (
    FileSummary,
    SupplierSeen,
    imported_already,
    opened_spend_file,
    read_spend_file,
    remembered_columns,
    spend_file_payments,
)
from principles.spend.supplier_file import (
    MAX_SUPPLIER_FILE_BYTES,
    NO_SUPPLIER_COLUMN_NAMES,
    SUPPLIER_FILE_MIN_COLUMNS,
    Say,
    SupplierRow,
    read_supplier_rows,
    supplier_file_columns,
)
from principles.spend.transparency import (
    COLUMNS,
    MAX_FILE_BYTES,
    MAX_PROBLEMS_SHOWN,
    FileRefused,
    Payment,
    Problem,
    check_mapping,
    headers_key,
    inspect_file,
    normalise_supplier_name,
    supplier_key,
)

PERMISSION = "principles.change_local_spend"
_ZERO = Decimal("0.00")
_COPY_BATCH = 20_000
_INSERT_BATCH = 2_000


class MalformedFile(Exception):
    """Rows of the file cannot be read; nothing was imported."""

    def __init__(self, summary: FileSummary):
        self.summary = summary
        super().__init__(f"{summary.problem_count} rows cannot be imported")


class AlreadyImported(Exception):
    """A file with exactly the same content was imported before; it is not counted twice."""

    def __init__(self, earlier: LocalSpendImport):
        self.earlier = earlier
        super().__init__(already_imported_message(earlier))


def already_imported_message(earlier: LocalSpendImport) -> str:
    when = date_format(timezone.localtime(earlier.imported_at), "j F Y")
    who = f" by {earlier.imported_by}" if earlier.imported_by else ""
    return (
        f"This file was already imported on {when}{who}, as “{earlier.file_name}”. "
        "Its payments have not been counted again"
    )


DENIED = "Your role in this council does not allow you to change local spend."


# --- Settings ----------------------------------------------------------------


def local_spend_settings_update(
    *,
    council: Council,
    by: User,
    target_percentage: Decimal | None,
    local_areas: list[str],
) -> LocalSpendSettings:
    """Set the council's local spend target (for new periods) and its local postcode areas.

    New areas re-decide every supplier whose location comes from its postcode, and the
    computed periods are recomputed.
    """
    with council_write(by=by, council=council, permission=PERMISSION, denied=DENIED) as write:
        # Two first saves at once: one row is made, and each save is applied in turn.
        settings = _lock_council_spend(council)
        write.track(settings)
        areas_changed = sorted(settings.local_areas or []) != sorted(local_areas)
        settings.target_percentage = target_percentage
        settings.local_areas = sorted(set(local_areas))
        settings.updated_by = by
        settings.full_clean()
        settings.save()
        write.changed(settings)
        if areas_changed:
            _redecide_from_postcodes(write, council, settings.local_areas)
            local_spend_periods_recompute(council=council)
        return settings


def _redecide_from_postcodes(write, council: Council, local_areas: list[str]) -> None:
    """Re-decide every supplier whose location comes from its postcode. Each one changed
    moves on a version and is recorded, so a supplier page opened before merges with it."""
    changed = []
    for supplier in Supplier.objects.filter(
        council=council, local_decided_by=Supplier.DecidedBy.POSTCODE
    ).only("pk", "name", "version", *SUPPLIER_FIELDS):
        is_local = postcode_is_local(supplier.postcode, local_areas) if local_areas else None
        if supplier.postcode and is_local != supplier.is_local:
            write.track(supplier)
            supplier.is_local = is_local
            supplier.version += 1
            changed.append(supplier)
    Supplier.objects.bulk_update(changed, ["is_local", "version"], batch_size=500)
    write.changed_all(changed, reason="decided from the council's new local areas")


# --- Periods -------------------------------------------------------------------

_FIGURES = ("total_spend", "local_spend", "local_supplier_count", "sme_spend", "vcse_spend")


def _entered_figures(figures: dict) -> dict:
    """Figures entered by hand, blanks as the period stores them."""
    entered = {}
    for name in _FIGURES:
        value = figures.get(name)
        if name in {"total_spend", "local_spend"}:
            value = value if value is not None else _ZERO
        elif name == "local_supplier_count":
            value = value or 0
        entered[name] = value
    return entered


def _set_figures(period: LocalSpendPeriod, figures: dict) -> None:
    for name, value in _entered_figures(figures).items():
        setattr(period, name, value)
    period.unclassified_spend = None
    period.payment_count = None
    period.computed_at = None


def local_spend_period_record(
    *,
    council: Council,
    by: User,
    kind: str,
    financial_year: int,
    quarter: int | None,
    source: str,
    target_percentage: Decimal | None = None,
    tier2_local_spend: Decimal | None = None,
    total_spend: Decimal | None = None,
    local_spend: Decimal | None = None,
    local_supplier_count: int | None = None,
    sme_spend: Decimal | None = None,
    vcse_spend: Decimal | None = None,
) -> LocalSpendPeriod:
    """Add a financial year or quarter, its figures entered by hand or computed from imports.

    ``local_spend`` includes Tier 2 local spend. Figures are ignored for a computed period,
    whose totals come from the imported payments at once.
    """
    with council_write(by=by, council=council, permission=PERMISSION, denied=DENIED) as write:
        _lock_council_spend(council)
        quarter = quarter if kind == LocalSpendPeriod.Kind.QUARTER else None
        what = financial_year_label(financial_year)
        if quarter is not None:
            what = f"quarter {quarter} of {what}"
        taken = ValidationError({"financial_year": f"There is already a period for {what}"})
        starts_on, ends_on = period_dates(financial_year, quarter)
        period = LocalSpendPeriod(
            council=council,
            kind=kind,
            financial_year=financial_year,
            quarter=quarter,
            starts_on=starts_on,
            ends_on=ends_on,
            source=source,
            target_percentage=target_percentage,
            tier2_local_spend=tier2_local_spend,
            updated_by=by,
        )
        _set_figures(
            period,
            {
                "total_spend": total_spend,
                "local_spend": local_spend,
                "local_supplier_count": local_supplier_count,
                "sme_spend": sme_spend,
                "vcse_spend": vcse_spend,
            },
        )
        period.full_clean(validate_constraints=False)
        if LocalSpendPeriod.objects.filter(
            council=council, kind=kind, financial_year=financial_year, quarter=quarter
        ).exists():
            raise taken
        try:
            with transaction.atomic():  # a savepoint: the refused insert leaves nothing behind
                period.save()
        except IntegrityError:
            raise taken from None  # added a moment before, by someone not holding the lock
        if period.is_computed:
            local_spend_period_recompute(period=period)
        write.added(period)
        return period


def local_spend_period_update(
    *,
    period: LocalSpendPeriod,
    by: User,
    base_version: int,
    source: str,
    target_percentage: Decimal | None,
    tier2_local_spend: Decimal | None,
    total_spend: Decimal | None = None,
    local_spend: Decimal | None = None,
    local_supplier_count: int | None = None,
    sme_spend: Decimal | None = None,
    vcse_spend: Decimal | None = None,
) -> LocalSpendPeriod:
    """Change a period's figures, target or source, merged with what others saved since
    ``base_version`` (``period.merged``); a field both changed differently raises
    ``EditConflict``. Recomputed at once when its figures come from imports."""
    with council_write(
        by=by, council=period.council, permission=PERMISSION, denied=DENIED
    ) as write:
        _lock_council_spend(period.council)
        period = (
            LocalSpendPeriod.objects.select_for_update(of=("self",))
            .select_related("updated_by")
            .get(pk=period.pk)
        )
        write.track(period)
        submitted = {
            "source": source,
            "target_percentage": target_percentage,
            "tier2_local_spend": tier2_local_spend,
        }
        computed = source == LocalSpendPeriod.Source.IMPORTED
        if not computed:
            submitted |= _entered_figures(
                {
                    "total_spend": total_spend,
                    "local_spend": local_spend,
                    "local_supplier_count": local_supplier_count,
                    "sme_spend": sme_spend,
                    "vcse_spend": vcse_spend,
                }
            )
        taken = write.merge(period, base_version=base_version, submitted=submitted)
        if period.is_computed and any(name in taken for name in _FIGURES):
            # Someone else made its figures come from imports meanwhile: the figures this
            # person typed would be replaced by the recompute without a word.
            raise EditConflict(
                changed_by=str(period.updated_by or "Someone else"),
                conflicts=[
                    FieldConflict(
                        field="source",
                        label="Where the figures come from",
                        theirs=period.get_source_display(),
                        yours=LocalSpendPeriod.Source(source).label,
                    )
                ],
                rebased={**submitted, "source": source},
                version=period.version - 1,
            )
        if not period.is_computed:
            _set_figures(period, {name: getattr(period, name) for name in _FIGURES})
        period.updated_by = by
        period.full_clean()
        period.save()
        if period.is_computed:
            local_spend_period_recompute(period=period)
            period.refresh_from_db()
        # Recorded as it now stands, recomputed figures and all.
        write.changed(period)
        period.merged = write.merged
        return period


def local_spend_period_recompute(*, period: LocalSpendPeriod) -> LocalSpendPeriod:
    """Recompute a computed period's totals from the payments dated within it and the register.

    Spend with local suppliers is the payments to suppliers classified local, plus the
    period's Tier 2 local spend; SME and VCSE spend are given once any supplier paid in the
    period has that status known. One aggregate query.
    """
    if not period.is_computed:
        raise ValueError("Only a period computed from imported files is recomputed.")
    known = Q(supplier__is_local=True)
    totals = LocalSpendTransaction.objects.filter(
        council_id=period.council_id,
        paid_on__gte=period.starts_on,
        paid_on__lte=period.ends_on,
        duplicate_of__isnull=True,  # a payment held from an earlier file counts there
    ).aggregate(
        total=Sum("amount"),
        local=Sum("amount", filter=known),
        unknown=Sum("amount", filter=Q(supplier__is_local__isnull=True)),
        local_suppliers=Count("supplier", distinct=True, filter=known),
        sme=Sum("amount", filter=Q(supplier__is_sme=True)),
        sme_known=Count("pk", filter=Q(supplier__is_sme__isnull=False)),
        vcse=Sum("amount", filter=Q(supplier__is_vcse=True)),
        vcse_known=Count("pk", filter=Q(supplier__is_vcse__isnull=False)),
        payments=Count("pk"),
    )
    period.total_spend = totals["total"] or _ZERO
    period.local_spend = (totals["local"] or _ZERO) + (period.tier2_local_spend or _ZERO)
    period.local_supplier_count = totals["local_suppliers"]
    period.unclassified_spend = totals["unknown"] or _ZERO
    period.sme_spend = (totals["sme"] or _ZERO) if totals["sme_known"] else None
    period.vcse_spend = (totals["vcse"] or _ZERO) if totals["vcse_known"] else None
    period.payment_count = totals["payments"]
    period.computed_at = timezone.now()
    period.save(
        update_fields=[
            "total_spend",
            "local_spend",
            "local_supplier_count",
            "unclassified_spend",
            "sme_spend",
            "vcse_spend",
            "payment_count",
            "computed_at",
            "updated_at",
        ]
    )
    return period


def local_spend_periods_recompute(
    *,
    council: Council,
    first: datetime.date | None = None,
    last: datetime.date | None = None,
) -> list[LocalSpendPeriod]:
    """Recompute the council's computed periods: all, or those overlapping ``first`` to ``last``.

    The periods are locked first, in date order, so that two changes at once recompute
    one after the other and the later one sees the earlier one's payments.
    """
    periods = LocalSpendPeriod.objects.select_for_update().filter(
        council=council, source=LocalSpendPeriod.Source.IMPORTED
    )
    if first is not None and last is not None:
        periods = periods.filter(starts_on__lte=last, ends_on__gte=first)
    return [
        local_spend_period_recompute(period=period)
        for period in periods.order_by("starts_on", "kind", "pk")
    ]


# --- Spend files ------------------------------------------------------------


def _file_name(upload: UploadedFile) -> str:
    name = os.path.basename(upload.name or "spend.csv").strip() or "spend.csv"
    return name[-200:]


def local_spend_file_upload(
    *, council: Council, by: User, upload: UploadedFile
) -> LocalSpendImport:
    """Check an uploaded spend file and keep it until it is imported.

    The file is read once as a stream to fingerprint it (SHA-256), find its encoding and
    its column names. Its columns are mapped already when a file with the same column
    names was mapped before. Raises FileRefused when it is 100 MB or more, empty, not
    text, has no column names, or was imported before.
    """
    with council_write(by=by, council=council, permission=PERMISSION, denied=DENIED) as write:
        if upload.size is not None and upload.size >= MAX_FILE_BYTES:
            raise FileRefused("The selected file must be smaller than 100 MB")
        shape = inspect_file(upload.chunks())
        earlier = imported_already(council, shape.content_hash)
        if earlier is not None:
            raise FileRefused(already_imported_message(earlier))
        remembered = remembered_columns(council, shape.headers) or {}
        spend_import = LocalSpendImport(
            council=council,
            file_name=_file_name(upload),
            file_size=shape.size,
            content_hash=shape.content_hash,
            encoding=shape.encoding,
            delimiter=shape.delimiter,
            header_row=shape.header_row,
            header_line=shape.header_line,
            headers=list(shape.headers),
            mapping={} if check_mapping(remembered, len(shape.headers)) else remembered,
            uploaded_by=by,
        )
        spend_import.full_clean(exclude=["file"])
        upload.seek(0)
        spend_import.file.save(spend_import.file_name, upload, save=False)
        try:
            spend_import.save()
            write.added(spend_import)
        except Exception:
            spend_import.file.delete(save=False)
            raise
        return spend_import


def local_spend_import_map_columns(
    *, spend_import: LocalSpendImport, by: User, mapping: dict[str, int | None]
) -> LocalSpendImport:
    """Say which column of the file holds what; remembered for the next file with the same
    column names. Raises ValidationError (by column key) for a mapping that cannot be used."""
    with council_write(by=by, council=spend_import.council, permission=PERMISSION, denied=DENIED):
        if not spend_import.is_pending:
            raise ValidationError("This file has been imported already.")
        keys = {column.key for column in COLUMNS}
        chosen = {key: index for key, index in mapping.items() if key in keys and index is not None}
        errors = check_mapping(chosen, len(spend_import.headers))
        if errors:
            raise ValidationError(errors)
        spend_import.mapping = chosen
        spend_import.save(update_fields=["mapping"])
        LocalSpendColumnMapping.objects.update_or_create(
            council=spend_import.council,
            headers_key=headers_key(spend_import.headers),
            defaults={"headers": spend_import.headers, "mapping": chosen},
        )
        return spend_import


@dataclass(frozen=True)
class ImportResult:
    spend_import: LocalSpendImport
    new_supplier_count: int
    periods: list[LocalSpendPeriod]
    duplicate_count: int = 0


def local_spend_import_transparency_file(
    *, spend_import: LocalSpendImport, by: User
) -> ImportResult:
    """Import every payment of a mapped spend file, or none of them.

    In one transaction: every row is checked first (MalformedFile lists the first 50 bad
    rows, with nothing written); the file is refused (AlreadyImported) when the council
    has imported the same content before; new suppliers join the register; the payments
    are written (COPY on PostgreSQL); a computed financial year is added for each year
    the file covers that has no period yet; and the computed periods it touches are
    recomputed. The file is read as a stream, twice, never held in memory whole.
    """
    try:
        with council_write(
            by=by, council=spend_import.council, permission=PERMISSION, denied=DENIED
        ) as write:
            result = _import(write, spend_import, by)
    except IntegrityError:
        # Someone imported the same content at the same moment and committed first.
        earlier = imported_already(spend_import.council, spend_import.content_hash)
        if earlier is None:
            raise
        raise AlreadyImported(earlier) from None
    return result


def _lock_council_spend(council: Council) -> LocalSpendSettings:
    """Take the council's local spend lock, its settings row (made if it has none yet).

    Every local spend write of a council takes it first: imports, undos, register updates,
    periods and settings. So each sees what the one before it wrote, two first saves
    make one record, and they take the council's other rows (its records version, its
    periods and suppliers) in one order, which cannot deadlock. Other councils are not
    held up. On SQLite, which writes one transaction at a time, it is no lock at all.
    """
    settings, _ = LocalSpendSettings.objects.get_or_create(council=council)
    return LocalSpendSettings.objects.select_for_update().get(pk=settings.pk)


def _import(write, spend_import: LocalSpendImport, by: User) -> ImportResult:
    council = spend_import.council
    _lock_council_spend(council)
    spend_import = LocalSpendImport.objects.select_for_update().get(pk=spend_import.pk)
    write.track(spend_import)
    if spend_import.is_imported:
        raise AlreadyImported(spend_import)
    if spend_import.is_undone:
        raise FileRefused("This import has been undone. Upload the file again to import it")
    earlier = imported_already(council, spend_import.content_hash)
    if earlier is not None:
        raise AlreadyImported(earlier)
    if check_mapping(spend_import.mapping, len(spend_import.headers)):
        raise FileRefused("Choose which column is which before importing the file")
    summary = read_spend_file(spend_import)
    if summary.problem_count:
        raise MalformedFile(summary)
    if not summary.payment_count:
        raise FileRefused("The file has no payments below its column names")

    # Claim the file's fingerprint first: a second import of it now waits, then fails.
    spend_import.status = LocalSpendImport.Status.IMPORTED
    spend_import.imported_at = timezone.now()
    spend_import.imported_by = by
    spend_import.payment_count = summary.payment_count
    spend_import.total_amount = summary.total
    spend_import.first_paid_on = summary.first_paid_on
    spend_import.last_paid_on = summary.last_paid_on
    spend_import.save()
    write.changed(spend_import)

    supplier_ids, new_count = _register_suppliers(write, council, summary.suppliers)
    with opened_spend_file(spend_import) as binary:
        # Read again in the same order: the first reading's keys go with the same payments.
        payments = zip(
            (row for row in spend_file_payments(spend_import, binary) if type(row) is Payment),
            summary.keys,
            strict=True,
        )
        if connection.vendor == "postgresql":
            _copy_payments(spend_import, payments, supplier_ids, summary.held)
        else:
            _insert_payments(spend_import, payments, supplier_ids, summary.held)
    periods = []
    if summary.by_date:  # payments the council did not hold yet
        _add_financial_years(write, council, summary.new_financial_years, by, spend_import)
        periods = local_spend_periods_recompute(
            council=council, first=summary.new_first_paid_on, last=summary.new_last_paid_on
        )
    # Its payments are in the database now; only its fingerprint needs keeping.
    storage, stored_name = spend_import.file.storage, spend_import.file.name
    spend_import.file = ""
    spend_import.save(update_fields=["file"])
    transaction.on_commit(lambda: storage.delete(stored_name))
    return ImportResult(
        spend_import=spend_import,
        new_supplier_count=new_count,
        periods=periods,
        duplicate_count=sum(tally.count for tally in summary.duplicates.values()),
    )


@dataclass(frozen=True)
class UndoResult:
    spend_import: LocalSpendImport
    periods: list[LocalSpendPeriod]
    counted_instead: int  # payments of later files that repeated this file's, counted now


MAX_UNDO_REASON = 2_000


def local_spend_import_undo(*, spend_import: LocalSpendImport, by: User, reason: str) -> UndoResult:
    """Undo an imported spend file: its payments go, and the periods they moved are recomputed.

    Those of its payments that later files repeated are counted from the earliest of those
    files instead, so undoing a file that a re-issue replaced leaves the re-issue counted
    whole. A computed year the import added that no payment and no person uses any more
    goes too. The import record keeps who undid it, when and why. The people who may import
    may undo.
    """
    with council_write(
        by=by, council=spend_import.council, permission=PERMISSION, denied=DENIED
    ) as write:
        reason = reason.strip()
        if len(reason) > MAX_UNDO_REASON:
            raise ValidationError(
                {"reason": f"Enter no more than {MAX_UNDO_REASON:,} characters of reason"}
            )
        council = spend_import.council
        _lock_council_spend(council)
        spend_import = LocalSpendImport.objects.select_for_update().get(pk=spend_import.pk)
        write.track(spend_import)
        if spend_import.is_undone:
            raise ValidationError("This import has been undone already.")
        if not spend_import.is_imported:
            raise ValidationError("This file has not been imported, so there is nothing to undo.")

        payments = LocalSpendTransaction.objects.filter(spend_import=spend_import)
        moved = payments.filter(duplicate_of__isnull=True).aggregate(
            first=Min("paid_on"), last=Max("paid_on")
        )
        # One DELETE, without a post_delete signal for each payment: ADR 0006's receiver would
        # write the records version once per payment. Saving the import below moves it once.
        payments._raw_delete(payments.db)
        promoted = _count_instead(spend_import)
        spend_import.status = LocalSpendImport.Status.UNDONE
        spend_import.undone_at = timezone.now()
        spend_import.undone_by = by
        spend_import.undo_reason = reason
        spend_import.save()
        write.changed(spend_import, reason=reason)

        days = [
            day
            for day in (moved["first"], moved["last"], promoted["first"], promoted["last"])
            if day is not None
        ]
        periods = []
        if days:
            periods = local_spend_periods_recompute(
                council=council, first=min(days), last=max(days)
            )
        unused = LocalSpendPeriod.objects.filter(
            added_by_import=spend_import,
            source=LocalSpendPeriod.Source.IMPORTED,
            version=1,  # nobody has changed it since
            payment_count=0,
        )
        gone = set()
        for period in unused:
            write.removed(period, reason="no payment counts in it once the import is undone")
            gone.add(period.pk)
        unused.delete()
        return UndoResult(
            spend_import=spend_import,
            periods=[period for period in periods if period.pk not in gone],
            counted_instead=promoted["count"],
        )


def _batches(items: list) -> Iterable[list]:
    """``items`` in lists short enough for one query's parameters."""
    size = min(_INSERT_BATCH, (connection.features.max_query_params or _INSERT_BATCH) - 10)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _count_instead(undone: LocalSpendImport) -> dict:
    """Count, in place of the undone file's payments, the earliest later copy of each; point
    the other copies at that one. Returns the first and last day of the payments now counted."""
    copies = (
        LocalSpendTransaction.objects.filter(duplicate_of=undone)
        .order_by("spend_import__imported_at", "spend_import_id", "line_number", "pk")
        .values_list("pk", "payment_key", "spend_import_id", "paid_on")
    )
    holders: dict[str, int] = {}
    counted: list[int] = []
    repointed: dict[int, list[int]] = {}
    first = last = None
    for pk, key, import_id, paid_on in copies:
        holder = holders.get(key)
        if holder is None:
            holders[key] = import_id
            counted.append(pk)
            first = paid_on if first is None or paid_on < first else first
            last = paid_on if last is None or paid_on > last else last
        else:
            repointed.setdefault(holder, []).append(pk)
    if not repointed:  # each payment in one later file only, as a re-issue: one statement
        LocalSpendTransaction.objects.filter(duplicate_of=undone).update(duplicate_of=None)
    else:
        for batch in _batches(counted):
            LocalSpendTransaction.objects.filter(pk__in=batch).update(duplicate_of=None)
    for holder, pks in repointed.items():
        for batch in _batches(pks):
            LocalSpendTransaction.objects.filter(pk__in=batch).update(duplicate_of_id=holder)
    return {"first": first, "last": last, "count": len(counted)}


def _register_suppliers(
    write, council: Council, seen: dict[str, SupplierSeen]
) -> tuple[dict[str, int], int]:
    """Add the file's new suppliers to the register; give known ones a postcode they lack.

    A supplier with a postcode is local when it lies in the council's local areas.
    Returns the register's id for every supplier key, and how many were new.
    """
    settings = LocalSpendSettings.objects.filter(council=council).first()
    areas = settings.local_areas if settings else []

    def decided(postcode: str) -> dict:
        if not postcode:
            return {"is_local": None, "local_decided_by": Supplier.DecidedBy.NOBODY}
        return {
            "is_local": postcode_is_local(postcode, areas) if areas else None,
            "local_decided_by": Supplier.DecidedBy.POSTCODE,
        }

    existing = {
        supplier.key: supplier
        for supplier in Supplier.objects.filter(council=council).only(
            "pk", "key", "name", "version", *SUPPLIER_FIELDS
        )
    }
    new, gained_postcode = [], []
    for key, supplier in seen.items():
        known = existing.get(key)
        if known is None:
            new.append(
                Supplier(
                    council=council,
                    key=key,
                    name=supplier.name,
                    supplier_ref=supplier.ref,
                    postcode=supplier.postcode,
                    **decided(supplier.postcode),
                )
            )
        elif supplier.postcode and not known.postcode and not known.local_decided_by:
            write.track(known)
            known.version += 1
            known.postcode = supplier.postcode
            for name, value in decided(supplier.postcode).items():
                setattr(known, name, value)
            gained_postcode.append(known)
    new = Supplier.objects.bulk_create(new, batch_size=500)
    Supplier.objects.bulk_update(
        gained_postcode, ["postcode", "is_local", "local_decided_by", "version"], batch_size=500
    )
    write.added_all(new)
    write.changed_all(gained_postcode)
    ids = dict(Supplier.objects.filter(council=council).values_list("key", "pk"))
    return ids, len(new)


_COLUMNS_WRITTEN = (
    "council",
    "spend_import",
    "supplier",
    "line_number",
    "paid_on",
    "amount",
    "irrecoverable_vat",
    "payment_key",
    "duplicate_of",
    "transaction_ref",
    "invoice_ref",
    "department",
    "purpose",
    "merchant_category",
)
_TEXT_COLUMNS = _COLUMNS_WRITTEN[-5:]


def _copy_payments(
    spend_import: LocalSpendImport,
    payments: Iterable[tuple[Payment, str]],
    supplier_ids: dict[str, int],
    held: dict[str, int],
) -> None:
    """Write payments with PostgreSQL's COPY, in batches, inside the current transaction.

    A payment the council holds already (its key in ``held``) is written as a duplicate of
    the import it came from, and not counted."""
    meta = LocalSpendTransaction._meta
    columns = [meta.get_field(name).column for name in _COLUMNS_WRITTEN]
    text_columns = [meta.get_field(name).column for name in _TEXT_COLUMNS]
    quote = connection.ops.quote_name
    listed = ", ".join(quote(column) for column in columns)
    not_null = ", ".join(quote(column) for column in text_columns)
    # \N marks a missing VAT figure or no earlier import; text columns are never NULL, so
    # "\N" there is text.
    sql = (
        f"COPY {quote(meta.db_table)} ({listed}) FROM STDIN "
        f"WITH (FORMAT csv, NULL '\\N', FORCE_NOT_NULL ({not_null}))"
    )
    council_id, import_id = spend_import.council_id, spend_import.pk
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    count = 0
    with connection.cursor() as cursor:
        for payment, key in payments:
            vat = payment.irrecoverable_vat
            earlier = held.get(key)
            writer.writerow(
                (
                    council_id,
                    import_id,
                    supplier_ids[payment.supplier_key],
                    payment.line,
                    payment.paid_on.isoformat(),
                    payment.amount,
                    "\\N" if vat is None else vat,
                    key,
                    "\\N" if earlier is None else earlier,
                    payment.transaction_ref,
                    payment.invoice_ref,
                    payment.department,
                    payment.purpose,
                    payment.merchant_category,
                )
            )
            count += 1
            if count % _COPY_BATCH == 0:
                _copy(cursor, sql, buffer)
                buffer = io.StringIO()
                writer = csv.writer(buffer)
        if buffer.tell():
            _copy(cursor, sql, buffer)


def _copy(cursor, sql: str, buffer: io.StringIO) -> None:
    buffer.seek(0)
    cursor.copy_expert(sql, buffer)


def _insert_payments(
    spend_import: LocalSpendImport,
    payments: Iterable[tuple[Payment, str]],
    supplier_ids: dict[str, int],
    held: dict[str, int],
) -> None:
    """Write payments in batches with bulk_create (databases other than PostgreSQL)."""
    batch = []
    for payment, key in payments:
        batch.append(
            LocalSpendTransaction(
                council_id=spend_import.council_id,
                spend_import_id=spend_import.pk,
                supplier_id=supplier_ids[payment.supplier_key],
                line_number=payment.line,
                paid_on=payment.paid_on,
                amount=payment.amount,
                irrecoverable_vat=payment.irrecoverable_vat,
                payment_key=key,
                duplicate_of_id=held.get(key),
                transaction_ref=payment.transaction_ref,
                invoice_ref=payment.invoice_ref,
                department=payment.department,
                purpose=payment.purpose,
                merchant_category=payment.merchant_category,
            )
        )
        if len(batch) == _INSERT_BATCH:
            LocalSpendTransaction.objects.bulk_create(batch)
            batch = []
    if batch:
        LocalSpendTransaction.objects.bulk_create(batch)


def _add_financial_years(
    write, council: Council, years: set[int], by: User, spend_import: LocalSpendImport
) -> None:
    """A computed period for each financial year of the file that has no year period yet
    (a year entered by hand keeps its figures)."""
    have = set(
        LocalSpendPeriod.objects.filter(
            council=council, kind=LocalSpendPeriod.Kind.YEAR, financial_year__in=years
        ).values_list("financial_year", flat=True)
    )
    settings = LocalSpendSettings.objects.filter(council=council).first()
    for year in sorted(years - have):
        starts_on, ends_on = period_dates(year, None)
        try:
            with transaction.atomic():  # a savepoint: someone may add the year this moment
                added = LocalSpendPeriod.objects.create(
                    council=council,
                    kind=LocalSpendPeriod.Kind.YEAR,
                    financial_year=year,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    source=LocalSpendPeriod.Source.IMPORTED,
                    target_percentage=settings.target_percentage if settings else None,
                    added_by_import=spend_import,
                    updated_by=by,
                )
        except IntegrityError:
            continue  # their period stands; the recompute counts it if it is computed
        write.added(added, reason=f"for the spend file “{spend_import.file_name}”")


# --- Supplier register --------------------------------------------------------


SUPPLIER_FIELDS = ("postcode", "is_local", "local_decided_by", "is_sme", "is_vcse")


def _classify(supplier: Supplier, cleaned: str, local: str, areas: list[str]) -> None:
    """Set ``supplier``'s postcode and whether it is local as the person said (``local``)."""
    new_postcode = bool(cleaned) and cleaned != supplier.postcode
    waiting_for_areas = (
        supplier.local_decided_by == Supplier.DecidedBy.POSTCODE and supplier.is_local is None
    )
    supplier.postcode = cleaned
    if local == Local.NOT_KNOWN and cleaned and (new_postcode or waiting_for_areas):
        # A postcode on its own decides, unless the person said local or not local; with
        # no local areas yet it decides once the council has them.
        supplier.is_local = postcode_is_local(cleaned, areas) if areas else None
        supplier.local_decided_by = Supplier.DecidedBy.POSTCODE
    elif local == Local.FROM_POSTCODE:
        if not cleaned:
            raise ValidationError({"postcode": "Enter the supplier's postcode"})
        if not areas:
            raise ValidationError({"local": "Your council has no local postcode areas yet"})
        supplier.is_local = postcode_is_local(cleaned, areas)
        supplier.local_decided_by = Supplier.DecidedBy.POSTCODE
    elif local in {Local.YES, Local.NO}:
        supplier.is_local = local == Local.YES
        supplier.local_decided_by = Supplier.DecidedBy.OFFICER
    elif local == Local.NOT_KNOWN:
        supplier.is_local = None
        supplier.local_decided_by = Supplier.DecidedBy.NOBODY
    else:
        raise ValidationError({"local": "Select whether the supplier is local"})


def local_choice(supplier: Supplier) -> str:
    """The answer to "Is this a local supplier?" that describes ``supplier`` as it is."""
    if supplier.local_decided_by == Supplier.DecidedBy.POSTCODE:
        # Waiting for the council's local areas: "not known" keeps it waiting.
        return Local.FROM_POSTCODE if supplier.is_local is not None else Local.NOT_KNOWN
    if supplier.local_decided_by == Supplier.DecidedBy.OFFICER:
        return Local.YES if supplier.is_local else Local.NO
    return Local.NOT_KNOWN


class Local:
    """How an officer says whether a supplier is local."""

    FROM_POSTCODE = "postcode"
    YES = "yes"
    NO = "no"
    NOT_KNOWN = "unknown"


@dataclass(frozen=True)
class Reclassified:
    supplier: Supplier
    periods: list[LocalSpendPeriod]


def supplier_classify(
    *,
    supplier: Supplier,
    by: User,
    base_version: int,
    postcode: str,
    local: str,
    is_sme: bool | None,
    is_vcse: bool | None,
) -> Reclassified:
    """Record a supplier's postcode and whether it is local (from its postcode or as the
    officer says), SME and VCSE; then recompute the computed periods it was paid in.

    A new postcode with ``local`` left "not known" decides from the postcode: the person
    said nothing otherwise.

    Merged with what others saved since ``base_version`` (``supplier.merged``); a field both
    changed differently raises ``EditConflict``.
    """
    with council_write(
        by=by, council=supplier.council, permission=PERMISSION, denied=DENIED
    ) as write:
        _lock_council_spend(supplier.council)
        supplier = (
            Supplier.objects.select_for_update(of=("self",))
            .select_related("updated_by")
            .get(pk=supplier.pk)
        )
        write.track(supplier)
        cleaned = normalise_postcode(postcode) if postcode.strip() else ""
        if cleaned is None:
            raise ValidationError({"postcode": "Enter a real postcode, like BN7 1UE"})
        settings = LocalSpendSettings.objects.filter(council=supplier.council).first()
        areas = settings.local_areas if settings else []
        # What the person meant is worked out on the supplier as they saw it (the version they
        # started from), then merged with what others saved since, field by field.
        seen = copy.copy(supplier)
        if supplier.version != base_version:
            before = values_at(supplier, base_version, SUPPLIER_FIELDS)
            for name, value in (before or {}).items():
                setattr(seen, name, value)
        _classify(seen, cleaned, local, areas)
        write.merge(
            supplier,
            base_version=base_version,
            submitted={
                "postcode": seen.postcode,
                "is_local": seen.is_local,
                "local_decided_by": seen.local_decided_by,
                "is_sme": is_sme,
                "is_vcse": is_vcse,
            },
        )
        supplier.updated_by = by
        supplier.full_clean()
        supplier.save()
        write.changed(supplier)
        supplier.merged = write.merged
        paid = supplier.transactions.filter(duplicate_of__isnull=True).aggregate(
            first=Min("paid_on"), last=Max("paid_on")
        )
        periods = []
        if paid["first"] is not None:
            periods = local_spend_periods_recompute(
                council=supplier.council, first=paid["first"], last=paid["last"]
            )
        return Reclassified(supplier=supplier, periods=periods)


# --- The register updated from a file -------------------------------------------


@dataclass
class RowProblems:
    """The rows of a file that cannot be used: the first 50, and how many in all."""

    problems: list[Problem]
    problem_count: int

    @property
    def problems_not_shown(self) -> int:
        return self.problem_count - len(self.problems)


class MalformedSupplierFile(Exception):
    """Rows of a supplier file cannot be used; nothing was changed."""

    def __init__(self, summary: RowProblems):
        self.summary = summary
        super().__init__(f"{summary.problem_count} rows cannot be used")


@dataclass(frozen=True)
class RegisterUpdate:
    changed: int
    unchanged: int
    periods: list[LocalSpendPeriod]


_SAID = {Say.YES: True, Say.NO: False, Say.NOT_KNOWN: None}
_REGISTER_FIELDS = ["postcode", "is_local", "local_decided_by", "is_sme", "is_vcse"]


def supplier_register_update_from_file(
    *, council: Council, by: User, upload: UploadedFile
) -> RegisterUpdate:
    """Update many suppliers at once from a CSV file: one row a supplier, found by its
    supplier ID or name, with any of postcode, local, SME and VCSE.

    The rules are the supplier page's: a new postcode, with "local" blank or not known,
    decides from the council's local areas; yes or no is an officer's say, unless the
    register says so already. Every row is checked first, and a file with rows that cannot
    be used is refused whole (MalformedSupplierFile, with the first 50). Then the suppliers
    are changed together and the computed periods they were paid in recomputed once.
    """
    with council_write(by=by, council=council, permission=PERMISSION, denied=DENIED) as write:
        if upload.size is not None and upload.size >= MAX_SUPPLIER_FILE_BYTES:
            raise FileRefused("The selected file must be smaller than 10 MB")
        shape = inspect_file(
            upload.chunks(),
            min_columns=SUPPLIER_FILE_MIN_COLUMNS,
            no_column_names=NO_SUPPLIER_COLUMN_NAMES,
        )
        columns = supplier_file_columns(shape.headers)
        settings = _lock_council_spend(council)
        areas = settings.local_areas
        register = list(
            Supplier.objects.select_for_update()
            .filter(council=council)
            .only("pk", "key", "name", "version", *_REGISTER_FIELDS)
        )
        by_key = {supplier.key: supplier for supplier in register}
        by_name: dict[str, list[Supplier]] = {}
        for supplier in register:
            by_name.setdefault(normalise_supplier_name(supplier.name), []).append(supplier)

        problems: list[Problem] = []
        problem_count = 0
        seen: dict[int, int] = {}
        changes: list[tuple[Supplier, dict]] = []

        def refuse(line: int, reason: str) -> None:
            nonlocal problem_count
            problem_count += 1
            if len(problems) < MAX_PROBLEMS_SHOWN:
                problems.append(Problem(line, reason))

        upload.seek(0)
        binary = getattr(upload, "file", upload)
        for row in read_supplier_rows(binary, shape, columns):
            if type(row) is Problem:
                refuse(row.line, row.reason)
                continue
            supplier, reason = _find_supplier(row, by_key, by_name)
            if supplier is None:
                refuse(row.line, reason)
                continue
            if supplier.pk in seen:
                refuse(row.line, f"the supplier is on line {seen[supplier.pk]} already")
                continue
            seen[supplier.pk] = row.line
            try:
                changes.append((supplier, _row_classification(supplier, row, areas)))
            except ValueError as reason:
                refuse(row.line, str(reason))
        if problem_count:
            raise MalformedSupplierFile(RowProblems(problems, problem_count))
        if not seen:
            raise FileRefused("The file has no suppliers below its column names")

        now = timezone.now()
        changed = []
        for supplier, values in changes:
            if all(getattr(supplier, name) == value for name, value in values.items()):
                continue
            write.track(supplier)
            for name, value in values.items():
                setattr(supplier, name, value)
            supplier.version += 1
            supplier.updated_by = by
            supplier.updated_at = now
            changed.append(supplier)
        Supplier.objects.bulk_update(
            changed, [*_REGISTER_FIELDS, "version", "updated_by", "updated_at"], batch_size=500
        )
        write.changed_all(changed, reason=f"updated from the file “{upload.name}”")
        first = last = None
        for batch in _batches([supplier.pk for supplier in changed]):
            paid = LocalSpendTransaction.objects.filter(
                supplier_id__in=batch, duplicate_of__isnull=True
            ).aggregate(first=Min("paid_on"), last=Max("paid_on"))
            if paid["first"] is not None:
                first = paid["first"] if first is None else min(first, paid["first"])
                last = paid["last"] if last is None else max(last, paid["last"])
        periods = []
        if first is not None:
            periods = local_spend_periods_recompute(council=council, first=first, last=last)
        return RegisterUpdate(
            changed=len(changed), unchanged=len(seen) - len(changed), periods=periods
        )


def _find_supplier(
    row: SupplierRow, by_key: dict[str, Supplier], by_name: dict[str, list[Supplier]]
) -> tuple[Supplier | None, str]:
    if row.ref:
        supplier = by_key.get(supplier_key("", row.ref))
        if supplier is None:
            return None, f"no supplier in the register has the supplier ID “{row.ref[:40]}”"
        return supplier, ""
    named = by_name.get(normalise_supplier_name(row.name), [])
    if len(named) > 1:
        return None, (
            f"{len(named)} suppliers in the register are called “{row.name[:40]}”: give the "
            "supplier ID"
        )
    if not named:
        return None, f"no supplier in the register is called “{row.name[:40]}”"
    return named[0], ""


def _row_classification(supplier: Supplier, row: SupplierRow, areas: list[str]) -> dict:
    """The supplier's register values once the row is applied. Raises ValueError (the
    reason) for a row that cannot be applied."""
    values = {name: getattr(supplier, name) for name in _REGISTER_FIELDS}
    postcode = row.postcode if row.postcode is not None else supplier.postcode
    new_postcode = row.postcode is not None and row.postcode != supplier.postcode
    values["postcode"] = postcode
    if row.local == Say.FROM_POSTCODE:
        if not postcode:
            raise ValueError("the local column says postcode, but there is no postcode")
        if not areas:
            raise ValueError("your council has no local postcode areas yet to decide from")
        values["is_local"] = postcode_is_local(postcode, areas)
        values["local_decided_by"] = Supplier.DecidedBy.POSTCODE
    elif row.local in {Say.YES, Say.NO}:
        is_local = row.local == Say.YES
        if supplier.is_local is not is_local:
            values["is_local"] = is_local
            values["local_decided_by"] = Supplier.DecidedBy.OFFICER
    elif new_postcode:  # local blank or not known: the postcode decides
        values["is_local"] = postcode_is_local(postcode, areas) if areas else None
        values["local_decided_by"] = Supplier.DecidedBy.POSTCODE
    elif row.local == Say.NOT_KNOWN and supplier.is_local is not None:
        values["is_local"] = None
        values["local_decided_by"] = Supplier.DecidedBy.NOBODY
    for name in ("is_sme", "is_vcse"):
        said = getattr(row, name)
        if said is not None:
            values[name] = _SAID[said]
    return values
