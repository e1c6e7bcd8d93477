"""Importing a council's spend file: upload, choose columns once, preview, Import file."""

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import SkipFile

from keepitlocal.models import Membership
from principles.spend import services
from principles.spend.forms import SpendFileForm
from principles.spend.models import (
    LocalSpendImport,
    LocalSpendPeriod,
    LocalSpendSettings,
    LocalSpendTransaction,
    Supplier,
)
from principles.spend.transparency import MAX_FILE_BYTES
from principles.spend.uploads import SpendFileSizeLimit
from tests.factories import LocalSpendPeriodFactory
from tests.html import page, text

AWKWARD = Path(__file__).parent / "data" / "awkward-spend-2022-23.csv"
# The awkward file's columns: supplier name is in "Who we paid", which nothing guesses.
AWKWARD_COLUMNS = {
    "paid_on": "3",
    "supplier_name": "6",
    "supplier_ref": "7",
    "amount": "5",
    "department": "1",
    "purpose": "2",
    "irrecoverable_vat": "8",
    "merchant_category": "9",
    "postcode": "",
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def base(council):
    return f"/councils/{council.slug}/local-spend"


def upload(client, base, content: bytes, name="spend.csv", follow=False):
    return client.post(
        f"{base}/files/add/", {"file": SimpleUploadedFile(name, content)}, follow=follow
    )


def map_columns(client, base, spend_import, columns=AWKWARD_COLUMNS, follow=False):
    return client.post(f"{base}/files/{spend_import.pk}/columns/", columns, follow=follow)


def import_awkward_file(client, base) -> LocalSpendImport:
    upload(client, base, AWKWARD.read_bytes(), "awkward.csv")
    spend_import = LocalSpendImport.objects.latest("pk")
    map_columns(client, base, spend_import)
    client.post(f"{base}/files/{spend_import.pk}/")
    spend_import.refresh_from_db()
    return spend_import


def spend_file(rows: list[str], header="Date,Supplier,Amount") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


@pytest.mark.django_db
def test_officer_imports_an_awkward_windows_1252_file(client, officer, council, base):
    LocalSpendSettings.objects.create(council=council, target_percentage=60, local_areas=["BN"])
    client.force_login(officer)

    response = upload(client, base, AWKWARD.read_bytes(), "awkward.csv")
    spend_import = LocalSpendImport.objects.get(council=council)
    assert response.status_code == 302
    assert response.url == f"{base}/files/{spend_import.pk}/columns/"
    assert spend_import.encoding == "cp1252"
    assert spend_import.header_line == 3

    columns = page(client.get(response.url))
    chosen = {
        select.get("name"): select.cssselect("option[selected]")[0].text
        for select in columns.cssselect("select")
        if select.cssselect("option[selected]")
    }
    assert chosen["paid_on"] == "Column D: Date Paid"
    assert chosen["amount"] == "Column F: Net Amount (£)"
    assert chosen["supplier_ref"] == "Column H: Beneficiary Ref"
    assert chosen["supplier_name"] == "Not in this file"  # "Who we paid" is not guessed

    response = map_columns(client, base, spend_import, follow=True)
    preview = text(page(response))
    assert "Check the file before importing" in preview
    assert "7, of which 2 credit notes" in preview
    assert "£120,000" in preview
    assert "1 April 2022 to 30 June 2022 (2022-23)" in preview
    assert "5, of which 5 new to the register" in preview
    assert "Café Lumière Ltd" in preview
    assert "Windows-1252 text, column names on line 3" in preview
    assert LocalSpendTransaction.objects.count() == 0  # a preview imports nothing

    response = client.post(f"{base}/files/{spend_import.pk}/", follow=True)
    assert response.redirect_chain[-1][0] == f"{base}/"
    assert (
        "Imported 7 payments from awkward.csv. 5 new suppliers added to the register. "
        "Recomputed: 2022-23 0.0% local so far (not all suppliers classified)."
        in text(page(response))
    )
    spend_import.refresh_from_db()
    assert spend_import.is_imported
    assert spend_import.total_amount == Decimal("120000.00")
    assert not spend_import.file  # the payments are kept, the file is not
    assert LocalSpendTransaction.objects.filter(council=council).count() == 7
    assert sorted(Supplier.objects.values_list("name", flat=True)) == [
        "@Office Supplies Direct",
        "Brighton & Hove Buses",
        "Café Lumière Ltd",
        "Hastings Ironworks Ltd",
        "Kier Highways Ltd",
    ]
    period = LocalSpendPeriod.objects.get(council=council)
    assert (period.label, period.source) == ("2022-23", "imported")
    assert period.total_spend == Decimal("120000.00")
    assert period.unclassified_spend == Decimal("120000.00")
    assert period.payment_count == 7
    assert period.percentage == Decimal("0.0")
    assert period.target_percentage == Decimal("60.00")


@pytest.mark.django_db
def test_credit_notes_reduce_what_a_supplier_was_paid(client, officer, council, base):
    client.force_login(officer)
    import_awkward_file(client, base)
    buses = Supplier.objects.get(name="Brighton & Hove Buses")
    assert sorted(buses.transactions.values_list("amount", flat=True)) == [
        Decimal("-1200.00"),
        Decimal("4250.50"),
    ]


@pytest.mark.django_db
def test_columns_are_remembered_for_the_next_file_with_the_same_headers(
    client, officer, council, base
):
    client.force_login(officer)
    import_awkward_file(client, base)
    next_quarter = AWKWARD.read_bytes().replace(b"/06/2022", b"/07/2022")
    response = upload(client, base, next_quarter, "july.csv", follow=True)
    second = LocalSpendImport.objects.latest("pk")
    assert response.redirect_chain[-1][0] == f"{base}/files/{second.pk}/"
    assert "The columns are the same as in a file imported before" in text(page(response))
    assert second.mapping["supplier_name"] == 6
    assert "Café Lumière Ltd" in text(page(response))


@pytest.mark.django_db
def test_the_same_file_uploaded_again_is_recognised_and_not_counted_twice(
    client, officer, council, base
):
    client.force_login(officer)
    import_awkward_file(client, base)
    response = upload(client, base, AWKWARD.read_bytes(), "renamed-copy.csv")
    assert response.status_code == 200
    message = text(page(response).cssselect(".govuk-error-summary")[0])
    assert "This file was already imported on" in message
    assert f"by {officer}, as “awkward.csv”" in message
    assert "Its payments have not been counted again" in message
    assert response.context["form"].errors
    assert LocalSpendImport.objects.count() == 1
    assert LocalSpendTransaction.objects.count() == 7


@pytest.mark.django_db
def test_two_uploads_of_one_file_can_only_be_imported_once(client, officer, council, base):
    client.force_login(officer)
    uploads = []
    for _ in range(2):
        upload(client, base, AWKWARD.read_bytes())
        uploads.append(LocalSpendImport.objects.latest("pk"))
    first, second = uploads
    map_columns(client, base, first)
    map_columns(client, base, second)
    client.post(f"{base}/files/{first.pk}/")
    response = client.post(f"{base}/files/{second.pk}/", follow=True)
    assert "This file was already imported on" in text(page(response))
    assert LocalSpendTransaction.objects.count() == 7
    second.refresh_from_db()
    assert not second.is_imported


@pytest.mark.django_db
def test_a_malformed_file_is_refused_whole_listing_its_first_50_bad_rows(
    client, officer, council, base
):
    rows = [f"01/04/2022,Good Supplier {i},10.00" for i in range(5)]
    rows += [f"32/04/2022,Bad Supplier {i},10.00" for i in range(55)]
    rows += ["01/05/2022,Last Supplier,£1,000"]  # an unquoted comma: a fourth column
    rows += ["01/05/2022,Last Supplier,twelve"]
    client.force_login(officer)
    upload(client, base, spend_file(rows))
    spend_import = LocalSpendImport.objects.get()
    response = map_columns(
        client, base, spend_import, {"paid_on": "0", "supplier_name": "1", "amount": "2"}, True
    )
    shown = page(response)
    assert response.context["summary"].problem_count == 57
    assert "57 rows cannot be read, so nothing has been imported" in text(shown)
    assert "The first 50 are listed; 7 more are not." in text(shown)
    lines = [
        [text(cell) for cell in row.cssselect("td")]
        for row in shown.cssselect("#problems + p + table tbody tr")
    ]
    assert len(lines) == 50
    assert lines[0] == ["Line 7", "The date “32/04/2022” is not a real date"]
    assert lines[-1] == ["Line 56", "The date “32/04/2022” is not a real date"]
    assert page(response).cssselect("title")[0].text.startswith("Error: ")

    # Importing anyway imports nothing.
    response = client.post(f"{base}/files/{spend_import.pk}/")
    assert response.status_code == 200
    assert "57 rows cannot be read" in text(page(response))
    assert LocalSpendTransaction.objects.count() == 0
    assert Supplier.objects.count() == 0
    assert LocalSpendPeriod.objects.count() == 0
    spend_import.refresh_from_db()
    assert not spend_import.is_imported


@pytest.mark.django_db
def test_the_row_that_breaks_the_rules_is_named_by_its_line(client, officer, base):
    rows = ["01/04/2022,A,10", "01/04/2022,B,10", "01/04/2022,C,ten"]
    client.force_login(officer)
    upload(client, base, b"Payments over \xa3500\n" + spend_file(rows))
    spend_import = LocalSpendImport.objects.get()
    response = map_columns(
        client, base, spend_import, {"paid_on": "0", "supplier_name": "1", "amount": "2"}, True
    )
    assert [(p.line, p.reason) for p in response.context["summary"].problems] == [
        (5, "the amount “ten” is not an amount in pounds")
    ]


@pytest.mark.django_db
def test_nothing_is_half_imported_when_writing_fails_part_way(officer, council, monkeypatch):
    upload_file = SimpleUploadedFile("spend.csv", AWKWARD.read_bytes())
    spend_import = services.local_spend_file_upload(council=council, by=officer, upload=upload_file)
    services.local_spend_import_map_columns(
        spend_import=spend_import,
        by=officer,
        mapping={"paid_on": 3, "supplier_name": 6, "amount": 5},
    )

    def fail(**kwargs):
        assert LocalSpendTransaction.objects.count() == 7  # written, not yet committed
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "local_spend_periods_recompute", fail)
    with pytest.raises(RuntimeError):
        services.local_spend_import_transparency_file(spend_import=spend_import, by=officer)
    assert LocalSpendTransaction.objects.count() == 0
    assert Supplier.objects.count() == 0
    assert LocalSpendPeriod.objects.count() == 0
    spend_import.refresh_from_db()
    assert not spend_import.is_imported
    assert spend_import.file.storage.exists(spend_import.file.name)  # can be tried again


