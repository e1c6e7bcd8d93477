import dataclasses
import re
from decimal import Decimal, InvalidOperation

from crispy_forms_gds.layout import Button, Layout
from django import forms
from django.core.exceptions import ValidationError

from keepitlocal.forms import BaseForm, VersionedForm, submit_button
from principles.spend.models import LocalSpendPeriod, Supplier, financial_year_label
from principles.spend.postcodes import normalise_postcode, parse_local_areas
from principles.spend.services import Local, local_choice
from principles.spend.supplier_file import MAX_SUPPLIER_FILE_BYTES
from principles.spend.transparency import COLUMNS, MAX_FILE_BYTES, check_mapping, column_letter

_MILLION = re.compile(r"(.*?)\s*(m|million)", re.IGNORECASE)
_LARGEST = Decimal(10) ** 13


class PoundsField(forms.CharField):
    """An amount in pounds, not negative: "£416,800,000", "416800000.50" or "£416.8m"."""

    def __init__(self, *, label_for_errors: str, **kwargs):
        self.label_for_errors = label_for_errors
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"class": "govuk-input--width-10", "spellcheck": "false"}),
        )
        super().__init__(**kwargs)
        self.error_messages["required"] = f"Enter the {label_for_errors}"

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            whole = value == value.to_integral_value()
            return f"{value:,.0f}" if whole else f"{value:,.2f}"
        return value

    def to_python(self, value):
        text = super().to_python(value).replace("£", "").replace(",", "").replace(" ", "")
        if len(text) > 40:
            raise ValidationError(
                f"Enter the {self.label_for_errors} as an amount in pounds, like £416,800,000"
            )
        if not text:
            return None
        scale = Decimal(1)
        if match := _MILLION.fullmatch(text):
            text, scale = match.group(1), Decimal(1_000_000)
        try:
            amount = (Decimal(text) * scale).quantize(Decimal("0.01"))
            if not amount.is_finite():
                raise ValueError(text)
        except (InvalidOperation, ValueError):
            raise ValidationError(
                f"Enter the {self.label_for_errors} as an amount in pounds, like £416,800,000"
            ) from None
        if amount < 0:
            raise ValidationError(f"The {self.label_for_errors} cannot be negative")
        if amount >= _LARGEST:
            raise ValidationError(f"The {self.label_for_errors} is too large")
        return amount


class PercentageField(forms.CharField):
    """A percentage from 0 to 100: "60", "67.5" or "60%"."""

    def __init__(self, *, label_for_errors: str, **kwargs):
        self.label_for_errors = label_for_errors
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"class": "govuk-input--width-4", "inputmode": "decimal"}),
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return f"{value:.2f}".rstrip("0").rstrip(".")
        return value

    def to_python(self, value):
        text = super().to_python(value).replace("%", "").strip()
        if len(text) > 10:
            raise ValidationError(f"Enter the {self.label_for_errors} as a number, like 60")
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValidationError(
                f"Enter the {self.label_for_errors} as a number, like 60"
            ) from None
        if not number.is_finite() or not 0 <= number <= 100:
            raise ValidationError(f"The {self.label_for_errors} must be between 0 and 100")
        if number != number.quantize(Decimal("0.01")):
            raise ValidationError(f"The {self.label_for_errors} can have up to 2 decimal places")
        return number.quantize(Decimal("0.01"))


class LocalSpendSettingsForm(BaseForm):
    target_percentage = PercentageField(
        label="Local spend target (%)",
        label_for_errors="target",
        required=False,
        help_text="The percentage of spend the council aims to keep local, for example 60 "
        "(from your Council Plan). New periods start with this target.",
    )
    local_areas = forms.CharField(
        label="Local postcode areas and districts",
        required=False,
        max_length=2000,
        error_messages={"max_length": "Enter no more than 2,000 characters of areas"},
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocapitalize": "characters"}),
        help_text="Separated by commas: areas like BN and TN, or districts like RH15. A "
        "supplier whose postcode is in one of them counts as local.",
    )

    def clean_local_areas(self) -> list[str]:
        try:
            return parse_local_areas(self.cleaned_data["local_areas"])
        except ValueError as bad:
            raise ValidationError(
                f"“{str(bad)[:20]}” is not a postcode area or district. Enter areas like BN "
                "or districts like RH15"
            ) from None


_FIGURES = ("total_spend", "local_spend", "local_supplier_count", "sme_spend", "vcse_spend")


