"""The history kept before the record of changes moves into it whole (principles 0008)."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("principles", "0007_publish_the_first_framework"), ("keepitlocal", "0004_audit_log")]
AFTER = [("principles", "0009_drop_the_historical_tables")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_every_historical_row_becomes_a_record_of_change(seeded):
    old = _migrate(BEFORE)
    try:
        Council = old.get_model("keepitlocal", "Council")
        User = old.get_model("keepitlocal", "User")
        Principle = old.get_model("principles", "Principle")
        HistoricalProgress = old.get_model("principles", "HistoricalPrincipleProgress")
        HistoricalAction = old.get_model("principles", "HistoricalAction")
        council = Council.objects.create(name="Old Council", slug="old", kind="district")
        jo = User.objects.create(username="jo", first_name="Jo", last_name="Smith")
        p2 = Principle.objects.get(number=2)
        when = timezone.now() - datetime.timedelta(days=90)
        common = {"council_id": council.pk, "principle_id": p2.pk, "id": 41}
        for version, (stage, narrative, kind) in enumerate(
            [("developing", "Hubs in Hastings.", "+"), ("established", "Hubs in Rye.", "~")],
            start=1,
        ):
            HistoricalProgress.objects.create(
                **common,
                stage=stage,
                rag="",
                narrative=narrative,
                next_steps="",
                version=version,
                updated_at=when,
                history_date=when + datetime.timedelta(days=version),
                history_type=kind,
                history_user_id=jo.pk,
            )
        HistoricalAction.objects.create(
            council_id=council.pk,
            principle_id=p2.pk,
            id=7,
            title="Open a hub",
            description="",
            owner_id=jo.pk,
            owner_name="",
            status="not_started",
            version=1,
            created_at=when,
            updated_at=when,
            history_date=when,
            history_type="+",
            history_user_id=jo.pk,
        )
        new = _migrate(AFTER)
        RecordChange = new.get_model("keepitlocal", "RecordChange")
        progress = list(
            RecordChange.objects.filter(record_type="principles.principleprogress").order_by(
                "occurred_at"
            )
        )
        assert [(c.kind, c.version, c.topic, c.actor_name) for c in progress] == [
            ("added", 1, "principle:2", "Jo Smith"),
            ("changed", 2, "principle:2", "Jo Smith"),
        ]
        assert progress[1].values["stage"] == "established"
        assert progress[1].changes == [
            {"field": "stage", "label": "Stage", "old": "developing", "new": "established"},
            {"field": "narrative", "label": "Summary", "removed": ["Hastings."], "added": ["Rye."]},
        ]
        action = RecordChange.objects.get(record_type="principles.action")
        assert action.record_label == "Action “Open a hub”"
        assert {"field": "owner", "label": "Owner", "old": "blank", "new": "Jo Smith"} in (
            action.changes
        )
    finally:
        # Every app back to its latest migration, for the tests that follow.
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
