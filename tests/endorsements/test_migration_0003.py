"""Migration 0003 (chain format 2) keeps every recorded hash and every freezing trigger.

The migration rebuilds the signing event and endorsement tables on SQLite, which drops
their triggers; it must make them again, and events recorded before it must keep the
format, and so the hash, they were recorded with.
"""

import datetime
import hashlib
import json

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from endorsements.models import Endorsement, SigningEvent

from .test_freezing import EXPECTED_TRIGGERS, SEALED_CHANGED, run_sql, table

BEFORE = [("endorsements", "0002_freeze_triggers")]
AFTER = [("endorsements", "0003_chain_format_2_and_completion_package")]


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def format_1_hash(record: dict) -> str:
    """The hash as the code before issue 13 took it (written out here, not imported)."""
    return hashlib.sha256(
        json.dumps(record, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


def triggers() -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute(
                "SELECT tgname, tgrelid::regclass::text FROM pg_trigger"
                " WHERE NOT tgisinternal AND tgenabled = 'O'"
            )
        return set(cursor.fetchall())


@pytest.mark.django_db(transaction=True)
def test_events_recorded_before_keep_their_hash_and_the_tables_stay_frozen():
    executor = migrate(BEFORE)
    try:
        # Every other app as it is now, the endorsements as they were before 0003.
        others = [n for n in executor.loader.graph.leaf_nodes() if n[0] != "endorsements"]
        old = executor.loader.project_state([*others, *BEFORE]).apps
        council = old.get_model("keepitlocal", "Council").objects.create(
            name="Migrated Council", slug="migrated", kind="county"
        )
        person = old.get_model("keepitlocal", "User").objects.create(
            username="migrated-admin", first_name="Sam", last_name="Ellis"
        )
        endorsement = old.get_model("endorsements", "Endorsement").objects.create(
            council=council, version=1, statement="Migrated.", prepared_by=person
        )
        at = timezone.now()
        record = {
            "endorsement": endorsement.pk,
            "signatory": None,
            "kind": "prepared",
            "at": at.astimezone(datetime.UTC).isoformat(),
            "actor": person.pk,
            "actor_name": "Sam Ellis",
            "ip_address": "198.51.100.7",
            "user_agent": "Admin browser/1.0",
            "authentication": "Signed in",
            "document_sha256": "",
            "detail": "Signatories: Helen Marsh",
            "previous_hash": "",
        }
        stored_hash = format_1_hash(record)
        old.get_model("endorsements", "SigningEvent").objects.create(
            **{k: v for k, v in record.items() if k not in ("endorsement", "signatory", "actor")},
            endorsement=endorsement,
            actor=person,
            event_hash=stored_hash,
        )
        old.get_model("endorsements", "Endorsement").objects.filter(pk=endorsement.pk).update(
            sent_at=at, status="completed", signed_pdf_sha256="a" * 64, completed_at=at
        )
    finally:
        migrate(AFTER)

    event = SigningEvent.objects.get(endorsement_id=endorsement.pk)
    assert event.chain_version == 1
    assert event.event_hash == event.compute_hash() == stored_hash
    assert EXPECTED_TRIGGERS[connection.vendor] <= triggers()
    # The remade triggers know the new column sealing fixes.
    with pytest.raises(IntegrityError, match=SEALED_CHANGED):
        run_sql(
            f"UPDATE {table(Endorsement)} SET sealed_document_sha256 = %s WHERE id = %s",  # noqa: S608
            ["0" * 64, endorsement.pk],
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        SigningEvent._base_manager.filter(pk=event.pk).update(detail="Changed")
