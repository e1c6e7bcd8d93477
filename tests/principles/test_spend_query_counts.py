"""Local spend pages cost the same queries with a few records as with many."""

import datetime
import decimal

import pytest

from principles.spend.models import LocalSpendPeriod, LocalSpendTransaction, Supplier, period_dates
from tests.factories import LocalSpendImportFactory

# session, user, membership + council, then the page's own reads
LOCAL_SPEND_PAGE_QUERIES = 7
REGISTER_PAGE_QUERIES = 7
IMPORTS_PAGE_QUERIES = 4


def fill(council, n: int) -> None:
    years = []
    for number in range(n):
        year = 1990 + number % 100
        if year in years:
            continue
        years.append(year)
        starts_on, ends_on = period_dates(year, None)
        LocalSpendPeriod.objects.create(
            council=council,
            financial_year=year,
            starts_on=starts_on,
            ends_on=ends_on,
            total_spend=1000,
            local_spend=number,
            target_percentage=60,
        )
    suppliers = Supplier.objects.bulk_create(
        Supplier(
            council=council,
            key=f"id:{number}",
            name=f"Supplier {number}",
            is_local=[None, True, False][number % 3],
        )
        for number in range(n)
    )
    spend_import = LocalSpendImportFactory(council=council, status="imported")
    LocalSpendTransaction.objects.bulk_create(
        LocalSpendTransaction(
            council=council,
            spend_import=spend_import,
            supplier=supplier,
            line_number=number,
            paid_on=datetime.date(2022, 5, 1),
            amount=decimal.Decimal(number),
            payment_key=f"{number:032x}",
        )
        for number, supplier in enumerate(suppliers * 2)
    )
    for _ in range(n // 10):
        LocalSpendImportFactory(council=council, uploaded_by=None)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.django_db
@pytest.mark.parametrize("n", [10, 300])
@pytest.mark.parametrize(
    ("address", "queries", "shows"),
    [
        ("", LOCAL_SPEND_PAGE_QUERIES, "of spend was local in"),
        ("suppliers/", REGISTER_PAGE_QUERIES, "Classify next"),
        ("suppliers/?show=local&page=2", REGISTER_PAGE_QUERIES - 1, "Supplier register"),
        ("files/", IMPORTS_PAGE_QUERIES, "spend.csv"),
    ],
)
def test_local_spend_pages_queries_do_not_grow(
    client, officer, council, n, address, queries, shows, django_assert_max_num_queries
):
    fill(council, n)
    client.force_login(officer)
    client.get(f"/councils/{council.slug}/")  # the first visit records the current council
    with django_assert_max_num_queries(queries):
        response = client.get(f"/councils/{council.slug}/local-spend/{address}")
    assert response.status_code == 200
    assert shows in response.content.decode()
