"""Undoing a spend file's import: its payments go, the periods recompute, the file says who."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from keepitlocal.models import Membership
from principles.spend.models import LocalSpendImport, LocalSpendPeriod, LocalSpendTransaction
from principles.spend.services import local_spend_import_undo
from tests.factories import LocalSpendImportFactory, LocalSpendPeriodFactory
from tests.html import page, text
from tests.principles.spend_files import SIMPLE_MAPPING, import_spend_file, spend_file


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def base(council):
    return f"/councils/{council.slug}/local-spend"


def two_years(council, officer):
    """A file of £10 in 2021-22 and £30 in 2022-23; both years added by its import."""
    rows = ["31/03/2022,Acme Ltd,10.00", "01/04/2022,Bravo Ltd,30.00"]
    return import_spend_file(council, officer, spend_file(rows), SIMPLE_MAPPING).spend_import


@pytest.mark.django_db
def test_the_undo_page_says_what_will_go_and_what_will_be_recomputed(
    client, officer, council, base
):
    spend_import = two_years(council, officer)
    client.force_login(officer)
    file_page = page(client.get(f"{base}/files/{spend_import.pk}/"))
    undo = file_page.cssselect("a.govuk-button--warning")[0]
    assert (text(undo), undo.get("href")) == (
        "Undo this import",
        f"{base}/files/{spend_import.pk}/undo/",
    )
    response = client.get(undo.get("href"))
    effects = [text(item) for item in page(response).cssselect("#undo-effects li")]
    assert effects == [
        "Its 2 payments (£40, paid 31 March 2022 to 1 April 2022) will no longer be held or "
        "counted.",
        "These periods will be recomputed: 2021-22, 2022-23.",
        "Suppliers stay in the register. You can upload the file again later.",
    ]
    assert page(response).cssselect("button.govuk-button--warning")[0].text.strip() == (
        "Undo this import"
    )


@pytest.mark.django_db
def test_undoing_takes_away_the_years_it_added_unless_someone_changed_them(
    client, officer, council, base
):
    spend_import = two_years(council, officer)
    LocalSpendPeriod.objects.filter(financial_year=2022).update(version=2, target_percentage=50)
    client.force_login(officer)
    response = client.post(f"{base}/files/{spend_import.pk}/undo/", {"reason": ""}, follow=True)
    assert (
        "The import of spend.csv is undone: its 2 payments are no longer counted. "
        "Recomputed: 2022-23 (no spend)." in text(page(response))
    )
    assert list(LocalSpendPeriod.objects.values_list("financial_year", "total_spend")) == [
        (2022, Decimal("0.00"))
    ]
    assert not LocalSpendTransaction.objects.exists()
    spend_import.refresh_from_db()
    assert (spend_import.status, spend_import.undone_by, spend_import.undo_reason) == (
        "undone",
        officer,
        "",
    )
    listed = text(page(client.get(f"{base}/files/")).cssselect("tbody tr")[0])
    assert f"Undone by {officer}" in listed
    rows = {
        text(row.cssselect("dt")[0]): text(row.cssselect("dd")[0])
        for row in page(response).cssselect(".govuk-summary-list__row")
    }
    assert rows["Why it was undone"] == "No reason given"
    assert not page(response).cssselect("a.govuk-button--warning")  # nothing to undo now


@pytest.mark.django_db
def test_a_year_entered_by_hand_is_never_taken_away(officer, council):
    LocalSpendPeriodFactory(council=council, financial_year=2021)
    spend_import = two_years(council, officer)
    local_spend_import_undo(spend_import=spend_import, by=officer, reason="Wrong council")
    assert list(LocalSpendPeriod.objects.values_list("financial_year", "source")) == [
        (2021, "entered")
    ]


@pytest.mark.django_db
def test_an_undone_file_can_be_uploaded_and_imported_again(client, officer, council, base):
    spend_import = two_years(council, officer)
    local_spend_import_undo(spend_import=spend_import, by=officer, reason="")
    again = two_years(council, officer)
    assert again.is_imported
    assert LocalSpendTransaction.objects.filter(duplicate_of__isnull=True).count() == 2
    client.force_login(officer)
    response = client.post(f"{base}/files/{spend_import.pk}/")
    assert "This import has been undone. Upload the file again to import it." in text(
        page(response)
    )
    assert LocalSpendImport.objects.get(pk=spend_import.pk).is_undone


@pytest.mark.django_db
def test_undoing_twice_says_so_and_changes_nothing(client, officer, council, base):
    spend_import = two_years(council, officer)
    client.force_login(officer)
    client.post(f"{base}/files/{spend_import.pk}/undo/", {"reason": "Twice"})
    response = client.post(
        f"{base}/files/{spend_import.pk}/undo/", {"reason": "Again"}, follow=True
    )
    assert "This import has been undone already." in text(page(response))
    spend_import.refresh_from_db()
    assert spend_import.undo_reason == "Twice"


@pytest.mark.django_db
def test_a_reason_that_is_too_long_is_explained(client, officer, council, base):
    spend_import = two_years(council, officer)
    client.force_login(officer)
    response = client.post(f"{base}/files/{spend_import.pk}/undo/", {"reason": "x" * 2001})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == [
        "Enter no more than 2,000 characters of reason"
    ]
    assert LocalSpendImport.objects.get(pk=spend_import.pk).is_imported


@pytest.mark.django_db
def test_a_file_not_imported_has_nothing_to_undo(client, officer, council, base):
    pending = LocalSpendImportFactory(council=council)
    client.force_login(officer)
    response = client.get(f"{base}/files/{pending.pk}/undo/")
    assert response.url == f"{base}/files/{pending.pk}/"


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Membership.Role.LEAD_MEMBER, Membership.Role.CHIEF_EXECUTIVE])
def test_people_who_may_not_import_may_not_undo(client, member, officer, council, base, role):
    spend_import = two_years(council, officer)
    client.force_login(member(role))
    assert client.get(f"{base}/files/{spend_import.pk}/undo/").status_code == 403
    assert client.post(f"{base}/files/{spend_import.pk}/undo/", {}).status_code == 403
    with pytest.raises(Exception, match="does not allow"):
        local_spend_import_undo(spend_import=spend_import, by=member(role), reason="")
    assert LocalSpendImport.objects.get(pk=spend_import.pk).is_imported


@pytest.mark.django_db
def test_an_undo_of_a_file_with_no_payments_left_recomputes_nothing(officer, council):
    spend_import = LocalSpendImportFactory(council=council, status="imported")
    result = local_spend_import_undo(spend_import=spend_import, by=officer, reason="")
    assert (result.periods, result.counted_instead) == ([], 0)


@pytest.mark.django_db
def test_the_upload_after_an_undo_is_not_refused_as_imported_before(client, officer, base):
    client.force_login(officer)
    rows = spend_file(["01/05/2022,Acme Ltd,10"])
    client.post(f"{base}/files/add/", {"file": SimpleUploadedFile("a.csv", rows)})
    first = LocalSpendImport.objects.get()
    client.post(
        f"{base}/files/{first.pk}/columns/", {"paid_on": "0", "supplier_name": "1", "amount": "2"}
    )
    client.post(f"{base}/files/{first.pk}/")
    client.post(f"{base}/files/{first.pk}/undo/", {"reason": ""})
    response = client.post(f"{base}/files/add/", {"file": SimpleUploadedFile("a.csv", rows)})
    assert response.status_code == 302
    assert LocalSpendImport.objects.count() == 2


@pytest.mark.django_db
def test_undoing_the_first_of_three_files_counts_the_second_and_points_the_third_at_it(
    officer, council
):
    rows = ["01/05/2022,Acme Ltd,10.00", "02/05/2022,Acme Ltd,20.00"]
    first = import_spend_file(council, officer, spend_file(rows), SIMPLE_MAPPING).spend_import
    second = import_spend_file(
        council, officer, spend_file([*rows, "03/05/2022,Acme Ltd,5"]), SIMPLE_MAPPING
    ).spend_import
    third = import_spend_file(
        council, officer, spend_file(rows[:1], "Date,Payee,Value"), SIMPLE_MAPPING
    ).spend_import
    result = local_spend_import_undo(spend_import=first, by=officer, reason="")
    assert result.counted_instead == 2
    counted = LocalSpendTransaction.objects.filter(duplicate_of__isnull=True)
    assert set(counted.values_list("spend_import", flat=True)) == {second.pk}
    assert list(
        LocalSpendTransaction.objects.filter(spend_import=third).values_list(
            "duplicate_of", flat=True
        )
    ) == [second.pk]
    assert LocalSpendPeriod.objects.get().total_spend == Decimal("35.00")
