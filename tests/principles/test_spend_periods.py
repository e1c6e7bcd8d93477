"""Local spend periods: entered by hand or computed from imports, the percentage always computed."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command

from keepitlocal.models import Council, Membership
from principles.spend.models import LocalSpendPeriod, LocalSpendSettings
from tests.factories import LocalSpendPeriodFactory, LocalSpendTransactionFactory
from tests.html import page, text
from tests.principles.spend_files import import_spend_file


@pytest.fixture
def base(council):
    return f"/councils/{council.slug}/local-spend"


def period_rows(response) -> list[list[str]]:
    table = page(response).cssselect("#local-spend-periods tbody tr")
    return [[text(cell) for cell in row.cssselect("th, td")] for row in table]


def year(financial_year: int, **fields) -> dict:
    return {
        "version": "0",
        "kind": "year",
        "financial_year": str(financial_year),
        "source": "entered",
        **fields,
    }


@pytest.mark.django_db
def test_demo_east_sussex_reports_67_9_percent_local_against_60_in_2021_22(client):
    call_command("seed_demo")
    call_command("seed_demo")  # loading the demo again changes nothing
    council = Council.objects.get(slug="east-sussex")
    period = LocalSpendPeriod.objects.get(council=council)
    assert period.percentage == Decimal("67.9")
    assert period.meets_target
    settings = LocalSpendSettings.objects.get(council=council)
    assert (settings.target_percentage, settings.local_areas) == (Decimal("60.00"), ["BN", "TN"])

    client.post("/sign-in/", {"username": "officer", "password": "keep-it-local-demo"})
    response = client.get("/councils/east-sussex/local-spend/")
    latest = text(page(response).cssselect("#latest-local-spend")[0])
    assert latest == "67.9% of spend was local in 2021-22, against a target of 60%. Target met"
    assert period_rows(response) == [
        [
            "2021-22 – change April 2021 to March 2022",
            "£416,800,000",
            "£283,000,000",
            "67.9%",
            "60%",
            "958",
            "Not known",
            "Not known",
            "Not known",
            "Entered by hand",
        ]
    ]
    chart = page(response).cssselect("svg#local-spend-years")[0]
    assert "2021-22: 67.9% against a target of 60%" in text(chart.cssselect("desc")[0])

    principle = client.get("/councils/east-sussex/principles/3/")
    assert (
        text(page(principle).cssselect("#principle-local-spend")[0])
        == "67.9% of spend was local in 2021-22, against a target of 60%. Target met"
    )


@pytest.mark.django_db
def test_officer_enters_a_year_and_sees_its_percentage_worked_out(client, officer, council, base):
    client.force_login(officer)
    response = client.post(
        f"{base}/periods/add/",
        year(
            2023,
            total_spend="£1,000,000",
            local_spend="£0.45m",
            local_supplier_count="12",
            tier2_local_spend="50,000",
            sme_spend="300000",
            target_percentage="60%",
        ),
        follow=True,
    )
    assert "2023-24 added." in text(page(response))
    assert period_rows(response)[0][1:6] == ["£1,000,000", "£450,000", "45%", "60%", "12"]
    latest = text(page(response).cssselect("#latest-local-spend")[0])
    assert latest == "45% of spend was local in 2023-24, against a target of 60%. Below target"
    period = LocalSpendPeriod.objects.get(council=council)
    assert (period.starts_on, period.ends_on) == (
        datetime.date(2023, 4, 1),
        datetime.date(2024, 3, 31),
    )
    assert period.sme_spend == Decimal("300000.00")
    assert period.vcse_spend is None


@pytest.mark.django_db
def test_a_quarter_covers_its_three_months(client, officer, council, base):
    client.force_login(officer)
    client.post(
        f"{base}/periods/add/",
        year(2023, kind="quarter", quarter="4", total_spend="100", local_spend="70")
        | {"local_supplier_count": "3"},
    )
    period = LocalSpendPeriod.objects.get(council=council)
    assert period.label == "2023-24 Q4"
    assert (period.starts_on, period.ends_on) == (
        datetime.date(2024, 1, 1),
        datetime.date(2024, 3, 31),
    )
    response = client.get(f"{base}/")
    assert page(response).cssselect("svg#local-spend-quarters")
    assert not page(response).cssselect("svg#local-spend-years")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"total_spend": ""}, "total_spend", "Enter the total third-party spend"),
        ({"local_spend": ""}, "local_spend", "Enter the spend with local suppliers"),
        ({"local_supplier_count": ""}, "local_supplier_count", "Enter the number of local"),
        (
            {"local_spend": "2000"},
            "local_spend",
            "Spend with local suppliers cannot be more than the total spend",
        ),
        ({"total_spend": "-5"}, "total_spend", "The total third-party spend cannot be negative"),
        ({"total_spend": "lots"}, "total_spend", "as an amount in pounds, like £416,800,000"),
        ({"total_spend": "1e400"}, "total_spend", "as an amount in pounds"),
        ({"total_spend": "99999999999999"}, "total_spend", "is too large"),
        ({"tier2_local_spend": "900"}, "tier2_local_spend", "cannot be more than the spend with"),
        ({"sme_spend": "1001"}, "sme_spend", "SME spend cannot be more than the total spend"),
        ({"target_percentage": "101"}, "target_percentage", "must be between 0 and 100"),
        ({"target_percentage": "sixty"}, "target_percentage", "as a number, like 60"),
        ({"target_percentage": "60.123"}, "target_percentage", "up to 2 decimal places"),
        ({"financial_year": "21"}, "financial_year", "from 1990 onwards"),
        ({"kind": "quarter"}, "quarter", "Select a quarter"),
        ({"kind": "month"}, "kind", "Select a financial year or a quarter"),
        ({"source": ""}, "source", "Select where the figures come from"),
    ],
)
def test_figures_that_cannot_be_right_are_explained(
    client, officer, council, base, fields, field, message
):
    client.force_login(officer)
    data = year(2023, total_spend="1000", local_spend="800", local_supplier_count="3") | fields
    response = client.post(f"{base}/periods/add/", data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert text(page(response).cssselect("title")[0]).startswith("Error: ")
    assert not LocalSpendPeriod.objects.exists()


@pytest.mark.django_db
def test_a_period_cannot_be_added_twice(client, officer, council, base):
    LocalSpendPeriodFactory(council=council, financial_year=2021)
    client.force_login(officer)
    data = year(2021, total_spend="1000", local_spend="800", local_supplier_count="3")
    response = client.post(f"{base}/periods/add/", data)
    assert response.context["form"].errors["financial_year"] == [
        "There is already a period for 2021-22"
    ]
    assert LocalSpendPeriod.objects.count() == 1


@pytest.mark.django_db
def test_a_period_computed_from_imports_ignores_typed_figures(client, officer, council, base):
    LocalSpendTransactionFactory(council=council, paid_on=datetime.date(2022, 5, 1), amount=250)
    client.force_login(officer)
    client.post(
        f"{base}/periods/add/",
        year(2022, source="imported", total_spend="999", local_spend="999"),
    )
    period = LocalSpendPeriod.objects.get(council=council)
    assert period.is_computed
    assert (period.total_spend, period.local_spend) == (Decimal("250.00"), Decimal("0.00"))
    assert period.payment_count == 1


@pytest.mark.django_db
def test_switching_a_year_to_computed_recomputes_it_with_its_tier_2_spend(
    client, officer, council, base
):
    result = import_spend_file(council, officer)
    kier = result.spend_import.transactions.get(line_number=7).supplier
    kier.is_local = True
    kier.save()
    period = LocalSpendPeriod.objects.get(council=council)
    period.source = "entered"
    period.save()
    client.force_login(officer)
    response = client.post(
        f"{base}/periods/{period.pk}/",
        {
            "version": str(period.version),
            "source": "imported",
            "tier2_local_spend": "£2,000",
            "target_percentage": "60",
        },
        follow=True,
    )
    assert "2022-23 saved." in text(page(response))
    period.refresh_from_db()
    # £98,000 paid to the local supplier plus £2,000 sub-contracted locally, of £120,000.
    assert period.local_spend == Decimal("100000.00")
    assert period.percentage == Decimal("83.3")


@pytest.mark.django_db
def test_a_second_person_editing_an_old_copy_of_a_period_is_refused(client, officer, council, base):
    period = LocalSpendPeriodFactory(council=council, financial_year=2021, version=3)
    client.force_login(officer)
    response = client.post(
        f"{base}/periods/{period.pk}/",
        {
            "version": "2",
            "source": "entered",
            "total_spend": "1000",
            "local_spend": "10",
            "local_supplier_count": "1",
        },
    )
    assert response.status_code == 200
    assert "changed this while you were editing it" in text(page(response))
    assert response.context["form"].data["version"] == "3"
    period.refresh_from_db()
    assert period.local_spend == Decimal("600000.00")


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Membership.Role.LEAD_MEMBER, Membership.Role.CHIEF_EXECUTIVE])
def test_everyone_in_the_council_sees_local_spend_but_only_some_change_it(
    client, member, council, base, role
):
    period = LocalSpendPeriodFactory(council=council, financial_year=2021)
    client.force_login(member(role))
    response = client.get(f"{base}/")
    assert response.status_code == 200
    assert "Add a period" not in text(page(response))
    assert client.get(f"{base}/periods/add/").status_code == 403
    assert client.post(f"{base}/periods/{period.pk}/", {}).status_code == 403
    assert client.post(f"{base}/settings/", {"local_areas": "BN"}).status_code == 403
    assert not LocalSpendSettings.objects.exists()


@pytest.mark.django_db
def test_local_spend_is_in_the_service_navigation_after_principles(client, officer, base):
    client.force_login(officer)
    response = client.get(f"{base}/")
    items = [text(item) for item in page(response).cssselect(".govuk-service-navigation__item")]
    assert items[:3] == ["Overview", "Principles", "Local spend"]
    active = page(response).cssselect(".govuk-service-navigation__item--active")
    assert text(active[0]) == "Local spend"


@pytest.mark.django_db
def test_settings_are_saved_with_areas_tidied(client, officer, council, base):
    client.force_login(officer)
    response = client.post(
        f"{base}/settings/", {"target_percentage": "60", "local_areas": "tn, bn; RH15"}
    )
    assert response.status_code == 302
    settings = LocalSpendSettings.objects.get(council=council)
    assert settings.local_areas == ["BN", "RH15", "TN"]
    response = client.post(f"{base}/settings/", {"local_areas": "BN, Brighton"})
    assert response.context["form"].errors["local_areas"] == [
        "“BRIGHTON” is not a postcode area or district. Enter areas like BN or districts like RH15"
    ]


@pytest.mark.django_db
def test_a_period_opens_for_changing_with_its_figures_written_as_typed(
    client, officer, council, base
):
    period = LocalSpendPeriodFactory(
        council=council, financial_year=2021, total_spend=Decimal("416800000.00")
    )
    client.force_login(officer)
    form = page(client.get(f"{base}/periods/{period.pk}/"))
    assert form.cssselect("#id_total_spend")[0].get("value") == "416,800,000"
    assert form.cssselect("#id_target_percentage")[0].get("value") == "60"
