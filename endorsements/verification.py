"""Checking a copy of a signed endorsement against the record (the public verify page)."""

import hashlib
from dataclasses import dataclass, field

from django.db.models import TextChoices

from endorsements import audit_trail, pdf
from endorsements.ca import trust_root
from endorsements.certificate import TRAIL_FILE
from endorsements.models import Endorsement, SigningEvent
from endorsements.selectors import sealed_endorsement_sizes


class Outcome(TextChoices):
    MATCHES = "matches", "This is the signed endorsement on record"
    MATCHES_SIGNED_DOCUMENT = (
        "matches_signed_document",
        "This is the signed endorsement on record, taken out of its completion package",
    )
    APPENDED = "appended", "Something was added to this file after it was sealed"
    ALTERED = "altered", "This file has been changed since it was sealed"
    NO_MATCH = "no_match", "This file does not match any signed endorsement on record"


@dataclass
class AttachedDocument:
    """The signed endorsement found attached to an uploaded completion package."""

    name: str
    sha256: str
    on_record: bool
    signatures: list[pdf.SignatureCheck] = field(default_factory=list)
    signatures_readable: bool = True


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
    attached_document: AttachedDocument | None = None
    trail: audit_trail.TrailCheck | None = None
    trail_on_record: bool | None = None  # None: no endorsement on record to compare with

    @property
    def matches(self) -> bool:
        return self.outcome in (Outcome.MATCHES, Outcome.MATCHES_SIGNED_DOCUMENT)


def verify_copy(data: bytes) -> Verification:
    """Compare an uploaded file with every sealed endorsement on record, byte for byte.

    The sealed file's SHA-256 settles an exact match (a completion package, a
    sealed endorsement from before them, or the sealed endorsement taken out of
    its package). Otherwise a sealed file that is the start of the upload means
    something was appended after sealing; one of the same size that differs in
    a few bytes means bytes were changed. pyHanko's own verdict on each
    signature in the upload is reported beside it either way, and, for a
    package, on each signature of the endorsement attached to it, with what
    recomputing its attached audit trail finds.
    """
    digest = hashlib.sha256(data).hexdigest()
    result = _compare(data, digest)
    root = trust_root()
    try:
        result.signatures = pdf.check_signatures(data, trust_root=root)
    except pdf.PdfUnreadable:
        result.signatures_readable = False
        return result
    attachments = pdf.embedded_files(data)
    document = next(((name, d) for name, d in attachments.items() if d.startswith(b"%PDF-")), None)
    if document is not None:
        result.attached_document = _attached_document(*document, trust_root=root)
    if TRAIL_FILE in attachments:
        result.trail = audit_trail.check(attachments[TRAIL_FILE])
        if result.endorsement is not None and result.trail.intact:
            result.trail_on_record = SigningEvent.objects.filter(
                endorsement=result.endorsement,
                kind=SigningEvent.Kind.COMPLETED,
                event_hash=result.trail.last_event_hash,
            ).exists()
    return result


def _attached_document(name: str, data: bytes, *, trust_root) -> AttachedDocument:
    digest = hashlib.sha256(data).hexdigest()
    attached = AttachedDocument(
        name=name,
        sha256=digest,
        on_record=Endorsement.objects.filter(sealed_document_sha256=digest).exists(),
    )
    try:
        attached.signatures = pdf.check_signatures(data, trust_root=trust_root)
    except pdf.PdfUnreadable:
        attached.signatures_readable = False
    return attached


def _compare(data: bytes, digest: str) -> Verification:
    sizes = sealed_endorsement_sizes()
    for pk, sealed_digest in sizes.get(len(data), []):
        if sealed_digest == digest:
            return Verification(Outcome.MATCHES, _endorsement(pk), digest, len(data))
    inside = Endorsement.objects.filter(sealed_document_sha256=digest).values_list("pk").first()
    if inside is not None:
        return Verification(
            Outcome.MATCHES_SIGNED_DOCUMENT, _endorsement(inside[0]), digest, len(data)
        )
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
