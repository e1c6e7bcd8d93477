"""Endorsements made by the code before issue 13, loaded back into the test database.

``data/sealed_before_issue_13.json`` holds the rows the services wrote on main at
commit 93dd4a4: a completed endorsement, sealed with the certificate of completion
as the seal's appearance and its audit trail hashed in the first chain format, and
one sent for signature but not yet signed. They are loaded with their own ids (the
hashes cover them) and bytes, never made again, so a test that reads them checks
what councils already hold, not what the code makes today.
"""

import base64
import datetime
import json
from functools import cache
from pathlib import Path

from asn1crypto import pem, x509

from endorsements.models import Endorsement, Signatory, SigningEvent
from keepitlocal.models import Council, Membership, User

FIXTURE = Path(__file__).parent / "data" / "sealed_before_issue_13.json"


@cache
def _data() -> dict:
    return json.loads(FIXTURE.read_text())


def _value(value):
    if isinstance(value, dict):
        if "base64" in value:
            return base64.b64decode(value["base64"])
        if "datetime" in value:
            return datetime.datetime.fromisoformat(value["datetime"])
        if "date" in value:
            return datetime.date.fromisoformat(value["date"])
    return value


def _fields(row: dict) -> dict:
    return {name: _value(value) for name, value in row.items()}


def signing_ca_certificate_pem() -> str:
    """The certificate of the CA that signed them (kept after "rotating" to the test's CA)."""
    return _data()["signing_ca"]["certificate"]


def signing_ca_root() -> x509.Certificate:
    _, _, der = pem.unarmor(signing_ca_certificate_pem().encode())
    return x509.Certificate.load(der)


def load(label: str, **instead) -> Endorsement:
    """Put the ``"completed"`` or ``"sent"`` endorsement back, as it was stored, but for
    the columns in ``instead`` (such as a later ``expires_at``, so the sent one can still be
    signed whatever day the test runs; no hash covers it)."""
    data = _data()[label]
    Council.objects.bulk_create([Council(**_fields(data["council"]))])
    User.objects.bulk_create([User(**_fields(row)) for row in data["users"]])
    stored = _fields(data["endorsement"])
    # Inserted as a draft, then given what sending and sealing fixed, in the order the
    # freezing triggers allow: signatories join before it is sent.
    fixed = {
        name: stored.pop(name)
        for name in (
            *Endorsement.FROZEN_FIELDS,
            *Endorsement.SEALED_FIELDS,
            *Endorsement.ENDED_FIELDS,
        )
        if name in stored and name not in ("council_id", "version")
    }
    fixed.update(instead)
    Endorsement.objects.bulk_create([Endorsement(**stored)])
    signatories = Signatory.objects.bulk_create(
        [Signatory(**_fields(row)) for row in data["signatories"]]
    )
    # The people who sign are the council's, as in the database the rows came from.
    roles = {label: value for value, label in Membership.Role.choices}
    Membership.objects.bulk_create(
        Membership(user_id=s.user_id, council_id=stored["council_id"], role=roles[s.role_title])
        for s in signatories
    )
    Endorsement.objects.filter(pk=stored["id"]).update(**fixed)
    # bulk_create, not save(): the stored hashes go in as they are, in chain format 1
    # (the format they were hashed in, which the rows predate).
    SigningEvent.objects.bulk_create(
        [SigningEvent(**{"chain_version": 1, **_fields(row)}) for row in data["events"]]
    )
    return Endorsement.objects.get(pk=stored["id"])
