"""A payment is counted once, whichever files hold it, and a payment not counted says why.

The awkward sample file and its re-issue (tests/principles/data/) hold the same payments
in part: five of the re-issue's twelve are the first file's (written differently: other
date and amount styles), four are new in 2022-23, two fall in 2021-22, which is entered by
hand, and one in 2023-24, which no period covers yet.
"""

import importlib
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.formats import date_format

from principles.spend.models import (
    LocalSpendImport,
    LocalSpendPeriod,
    LocalSpendSettings,
    LocalSpendTransaction,
    Supplier,
)
from principles.spend.selectors import Tally, payment_coverage
from principles.spend.services import supplier_classify
from tests.factories import (
    LocalSpendImportFactory,
    LocalSpendPeriodFactory,
    LocalSpendTransactionFactory,
    SupplierFactory,
)
from tests.html import page, text
from tests.principles.spend_files import SIMPLE_MAPPING, import_spend_file, spend_file

DATA = Path(__file__).parent / "data"
AWKWARD = DATA / "awkward-spend-2022-23.csv"
REISSUE = DATA / "awkward-spend-2022-23-reissued.csv"
COLUMNS = {
    "paid_on": "3",
    "supplier_name": "6",
    "supplier_ref": "7",
    "amount": "5",
    "department": "1",
    "purpose": "2",
    "irrecoverable_vat": "8",
    "merchant_category": "9",
    "postcode": "",
    "transaction_ref": "4",
    "invoice_ref": "",
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def base(council):
    return f"/councils/{council.slug}/local-spend"


def upload(client, base, path: Path):
    return client.post(
        f"{base}/files/add/", {"file": SimpleUploadedFile(path.name, path.read_bytes())}
    )


def imported_on(spend_import: LocalSpendImport) -> str:
    return date_format(timezone.localtime(spend_import.imported_at), "j F Y")


def coverage_rows(response) -> list[list[str]]:
    rows = page(response).cssselect("#payments-counted tr")
    return [[text(cell) for cell in row.cssselect("th, td")] for row in rows]


def figures(council, year: int) -> dict:
    period = LocalSpendPeriod.objects.get(council=council, kind="year", financial_year=year)
    return {
        "source": period.source,
        "payments": period.payment_count,
        "total": period.total_spend,
        "local": period.local_spend,
        "not local": (
            period.total_spend - period.local_spend - period.unclassified_spend
            if period.is_computed
            else None
        ),
        "unclassified": period.unclassified_spend,
    }


def classify(supplier_name: str, by, **fields):
    supplier = Supplier.objects.get(name=supplier_name)
    return supplier_classify(
        supplier=supplier,
        by=by,
        base_version=supplier.version,
        **{"postcode": "", "local": "unknown", "is_sme": None, "is_vcse": None, **fields},
    )


@pytest.mark.django_db
def test_a_reissue_overlapping_an_imported_file_is_counted_once_to_the_penny(
    client, officer, council, base
):
    LocalSpendSettings.objects.create(council=council, target_percentage=60, local_areas=["TN"])
    client.force_login(officer)
    upload(client, base, AWKWARD)
    first = LocalSpendImport.objects.get()
    client.post(f"{base}/files/{first.pk}/columns/", COLUMNS)
    client.post(f"{base}/files/{first.pk}/")
    first.refresh_from_db()
    assert first.is_imported
    classify("Café Lumière Ltd", officer, local="yes")
    classify("Kier Highways Ltd", officer, local="no")
    classify("Hastings Ironworks Ltd", officer, postcode="TN34 1AA", local="postcode")
    hand = LocalSpendPeriodFactory(council=council, financial_year=2021)  # 2021-22 typed

    # The re-issue has the same column names: straight to its preview.
    response = upload(client, base, REISSUE)
    second = LocalSpendImport.objects.latest("pk")
    assert response.url == f"{base}/files/{second.pk}/"
    preview = client.get(response.url)
    held_from = f"already held from “{AWKWARD.name}”, imported {imported_on(first)}"
    assert coverage_rows(preview) == [
        ["Payments", "Number", "Amount"],
        ["Counted in 2022-23, 2023-24", "5", "£24,950.25"],
        [f"Not counted: {held_from}", "5", "£120,549.01"],
        ["Not counted: 2021-22 is entered by hand", "2", "£2,000"],
        ["All the file's payments", "12", "£147,499.26"],
    ]
    warning = text(page(preview).cssselect("#not-counted")[0])
    assert "7 of the file's 12 payments (£122,549.01) will not be counted" in warning
    change = page(preview).cssselect("#not-counted a")[0]
    assert change.get("href") == f"{base}/periods/{hand.pk}/"

    response = client.post(f"{base}/files/{second.pk}/", follow=True)
    assert (
        f"Imported 12 payments from {REISSUE.name}. 5 of them were already held from other "
        "files and are not counted again. 1 new supplier added to the register. "
        "Recomputed: 2022-23 13.1% local so far (not all suppliers classified), 2023-24 0.0% "
        "local so far (not all suppliers classified)." in text(page(response))
    )
    assert LocalSpendTransaction.objects.count() == 19
    assert LocalSpendTransaction.objects.filter(duplicate_of=first).count() == 5

    assert figures(council, 2022) == {
        "source": "imported",
        "payments": 11,
        "total": Decimal("137700.00"),
        "local": Decimal("17998.51"),  # Café Lumière £12,425 and Hastings £5,573.51
        "not local": Decimal("113000.00"),  # Kier Highways
        "unclassified": Decimal("6701.49"),  # the buses, the office supplies, the bakery
    }
    assert figures(council, 2023) == {
        "source": "imported",
        "payments": 1,
        "total": Decimal("7250.25"),
        "local": Decimal("0.00"),
        "not local": Decimal("0.00"),
        "unclassified": Decimal("7250.25"),
    }
    assert figures(council, 2021) == {
        "source": "entered",
        "payments": None,
        "total": Decimal("1000000.00"),
        "local": Decimal("600000.00"),
        "not local": None,
        "unclassified": None,
    }
    file_page = client.get(f"{base}/files/{second.pk}/")
    assert coverage_rows(file_page)[1:] == [
        ["Counted in 2022-23, 2023-24", "5", "£24,950.25"],
        [f"Not counted: {held_from}", "5", "£120,549.01"],
        ["Not counted: 2021-22 is entered by hand", "2", "£2,000"],
        ["All the file's payments", "12", "£147,499.26"],
    ]
    register = {s.name: s for s in Supplier.objects.filter(council=council)}
    buses = client.get(f"{base}/suppliers/{register['Brighton & Hove Buses'].pk}/")
    assert "£3,950.50 in 3 payments" in text(page(buses))  # 2021-22's £900 is a payment too

    # The first file is replaced by its re-issue: undone, the re-issue's copies count.
    response = client.post(
        f"{base}/files/{first.pk}/undo/", {"reason": "Replaced by the re-issue"}, follow=True
    )
    assert (
        f"The import of {AWKWARD.name} is undone: its 7 payments are no longer counted. "
        "5 of them are counted from a later file that holds them too. "
        "Recomputed: 2022-23 13.0% local so far (not all suppliers classified)."
        in text(page(response))
    )
    assert response.redirect_chain[-1][0] == f"{base}/files/{first.pk}/"
    undone = {
        text(row.cssselect("dt")[0]): text(row.cssselect("dd")[0])
        for row in page(response).cssselect(".govuk-summary-list__row")
    }
    first.refresh_from_db()
    assert undone["Undone"] == (
        f"{date_format(timezone.localtime(first.undone_at), 'j F Y, H:i')} by {officer}"
    )
    assert undone["Why it was undone"] == "Replaced by the re-issue"
    assert figures(council, 2022) == {
        "source": "imported",
        "payments": 9,
        "total": Decimal("138249.01"),
        "local": Decimal("17998.51"),
        "not local": Decimal("113000.00"),
        "unclassified": Decimal("7250.50"),  # the buses £4,250.50 and the bakery £3,000
    }
    assert figures(council, 2023)["total"] == Decimal("7250.25")
    assert coverage_rows(client.get(f"{base}/files/{second.pk}/"))[1:] == [
        ["Counted in 2022-23, 2023-24", "10", "£145,499.26"],
        ["Not counted: 2021-22 is entered by hand", "2", "£2,000"],
        ["All the file's payments", "12", "£147,499.26"],
    ]
    assert not LocalSpendTransaction.objects.filter(duplicate_of__isnull=False).exists()


@pytest.mark.django_db
def test_without_transaction_numbers_a_payment_is_its_date_supplier_amount_and_invoice(
    officer, council
):
    header = "Date,Supplier,Amount,Invoice"
    mapping = {"paid_on": 0, "supplier_name": 1, "amount": 2, "invoice_ref": 3}
    import_spend_file(
        council,
        officer,
        spend_file(["01/05/2022,Acme Ltd,100.00,INV1", "02/05/2022,Acme Ltd,50,INV2"], header),
        mapping,
    )
    result = import_spend_file(
        council,
        officer,
        spend_file(
            [
                "2022-05-01,ACME LIMITED,£100,inv1",  # the same payment, written otherwise
                "02/05/2022,Acme Ltd,50.00,INV3",  # another invoice: another payment
                "02/05/2022,Acme Ltd,51.00,INV2",  # another amount: another payment
            ],
            header,
        ),
        mapping,
    )
    assert result.duplicate_count == 1
    period = LocalSpendPeriod.objects.get(council=council)
    assert (period.payment_count, period.total_spend) == (4, Decimal("251.00"))


@pytest.mark.django_db
def test_two_like_payments_in_one_file_are_two_and_a_reissue_of_both_adds_neither(officer, council):
    rows = ["01/05/2022,Acme Ltd,100.00", "01/05/2022,Acme Ltd,100.00"]
    import_spend_file(council, officer, spend_file(rows), SIMPLE_MAPPING)
    assert LocalSpendPeriod.objects.get(council=council).total_spend == Decimal("200.00")
    result = import_spend_file(council, officer, spend_file([*rows, rows[0]]), SIMPLE_MAPPING)
    assert result.duplicate_count == 2
    assert LocalSpendPeriod.objects.get(council=council).total_spend == Decimal("300.00")


@pytest.mark.django_db
def test_a_file_whose_payments_are_all_held_already_adds_nothing(client, officer, council, base):
    import_spend_file(council, officer, spend_file(["01/05/2022,Acme Ltd,100.00"]), SIMPLE_MAPPING)
    result = import_spend_file(
        council,
        officer,
        spend_file(["01/05/2022,Acme Ltd,100.00"], "Date Paid,Payee,Value"),
        SIMPLE_MAPPING,
    )
    assert (result.duplicate_count, result.periods) == (1, [])
    assert LocalSpendPeriod.objects.get(council=council).total_spend == Decimal("100.00")
    client.force_login(officer)
    rows = coverage_rows(client.get(f"{base}/files/{result.spend_import.pk}/"))
    assert rows[1][1:] == ["1", "£100"]
    assert rows[1][0].startswith("Not counted: already held from “spend.csv”, imported ")


@pytest.mark.django_db
def test_payments_in_a_year_entered_by_hand_are_shown_with_their_total_before_import(
    client, officer, council, base
):
    LocalSpendPeriodFactory(council=council, financial_year=2021)
    rows = [f"{day:02d}/03/2022,Supplier {day},10.00" for day in range(1, 29)]
    rows += [f"{day:02d}/04/2022,Supplier {day},1.50" for day in range(1, 11)]
    client.force_login(officer)
    client.post(f"{base}/files/add/", {"file": SimpleUploadedFile("y.csv", spend_file(rows))})
    spend_import = LocalSpendImport.objects.get()
    response = client.post(
        f"{base}/files/{spend_import.pk}/columns/",
        {"paid_on": "0", "supplier_name": "1", "amount": "2"},
        follow=True,
    )
    assert coverage_rows(response)[1:] == [
        ["Counted in 2022-23", "10", "£15"],
        ["Not counted: 2021-22 is entered by hand", "28", "£280"],
        ["All the file's payments", "38", "£295"],
    ]
    warning = text(page(response).cssselect("#not-counted")[0])
    assert "28 of the file's 38 payments (£280) will not be counted" in warning
    assert "To count them, change where the figures of 2021-22 come from" in warning


def test_a_payment_outside_every_period_is_not_counted_and_says_so():
    import datetime

    year = LocalSpendPeriod(
        financial_year=2022,
        starts_on=datetime.date(2022, 4, 1),
        ends_on=datetime.date(2023, 3, 31),
        source="imported",
    )
    coverage = payment_coverage(
        by_date={
            datetime.date(2022, 5, 1): Tally(2, Decimal("20.00")),
            datetime.date(2024, 5, 1): Tally(1, Decimal("7.00")),
        },
        duplicates={},
        periods=[year],
        earlier_imports={},
    )
    assert (coverage.counted, coverage.counted_in) == (Tally(2, Decimal("20.00")), ["2022-23"])
    assert [(item.reason, item.tally) for item in coverage.not_counted] == [
        ("outside any period", Tally(1, Decimal("7.00")))
    ]
    assert coverage.total == Tally(3, Decimal("27.00"))


@pytest.mark.django_db
def test_payments_imported_before_keys_existed_are_keyed_and_their_duplicates_found(council):
    migration = importlib.import_module("principles.migrations.0010_payments_counted_once")
    supplier = SupplierFactory(council=council, key="name:ACME LTD")
    first = LocalSpendImportFactory(council=council, status="imported")
    second = LocalSpendImportFactory(council=council, status="imported")
    for spend_import, amounts in ((first, ["10.00", "10.00"]), (second, ["10.00", "25.00"])):
        for line, amount in enumerate(amounts, start=2):
            LocalSpendTransactionFactory(
                council=council,
                spend_import=spend_import,
                supplier=supplier,
                line_number=line,
                amount=Decimal(amount),
            )
    year = LocalSpendPeriodFactory(council=council, financial_year=2022, source="imported")

    migration.key_the_payments_held(apps, None)

    keys = list(
        LocalSpendTransaction.objects.order_by("spend_import_id", "line_number").values_list(
            "payment_key", "duplicate_of"
        )
    )
    assert keys[0][0] != keys[1][0]  # two like payments in one file are two
    assert keys[2] == (keys[0][0], first.pk)  # the second file's first £10 is held already
    assert keys[3][1] is None
    year.refresh_from_db()
    assert (year.total_spend, year.payment_count) == (Decimal("45.00"), 3)