class LocalSpendPeriodForm(VersionedForm):
    """A period's figures. Without ``period`` it also asks which financial year or quarter."""

    kind = forms.ChoiceField(
        label="Is this a financial year or a quarter?",
        choices=LocalSpendPeriod.Kind.choices,
        widget=forms.RadioSelect,
        initial=LocalSpendPeriod.Kind.YEAR,
        error_messages={
            "required": "Select a financial year or a quarter",
            "invalid_choice": "Select a financial year or a quarter",
        },
    )
    quarter = forms.TypedChoiceField(
        label="Which quarter?",
        help_text="Only for a quarter",
        coerce=int,
        required=False,
        empty_value=None,
        choices=[
            ("", "Select a quarter"),
            (1, "Quarter 1: April to June"),
            (2, "Quarter 2: July to September"),
            (3, "Quarter 3: October to December"),
            (4, "Quarter 4: January to March"),
        ],
        error_messages={"invalid_choice": "Select a quarter from the list"},
    )
    financial_year = forms.IntegerField(
        label="Financial year",
        min_value=1990,
        max_value=2100,
        help_text="The year it starts in: for 2021-22, enter 2021",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-4", "inputmode": "numeric"}),
        error_messages={
            "required": "Enter the year the financial year starts in, like 2021",
            "invalid": "Enter the year the financial year starts in, like 2021",
            "min_value": "Enter a financial year from 1990 onwards",
            "max_value": "Enter a financial year up to 2100",
        },
    )
    source = forms.ChoiceField(
        label="Where do the figures come from?",
        choices=LocalSpendPeriod.Source.choices,
        widget=forms.RadioSelect,
        initial=LocalSpendPeriod.Source.ENTERED,
        error_messages={
            "required": "Select where the figures come from",
            "invalid_choice": "Select where the figures come from",
        },
    )
    total_spend = PoundsField(
        label="Total third-party spend",
        label_for_errors="total third-party spend",
        required=False,
        help_text="All the council's spend with suppliers in the period, for example "
        "£416,800,000 or £416.8m",
    )
    local_spend = PoundsField(
        label="Spend with local suppliers",
        label_for_errors="spend with local suppliers",
        required=False,
        help_text="Including Tier 2 local spend",
    )
    local_supplier_count = forms.IntegerField(
        label="Number of local suppliers",
        required=False,
        min_value=0,
        max_value=10_000_000,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "numeric"}),
        error_messages={
            "invalid": "Enter the number of local suppliers as a whole number, like 958",
            "min_value": "The number of local suppliers cannot be negative",
            "max_value": "The number of local suppliers must be 10,000,000 or fewer",
        },
    )
    sme_spend = PoundsField(
        label="SME spend (optional)",
        label_for_errors="SME spend",
        required=False,
        help_text="Spend with small and medium-sized enterprises, if known",
    )
    vcse_spend = PoundsField(
        label="VCSE spend (optional)",
        label_for_errors="VCSE spend",
        required=False,
        help_text="Spend with voluntary, community and social enterprise organisations, if known",
    )
    tier2_local_spend = PoundsField(
        label="Tier 2 local spend (optional)",
        label_for_errors="Tier 2 local spend",
        required=False,
        help_text="What the council's suppliers sub-contract to local suppliers. It is part of "
        "the spend with local suppliers entered by hand, and is added to the local spend "
        "computed from imported files.",
    )
    target_percentage = PercentageField(
        label="Target (%) (optional)",
        label_for_errors="target",
        required=False,
        help_text="The percentage of spend the council aimed to keep local in this period",
    )

    def __init__(self, *args, council, period: LocalSpendPeriod | None = None, **kwargs):
        self.council = council
        self.period = period
        super().__init__(*args, **kwargs)
        # Plain radios, every field shown: GOV.UK Frontend's conditional reveal marks
        # radios aria-expanded, which radios do not support (axe reports it).
        if period is None:
            layout = ["kind", "quarter", "financial_year"]
        else:
            for name in ("kind", "quarter", "financial_year"):
                del self.fields[name]
            layout = []
        self.helper.layout = Layout(
            "version",
            *layout,
            "source",
            *_FIGURES,
            "tier2_local_spend",
            "target_percentage",
            submit_button(self.submit_label),
        )
        self.helper.inputs = []

    def clean(self):
        cleaned = super().clean()
        if self.period is None:
            self._check_period_is_new(cleaned)
        if cleaned.get("source") == LocalSpendPeriod.Source.ENTERED:
            self._check_figures(cleaned)
        else:
            for name in _FIGURES:
                cleaned[name] = None
        return cleaned

    def _check_period_is_new(self, cleaned) -> None:
        kind, year = cleaned.get("kind"), cleaned.get("financial_year")
        if kind == LocalSpendPeriod.Kind.QUARTER and cleaned.get("quarter") is None:
            self.add_error("quarter", "Select a quarter")
            return
        if kind is None or year is None:
            return
        periods = self.council.local_spend_periods.filter(kind=kind, financial_year=year)
        if kind == LocalSpendPeriod.Kind.QUARTER:
            periods = periods.filter(quarter=cleaned["quarter"])
        else:
            cleaned["quarter"] = None
        if periods.exists():
            what = financial_year_label(year)
            if kind == LocalSpendPeriod.Kind.QUARTER:
                what = f"quarter {cleaned['quarter']} of {what}"
            self.add_error("financial_year", f"There is already a period for {what}")

    def _check_figures(self, cleaned) -> None:
        total, local = cleaned.get("total_spend"), cleaned.get("local_spend")
        if "total_spend" not in self.errors and total is None:
            self.add_error("total_spend", "Enter the total third-party spend")
        if "local_spend" not in self.errors and local is None:
            self.add_error("local_spend", "Enter the spend with local suppliers")
        if (
            "local_supplier_count" not in self.errors
            and cleaned.get("local_supplier_count") is None
        ):
            self.add_error("local_supplier_count", "Enter the number of local suppliers")
        if total is not None and local is not None and local > total:
            self.add_error(
                "local_spend", "Spend with local suppliers cannot be more than the total spend"
            )
        tier2 = cleaned.get("tier2_local_spend")
        if tier2 is not None and local is not None and tier2 > local:
            self.add_error(
                "tier2_local_spend",
                "Tier 2 local spend cannot be more than the spend with local suppliers",
            )
        for name, label in (("sme_spend", "SME spend"), ("vcse_spend", "VCSE spend")):
            value = cleaned.get(name)
            if total is not None and value is not None and value > total:
                self.add_error(name, f"{label} cannot be more than the total spend")

    def record_fields(self) -> dict:
        fields = super().record_fields()
        if self.period is not None:
            for name in ("kind", "quarter", "financial_year"):
                fields.pop(name, None)
        return fields


