"""Wrong passwords tried at the same moment: no more than five are ever checked.

Each attempt runs in its own thread with its own database connection against the
real, committed database, all released at once, as a script hammering the sign
page would be.
"""

import itertools
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from endorsements import services
from endorsements.models import Endorsement, SigningEvent
from endorsements.selectors import LOCKOUT_ATTEMPTS
from keepitlocal.models import User

from .conftest import BASE_URL

PARALLEL = 12


@pytest.mark.django_db(transaction=True)
def test_twelve_wrong_passwords_at_once_get_five_checked_and_then_signing_is_locked(
    sent, lead_member, source, monkeypatch
):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip(
            "The default SQLite test database is in memory with a shared cache, where a second"
            " writer fails at once instead of waiting for the lock, so parallel attempts cannot"
            " run against it. PostgreSQL runs this test with real row locks, and so would a"
            " SQLite test database in a file with immediate transactions."
        )
    checked = itertools.count()
    check_password = User.check_password

    def counted(self, raw_password):
        next(checked)  # count() is safe across threads
        return check_password(self, raw_password)

    monkeypatch.setattr(User, "check_password", counted)
    start = threading.Barrier(PARALLEL)

    def attempt() -> str:
        try:
            endorsement = Endorsement.objects.get(pk=sent.pk)
            person = User.objects.get(pk=lead_member.pk)
            start.wait(timeout=30)
            services.endorsement_sign(
                endorsement=endorsement,
                by=person,
                password="not my password",
                typed_name=person.get_full_name(),
                drawn_signature=None,
                opened_sha256=endorsement.document_sha256,
                source=source,
                base_url=BASE_URL,
            )
        except services.WrongPassword:
            return "wrong password"
        except services.SigningLocked:
            return "locked"
        finally:
            connections.close_all()
        return "signed"

    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        outcomes = sorted(pool.map(lambda _: attempt(), range(PARALLEL)))

    assert next(checked) == LOCKOUT_ATTEMPTS  # the count's next number is how many came before
    assert outcomes == ["locked"] * (PARALLEL - LOCKOUT_ATTEMPTS + 1) + ["wrong password"] * (
        LOCKOUT_ATTEMPTS - 1
    )
    failed = SigningEvent.objects.filter(actor=lead_member, kind=SigningEvent.Kind.AUTH_FAILED)
    assert failed.count() == LOCKOUT_ATTEMPTS
    assert SigningEvent.objects.filter(kind=SigningEvent.Kind.LOCKED_OUT).count() == 1
    # Every event, recorded from twelve threads, still links to the one before it.
    events = list(SigningEvent.objects.filter(endorsement=sent).order_by("at", "pk"))
    assert all(b.previous_hash == a.event_hash for a, b in itertools.pairwise(events))
    assert not sent.signatories.filter(signed_at__isnull=False).exists()