@pytest.mark.django_db
def test_an_upload_stopped_at_the_size_limit_says_the_file_is_too_large(
    client, officer, council, base, monkeypatch
):
    monkeypatch.setattr("principles.spend.uploads.MAX_FILE_BYTES", 1_000)
    client.force_login(officer)
    response = upload(client, base, spend_file(["01/04/2022,A,10"] * 100))
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "The selected file must be smaller than 100 MB"
    ]
    assert LocalSpendImport.objects.count() == 0


def test_the_size_limit_is_100_mb_and_stops_reading_there():
    chunk = bytes(1_000_000)
    limit = SpendFileSizeLimit()
    limit.handle_raw_input(None, {}, MAX_FILE_BYTES + 500, "boundary")
    limit.new_file("file", "spend.csv", "text/csv", MAX_FILE_BYTES)
    for start in range(0, MAX_FILE_BYTES - len(chunk), len(chunk)):
        assert limit.receive_data_chunk(chunk, start) == chunk  # 99,000,000 bytes pass
    assert limit.receive_data_chunk(bytes(999_999), 99_000_000) is not None
    with pytest.raises(SkipFile):
        limit.receive_data_chunk(b"x", MAX_FILE_BYTES - 1)  # the 100,000,000th byte
    assert limit.refused


def test_a_request_body_over_100_mb_is_refused_before_it_is_read():
    limit = SpendFileSizeLimit()
    limit.handle_raw_input(None, {}, MAX_FILE_BYTES + 1_000_000, "boundary")
    with pytest.raises(SkipFile):
        limit.new_file("file", "spend.csv", "text/csv", None)
    assert limit.refused


