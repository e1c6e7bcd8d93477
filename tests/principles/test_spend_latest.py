"""The latest local spend against target, for one council or many (dashboards use these)."""

import datetime
from decimal import Decimal

import pytest

from keepitlocal.models import Council
from principles.spend.selectors import council_latest_local_spend, councils_latest_local_spend
from tests.factories import CouncilFactory, LocalSpendPeriodFactory


@pytest.mark.django_db
def test_the_latest_period_with_spend_is_the_one_ending_last(council):
    LocalSpendPeriodFactory(council=council, financial_year=2021, local_spend=700_000)
    LocalSpendPeriodFactory(
        council=council, financial_year=2022, total_spend=400, local_spend=100, target_percentage=30
    )
    LocalSpendPeriodFactory(council=council, financial_year=2023, total_spend=0, local_spend=0)
    latest = council_latest_local_spend(council)
    assert (latest.period_label, latest.percentage) == ("2022-23", Decimal("25.0"))
    assert latest.target_percentage == Decimal("30.00")
    assert latest.meets_target is False
    assert latest.ends_on == datetime.date(2023, 3, 31)


@pytest.mark.django_db
def test_a_year_comes_before_its_own_fourth_quarter(council):
    LocalSpendPeriodFactory(council=council, financial_year=2022, local_spend=650_000)
    LocalSpendPeriodFactory(
        council=council, kind="quarter", quarter=4, financial_year=2022, local_spend=200_000
    )
    assert council_latest_local_spend(council).period_label == "2022-23"
    LocalSpendPeriodFactory(
        council=council, kind="quarter", quarter=1, financial_year=2023, local_spend=500_000
    )
    assert council_latest_local_spend(council).period_label == "2023-24 Q1"


@pytest.mark.django_db
def test_a_council_without_figures_has_no_latest(council, other_council):
    LocalSpendPeriodFactory(council=other_council)
    assert council_latest_local_spend(council) is None
    assert council.pk not in councils_latest_local_spend(Council.objects.all())


@pytest.mark.django_db
@pytest.mark.parametrize("count", [3, 30])
def test_many_councils_latest_figures_come_in_one_query(count, django_assert_num_queries):
    for number in range(count):
        council = CouncilFactory()
        LocalSpendPeriodFactory(council=council, financial_year=2020, local_spend=100_000)
        LocalSpendPeriodFactory(council=council, financial_year=2021, local_spend=number * 10_000)
    CouncilFactory()  # no figures yet
    with django_assert_num_queries(1):
        latest = councils_latest_local_spend(Council.objects.all())
    assert len(latest) == count
    assert {summary.period_label for summary in latest.values()} == {"2021-22"}
    assert sorted(summary.percentage for summary in latest.values())[:2] == [
        Decimal("0.0"),
        Decimal("1.0"),
    ]


@pytest.fixture
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def headline(client, url: str, selector: str) -> str:
    from tests.html import page, text

    return text(page(client.get(url)).cssselect(selector)[0])


@pytest.mark.django_db
@pytest.mark.usefixtures("_media")
def test_straight_after_an_import_the_headline_says_how_much_is_classified_not_a_result(
    client, officer, council
):
    from principles.spend.models import LocalSpendSettings, Supplier
    from principles.spend.services import supplier_classify
    from tests.principles.spend_files import import_spend_file

    LocalSpendSettings.objects.create(council=council, target_percentage=60, local_areas=["TN"])
    import_spend_file(council, officer)
    client.force_login(officer)
    base = f"/councils/{council.slug}"
    expected = "Local share not known yet for 2022-23: 0% of £120,000 classified."
    assert headline(client, f"{base}/local-spend/", "#latest-local-spend").startswith(expected)
    assert headline(client, f"{base}/principles/3/", "#principle-local-spend").startswith(expected)
    summary = council_latest_local_spend(council)
    assert (summary.is_known, summary.meets_target) == (False, None)
    assert summary.classified_percentage == Decimal("0.0")

    kier = Supplier.objects.get(name="Kier Highways Ltd")  # £98,000 of the £120,000
    supplier_classify(
        supplier=kier,
        by=officer,
        base_version=1,
        postcode="",
        local="no",
        is_sme=None,
        is_vcse=None,
    )
    assert headline(client, f"{base}/local-spend/", "#latest-local-spend").startswith(
        "Local share not known yet for 2022-23: 81.6% of £120,000 classified."
    )
    overview = headline(client, f"{base}/", "main")
    assert "Local share not known yet for 2022-23: 81.6% of £120,000 classified." in overview
    assert "Below target" not in overview

    for supplier in Supplier.objects.filter(is_local__isnull=True):
        supplier_classify(
            supplier=supplier,
            by=officer,
            base_version=supplier.version,
            postcode="",
            local="no",
            is_sme=None,
            is_vcse=None,
        )
    assert headline(client, f"{base}/local-spend/", "#latest-local-spend") == (
        "0% of spend was local in 2022-23, against a target of 60%. Below target"
    )


def test_the_share_classified_is_never_rounded_up_to_all_of_it():
    from principles.spend.models import LocalSpendPeriod
    from principles.spend.selectors import LocalSpendSummary

    period = LocalSpendPeriod(
        financial_year=2022,
        starts_on=datetime.date(2022, 4, 1),
        ends_on=datetime.date(2023, 3, 31),
        source="imported",
        total_spend=Decimal("45100000.00"),
        local_spend=Decimal("0.00"),
        unclassified_spend=Decimal("1000.00"),
    )
    summary = LocalSpendSummary.of(period)
    assert (summary.is_known, summary.classified_percentage) == (False, Decimal("99.9"))


@pytest.mark.django_db
def test_peers_are_not_shown_a_percentage_while_its_suppliers_are_unclassified(council):
    from champions.selectors import local_spend_percentages

    LocalSpendPeriodFactory(council=council, financial_year=2021, local_spend=700_000)
    LocalSpendPeriodFactory(
        council=council, financial_year=2022, source="imported", unclassified_spend=10
    )
    assert local_spend_percentages([council.pk]) == {}
    LocalSpendPeriodFactory(
        council=council, financial_year=2023, source="imported", unclassified_spend=0
    )
    assert local_spend_percentages([council.pk]) == {council.pk: Decimal("60.0")}
