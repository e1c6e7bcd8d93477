"""Local spend's records keep their history, and two people editing one at once are merged."""

import pytest

from keepitlocal.models import Membership
from principles.spend.models import Supplier
from principles.spend.services import supplier_classify
from tests.factories import SupplierFactory
from tests.html import page, text

Role = Membership.Role


@pytest.fixture
def base(council):
    return f"/councils/{council.slug}/local-spend"


def history(client, url) -> str:
    return " | ".join(text(li) for li in page(client.get(url)).cssselect(".app-history li"))


def form(version, **fields) -> dict:
    return {
        "version": str(version),
        "postcode": "",
        "local": "unknown",
        "is_sme": "unknown",
        "is_vcse": "unknown",
        **fields,
    }


@pytest.fixture
def supplier(council, officer):
    """A supplier classified once through its page's service, so its history starts."""
    made = SupplierFactory(council=council, name="Kier Highways Ltd")
    supplier_classify(
        supplier=made,
        by=officer,
        base_version=made.version,
        postcode="",
        local="no",
        is_sme=None,
        is_vcse=None,
    )
    made.refresh_from_db()
    return made


@pytest.mark.django_db
def test_two_people_classifying_different_things_of_one_supplier_are_merged(
    client, member, council, base, supplier
):
    first, second = member(Role.OFFICER), member(Role.CHAMPION)
    url = f"{base}/suppliers/{supplier.pk}/"
    version = supplier.version
    client.force_login(first)
    client.post(url, form(version, local="no", is_sme="yes"))
    client.force_login(second)
    response = client.post(url, form(version, local="yes"), follow=True)
    assert "also changed this while you were editing it" in text(page(response))
    supplier.refresh_from_db()
    assert (supplier.is_local, supplier.is_sme) == (True, True)
    lines = history(client, url)
    assert f"Supplier “Kier Highways Ltd”: SME changed from blank to yes by {first}" in lines
    assert f"Supplier “Kier Highways Ltd”: local changed from no to yes by {second}" in lines
    assert "decided by" not in lines


@pytest.mark.django_db
def test_two_people_saying_different_things_of_one_supplier_see_both(
    client, member, council, base, supplier
):
    first, second = member(Role.OFFICER), member(Role.CHAMPION)
    url = f"{base}/suppliers/{supplier.pk}/"
    version = supplier.version
    client.force_login(first)
    client.post(url, form(version, local="yes"))
    client.force_login(second)
    response = client.post(url, form(version, local="unknown", is_vcse="yes"))
    assert response.status_code == 200
    html = page(response)
    assert "changed this while you were editing it" in text(
        html.cssselect(".govuk-error-summary")[0]
    )
    # Their answer to "Is this a local supplier?" is kept in the form, not overwritten.
    assert html.cssselect("input[name=local][checked]")[0].get("value") == "unknown"
    assert Supplier.objects.get(pk=supplier.pk).is_local is True


@pytest.mark.django_db
def test_settings_and_periods_are_in_the_local_spend_history(client, officer, council, base):
    client.force_login(officer)
    client.post(f"{base}/settings/", {"target_percentage": "60", "local_areas": "BN, TN"})
    client.post(
        f"{base}/periods/add/",
        {
            "version": "0",
            "kind": "year",
            "financial_year": "2021",
            "quarter": "",
            "source": "entered",
            "total_spend": "416800000",
            "local_spend": "283000000",
            "local_supplier_count": "958",
            "target_percentage": "60",
        },
    )
    lines = history(client, f"{base}/")
    assert (
        "Local spend settings: local postcode areas and districts changed from blank to BN; TN "
        f"by {officer}"
    ) in lines
    assert "Local spend period 2021-22 added" in lines


@pytest.mark.django_db
def test_a_supplier_page_opened_before_new_local_areas_does_not_undo_them(
    client, officer, council, base
):
    from principles.spend.services import local_spend_settings_update

    made = SupplierFactory(council=council, name="Lewes Bakery")
    supplier_classify(
        supplier=made,
        by=officer,
        base_version=made.version,
        postcode="BN7 1UE",
        local="unknown",
        is_sme=None,
        is_vcse=None,
    )
    made.refresh_from_db()
    assert made.is_local is None  # the council has no local areas yet
    opened_at = made.version
    local_spend_settings_update(
        council=council, by=officer, target_percentage=None, local_areas=["BN"]
    )
    made.refresh_from_db()
    assert made.is_local is True and made.version == opened_at + 1

    client.force_login(officer)
    client.post(
        f"{base}/suppliers/{made.pk}/",
        form(opened_at, postcode="BN7 1UE", local="unknown", is_sme="yes"),
    )
    made.refresh_from_db()
    assert (made.is_local, made.is_sme, made.postcode) == (True, True, "BN7 1UE")
