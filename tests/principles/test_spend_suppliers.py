"""The supplier register: classifying suppliers, and the totals that follow them."""

from decimal import Decimal

import pytest

from keepitlocal.models import Membership
from principles.spend.models import LocalSpendPeriod, LocalSpendSettings, Supplier
from principles.spend.services import local_spend_settings_update
from tests.factories import SupplierFactory
from tests.html import page, text
from tests.principles.spend_files import import_spend_file, spend_file


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


def classify(client, base, supplier, **fields):
    supplier.refresh_from_db()
    data = {
        "version": str(supplier.version),
        "postcode": "",
        "local": "unknown",
        "is_sme": "unknown",
        "is_vcse": "unknown",
        **fields,
    }
    return client.post(f"{base}/suppliers/{supplier.pk}/", data, follow=True)


def year_2022(council) -> LocalSpendPeriod:
    return LocalSpendPeriod.objects.get(council=council, financial_year=2022)


@pytest.mark.django_db
def test_reclassifying_a_supplier_recomputes_the_periods_it_was_paid_in(
    client, officer, council, base, imported
):
    client.force_login(officer)
    assert year_2022(council).percentage == Decimal("0.0")

    response = classify(client, base, imported["Café Lumière Ltd"], local="yes")
    assert (
        "Café Lumière Ltd saved: local. Recomputed: 2022-23 10.4% local so far (not all "
        "suppliers classified)." in text(page(response))
    )
    period = year_2022(council)
    assert period.local_spend == Decimal("12425.00")  # £12,500 less a £75 credit note
    assert period.local_supplier_count == 1
    assert period.unclassified_spend == Decimal("107575.00")

    classify(
        client, base, imported["Hastings Ironworks Ltd"], postcode="tn34 1aa", local="postcode"
    )
    hastings = Supplier.objects.get(name="Hastings Ironworks Ltd")
    assert (hastings.postcode, hastings.is_local, hastings.local_decided_by) == (
        "TN34 1AA",
        True,
        "postcode",
    )
    assert year_2022(council).percentage == Decimal("15.2")

    classify(client, base, imported["Café Lumière Ltd"], local="no")
    period = year_2022(council)
    assert period.local_spend == Decimal("5873.51")
    assert period.percentage == Decimal("4.9")
    assert period.local_supplier_count == 1
    assert period.unclassified_spend == Decimal("101701.49")


@pytest.mark.django_db
def test_a_postcode_outside_the_local_areas_is_not_local(client, officer, council, base, imported):
    client.force_login(officer)
    classify(client, base, imported["Kier Highways Ltd"], postcode="B1 1AA", local="postcode")
    kier = Supplier.objects.get(name="Kier Highways Ltd")
    assert kier.is_local is False
    assert year_2022(council).unclassified_spend == Decimal("22000.00")


@pytest.mark.django_db
def test_new_local_areas_decide_again_from_postcodes_but_not_an_officers_choice(
    officer, council, imported
):
    hastings, buses = imported["Hastings Ironworks Ltd"], imported["Brighton & Hove Buses"]
    Supplier.objects.filter(pk=hastings.pk).update(
        postcode="TN34 1AA", is_local=True, local_decided_by="postcode"
    )
    Supplier.objects.filter(pk=buses.pk).update(
        postcode="TN1 1AA", is_local=False, local_decided_by="officer"
    )
    local_spend_settings_update(
        council=council, by=officer, target_percentage=Decimal("60"), local_areas=["BN"]
    )
    hastings.refresh_from_db()
    buses.refresh_from_db()
    assert hastings.is_local is False
    assert buses.is_local is False
    assert year_2022(council).local_spend == Decimal("0.00")

    local_spend_settings_update(
        council=council, by=officer, target_percentage=Decimal("60"), local_areas=["BN", "TN"]
    )
    hastings.refresh_from_db()
    buses.refresh_from_db()
    assert hastings.is_local is True
    assert buses.is_local is False  # an officer said so
    assert year_2022(council).local_spend == Decimal("5873.51")