def test_the_form_refuses_a_file_of_100_mb():
    big = SimpleUploadedFile("spend.csv", b"Date,Supplier,Amount\n")
    big.size = MAX_FILE_BYTES
    form = SpendFileForm(data={}, files={"file": big})
    assert form.errors["file"] == ["The selected file must be smaller than 100 MB"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("spend.csv", b"", "The selected file is empty"),
        ("spend.pdf", b"%PDF-1.7", "The selected file must be a CSV file"),
        ("spend.csv", b"%PDF-1.7\x00\x00\x00", "The selected file is not a CSV file of text"),
        ("spend.csv", b"nothing\nuseful\n", "The file has no row of column names"),
    ],
)
def test_files_that_cannot_be_spend_files_are_refused_on_the_upload_page(
    client, officer, base, name, content, message
):
    client.force_login(officer)
    response = upload(client, base, content, name)
    assert response.status_code == 200
    assert message in response.context["form"].errors["file"][0]
    assert LocalSpendImport.objects.count() == 0


@pytest.mark.django_db
def test_a_file_with_only_column_names_has_nothing_to_import(client, officer, base):
    client.force_login(officer)
    upload(client, base, spend_file([]))
    spend_import = LocalSpendImport.objects.get()
    response = map_columns(
        client, base, spend_import, {"paid_on": "0", "supplier_name": "1", "amount": "2"}, True
    )
    assert "The file has no payments below its column names" in text(page(response))
    assert "Import file" not in text(page(response))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("columns", "field", "message"),
    [
        ({"supplier_name": "1", "amount": "2"}, "paid_on", "Select the column with the date paid"),
        ({"paid_on": "0", "supplier_name": "1"}, "amount", "Select the column with the amount"),
        (
            {"paid_on": "0", "amount": "2"},
            "supplier_name",
            "Select the column with the supplier's name or ID",
        ),
        (
            {"paid_on": "0", "supplier_name": "1", "amount": "1"},
            "amount",
            "Column B is already used for supplier name",
        ),
        (
            {"paid_on": "0", "supplier_name": "1", "amount": "9"},
            "amount",
            "Select a column from the list",
        ),
    ],
)
def test_columns_that_cannot_be_used_are_explained(client, officer, base, columns, field, message):
    client.force_login(officer)
    upload(client, base, spend_file(["01/04/2022,A,10"]))
    spend_import = LocalSpendImport.objects.get()
    response = map_columns(client, base, spend_import, columns)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    spend_import.refresh_from_db()
    assert spend_import.mapping == {}