class SpendFileForm(BaseForm):
    submit_label = "Continue"

    file = forms.FileField(
        label="Upload a spend file",
        help_text="A CSV file of the council's payments over £500, smaller than 100 MB",
        error_messages={
            "required": "Select a spend file",
            "invalid": "The selected file could not be read",
            "empty": "The selected file is empty",
        },
    )

    def __init__(self, *args, too_large: bool = False, **kwargs):
        self.too_large = too_large
        super().__init__(*args, **kwargs)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size >= MAX_FILE_BYTES:
            raise ValidationError("The selected file must be smaller than 100 MB")
        if not (upload.name or "").lower().endswith((".csv", ".txt")):
            raise ValidationError(
                "The selected file must be a CSV file. Save a spreadsheet as CSV first"
            )
        return upload

    def full_clean(self):
        super().full_clean()
        if self.is_bound and self.too_large:
            # The upload was stopped at the limit, so the file never arrived.
            self._errors["file"] = self.error_class(
                ["The selected file must be smaller than 100 MB"]
            )
            self.cleaned_data.pop("file", None)


class UndoImportForm(BaseForm):
    reason = forms.CharField(
        label="Why are you undoing this import? (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, “Replaced by the re-issued file”. It is kept with the import.",
        error_messages={"max_length": "Enter no more than 2,000 characters of reason"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.inputs = []
        self.helper.layout = Layout(
            "reason",
            Button.warning(
                "submit",
                "Undo this import",
                type="submit",
                **{"data-module": "govuk-button", "data-prevent-double-click": "true"},
            ),
        )


class SupplierFileForm(BaseForm):
    submit_label = "Update the register"

    file = forms.FileField(
        label="Upload a supplier file",
        help_text="A CSV file, smaller than 10 MB, with a row for each supplier to update",
        error_messages={
            "required": "Select a supplier file",
            "invalid": "The selected file could not be read",
            "empty": "The selected file is empty",
        },
    )

    def __init__(self, *args, too_large: bool = False, **kwargs):
        self.too_large = too_large
        super().__init__(*args, **kwargs)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size >= MAX_SUPPLIER_FILE_BYTES:
            raise ValidationError("The selected file must be smaller than 10 MB")
        if not (upload.name or "").lower().endswith((".csv", ".txt")):
            raise ValidationError(
                "The selected file must be a CSV file. Save a spreadsheet as CSV first"
            )
        return upload

    def full_clean(self):
        super().full_clean()
        if self.is_bound and self.too_large:
            self._errors["file"] = self.error_class(
                ["The selected file must be smaller than 10 MB"]
            )
            self.cleaned_data.pop("file", None)


NOT_IN_FILE = ""


class SpendFileColumnsForm(BaseForm):
    """For each kind of value, which column of the file holds it."""

    submit_label = "Continue"

    def __init__(self, *args, headers: list[str], **kwargs):
        self.width = len(headers)
        super().__init__(*args, **kwargs)
        choices = [(NOT_IN_FILE, "Not in this file")] + [
            (str(index), f"Column {column_letter(index)}: {header or '(no name)'}")
            for index, header in enumerate(headers)
        ]
        for column in COLUMNS:
            self.fields[column.key] = forms.ChoiceField(
                label=column.label,
                choices=choices,
                required=False,
                help_text=column.hint,
                error_messages={"invalid_choice": "Select a column from the list"},
            )

    @staticmethod
    def initial_from(mapping: dict[str, int]) -> dict[str, str]:
        return {key: str(index) for key, index in mapping.items()}

    def mapping(self) -> dict[str, int | None]:
        return {
            column.key: int(self.cleaned_data[column.key])
            if self.cleaned_data.get(column.key) not in (None, NOT_IN_FILE)
            else None
            for column in COLUMNS
        }

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            for key, message in check_mapping(self.mapping(), self.width).items():
                self.add_error(key, message)
        return cleaned


YES_NO_UNKNOWN = [("yes", "Yes"), ("no", "No"), ("unknown", "Not known")]
_AS_BOOL = {"yes": True, "no": False, "unknown": None}


def as_yes_no(value: bool | None) -> str:
    return {True: "yes", False: "no"}.get(value, "unknown")


class SupplierForm(VersionedForm):
    postcode = forms.CharField(
        label="Postcode",
        required=False,
        max_length=12,
        widget=forms.TextInput(
            attrs={"class": "govuk-input--width-10", "autocomplete": "off", "spellcheck": "false"}
        ),
        help_text="Of the branch or office that supplied the council, if known",
        error_messages={"max_length": "Enter a real postcode, like BN7 1UE"},
    )
    local = forms.ChoiceField(
        label="Is this a local supplier?",
        choices=[
            (Local.FROM_POSTCODE, "Decide from its postcode"),
            (Local.YES, "Yes, it is local"),
            (Local.NO, "No, it is not local"),
            (Local.NOT_KNOWN, "Not known yet"),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether the supplier is local",
            "invalid_choice": "Select whether the supplier is local",
        },
    )
    is_sme = forms.ChoiceField(
        label="Is it a small or medium-sized enterprise (SME)?",
        choices=YES_NO_UNKNOWN,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether the supplier is an SME",
            "invalid_choice": "Select whether the supplier is an SME",
        },
    )
    is_vcse = forms.ChoiceField(
        label="Is it a voluntary, community or social enterprise (VCSE)?",
        choices=YES_NO_UNKNOWN,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether the supplier is a VCSE organisation",
            "invalid_choice": "Select whether the supplier is a VCSE organisation",
        },
    )

    def rebase(self, conflict) -> None:
        """As every versioned form, with the supplier's fields said as this form asks them."""
        rebased = dict(conflict.rebased)
        if "is_local" in rebased or "local_decided_by" in rebased:
            shown = Supplier(
                is_local=rebased.pop("is_local", None),
                local_decided_by=rebased.pop("local_decided_by", Supplier.DecidedBy.NOBODY),
            )
            rebased["local"] = local_choice(shown)
        conflict.rebased = rebased
        # Whether it is local, and who decided, are one question on this form.
        asked, conflicts = set(), []
        for item in conflict.conflicts:
            if item.field in {"is_local", "local_decided_by"}:
                item = dataclasses.replace(item, field="local", label="Local")
            if item.field not in asked:
                asked.add(item.field)
                conflicts.append(item)
        conflict.conflicts = conflicts
        super().rebase(conflict)

    def form_value(self, name: str, value):
        if name in {"is_sme", "is_vcse"}:
            return as_yes_no(value)
        return value

    def __init__(self, *args, local_areas: list[str], **kwargs):
        self.local_areas = local_areas
        super().__init__(*args, **kwargs)
        hint = "A new postcode decides, unless you choose yes or no"
        if local_areas:
            hint += f". Your council counts postcodes in {', '.join(local_areas)} as local"
        self.fields["local"].help_text = hint

    def clean_postcode(self) -> str:
        text = self.cleaned_data["postcode"].strip()
        if not text:
            return ""
        postcode = normalise_postcode(text)
        if postcode is None:
            raise ValidationError("Enter a real postcode, like BN7 1UE")
        return postcode

    def clean_is_sme(self) -> bool | None:
        return _AS_BOOL[self.cleaned_data["is_sme"]]

    def clean_is_vcse(self) -> bool | None:
        return _AS_BOOL[self.cleaned_data["is_vcse"]]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("local") == Local.FROM_POSTCODE:
            if not self.local_areas:
                self.add_error(
                    "local",
                    "Your council has no local postcode areas yet. Add them in local spend "
                    "settings, or say whether this supplier is local",
                )
            elif "postcode" not in self.errors and not cleaned.get("postcode"):
                self.add_error("postcode", "Enter the supplier's postcode to decide from it")
        return cleaned