@pytest.mark.django_db
def test_a_postcode_in_the_spend_file_decides_a_new_supplier(officer, council):
    LocalSpendSettings.objects.create(council=council, local_areas=["BN"])
    import_spend_file(
        council,
        officer,
        spend_file(
            ["01/05/2022,Lewes Florist,100,BN7 2AA", "01/05/2022,Leeds Ltd,300,LS1 1AA"],
            header="Date,Supplier,Amount,Postcode",
        ),
        {"paid_on": 0, "supplier_name": 1, "amount": 2, "postcode": 3},
    )
    decided = dict(Supplier.objects.values_list("name", "is_local"))
    assert decided == {"Lewes Florist": True, "Leeds Ltd": False}
    assert year_2022(council).percentage == Decimal("25.0")


@pytest.mark.django_db
def test_sme_and_vcse_spend_are_known_once_a_supplier_paid_in_the_period_is_classified(
    client, officer, council, base, imported
):
    client.force_login(officer)
    assert (year_2022(council).sme_spend, year_2022(council).vcse_spend) == (None, None)
    classify(client, base, imported["Kier Highways Ltd"], is_sme="no", is_vcse="no")
    classify(client, base, imported["Café Lumière Ltd"], is_sme="yes", is_vcse="no")
    period = year_2022(council)
    assert period.sme_spend == Decimal("12425.00")
    assert period.vcse_spend == Decimal("0.00")


@pytest.mark.django_db
def test_the_largest_suppliers_of_unknown_location_are_listed_to_classify_next(
    client, officer, council, base, imported
):
    client.force_login(officer)
    classify(client, base, imported["Kier Highways Ltd"], local="no")
    response = client.get(f"{base}/suppliers/")
    rows = page(response).cssselect("#classify-next tbody tr")
    assert [text(row.cssselect("td")[0]) for row in rows] == [
        "Café Lumière Ltd",
        "Hastings Ironworks Ltd",
        "Brighton & Hove Buses",
        "@Office Supplies Direct",
    ]
    assert text(rows[0].cssselect("td")[3]) == "£12,425"

    unknown = client.get(f"{base}/suppliers/?show=unknown")
    assert len(page(unknown).cssselect("#suppliers tbody tr")) == 4
    local_only = client.get(f"{base}/suppliers/?show=local")
    assert text(page(local_only)).count("No suppliers here.") == 1
    not_local = client.get(f"{base}/suppliers/?show=not_local")
    assert [
        text(r.cssselect("td a")[0]) for r in page(not_local).cssselect("#suppliers tbody tr")
    ] == ["Kier Highways Ltd"]


@pytest.mark.django_db
def test_the_register_is_shown_fifty_suppliers_a_page(client, officer, council, base):
    for number in range(120):
        SupplierFactory(council=council, name=f"Supplier {number:03d}")
    client.force_login(officer)
    response = client.get(f"{base}/suppliers/?page=3")
    assert len(page(response).cssselect("#suppliers tbody tr")) == 20
    assert "Page 3 of 3" in response.content.decode()
    assert client.get(f"{base}/suppliers/?page=junk&show=nonsense").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"local": "postcode"}, "postcode", "Enter the supplier's postcode to decide from it"),
        ({"postcode": "BN7", "local": "maybe"}, "local", "Select whether the supplier is local"),
        ({"postcode": "not a postcode"}, "postcode", "Enter a real postcode, like BN7 1UE"),
        ({"is_sme": ""}, "is_sme", "Select whether the supplier is an SME"),
    ],
)
def test_a_classification_that_cannot_be_used_is_explained(
    client, officer, council, base, imported, fields, field, message
):
    client.force_login(officer)
    response = classify(client, base, imported["Kier Highways Ltd"], **fields)
    assert response.context["form"].errors[field] == [message]
    assert Supplier.objects.get(name="Kier Highways Ltd").version == 1


@pytest.mark.django_db
def test_deciding_from_a_postcode_needs_the_councils_local_areas(client, officer, council, base):
    supplier = SupplierFactory(council=council)
    client.force_login(officer)
    response = classify(client, base, supplier, postcode="BN7 1UE", local="postcode")
    assert (
        response.context["form"]
        .errors["local"][0]
        .startswith("Your council has no local postcode areas yet")
    )


