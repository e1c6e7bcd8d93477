"""Checking a copy of a signed endorsement against the record (the public verify page)."""

import hashlib
from dataclasses import dataclass, field

from django.db.models import TextChoices

from endorsements import pdf
from endorsements.ca import trust_root
from endorsements.models import Endorsement
from endorsements.selectors import sealed_endorsement_sizes


class Outcome(TextChoices):
    MATCHES = "matches", "This is the signed endorsement on record"
    APPENDED = "appended", "Something was added to this file after it was sealed"
    ALTERED = "altered", "This file has been changed since it was sealed"
    NO_MATCH = "no_match", "This file does not match any signed endorsement on record"


@dataclass
class Verification:
    outcome: Outcome
    endorsement: Endorsement | None = None
    sha256: str = ""
    size: int = 0
    appended_bytes: int = 0
    changed_bytes: int = 0
    signatures: list[pdf.SignatureCheck] = field(default_factory=list)
    signatures_readable: bool = True

    @property
    def matches(self) -> bool:
        return self.outcome == Outcome.MATCHES


def verify_copy(data: bytes) -> Verification:
    """Compare an uploaded file with every sealed endorsement on record, byte for byte.

    The sealed file's SHA-256 settles an exact match. Otherwise a sealed file
    that is the start of the upload means something was appended after
    sealing; one of the same size that differs in a few bytes means bytes
    were changed. pyHanko's own verdict on each signature in the upload is
    reported beside it either way.
    """
    digest = hashlib.sha256(data).hexdigest()
    result = _compare(data, digest)
    try:
        result.signatures = pdf.check_signatures(data, trust_root=trust_root())
    except pdf.PdfUnreadable:
        result.signatures_readable = False
    return result


def _compare(data: bytes, digest: str) -> Verification:
    sizes = sealed_endorsement_sizes()
    for pk, sealed_digest in sizes.get(len(data), []):
        if sealed_digest == digest:
            return Verification(Outcome.MATCHES, _endorsement(pk), digest, len(data))
    for size in sorted((s for s in sizes if s < len(data)), reverse=True):
        prefix = hashlib.sha256(data[:size]).hexdigest()
        for pk, sealed_digest in sizes[size]:
            if sealed_digest == prefix:
                return Verification(
                    Outcome.APPENDED,
                    _endorsement(pk),
                    digest,
                    len(data),
                    appended_bytes=len(data) - size,
                )
    # Same size, different bytes: find the sealed file it differs from least.
    best = None
    for pk, _ in sizes.get(len(data), []):
        original = bytes(Endorsement.objects.values_list("signed_pdf", flat=True).get(pk=pk))
        changed = sum(1 for a, b in zip(original, data, strict=True) if a != b)
        if best is None or changed < best[1]:
            best = (pk, changed)
    if best is not None and best[1] <= max(64, len(data) // 100):
        return Verification(
            Outcome.ALTERED, _endorsement(best[0]), digest, len(data), changed_bytes=best[1]
        )
    return Verification(Outcome.NO_MATCH, None, digest, len(data))


def _endorsement(pk: int) -> Endorsement:
    return (
        Endorsement.objects.select_related("council")
        .prefetch_related("signatories")
        .defer("document_pdf", "signed_pdf", "content")
        .get(pk=pk)
    )
