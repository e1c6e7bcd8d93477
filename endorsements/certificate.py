"""Sealing a fully signed endorsement: its seal, and the completion package (docs/adr/0009).

Nothing but signatures, validation data and timestamps may be added to a PDF
after someone has signed it, or their signature no longer validates. So the
signed endorsement gets the service's seal with a short summary as its
appearance, and the certificate of completion, which lists every event of the
signing, is a document of its own: the completion package. It shows the
endorsement as signed, then the certificate; it carries the sealed endorsement,
unchanged, and the audit trail as data (JSON with every hash of the chain) as
attachments; and the service's seal covers all of it.
"""

import datetime
from dataclasses import dataclass, field

from cryptography import x509
from django.db.models import TextChoices

from endorsements import audit_trail, pdf
from endorsements.ca import SigningAuthority, issue_one_time_credential
from endorsements.models import Endorsement, Signatory, SigningEvent

Kind = SigningEvent.Kind

# Routine events that can happen many times; a listed step of the signing (sent,
# consented, signed, completed...) never is grouped, and ends every group before it.
GROUPED_KINDS = frozenset(
    {
        Kind.VIEWED,
        Kind.REMINDED,
        Kind.EMAIL_QUEUED,
        Kind.EMAIL_FAILED,
        Kind.AUTH_FAILED,
        Kind.DOWNLOADED,
    }
)
TRAIL_FILE = "audit-trail.json"


class Relationship(TextChoices):
    """How an attachment relates to the package (PDF 2.0's /AFRelationship)."""

    SOURCE = "Source"
    DATA = "Data"


@dataclass
class Entry:
    """One line of the certificate: an event, or events that repeat it exactly."""

    event: SigningEvent
    last_at: datetime.datetime
    count: int = 1
    browser: int | None = None  # its number in the certificate's list of browsers

    @property
    def first_at(self) -> datetime.datetime:
        return self.event.at


@dataclass
class Certificate:
    """What the certificate of completion lists."""

    entries: list[Entry] = field(default_factory=list)
    browsers: list[str] = field(default_factory=list)

    @property
    def event_count(self) -> int:
        return sum(entry.count for entry in self.entries)


def _repeat_key(event: SigningEvent) -> tuple:
    """Events with the same key differ in nothing but their time."""
    return (
        event.kind,
        event.signatory_id,
        event.actor_id,
        event.actor_name,
        event.ip_address,
        event.user_agent,
        event.authentication,
        event.document_sha256,
        event.description,
    )


def certificate_of(events: list[SigningEvent]) -> Certificate:
    """Every event, in order, events that repeat exactly grouped until the next step.

    A routine event (viewed, reminded, an email, a wrong password) that repeats
    another in everything but its time joins that one's line, which counts them
    and gives the first and last time; a step of the signing (sent, signed...)
    is a line of its own and starts new groups after it, so a line never spans
    one. Every event is counted in exactly one line.
    """
    certificate = Certificate()
    browsers: dict[str, int] = {}
    open_groups: dict[tuple, Entry] = {}
    for event in events:
        if event.kind not in GROUPED_KINDS:
            open_groups.clear()
        key = _repeat_key(event)
        entry = open_groups.get(key) if event.kind in GROUPED_KINDS else None
        if entry is not None:
            entry.count += 1
            entry.last_at = event.at
            continue
        entry = Entry(event=event, last_at=event.at)
        if event.user_agent:
            entry.browser = browsers.setdefault(event.user_agent, len(browsers) + 1)
        certificate.entries.append(entry)
        if event.kind in GROUPED_KINDS:
            open_groups[key] = entry
    certificate.browsers = list(browsers)
    return certificate


def signed_document_name(endorsement: Endorsement) -> str:
    return f"{endorsement.council.slug}-endorsement-v{endorsement.version}-signed.pdf"


def _serial(signatory: Signatory) -> str:
    certificate = x509.load_pem_x509_certificate(signatory.certificate_pem.encode())
    return format(certificate.serial_number, "X")


