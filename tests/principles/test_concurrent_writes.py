"""Officers writing at the same moment on different records each get their write saved.

On SQLite a transaction that began by reading could not take the write lock another held,
and failed at once with "database is locked"; every write transaction now takes the lock
when it begins and waits its turn (ADR 0011).
"""

import pytest

from principles.models import Action, PrincipleProgress
from principles.services import action_create, principle_progress_update
from tests.factories import PrincipleProgressFactory, principle
from tests.races import widen

pytestmark = pytest.mark.django_db(transaction=True)


def _save_progress(council, by, number: int, base_version: int = 0):
    return lambda: principle_progress_update(
        council=council,
        principle=principle(number),
        by=by,
        base_version=base_version,
        stage="developing",
        rag="green",
        narrative=f"Saved by {by.username}",
        next_steps="",
    )


def test_officers_saving_progress_on_different_principles_at_once_both_save(
    race, seeded, council, member, monkeypatch
):
    first, second, third = member(), member(), member()
    PrincipleProgressFactory(council=council, principle=principle(2), version=1)
    # Each transaction reads before it writes, and holds on long enough for the others to
    # read too: the moment SQLite's default transactions fail.
    widen(monkeypatch, PrincipleProgress, "save")

    outcomes = race(
        _save_progress(council, first, 1),
        _save_progress(council, second, 2, base_version=1),
        lambda: action_create(council=council, principle=principle(3), by=third, title="Map"),
    )

    assert [outcome.error for outcome in outcomes if not outcome.ok] == []
    saved = dict(
        PrincipleProgress.objects.filter(council=council).values_list(
            "principle__number", "narrative"
        )
    )
    assert saved == {1: f"Saved by {first.username}", 2: f"Saved by {second.username}"}
    assert list(Action.objects.filter(council=council).values_list("title", flat=True)) == ["Map"]
