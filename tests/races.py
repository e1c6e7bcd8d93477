"""Races: the same piece of work started in several threads at once, against the real database.

Use the ``race`` fixture (a plugin of the root ``conftest.py``, so every test module has it)::

    def test_two_officers_add_the_same_partner_once(race, council, officer):
        outcomes = race(lambda: local_partner_add(council=council, by=officer, name="Acme"))
        assert [o.error for o in outcomes if o.error] ...

``race(work, times=2)`` runs ``work`` in ``times`` threads; ``race(first, second, ...)`` runs
each callable in a thread of its own. The threads open their database connections first, wait
at a barrier so they start together, and close their connections when done. Each call gives
back one ``Outcome`` per thread, in order: the value returned or the exception raised (a
failed assertion in a thread is an outcome too, not a lost traceback).

The fixture asks for ``transactional_db``: each thread has a connection of its own, which
sees only committed rows, and on SQLite the test's own transaction would hold the write lock
the threads wait for. So a race test's data is committed, and the database is emptied after
it, data migrations and all; ``seeded`` puts back the six principles and the first assessment
framework that the migrations load.

A barrier makes the threads start together, but the moment between one thread's check and its
write may still be too short for another to land in it. ``widen(monkeypatch, owner, name)``
makes each call of ``owner.name`` pause first, so every thread has made its check before any
writes: without the fix under test, the race then happens every time.
"""

import importlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.db import connections

# How long a thread waits for the others at the barrier, and for its work to finish: well
# above SQLite's busy timeout (20 s), so a thread waiting for a lock is never cut short.
TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class Outcome:
    """What one thread's work came to: the value it returned, or the exception it raised."""

    value: Any = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def run_at_once(*work: Callable[[], Any], times: int = 1) -> list[Outcome]:
    """Run each callable ``times`` times, every run in a thread of its own, all released at once.

    Returns one ``Outcome`` per run, in the order given.
    """
    runs = [item for item in work for _ in range(times)]
    if len(runs) < 2:
        raise ValueError("a race needs at least two runs")
    barrier = threading.Barrier(len(runs), timeout=TIMEOUT_SECONDS)
    outcomes: list[Outcome | None] = [None] * len(runs)

    def thread(index: int, item: Callable[[], Any]) -> None:
        try:
            for connection in connections.all():
                connection.ensure_connection()  # connecting is not part of the race
            barrier.wait()
            outcomes[index] = Outcome(value=item())
        except BaseException as exc:  # every outcome is the test's to judge
            outcomes[index] = Outcome(error=exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=thread, args=(index, item), name=f"race-{index}")
        for index, item in enumerate(runs)
    ]
    for each in threads:
        each.start()
    for each in threads:
        each.join(TIMEOUT_SECONDS * 2)
    stuck = [each.name for each in threads if each.is_alive()]
    if stuck:
        raise RuntimeError(f"{', '.join(stuck)} did not finish: a lock never released?")
    return outcomes  # type: ignore[return-value]


@pytest.fixture
def race(transactional_db) -> Callable[..., list[Outcome]]:
    """``race(work, times=2)`` or ``race(first, second)``: see this module's docstring."""

    def start(*work: Callable[[], Any], times: int | None = None) -> list[Outcome]:
        if times is None:
            times = 2 if len(work) == 1 else 1
        return run_at_once(*work, times=times)

    return start


@pytest.fixture
def seeded(transactional_db) -> None:
    """The six principles and the first framework, as the data migrations load them."""
    # Both functions leave what is already there as it is.
    seed = importlib.import_module("principles.migrations.0002_seed_the_six_principles")
    seed.seed_principles(apps, None)
    framework = importlib.import_module("principles.migrations.0007_publish_the_first_framework")
    framework.publish_first_version(apps, None)


def widen(monkeypatch, owner: Any, name: str, seconds: float = 0.3) -> None:
    """Make every call of ``owner.name`` wait ``seconds`` first, in every thread.

    Put it on the write that follows a check (a model's ``save``, say): each thread then makes
    its check while the others wait, and a check-then-write race happens on every run.
    """
    original = getattr(owner, name)

    def slower(*args, **kwargs):
        time.sleep(seconds)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, slower)