@pytest.mark.django_db
def test_two_officers_classifying_one_supplier_do_not_overwrite_each_other(
    client, officer, council, base, imported
):
    kier = imported["Kier Highways Ltd"]
    client.force_login(officer)
    old_version = str(kier.version)
    classify(client, base, kier, local="no")
    response = client.post(
        f"{base}/suppliers/{kier.pk}/",
        {"version": old_version, "local": "yes", "is_sme": "unknown", "is_vcse": "unknown"},
    )
    assert "changed this while you were editing it" in text(page(response))
    assert Supplier.objects.get(pk=kier.pk).is_local is False


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Membership.Role.LEAD_MEMBER, Membership.Role.CHIEF_EXECUTIVE])
def test_people_who_only_view_see_a_supplier_but_cannot_classify_it(
    client, member, council, base, role
):
    supplier = SupplierFactory(council=council)
    client.force_login(member(role))
    response = client.get(f"{base}/suppliers/{supplier.pk}/")
    assert response.status_code == 200
    assert response.context["form"] is None
    response = classify(client, base, supplier, local="yes")
    assert response.status_code == 403
    supplier.refresh_from_db()
    assert supplier.is_local is None


@pytest.mark.django_db
def test_a_council_can_be_removed_with_its_spend_records(officer, council, imported):
    council.delete()
    assert not Supplier.objects.exists()
    assert not LocalSpendPeriod.objects.exists()


def posted_as_shown(client, url: str, **typed) -> dict:
    """The supplier form as the page shows it, with only ``typed`` changed by the person."""
    form = page(client.get(url)).cssselect("main form")[0]
    data = {
        field.get("name"): field.get("value", "")
        for field in form.cssselect("input")
        if field.get("type") not in {"radio", "submit"}
    }
    for radio in form.cssselect("input[type=radio][checked]"):
        data[radio.get("name")] = radio.get("value")
    return {**data, **typed}


@pytest.mark.django_db
def test_typing_only_a_postcode_classifies_the_supplier_from_the_local_areas(
    client, officer, council, base, imported
):
    client.force_login(officer)
    url = f"{base}/suppliers/{imported['Hastings Ironworks Ltd'].pk}/"
    response = client.post(url, posted_as_shown(client, url, postcode="tn34 1aa"), follow=True)
    assert "Hastings Ironworks Ltd saved: local (from its postcode)." in text(page(response))
    hastings = Supplier.objects.get(name="Hastings Ironworks Ltd")
    assert (hastings.postcode, hastings.is_local, hastings.local_decided_by) == (
        "TN34 1AA",
        True,
        "postcode",
    )
    kier_url = f"{base}/suppliers/{imported['Kier Highways Ltd'].pk}/"
    client.post(kier_url, posted_as_shown(client, kier_url, postcode="B1 1AA"))
    assert Supplier.objects.get(name="Kier Highways Ltd").is_local is False


@pytest.mark.django_db
def test_a_postcode_does_not_overrule_what_the_person_says(
    client, officer, council, base, imported
):
    client.force_login(officer)
    url = f"{base}/suppliers/{imported['Hastings Ironworks Ltd'].pk}/"
    client.post(url, posted_as_shown(client, url, postcode="TN34 1AA", local="no"))
    hastings = Supplier.objects.get(name="Hastings Ironworks Ltd")
    assert (hastings.is_local, hastings.local_decided_by) == (False, "officer")
    # Once it is set, the page offers what was set, and a new postcode leaves it so.
    client.post(url, posted_as_shown(client, url, postcode="TN35 1AA"))
    hastings.refresh_from_db()
    assert (hastings.postcode, hastings.is_local, hastings.local_decided_by) == (
        "TN35 1AA",
        False,
        "officer",
    )


@pytest.mark.django_db
def test_a_postcode_without_local_areas_yet_is_kept_to_decide_from_later(
    client, officer, council, base
):
    supplier = SupplierFactory(council=council)
    client.force_login(officer)
    url = f"{base}/suppliers/{supplier.pk}/"
    client.post(url, posted_as_shown(client, url, postcode="BN7 1UE"))
    supplier.refresh_from_db()
    assert (supplier.postcode, supplier.is_local, supplier.local_decided_by) == (
        "BN7 1UE",
        None,
        "postcode",
    )
    local_spend_settings_update(
        council=council, by=officer, target_percentage=None, local_areas=["BN"]
    )
    supplier.refresh_from_db()
    assert supplier.is_local is True
