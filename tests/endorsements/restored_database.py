"""What the verify page makes of a restored backup, reported from inside a fresh process.

test_backup_restore runs this with ``manage.py shell`` and DATABASE_URL pointed at
the restored database, so nothing comes from the test run's own database or
connections. It writes its findings as JSON for the test to check.
"""

import hashlib
import json
from pathlib import Path

from django.db import DatabaseError, connection, transaction

from endorsements.models import Endorsement
from endorsements.selectors import endorsement_by_verification_code
from endorsements.verification import Verification, verify_copy

RESTORED_RECORD = "the sealed PDF in the restored record"


def report(code: str, copies: dict[str, str], out: str) -> None:
    """Look ``code`` up, check the restored sealed PDF and each file in ``copies`` as the
    verify page would, and write what was found to ``out``."""
    found = endorsement_by_verification_code(code)
    findings: dict = {"database": connection.settings_dict["NAME"], "found_by_code": None}
    files = {name: Path(path).read_bytes() for name, path in copies.items()}
    if found is not None:
        record = Endorsement.objects.get(pk=found.pk)
        sealed = bytes(record.signed_pdf or b"")
        findings["found_by_code"] = {
            "pk": record.pk,
            "status": record.status,
            "signed_pdf_sha256": record.signed_pdf_sha256,
            "signed_pdf_size": record.signed_pdf_size,
            "sha256_of_signed_pdf": hashlib.sha256(sealed).hexdigest(),
            "size_of_signed_pdf": len(sealed),
            "audit_trail_intact": _audit_trail_intact(record),
        }
        files = {RESTORED_RECORD: sealed, **files}
    findings["copies"] = {name: _verdict(verify_copy(data)) for name, data in files.items()}
    if found is not None:
        # Last, since a database that failed to refuse would keep the change.
        findings["found_by_code"]["database_refuses_changes"] = _database_refuses_changes(found)
    Path(out).write_text(json.dumps(findings, indent=2))


def _checks(checks) -> list[dict]:
    return [
        {
            "field": check.field_name,
            "signer": check.signer,
            "intact": check.intact,
            "valid": check.valid,
            "trusted": check.trusted,
            "covers_whole_file": check.covers_whole_file,
            "ok": check.ok,
        }
        for check in checks
    ]


def _verdict(verification: Verification) -> dict:
    attached = verification.attached_document
    return {
        "outcome": verification.outcome.value,
        "endorsement": verification.endorsement.pk if verification.endorsement else None,
        "signatures_readable": verification.signatures_readable,
        "signatures": _checks(verification.signatures),
        "attached_document": None
        if attached is None
        else {"on_record": attached.on_record, "signatures": _checks(attached.signatures)},
        "trail_intact": verification.trail.intact if verification.trail else None,
        "trail_on_record": verification.trail_on_record,
    }


def _audit_trail_intact(endorsement: Endorsement) -> bool:
    """Every event's stored hash is the hash of its restored fields, each linked to the last."""
    previous = ""
    for event in endorsement.events.order_by("at", "pk"):
        if event.previous_hash != previous or event.compute_hash() != event.event_hash:
            return False
        previous = event.event_hash
    return True


def _database_refuses_changes(endorsement: Endorsement) -> bool:
    """The freezing triggers came back with the tables: the database itself refuses a change
    that skips the model (the plain base manager's update has no check of its own)."""
    try:
        with transaction.atomic():
            Endorsement._base_manager.filter(pk=endorsement.pk).update(signed_pdf_sha256="0" * 64)
    except DatabaseError:
        return True
    return False
