"""Keeping cached dashboards fresh: records versions, and the cache keyed on them (ADR 0006).

Every save or delete of a council's records gives that council a new records
version in the same transaction (``champions.signals``). A dashboard is cached
under its council's version (the network dashboard under all of them), so a
reader who sees a change committed never gets a page rendered before it.
"""

import secrets
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.core.cache import cache
from django.db import connection

from champions.models import RecordsVersion
from keepitlocal.models import Council

# A safety net only: a version change is what makes a cached page go.
CACHE_SECONDS = 600
T = TypeVar("T")


def records_changed(council_ids: Iterable[int]) -> None:
    """Give each council (``RecordsVersion.NETWORK_WIDE`` for shared records) a new version."""
    ids = sorted(set(council_ids))  # always in the same order, so two writers cannot deadlock
    if not ids:
        return
    RecordsVersion.objects.bulk_create(
        [RecordsVersion(council_id=pk, version=secrets.randbits(31)) for pk in ids],
        update_conflicts=True,
        unique_fields=["council_id"],
        update_fields=["version"],
    )


def council_records_version(council: Council) -> str:
    """The version of the council's records and of the records every council shares."""
    # Read on every dashboard view, so written out rather than compiled by the ORM each time.
    table = connection.ops.quote_name(RecordsVersion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT council_id, version FROM {table} WHERE council_id IN (%s, %s)",  # noqa: S608
            [RecordsVersion.NETWORK_WIDE, council.pk],
        )
        versions = dict(cursor.fetchall())
    return f"{versions.get(RecordsVersion.NETWORK_WIDE, 0)}.{versions.get(council.pk, 0)}"


def network_records_version() -> str:
    """A version that changes when any council's records change: one changed row moves the sum."""
    table = connection.ops.quote_name(RecordsVersion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), SUM(version) FROM {table}")  # noqa: S608
        rows, total = cursor.fetchone()
    return f"{rows}.{total or 0}"


def cached(key: str, compute: Callable[[], T]) -> T:
    """The value cached under ``key``, computing and caching it when there is none."""
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value
