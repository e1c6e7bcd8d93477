"""The endorsement as a PDF: rendered by WeasyPrint, signed and sealed by pyHanko.

How the pieces fit (docs/adr/0004): sending renders the whole document once,
with an empty signature field for each signatory and one for the service's
seal on the certificate of completion. Each signatory's signature fills their
field in an incremental update, made with a key issued to them that moment.
When the last has signed, the seal fills its field with the certificate of
completion as its appearance and signs the whole file. Filling signature
fields is the one change PDF allows after signing, so every earlier signature
stays valid and the seal covers every byte.
"""

import asyncio
import binascii
import datetime
import hashlib
import io
import logging
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import segno
import weasyprint
from django.template.loader import render_to_string
from pyhanko.pdf_utils import content
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from endorsements.ca import OneTimeCredential, SigningAuthority

logger = logging.getLogger(__name__)

PX_TO_PT = 0.75  # CSS pixels to PDF points
SIGNATURE_BOX = (230, 120)  # width, height in points; the CSS uses the same figures
SEAL_BOX = (481, 560)
SEAL_FIELD = "service-seal"


def signatory_field(position: int) -> str:
    return f"signatory-{position}"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def qr_code_svg_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2)


def render_document(content_snapshot: dict) -> bytes:
    """The endorsement as sent: WeasyPrint's PDF with empty signature fields added."""
    html = render_to_string(
        "endorsements/pdf/document.html",
        {
            "doc": content_snapshot,
            "qr_code": qr_code_svg_data_uri(content_snapshot["verify_url"]),
            "signature_box": SIGNATURE_BOX,
            "seal_box": SEAL_BOX,
        },
    )
    document = weasyprint.HTML(string=html).render()
    boxes = {}
    for index, page in enumerate(document.pages):
        for name, (x1, y1, x2, y2) in page.anchors.items():
            if name.startswith(("signatory-", SEAL_FIELD)):
                # CSS pixels from the top left; PDF points from the bottom left.
                height = page.height * PX_TO_PT
                boxes[name] = (
                    index,
                    (x1 * PX_TO_PT, height - y2 * PX_TO_PT, x2 * PX_TO_PT, height - y1 * PX_TO_PT),
                )
    pdf = document.write_pdf()
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    names = [signatory_field(s["position"]) for s in content_snapshot["signatories"]]
    for name in [*names, SEAL_FIELD]:
        page_index, box = boxes[name]
        fields.append_signature_field(
            writer,
            fields.SigFieldSpec(
                sig_field_name=name, on_page=page_index, box=tuple(round(v) for v in box)
            ),
        )
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


class _PdfPageAppearance(content.PdfContent):
    """The first page of a PDF (held in memory) as a signature's appearance."""

    def __init__(self, pdf: bytes):
        self.pdf = pdf
        super().__init__()

    def render(self) -> bytes:
        writer = self._ensure_writer
        xobject = writer.import_page_as_xobject(PdfFileReader(io.BytesIO(self.pdf)), page_ix=0)
        name = "/Appearance" + binascii.hexlify(uuid.uuid4().bytes).decode()
        self.resources.xobject[name] = xobject
        x1, y1, x2, y2 = xobject.get_object()["/BBox"]
        self.box = content.BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
        return name.encode() + b" Do"


def render_appearance(template: str, context: dict, box: tuple[int, int]) -> bytes:
    """A one-page PDF the size of ``box`` from ``template``, shrinking text to fit."""
    width, height = box
    for font_size in (9, 8, 7, 6, 5.5, 5, 4.5):
        html = render_to_string(
            template, {**context, "width": width, "height": height, "font_size": font_size}
        )
        document = weasyprint.HTML(string=html).render()
        if len(document.pages) == 1:
            break
    return document.write_pdf()


class _PdfSignerAt(signers.PdfSigner):
    """pyHanko's signer, signing at a time it is given rather than at its own ``now``.

    The time goes into the signature dictionary's /M (a PAdES signature carries
    no CMS signing-time attribute); the caller shows the same instant in the
    appearance and records it in the audit trail, so every place a signing time
    is read agrees.
    """

    def __init__(self, *args, signing_time: datetime.datetime, **kwargs):
        super().__init__(*args, **kwargs)
        self.signing_time = signing_time

    def init_signing_session(self, pdf_out, existing_fields_only=False):
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        session.system_time = self.signing_time
        return session


def sign_field(
    pdf: bytes,
    *,
    field_name: str,
    credential: OneTimeCredential,
    authority: SigningAuthority,
    appearance_pdf: bytes,
    reason: str,
    signer_name: str,
    signing_time: datetime.datetime,
) -> bytes:
    """``pdf`` with ``field_name`` signed by ``credential`` at ``signing_time``, in a new
    incremental revision."""
    signer = signers.SimpleSigner(
        signing_cert=credential.asn1_certificate,
        signing_key=credential.asn1_key,
        cert_registry=SimpleCertificateStore.from_certs([authority.asn1_certificate]),
    )
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        name=signer_name,
    )
    style = StaticStampStyle(background=_PdfPageAppearance(appearance_pdf), border_width=0)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    output = _PdfSignerAt(
        metadata, signer=signer, stamp_style=style, signing_time=signing_time
    ).sign_pdf(writer, existing_fields_only=True)
    return output.getvalue()


class PdfUnreadable(Exception):
    """The bytes are not a PDF whose signatures can be read."""


@dataclass(frozen=True)
class SignatureCheck:
    """pyHanko's verdict on one embedded signature."""

    field_name: str
    signer: str
    role: str
    signed_at: object
    intact: bool
    valid: bool
    trusted: bool
    covers_whole_file: bool
    modification: str
    bottom_line: bool

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted and self.bottom_line


def check_signatures(pdf: bytes, *, trust_root) -> list[SignatureCheck]:
    """Validate every signature in ``pdf`` against ``trust_root`` (an asn1crypto certificate)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _check_signatures(pdf, trust_root)
    # pyHanko runs its own event loop, which cannot nest inside a running one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_check_signatures, pdf, trust_root).result()


def _check_signatures(pdf: bytes, trust_root) -> list[SignatureCheck]:
    context = ValidationContext(trust_roots=[trust_root], allow_fetching=False)
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as exc:  # a damaged or hostile file can fail anywhere in the reader
        raise PdfUnreadable(str(exc)) from exc
    checks = []
    for signature in embedded:
        try:
            status = validate_pdf_signature(signature, context)
        except Exception:  # any failure to validate is a failed signature
            logger.info("Signature %s could not be validated", signature.field_name, exc_info=True)
            checks.append(
                SignatureCheck(
                    field_name=signature.field_name or "",
                    signer="",
                    role="",
                    signed_at=None,
                    intact=False,
                    valid=False,
                    trusted=False,
                    covers_whole_file=False,
                    modification="could not be checked",
                    bottom_line=False,
                )
            )
            continue
        subject = status.signing_cert.subject.native
        checks.append(
            SignatureCheck(
                field_name=signature.field_name or "",
                signer=subject.get("common_name", ""),
                role=subject.get("title", ""),
                signed_at=status.signer_reported_dt,
                intact=status.intact,
                valid=status.valid,
                trusted=status.trusted,
                covers_whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
                modification=status.modification_level.name.lower().replace("_", " ")
                if status.modification_level is not None
                else "unknown",
                bottom_line=status.bottom_line,
            )
        )
    return checks
