"""Two requests at the same moment: one record, and a normal page for the other, never a 500.

Each test runs two requests in threads against the real database, and holds both at the
point where the race is (just before the first write) until both are there. SQLite takes
its write lock as a transaction begins, so two of its writes never meet there: these run on
PostgreSQL.
"""

import contextlib
import threading
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test import Client

from principles.spend import services
from principles.spend.models import (
    LocalSpendImport,
    LocalSpendPeriod,
    LocalSpendSettings,
    LocalSpendTransaction,
)
from tests.html import page, text

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason=(
            "SQLite takes its write lock as each transaction begins (ADR 0011), so two writes"
            " never meet at the point these tests hold them: they need PostgreSQL's row locks"
        ),
    ),
]

AWKWARD = Path(__file__).parent / "data" / "awkward-spend-2022-23.csv"
REISSUE = Path(__file__).parent / "data" / "awkward-spend-2022-23-reissued.csv"
COLUMNS = {"paid_on": "3", "supplier_name": "6", "supplier_ref": "7", "amount": "5"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def base(council):
    return f"/councils/{council.slug}/local-spend"


def hold_first_writes(monkeypatch, model, parties: int = 2) -> threading.Barrier:
    """Make each new ``model`` row wait, before it is written, until ``parties`` are waiting.

    Without a lock both requests get there within milliseconds; with one, the second waits
    for the lock instead, and the first carries on alone after a second.
    """
    barrier = threading.Barrier(parties, timeout=1)
    save = model.save

    def waiting_save(self, *args, **kwargs):
        if self.pk is None:
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait()
        return save(self, *args, **kwargs)

    monkeypatch.setattr(model, "save", waiting_save)
    return barrier


def at_once(user, *requests) -> list:
    """Send each (path, data) as ``user`` from its own thread; the responses, followed."""
    responses: list = [None] * len(requests)
    errors: list = []

    def send(index, path, data):
        try:
            client = Client(raise_request_exception=False)
            client.force_login(user)
            responses[index] = client.post(path, data, follow=True)
        except Exception as error:  # reported below, with the thread's traceback lost
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=send, args=(index, path, data))
        for index, (path, data) in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    return responses


def year(financial_year: int) -> dict:
    return {
        "version": "0",
        "kind": "year",
        "financial_year": str(financial_year),
        "source": "entered",
        "total_spend": "1000",
        "local_spend": "600",
        "local_supplier_count": "3",
    }


def test_two_adds_of_the_same_year_at_once_make_one_and_tell_the_other(
    officer, council, base, monkeypatch
):
    hold_first_writes(monkeypatch, LocalSpendPeriod)
    responses = at_once(
        officer, (f"{base}/periods/add/", year(2022)), (f"{base}/periods/add/", year(2022))
    )
    assert sorted(response.status_code for response in responses) == [200, 200]
    pages = sorted(text(page(response)) for response in responses)
    assert sum("2022-23 added." in shown for shown in pages) == 1
    assert sum("There is already a period for 2022-23" in shown for shown in pages) == 1
    assert LocalSpendPeriod.objects.filter(council=council).count() == 1


def test_two_first_saves_of_the_settings_at_once_make_one_record(
    officer, council, base, monkeypatch
):
    hold_first_writes(monkeypatch, LocalSpendSettings)
    responses = at_once(
        officer,
        (f"{base}/settings/", {"target_percentage": "60", "local_areas": "BN"}),
        (f"{base}/settings/", {"target_percentage": "60", "local_areas": "BN, TN"}),
    )
    assert [response.status_code for response in responses] == [200, 200]
    assert all("Local spend settings saved." in text(page(r)) for r in responses)
    assert LocalSpendSettings.objects.filter(council=council).count() == 1


def upload_and_map(client, base, path: Path, columns=COLUMNS) -> LocalSpendImport:
    client.post(f"{base}/files/add/", {"file": SimpleUploadedFile(path.name, path.read_bytes())})
    spend_import = LocalSpendImport.objects.latest("pk")
    client.post(f"{base}/files/{spend_import.pk}/columns/", columns)
    return spend_import


def hold_imports(monkeypatch) -> None:
    """Make each import wait, before it takes the council's lock, until both are there."""
    barrier = threading.Barrier(2, timeout=5)
    lock = services._lock_council_spend

    def waiting_lock(council):
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
        return lock(council)

    monkeypatch.setattr(services, "_lock_council_spend", waiting_lock)


def test_a_double_click_on_import_file_imports_once(client, officer, council, base, monkeypatch):
    client.force_login(officer)
    spend_import = upload_and_map(client, base, AWKWARD)
    hold_imports(monkeypatch)
    path = f"{base}/files/{spend_import.pk}/"
    responses = at_once(officer, (path, {}), (path, {}))
    assert [response.status_code for response in responses] == [200, 200]
    pages = [text(page(response)) for response in responses]
    assert sum("Imported 7 payments from" in shown for shown in pages) == 1
    assert sum("This file has been imported." in shown for shown in pages) == 1
    assert LocalSpendTransaction.objects.count() == 7
    assert LocalSpendPeriod.objects.get(council=council).payment_count == 7


def test_two_overlapping_files_imported_at_once_count_each_payment_once(
    client, officer, council, base, monkeypatch
):
    client.force_login(officer)
    columns = {**COLUMNS, "transaction_ref": "4"}
    first = upload_and_map(client, base, AWKWARD, columns)
    second = upload_and_map(client, base, REISSUE, columns)
    hold_imports(monkeypatch)
    responses = at_once(
        officer, (f"{base}/files/{first.pk}/", {}), (f"{base}/files/{second.pk}/", {})
    )
    assert [response.status_code for response in responses] == [200, 200]
    assert LocalSpendTransaction.objects.count() == 19
    assert LocalSpendTransaction.objects.filter(duplicate_of__isnull=False).count() == 5
    period = LocalSpendPeriod.objects.get(council=council, financial_year=2022)
    assert period.payment_count == 11  # 7 of the first file and 4 new in the re-issue


def test_an_import_and_an_add_of_its_year_at_once_leave_one_year(
    client, officer, council, base, monkeypatch
):
    client.force_login(officer)
    spend_import = upload_and_map(client, base, AWKWARD)
    hold_first_writes(monkeypatch, LocalSpendPeriod)
    responses = at_once(
        officer, (f"{base}/files/{spend_import.pk}/", {}), (f"{base}/periods/add/", year(2022))
    )
    assert [response.status_code for response in responses] == [200, 200]
    assert LocalSpendPeriod.objects.filter(council=council, financial_year=2022).count() == 1
    assert LocalSpendTransaction.objects.count() == 7
