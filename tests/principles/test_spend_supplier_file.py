"""Updating the supplier register from a CSV file: many suppliers at once, or none of them."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from keepitlocal.models import Membership
from principles.spend import services
from principles.spend.models import LocalSpendPeriod, LocalSpendSettings, Supplier
from tests.factories import SupplierFactory
from tests.html import page, text
from tests.principles.spend_files import import_spend_file


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def base(council):
    return f"/councils/{council.slug}/local-spend"


@pytest.fixture
def imported(council, officer):
    """The awkward sample file imported: £120,000 in 2022-23 with five suppliers."""
    LocalSpendSettings.objects.create(council=council, target_percentage=60, local_areas=["TN"])
    import_spend_file(council, officer)
    return {supplier.name: supplier for supplier in Supplier.objects.filter(council=council)}


def csv_file(*lines: str, name="suppliers.csv", encoding="utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\r\n".join(lines) + "\r\n").encode(encoding))


def upload(client, base, file, follow=True):
    return client.post(f"{base}/suppliers/update/", {"file": file}, follow=follow)


def register(council) -> dict[str, tuple]:
    return {
        s.name: (s.postcode, s.is_local, s.local_decided_by, s.is_sme, s.is_vcse)
        for s in Supplier.objects.filter(council=council)
    }


def year_2022(council) -> LocalSpendPeriod:
    return LocalSpendPeriod.objects.get(council=council, financial_year=2022)


@pytest.mark.django_db
def test_the_register_links_to_the_update_and_its_page_says_which_columns(
    client, officer, base, imported
):
    client.force_login(officer)
    link = page(client.get(f"{base}/suppliers/")).cssselect(f"a[href='{base}/suppliers/update/']")
    assert text(link[0]) == "Update suppliers from a CSV file"
    shown = page(client.get(f"{base}/suppliers/update/"))
    assert [text(dt) for dt in shown.cssselect("#supplier-file-columns dt")] == [
        "Supplier ID or Supplier",
        "Postcode",
        "Local",
        "SME and VCSE",
    ]


@pytest.mark.django_db
def test_suppliers_are_classified_together_and_their_periods_recomputed_once(
    client, officer, council, base, imported, monkeypatch
):
    recomputed = []
    recompute = services.local_spend_periods_recompute

    def counted(**kwargs):
        periods = recompute(**kwargs)
        recomputed.extend(period.label for period in periods)
        return periods

    monkeypatch.setattr(services, "local_spend_periods_recompute", counted)
    client.force_login(officer)
    response = upload(
        client,
        base,
        csv_file(
            "Supplier ID,Supplier name,Post code,Local supplier?,SME,VCSE",
            "S1001,,,Yes,Yes,",  # Café Lumière
            "s1003,,,No,No,No",  # Kier Highways, its ID in another case
            "S1005,,tn34 1aa,,,",  # Hastings Ironworks: a postcode on its own decides
            ",Brighton and Hove Buses,BN1 1AA,Not known,,",  # by name; the postcode decides
            ",'@Office Supplies Direct,,Not known,,Yes",  # as the register's export writes it
        ),
    )
    assert recomputed == ["2022-23"]
    assert (
        "Supplier register updated from suppliers.csv: 5 suppliers changed, 0 already as the "
        "file says. Recomputed: 2022-23 15.2% local so far (not all suppliers classified)."
        in text(page(response))
    )
    assert register(council) == {
        "Café Lumière Ltd": ("", True, "officer", True, None),
        "Kier Highways Ltd": ("", False, "officer", False, False),
        "Hastings Ironworks Ltd": ("TN34 1AA", True, "postcode", None, None),
        "Brighton & Hove Buses": ("BN1 1AA", False, "postcode", None, None),
        "@Office Supplies Direct": ("", None, "", None, True),
    }
    period = year_2022(council)
    assert period.local_spend == Decimal("18298.51")  # £12,425 and £5,873.51
    assert period.unclassified_spend == Decimal("650.99")
    assert Supplier.objects.get(name="Kier Highways Ltd").updated_by == officer


@pytest.mark.django_db
def test_a_file_with_rows_that_cannot_be_used_changes_nothing_and_lists_the_first_50(
    client, officer, council, base, imported
):
    SupplierFactory(council=council, name="Twin Ltd", key="id:T1", supplier_ref="T1")
    SupplierFactory(council=council, name="Twin Ltd", key="id:T2", supplier_ref="T2")
    before = register(council)
    lines = ["Supplier ID,Supplier,Postcode,Local,SME"]
    lines += ["S1001,,,Yes,"]  # good, but the file is refused whole
    lines += ["S1002,,BN1,Perhaps,"]
    lines += ["S1003,,not a postcode,,Sometimes"]
    lines += ["S1001,,,No,"]
    lines += [",Twin Ltd,,Yes,"]
    lines += [",Nobody Ltd,,Yes,"]
    lines += [",,,Yes,"]
    lines += ["S1004,,,Postcode,"]
    lines += [f"X{number},,,Yes," for number in range(50)]
    client.force_login(officer)
    response = upload(client, base, csv_file(*lines, name="classified.csv"))
    assert response.status_code == 200
    shown = page(response)
    assert page(response).cssselect("title")[0].text.startswith("Error: ")
    assert "57 rows of classified.csv cannot be used, so no supplier has been changed" in text(
        shown.cssselect(".govuk-error-summary")[0]
    )
    assert "The first 50 are listed; 7 more are not." in text(shown)
    rows = [[text(cell) for cell in row.cssselect("td")] for row in shown.cssselect("tbody tr")]
    assert rows[:7] == [
        ["Line 3", "The local column says “Perhaps”: write yes, no, not known or postcode"],
        [
            "Line 4",
            "The postcode “not a postcode” is not a postcode, like BN7 1UE; the SME column "
            "says “Sometimes”: write yes, no or not known",
        ],
        ["Line 5", "The supplier is on line 2 already"],
        ["Line 6", "2 suppliers in the register are called “Twin Ltd”: give the supplier ID"],
        ["Line 7", "No supplier in the register is called “Nobody Ltd”"],
        ["Line 8", "The supplier's ID and name are both missing"],
        ["Line 9", "The local column says postcode, but there is no postcode"],
    ]
    assert rows[7] == ["Line 10", "No supplier in the register has the supplier ID “X0”"]
    assert len(rows) == 50
    assert register(council) == before


@pytest.mark.django_db
def test_the_registers_own_export_reads_back_changing_nothing(
    client, officer, council, base, imported
):
    client.force_login(officer)
    upload(client, base, csv_file("Supplier ID,Local", "S1005,Yes", "S1003,No"))
    Supplier.objects.filter(name="Café Lumière Ltd").update(
        postcode="TN1 1AA", is_local=True, local_decided_by="postcode"
    )
    before = register(council)
    exported = client.get(f"{base}/suppliers.csv").content
    response = upload(client, base, SimpleUploadedFile("export.csv", exported))
    assert (
        "Supplier register updated from export.csv: 0 suppliers changed, 5 already as the file "
        "says." in text(page(response))
    )
    assert register(council) == before


@pytest.mark.django_db
def test_postcodes_typed_into_the_export_decide_unless_local_says_otherwise(
    client, officer, council, base, imported
):
    client.force_login(officer)
    exported = client.get(f"{base}/suppliers.csv").content.decode("utf-8-sig").splitlines()
    edited = []
    for line in exported:
        if line.startswith("Hastings Ironworks Ltd,"):
            line = line.replace(",S1005,,Not known,", ",S1005,TN34 1AA,Not known,")
        if line.startswith("Kier Highways Ltd,"):
            line = line.replace(",S1003,,Not known,", ",S1003,TN1 1AA,No,")
        edited.append(line)
    upload(client, base, csv_file(*edited))
    classified = register(council)
    assert classified["Hastings Ironworks Ltd"][:3] == ("TN34 1AA", True, "postcode")
    assert classified["Kier Highways Ltd"][:3] == ("TN1 1AA", False, "officer")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("s.csv", b"", "The selected file is empty"),
        ("s.xlsx", b"PK\x03\x04", "The selected file must be a CSV file"),
        ("s.csv", b"Name\x00,Local\n", "The selected file is not a CSV file of text"),
        ("s.csv", b"nothing\nuseful\n", "The file has no row of column names"),
        ("s.csv", b"Postcode,Local\nBN1 1AA,Yes\n", "a column of supplier IDs or of supplier"),
        ("s.csv", b"Supplier ID,Payments\nS1001,3\n", "at least one column to update"),
        ("s.csv", b"Supplier ID,Local\n", "The file has no suppliers below its column names"),
    ],
)
def test_files_that_cannot_be_supplier_files_are_refused_on_the_page(
    client, officer, base, imported, name, content, message
):
    client.force_login(officer)
    response = upload(client, base, SimpleUploadedFile(name, content))
    assert response.status_code == 200
    assert message in response.context["form"].errors["file"][0]


@pytest.mark.django_db
def test_a_windows_1252_file_with_a_title_line_is_read(client, officer, council, base, imported):
    client.force_login(officer)
    upload(
        client,
        base,
        csv_file(
            "Suppliers checked by procurement – March",
            "Supplier,Local",
            "Café Lumière Ltd,Yes",
            encoding="cp1252",
        ),
    )
    assert register(council)["Café Lumière Ltd"][1] is True


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Membership.Role.LEAD_MEMBER, Membership.Role.CHIEF_EXECUTIVE])
def test_people_who_only_view_cannot_update_the_register(
    client, member, council, base, imported, role
):
    client.force_login(member(role))
    assert client.get(f"{base}/suppliers/update/").status_code == 403
    response = upload(client, base, csv_file("Supplier ID,Local", "S1001,Yes"), follow=False)
    assert response.status_code == 403
    assert register(council)["Café Lumière Ltd"][1] is None
    assert "Update suppliers from a CSV file" not in text(page(client.get(f"{base}/suppliers/")))


@pytest.mark.django_db
@pytest.mark.parametrize("count", [10, 300])
def test_updating_many_suppliers_costs_no_more_queries_than_a_few(
    client, officer, council, base, count, django_assert_max_num_queries
):
    LocalSpendSettings.objects.create(council=council, local_areas=["BN"])
    for number in range(count):
        SupplierFactory(council=council, name=f"S{number}", key=f"id:S{number}")
    client.force_login(officer)
    client.get(f"{base}/suppliers/update/")
    lines = ["Supplier ID,Postcode", *(f"S{number},BN1 1AA" for number in range(count))]
    with django_assert_max_num_queries(25):
        response = upload(client, base, csv_file(*lines), follow=False)
    assert response.status_code == 302
    assert Supplier.objects.filter(council=council, is_local=True).count() == count
