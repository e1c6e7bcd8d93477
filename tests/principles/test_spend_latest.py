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