def _signature_context(endorsement: Endorsement, signatory: Signatory) -> dict:
    return {
        "name": signatory.name,
        "role_title": f"{signatory.role_title}, {endorsement.council.name}",
        "typed_name": signatory.typed_name,
        "drawn": pdf.png_data_uri(signatory.drawn_signature),
        "signed_at": signatory.signed_at,
        "serial": _serial(signatory),
    }


def _seal_credential(authority: SigningAuthority):
    # A key of its own for each seal, used once, like every signatory's.
    return issue_one_time_credential(
        authority, name="Keep it Local", title="Service seal", organisation="Keep it Local"
    )


@dataclass(frozen=True)
class Sealed:
    document: bytes  # the signed endorsement with the seal, as the package carries it
    package: bytes  # the completion package: what is downloaded, published and checked


def seal(
    *,
    endorsement: Endorsement,
    signatories: list[Signatory],
    signed_pdf: bytes,
    events: list[SigningEvent],
    completed_at: datetime.datetime,
    authority: SigningAuthority,
) -> Sealed:
    """Seal the fully signed ``signed_pdf`` and issue it in its completion package.

    ``signatories`` have all signed, in signing order; ``events`` is the whole
    audit trail so far, the completion event last. Both seals are made at
    ``completed_at``, the completion event's time.
    """
    last = events[-1]
    summary = {
        "council": endorsement.council.name,
        "version": endorsement.version,
        "completed_at": completed_at,
        "signatories": signatories,
        "event_count": len(events),
        "first_at": events[0].at,
        "last_at": last.at,
        "last_event_hash": last.event_hash,
        "verify_url": endorsement.content["verify_url"],
        "verification_code": endorsement.verification_code_display,
    }
    document = pdf.sign_field(
        signed_pdf,
        field_name=pdf.SEAL_FIELD,
        credential=_seal_credential(authority),
        authority=authority,
        appearance_pdf=pdf.render_appearance(
            "endorsements/pdf/seal_summary.html",
            summary,
            pdf.field_box(signed_pdf, pdf.SEAL_FIELD),
        ),
        reason="Sealed by Keep it Local: signed by everyone named",
        signer_name="Keep it Local",
        signing_time=completed_at,
    )
    document_sha256 = pdf.sha256_hex(document)
    trail = audit_trail.export(
        header={
            "council": endorsement.council.name,
            "endorsement_version": endorsement.version,
            "verification_code": endorsement.verification_code,
            "document_sha256": endorsement.document_sha256,
            "signed_document": {
                "file": signed_document_name(endorsement),
                "sha256": document_sha256,
            },
            "sealed_at": completed_at.astimezone(datetime.UTC).isoformat(),
        },
        events=events,
        disclose=True,
    )
    credential = _seal_credential(authority)
    package = pdf.render_completion_package(
        {
            **summary,
            "doc": endorsement.content,
            "signatures": [_signature_context(endorsement, s) for s in signatories],
            "certificate": certificate_of(events),
            "document_sha256": endorsement.document_sha256,
            "signed_document_name": signed_document_name(endorsement),
            "signed_document_sha256": document_sha256,
            "trail_file": TRAIL_FILE,
            "trail_sha256": pdf.sha256_hex(trail),
        },
        attachments=[
            pdf.Attachment(
                name=signed_document_name(endorsement),
                data=document,
                description="The endorsement as signed and sealed, unchanged",
                relationship=Relationship.SOURCE,
            ),
            pdf.Attachment(
                name=TRAIL_FILE,
                data=trail,
                description="The audit trail: every event with its hash-chain values",
                relationship=Relationship.DATA,
            ),
        ],
    )
    sealed_package = pdf.sign_new_field(
        package.pdf,
        field=package.seal_field,
        credential=credential,
        authority=authority,
        appearance_pdf=pdf.render_appearance(
            "endorsements/pdf/package_seal.html",
            {
                "completed_at": completed_at,
                "serial": format(credential.certificate.serial_number, "X"),
            },
            pdf.PACKAGE_SEAL_BOX,
        ),
        reason="Sealed by Keep it Local with the certificate of completion",
        signer_name="Keep it Local",
        signing_time=completed_at,
    )
    return Sealed(document=document, package=sealed_package)
