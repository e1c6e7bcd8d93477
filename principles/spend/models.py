"""Local spend: periods and their figures, imported spend files and their payments, and the
register of suppliers that decides which spend is local. See docs/adr/0005."""

import datetime
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from keepitlocal.history import tracked

_PERCENT = [MinValueValidator(0), MaxValueValidator(100)]
_NOT_NEGATIVE = [MinValueValidator(0)]
_TENTH = Decimal("0.1")


def financial_year_of(day: datetime.date) -> int:
    """The year a UK financial year (1 April to 31 March) starts in."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year_label(year: int) -> str:
    """2021 → "2021-22"."""
    return f"{year}-{(year + 1) % 100:02d}"


def period_dates(financial_year: int, quarter: int | None) -> tuple[datetime.date, datetime.date]:
    """First and last day of a financial year, or of its quarter 1 (April to June) to 4."""
    if quarter is None:
        return datetime.date(financial_year, 4, 1), datetime.date(financial_year + 1, 3, 31)
    first_month = 4 + 3 * (quarter - 1)
    year = financial_year + (first_month - 1) // 12
    month = (first_month - 1) % 12 + 1
    starts_on = datetime.date(year, month, 1)
    ends_month = month + 2
    following = datetime.date(year + ends_month // 12, ends_month % 12 + 1, 1)
    return starts_on, following - datetime.timedelta(days=1)


@tracked(
    "target_percentage",
    "local_areas",
    topic=lambda settings: "local-spend",
    label=lambda settings: "Local spend settings",
)
class LocalSpendSettings(models.Model):
    """A council's local spend target and the postcode areas or districts it counts as local."""

    council = models.OneToOneField(
        "keepitlocal.Council", on_delete=models.CASCADE, related_name="local_spend_settings"
    )
    target_percentage = models.DecimalField(
        "target",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=_PERCENT,
        help_text="The percentage of spend the council aims to spend locally.",
    )
    local_areas = models.JSONField(
        "local postcode areas and districts",
        default=list,
        blank=True,
        help_text="Postcode areas (BN) or districts (RH15) counted as local.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "local spend settings"
        verbose_name_plural = "local spend settings"

    def __str__(self) -> str:
        return f"Local spend settings of {self.council}"


@tracked(
    "source",
    "target_percentage",
    "tier2_local_spend",
    "total_spend",
    "local_spend",
    "local_supplier_count",
    "sme_spend",
    "vcse_spend",
    topic=lambda period: "local-spend",
    label=lambda period: f"Local spend period {period.label}",
)
class LocalSpendPeriod(models.Model):
    """A financial year or quarter of spend, with the share of it that was local.

    Its figures are either entered by hand or computed from imported spend files
    and the supplier register (ADR 0005); the percentage is always computed.
    """

    class Kind(models.TextChoices):
        YEAR = "year", "Financial year"
        QUARTER = "quarter", "Quarter"

    class Source(models.TextChoices):
        ENTERED = "entered", "Entered by hand"
        IMPORTED = "imported", "Computed from imported spend files"

    council = models.ForeignKey(
        "keepitlocal.Council", on_delete=models.CASCADE, related_name="local_spend_periods"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.YEAR)
    financial_year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1990), MaxValueValidator(2100)],
        help_text="The year the financial year starts in: 2021 for 2021-22.",
    )
    quarter = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.ENTERED)
    total_spend = models.DecimalField(
        "total third-party spend", max_digits=15, decimal_places=2, default=0
    )
    local_spend = models.DecimalField(
        "spend with local suppliers",
        max_digits=15,
        decimal_places=2,
        default=0,
        help_text="Including Tier 2 local spend.",
    )
    local_supplier_count = models.PositiveIntegerField("number of local suppliers", default=0)
    tier2_local_spend = models.DecimalField(
        "Tier 2 local spend",
        max_digits=15,
        decimal_places=2,
        null=True,
        blank=True,
        validators=_NOT_NEGATIVE,
        help_text="Spend the council's suppliers sub-contract to local suppliers.",
    )
    sme_spend = models.DecimalField(
        "SME spend", max_digits=15, decimal_places=2, null=True, blank=True
    )
    vcse_spend = models.DecimalField(
        "VCSE spend", max_digits=15, decimal_places=2, null=True, blank=True
    )
    # Computed periods only: spend with suppliers whose location is not known yet.
    unclassified_spend = models.DecimalField(max_digits=15, decimal_places=2, null=True, blank=True)
    payment_count = models.PositiveIntegerField(null=True, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    target_percentage = models.DecimalField(
        "target", max_digits=5, decimal_places=2, null=True, blank=True, validators=_PERCENT
    )
    # The import that added this computed year, so undoing it can take the year away again.
    added_by_import = models.ForeignKey(
        "LocalSpendImport", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["starts_on", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "financial_year"],
                condition=models.Q(kind="year"),
                name="one_local_spend_year",
                violation_error_message="There is already a period for this financial year.",
            ),
            models.UniqueConstraint(
                fields=["council", "financial_year", "quarter"],
                condition=models.Q(kind="quarter"),
                name="one_local_spend_quarter",
                violation_error_message="There is already a period for this quarter.",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="year", quarter__isnull=True)
                | models.Q(kind="quarter", quarter__gte=1, quarter__lte=4),
                name="local_spend_quarter_matches_kind",
            ),
        ]
        indexes = [models.Index(fields=["council", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.council}: {self.label}"

    def clean(self) -> None:
        if self.source != self.Source.ENTERED:
            return
        errors = {}
        for field in ("total_spend", "local_spend", "sme_spend", "vcse_spend"):
            value = getattr(self, field)
            if value is not None and value < 0:
                errors[field] = "Spend cannot be negative."
        if not errors:
            if self.local_spend > self.total_spend:
                errors["local_spend"] = "Spend with local suppliers cannot be more than the total."
            if self.tier2_local_spend is not None and self.tier2_local_spend > self.local_spend:
                errors["tier2_local_spend"] = "Tier 2 local spend is part of local spend."
            for field in ("sme_spend", "vcse_spend"):
                value = getattr(self, field)
                if value is not None and value > self.total_spend:
                    errors[field] = "This cannot be more than the total spend."
        if errors:
            raise ValidationError(errors)

    @property
    def label(self) -> str:
        year = financial_year_label(self.financial_year)
        return year if self.quarter is None else f"{year} Q{self.quarter}"

    @property
    def dates_label(self) -> str:
        return f"{self.starts_on:%B %Y} to {self.ends_on:%B %Y}"

    @property
    def percentage(self) -> Decimal | None:
        """The share of spend that was local, to one decimal place; None with no spend."""
        if not self.total_spend or self.total_spend <= 0:
            return None
        return (self.local_spend * 100 / self.total_spend).quantize(_TENTH)

    @property
    def meets_target(self) -> bool | None:
        if self.target_percentage is None or self.percentage is None:
            return None
        return self.local_spend * 100 >= self.target_percentage * self.total_spend

    @property
    def is_computed(self) -> bool:
        return self.source == self.Source.IMPORTED

    @property
    def local_share_known(self) -> bool:
        """False while some of a computed period's spend is with suppliers not classified yet:
        its percentage is a figure so far, not a result."""
        return not (self.is_computed and self.unclassified_spend)


@tracked(
    "postcode",
    "is_local",
    "local_decided_by",
    "is_sme",
    "is_vcse",
    topic=lambda supplier: "local-spend",
    label=lambda supplier: f"Supplier “{supplier.name}”",
    quiet=("local_decided_by",),
)
class Supplier(models.Model):
    """A supplier the council has paid, found in its spend files, and whether it is local.

    Recognised again by its supplier ID, else by its normalised name (``key``).
    """

    class DecidedBy(models.TextChoices):
        NOBODY = "", "Not known yet"
        POSTCODE = "postcode", "Decided from its postcode"
        OFFICER = "officer", "Set by an officer"

    council = models.ForeignKey(
        "keepitlocal.Council", on_delete=models.CASCADE, related_name="suppliers"
    )
    key = models.CharField(max_length=320)  # transparency.MAX_SUPPLIER_KEY
    name = models.CharField(max_length=300)
    supplier_ref = models.CharField("supplier ID", max_length=100, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    is_local = models.BooleanField("local", null=True, blank=True)
    local_decided_by = models.CharField(
        max_length=10, choices=DecidedBy.choices, blank=True, default=DecidedBy.NOBODY
    )
    is_sme = models.BooleanField("SME", null=True, blank=True)
    is_vcse = models.BooleanField("VCSE", null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["council", "key"], name="supplier_key_unique")
        ]
        indexes = [models.Index(fields=["council", "is_local"])]

    def __str__(self) -> str:
        return self.name

    @property
    def local_label(self) -> str:
        return {True: "Local", False: "Not local"}.get(self.is_local, "Not known")


def spend_file_upload_to(spend_import: "LocalSpendImport", filename: str) -> str:
    return f"spend-files/{spend_import.council_id}/{uuid.uuid4().hex}/{filename}"


@tracked(
    "status",
    "payment_count",
    "total_amount",
    "undo_reason",
    topic=lambda spend_import: "local-spend",
    label=lambda spend_import: f"Spend file “{spend_import.file_name}”",
)
class LocalSpendImport(models.Model):
    """A spend file an officer uploaded, its columns, and whether it has been imported.

    The file is kept until it is imported; its payments are then in the database and
    only its fingerprint is kept, so the same file is never counted twice. An import can
    be undone: its payments go, and the record says who undid it, when and why.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Not imported yet"
        IMPORTED = "imported", "Imported"
        UNDONE = "undone", "Undone"

    council = models.ForeignKey(
        "keepitlocal.Council", on_delete=models.CASCADE, related_name="local_spend_imports"
    )
    file = models.FileField(upload_to=spend_file_upload_to, max_length=300, blank=True)
    file_name = models.CharField(max_length=200)
    file_size = models.PositiveBigIntegerField()
    content_hash = models.CharField("SHA-256 of the file", max_length=64)
    encoding = models.CharField(max_length=20)
    delimiter = models.CharField(max_length=1, default=",")
    header_row = models.PositiveIntegerField(default=0)
    header_line = models.PositiveIntegerField(default=1)
    headers = models.JSONField(default=list)
    # Column key (see transparency.COLUMNS) → index of the file's column.
    mapping = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    payment_count = models.PositiveIntegerField(null=True, blank=True)
    total_amount = models.DecimalField(max_digits=15, decimal_places=2, null=True, blank=True)
    first_paid_on = models.DateField(null=True, blank=True)
    last_paid_on = models.DateField(null=True, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    imported_at = models.DateTimeField(null=True, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    undo_reason = models.TextField("why it was undone", blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "content_hash"],
                condition=models.Q(status="imported"),
                name="spend_file_imported_once",
            )
        ]

    def __str__(self) -> str:
        return self.file_name

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def is_imported(self) -> bool:
        return self.status == self.Status.IMPORTED

    @property
    def is_undone(self) -> bool:
        return self.status == self.Status.UNDONE


class LocalSpendColumnMapping(models.Model):
    """Which column is which, remembered for the next file with the same column names."""

    council = models.ForeignKey("keepitlocal.Council", on_delete=models.CASCADE, related_name="+")
    headers_key = models.CharField(max_length=64)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["council", "headers_key"], name="one_mapping_per_set_of_headers"
            )
        ]

    def __str__(self) -> str:
        return f"Columns of {', '.join(self.headers)[:80]}"


class LocalSpendTransaction(models.Model):
    """One payment from an imported spend file. It counts in the periods containing its date,
    unless it is a payment the council already holds from another file (``duplicate_of``).

    ``payment_key`` is what makes it the same payment in another file: its transaction number
    and supplier, or else its date, supplier, amount and invoice number; with how many times
    that came before in its own file, so that two like payments in one file stay two. A
    payment is counted once: the database holds one counted payment per key and council.
    """

    # Not indexed alone: the (council, paid_on) and (supplier, paid_on) indexes cover them,
    # and every index slows the import of a year's payments. No database constraint either:
    # the payment's supplier and import are constrained and belong to the same council, and
    # checking a third key for each of 100,000 payments costs about a second.
    council = models.ForeignKey(
        "keepitlocal.Council",
        on_delete=models.CASCADE,
        related_name="local_spend_transactions",
        db_index=False,
        db_constraint=False,
    )
    spend_import = models.ForeignKey(
        LocalSpendImport, on_delete=models.CASCADE, related_name="transactions"
    )
    # Suppliers are never deleted on their own; with their council, everything goes.
    supplier = models.ForeignKey(
        Supplier, on_delete=models.CASCADE, related_name="transactions", db_index=False
    )
    line_number = models.PositiveIntegerField()
    paid_on = models.DateField("date paid")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    irrecoverable_vat = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    department = models.TextField(blank=True)
    purpose = models.TextField(blank=True)
    merchant_category = models.TextField(blank=True)
    transaction_ref = models.CharField("transaction number", max_length=100, blank=True)
    invoice_ref = models.CharField("invoice number", max_length=100, blank=True)
    payment_key = models.CharField(max_length=32)
    # The file that was first to bring this payment; imports go only with their council.
    duplicate_of = models.ForeignKey(
        LocalSpendImport,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["council", "payment_key"],
                condition=models.Q(duplicate_of__isnull=True),
                name="payment_counted_once",
            )
        ]
        indexes = [
            models.Index(fields=["council", "paid_on"]),
            models.Index(fields=["supplier", "paid_on"]),
            models.Index(
                fields=["duplicate_of"],
                condition=models.Q(duplicate_of__isnull=False),
                name="payment_duplicates",
            ),
        ]

    def __str__(self) -> str:
        return f"£{self.amount} to {self.supplier_id} on {self.paid_on}"
