"""Local spend pages cost the same queries with a few records as with many."""

import datetime
import decimal
import math

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from principles.spend.models import LocalSpendPeriod, LocalSpendTransaction, Supplier, period_dates
from principles.spend.selectors import held_payments_batch_size
from principles.spend.services import local_spend_file_upload, local_spend_import_map_columns
from tests.factories import LocalSpendImportFactory
from tests.principles.spend_files import SIMPLE_MAPPING, import_spend_file, spend_file

# session, user, membership + council, then the page's own reads
LOCAL_SPEND_PAGE_QUERIES = 8  # with the local spend history
REGISTER_PAGE_QUERIES = 7
IMPORTS_PAGE_QUERIES = 4
IMPORTED_FILE_PAGE_QUERIES = 8
UNDO_PAGE_QUERIES = 6
UPDATE_PAGE_QUERIES = 4
PREVIEW_PAGE_QUERIES = 9


def fill(council, n: int) -> int:
    """``n`` periods, suppliers and imports, and twice ``n`` payments of one imported file,
    half of them held already from another; returns that file's id."""
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
    may = datetime.date(2022, 5, 1)
    spend_import = LocalSpendImportFactory(
        council=council, status="imported", first_paid_on=may, last_paid_on=may
    )
    earlier = LocalSpendImportFactory(council=council, status="imported")
    LocalSpendTransaction.objects.bulk_create(
        LocalSpendTransaction(
            council=council,
            spend_import=spend_import,
            supplier=supplier,
            line_number=number,
            paid_on=datetime.date(2022, 5, 1),
            amount=decimal.Decimal(number),
            payment_key=f"{number:032x}",
            duplicate_of=earlier if number % 2 else None,
        )
        for number, supplier in enumerate(suppliers * 2)
    )
    for _ in range(n // 10):
        LocalSpendImportFactory(council=council, uploaded_by=None)
    return spend_import.pk


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
        ("files/{spend_import}/", IMPORTED_FILE_PAGE_QUERIES, "Which payments count"),
        ("files/{spend_import}/undo/", UNDO_PAGE_QUERIES, "will be recomputed"),
        ("suppliers/update/", UPDATE_PAGE_QUERIES, "Update suppliers from a file"),
    ],
)
def test_local_spend_pages_queries_do_not_grow(
    client, officer, council, n, address, queries, shows, django_assert_max_num_queries
):
    spend_import = fill(council, n)
    LocalSpendPeriod.objects.filter(council=council, financial_year=2022).delete()
    starts_on, ends_on = period_dates(2022, None)
    LocalSpendPeriod.objects.create(
        council=council,
        financial_year=2022,
        starts_on=starts_on,
        ends_on=ends_on,
        source="imported",
    )
    client.force_login(officer)
    client.get(f"/councils/{council.slug}/")  # the first visit records the current council
    address = address.format(spend_import=spend_import)
    with django_assert_max_num_queries(queries):
        response = client.get(f"/councils/{council.slug}/local-spend/{address}")
    assert response.status_code == 200
    assert shows in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [10, 3000])
def test_the_preview_of_a_file_costs_one_query_more_for_each_batch_of_its_payments(
    client, officer, council, rows, django_assert_max_num_queries
):
    """Which payments are held already is one query on PostgreSQL, one per 989 on SQLite."""
    lines = [f"01/05/2022,Supplier {number % 50},{number}.00" for number in range(rows)]
    import_spend_file(council, officer, spend_file(lines[: rows // 2]), SIMPLE_MAPPING)
    spend_import = local_spend_file_upload(
        council=council, by=officer, upload=SimpleUploadedFile("b.csv", spend_file(lines))
    )
    local_spend_import_map_columns(spend_import=spend_import, by=officer, mapping=SIMPLE_MAPPING)
    client.force_login(officer)
    client.get(f"/councils/{council.slug}/")
    size = held_payments_batch_size()
    batches = 1 if size is None else math.ceil(rows / size)
    with django_assert_max_num_queries(PREVIEW_PAGE_QUERIES + batches - 1):
        response = client.get(f"/councils/{council.slug}/local-spend/files/{spend_import.pk}/")
    assert f"{rows // 2:,} of the file's {rows:,} payments" in response.content.decode()