@pytest.mark.django_db
def test_a_file_over_two_financial_years_adds_both_years(client, officer, council, base):
    client.force_login(officer)
    upload(client, base, spend_file(["31/03/2022,A,10", "01/04/2022,B,30"]))
    spend_import = LocalSpendImport.objects.get()
    map_columns(client, base, spend_import, {"paid_on": "0", "supplier_name": "1", "amount": "2"})
    client.post(f"{base}/files/{spend_import.pk}/")
    periods = {p.label: p.total_spend for p in LocalSpendPeriod.objects.filter(council=council)}
    assert periods == {"2021-22": Decimal("10.00"), "2022-23": Decimal("30.00")}


@pytest.mark.django_db
def test_a_year_entered_by_hand_keeps_its_figures_when_its_payments_are_imported(
    client, officer, council, base
):
    entered = LocalSpendPeriodFactory(council=council, financial_year=2022)
    client.force_login(officer)
    import_awkward_file(client, base)
    fresh = LocalSpendPeriod.objects.get(council=council)
    assert fresh.pk == entered.pk
    assert (fresh.source, fresh.total_spend) == ("entered", entered.total_spend)
    assert LocalSpendTransaction.objects.count() == 7


@pytest.mark.django_db
def test_formula_looking_cells_never_reach_the_supplier_export_unescaped(
    client, officer, council, base
):
    rows = [
        '01/04/2022,"=HYPERLINK(""http://evil.example"",""Click"")",10',
        "01/04/2022,+44 Trading,20",
        "01/04/2022,-Minus Ltd,30",
        "01/04/2022,@Office Supplies,40",
        "01/04/2022,\tTabbed Ltd,-50",
    ]
    client.force_login(officer)
    upload(client, base, spend_file(rows))
    spend_import = LocalSpendImport.objects.get()
    map_columns(client, base, spend_import, {"paid_on": "0", "supplier_name": "1", "amount": "2"})
    client.post(f"{base}/files/{spend_import.pk}/")
    response = client.get(f"{base}/suppliers.csv")
    assert response["Content-Disposition"].startswith('attachment; filename="east-sussex-suppliers')
    exported = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    names = {row[0]: row[-1] for row in exported[1:]}
    assert names == {
        "'+44 Trading": "20.00",
        "'-Minus Ltd": "30.00",
        '\'=HYPERLINK("http://evil.example","Click")': "10.00",
        "'@Office Supplies": "40.00",
        "Tabbed Ltd": "-50.00",  # an amount we write is a number, never a formula
    }


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Membership.Role.LEAD_MEMBER, Membership.Role.CHIEF_EXECUTIVE])
def test_people_who_only_view_local_spend_cannot_import(client, member, base, role):
    client.force_login(member(role))
    assert client.get(f"{base}/files/add/").status_code == 403
    assert upload(client, base, AWKWARD.read_bytes()).status_code == 403
    assert LocalSpendImport.objects.count() == 0
    assert client.get(f"{base}/files/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role",
    [Membership.Role.OFFICER, Membership.Role.CHAMPION, Membership.Role.COUNCIL_ADMIN],
)
def test_officers_champions_and_council_admins_can_import(client, member, base, role):
    client.force_login(member(role))
    import_awkward_file(client, base)
    assert LocalSpendTransaction.objects.count() == 7


@pytest.mark.django_db
def test_the_upload_page_still_checks_the_csrf_token(officer, base):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    assert upload(client, base, AWKWARD.read_bytes()).status_code == 403
    assert LocalSpendImport.objects.count() == 0
