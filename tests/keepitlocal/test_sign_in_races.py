"""Many sign-ins at once for one person: every failure is counted and in the audit log."""

import pytest
from axes.models import AccessAttempt
from django.db.models import Sum
from django.test import Client

from keepitlocal.models import AuditEvent
from tests.factories import PASSWORD

SIGN_IN = "/sign-in/"
GUESSES = 12


def _wrong_password(username: str, number: int):
    def attempt():
        return Client().post(
            SIGN_IN,
            {"username": username, "password": f"wrong-{number}"},
            HTTP_USER_AGENT="Mozilla/5.0 (guessing)",
            REMOTE_ADDR="192.0.2.44",
        )

    return attempt


@pytest.mark.django_db(transaction=True)
def test_twelve_wrong_passwords_at_once_are_all_counted_and_lock_the_account(race, officer):
    outcomes = race(*(_wrong_password(officer.username, n) for n in range(GUESSES)))

    assert [outcome.error for outcome in outcomes if not outcome.ok] == []
    statuses = sorted(outcome.value.status_code for outcome in outcomes)
    assert set(statuses) <= {200, 429}, statuses
    failures = AccessAttempt.objects.filter(username=officer.username).aggregate(
        total=Sum("failures_since_start")
    )["total"]
    assert failures == GUESSES
    logged = AuditEvent.objects.filter(kind=AuditEvent.Kind.SIGN_IN_FAILED)
    assert sorted(logged.values_list("username", flat=True)) == [officer.username] * GUESSES
    assert AuditEvent.objects.filter(
        kind=AuditEvent.Kind.LOCKED_OUT, username=officer.username
    ).exists()
    # Locked: even the right password is refused now.
    after = Client().post(
        SIGN_IN, {"username": officer.username, "password": PASSWORD}, REMOTE_ADDR="198.51.100.3"
    )
    assert after.status_code == 429
