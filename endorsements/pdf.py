"""The endorsement as a PDF: rendered by WeasyPrint, signed and sealed by pyHanko.

How the pieces fit (docs/adr/0004, docs/adr/0009): sending renders the whole
document once, with an empty signature field for each signatory and one for the
service's seal. Each signatory's signature fills their field in an incremental
update, made with a key issued to them that moment. When the last has signed,
the seal fills its field with a summary as its appearance and signs the whole
file. Filling signature fields is the one change PDF allows after signing, so
every earlier signature stays valid and the seal covers every byte. The
certificate of completion, which lists every event, is then rendered as a
document of its own, the completion package, with the sealed endorsement and
the audit trail attached, and sealed in turn.
"""

import asyncio
import base64
import binascii
import datetime
import hashlib
import io
import itertools
import logging
import uuid
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import segno
import weasyprint
from django.template.loader import render_to_string
from pyhanko.pdf_utils import content, generic, layout
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
# Width, height in points; the CSS uses the same figures. Documents sent before issue 13
# have 120 pt tall boxes, where the appearance's text is a little smaller.
SIGNATURE_BOX = (230, 132)
# The seal's box in a document sent since issue 13: room for a summary. Documents sent
# before have a larger box, which the summary is rendered to fit instead (field_box).
SEAL_BOX = (481, 200)
SEAL_FIELD = "service-seal"
PACKAGE_SEAL_FIELD = "completion-seal"
PACKAGE_SEAL_BOX = (320, 48)
SMALLEST_TEXT = 8  # points: no text the service puts in a PDF is smaller
# Room for each signature: ECDSA P-256 with its certificate and the CA's is under 2 KB.
# Given, so pyHanko does not make a trial signature to measure it (a third of the time).
# Timestamps and revocation data inside signatures will need more (docs/adr/0009).
SIGNATURE_BYTES = 8192
# The attachments read from an uploaded file are unpacked up to this size in all.
MAX_ATTACHMENT_BYTES = 40 * 1024 * 1024


def signatory_field(position: int) -> str:
    return f"signatory-{position}"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def qr_code_svg_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2)


def png_data_uri(data: bytes | None) -> str:
    if not data:
        return ""
    return "data:image/png;base64," + base64.b64encode(bytes(data)).decode()


def _anchor_boxes(document, names) -> dict[str, tuple[int, tuple]]:
    """Where WeasyPrint laid out the elements with these ids: name -> (page, PDF box)."""
    boxes = {}
    for index, page in enumerate(document.pages):
        for name, (x1, y1, x2, y2) in page.anchors.items():
            if name in names:
                # CSS pixels from the top left; PDF points from the bottom left.
                height = page.height * PX_TO_PT
                boxes[name] = (
                    index,
                    (x1 * PX_TO_PT, height - y2 * PX_TO_PT, x2 * PX_TO_PT, height - y1 * PX_TO_PT),
                )
    return boxes


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
    names = [signatory_field(s["position"]) for s in content_snapshot["signatories"]]
    boxes = _anchor_boxes(document, {*names, SEAL_FIELD})
    pdf = document.write_pdf()
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
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


def field_box(pdf: bytes, name: str) -> tuple[int, int]:
    """The width and height, in points, of the signature field ``name``'s box."""
    reader = PdfFileReader(io.BytesIO(pdf))
    for _, _, field_ref in fields.enumerate_sig_fields(reader, with_name=name):
        field = field_ref.get_object()
        widget = field if "/Rect" in field else field["/Kids"][0].get_object()
        x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
        return round(abs(x2 - x1)), round(abs(y2 - y1))
    raise KeyError(name)


def render_appearance(template: str, context: dict, box: tuple[int, int]) -> bytes:
    """A one-page PDF the size of ``box`` from ``template``, its text 9 pt, or a little
    smaller to fit, never below SMALLEST_TEXT.

    Text that does not fit even so is never cut off: the page is made taller
    until it fits, and drawn shrunk into the box (the stamp style shrinks to
    fit), which only names far longer than any seen would need.
    """
    width, height = box
    attempts = [(size, height) for size in (9, 8.5, SMALLEST_TEXT)]
    attempts += [(SMALLEST_TEXT, height * taller) for taller in (1.25, 1.5, 2, 3, 5)]
    for font_size, page_height in attempts:
        html = render_to_string(
            template, {**context, "width": width, "height": page_height, "font_size": font_size}
        )
        document = weasyprint.HTML(string=html).render()
        if len(document.pages) == 1:
            break
    if page_height != height:
        logger.warning("%s did not fit its box at %s pt; drawn shrunk", template, SMALLEST_TEXT)
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


def _signer(credential: OneTimeCredential, authority: SigningAuthority) -> signers.SimpleSigner:
    return signers.SimpleSigner(
        signing_cert=credential.asn1_certificate,
        signing_key=credential.asn1_key,
        cert_registry=SimpleCertificateStore.from_certs([authority.asn1_certificate]),
    )


def _metadata(field_name: str, reason: str, signer_name: str) -> signers.PdfSignatureMetadata:
    return signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        name=signer_name,
    )


def _stamp_style(appearance_pdf: bytes) -> StaticStampStyle:
    """The appearance drawn as rendered: the box's own size, at full strength.

    pyHanko's defaults would draw it inside a 5 pt margin, shrunk to fit, at 60%
    opacity: smaller and paler text than the appearance was rendered with.
    """
    return StaticStampStyle(
        background=_PdfPageAppearance(appearance_pdf),
        border_width=0,
        background_opacity=1,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN,
            y_align=layout.AxisAlignment.ALIGN_MAX,
            margins=layout.Margins.uniform(0),
            inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT,
        ),
    )


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
    """``pdf`` with its empty field ``field_name`` signed by ``credential`` at
    ``signing_time``, in a new incremental revision."""
    style = _stamp_style(appearance_pdf)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    output = _PdfSignerAt(
        _metadata(field_name, reason, signer_name),
        signer=_signer(credential, authority),
        stamp_style=style,
        signing_time=signing_time,
    ).sign_pdf(writer, existing_fields_only=True, bytes_reserved=SIGNATURE_BYTES)
    return output.getvalue()


def sign_new_field(
    pdf: bytes,
    *,
    field: fields.SigFieldSpec,
    credential: OneTimeCredential,
    authority: SigningAuthority,
    appearance_pdf: bytes,
    reason: str,
    signer_name: str,
    signing_time: datetime.datetime,
) -> bytes:
    """``pdf`` (signed by nobody yet) signed in a new field, added in the same revision."""
    style = _stamp_style(appearance_pdf)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    output = _PdfSignerAt(
        _metadata(field.sig_field_name, reason, signer_name),
        signer=_signer(credential, authority),
        stamp_style=style,
        new_field_spec=field,
        signing_time=signing_time,
    ).sign_pdf(writer, existing_fields_only=False, bytes_reserved=SIGNATURE_BYTES)
    return output.getvalue()


@dataclass(frozen=True)
class Attachment:
    name: str
    data: bytes
    description: str
    relationship: str  # PDF 2.0's /AFRelationship: Source, Data, Supplement...


@dataclass(frozen=True)
class RenderedPackage:
    pdf: bytes
    seal_field: fields.SigFieldSpec


def render_completion_package(context: dict, *, attachments: list[Attachment]) -> RenderedPackage:
    """The completion package as WeasyPrint renders it, attachments embedded, not yet sealed."""
    html = render_to_string(
        "endorsements/pdf/completion_package.html",
        {
            **context,
            "qr_code": qr_code_svg_data_uri(context["doc"]["verify_url"]),
            "signature_box": SIGNATURE_BOX,
            "seal_box": PACKAGE_SEAL_BOX,
            "seal_field": PACKAGE_SEAL_FIELD,
        },
    )
    document = weasyprint.HTML(string=html).render()
    page_index, box = _anchor_boxes(document, {PACKAGE_SEAL_FIELD})[PACKAGE_SEAL_FIELD]
    pdf = document.write_pdf(
        attachments=[
            weasyprint.Attachment(
                string=a.data,
                name=a.name,
                description=a.description,
                relationship=a.relationship,
            )
            for a in attachments
        ]
    )
    return RenderedPackage(
        pdf=pdf,
        seal_field=fields.SigFieldSpec(
            sig_field_name=PACKAGE_SEAL_FIELD,
            on_page=page_index,
            box=tuple(round(v) for v in box),
        ),
    )


def _name_tree_leaves(node, *, depth: int = 0):
    """(name, value) pairs of a PDF name tree, from its /Names and its /Kids."""
    if depth > 8:  # a tree this deep is not one the service made
        return
    names = node.get("/Names", generic.ArrayObject())
    for index in range(0, len(names) - 1, 2):
        yield str(names[index]), names[index + 1]
    for kid in node.get("/Kids", generic.ArrayObject()):
        yield from _name_tree_leaves(kid.get_object(), depth=depth + 1)


def _unpacked(stream: generic.StreamObject, limit: int) -> bytes:
    """A stream's bytes, unpacked only if plain or Flate, and only up to ``limit``."""
    raw = stream.encoded_data
    filters = stream.get("/Filter")
    if filters is None:
        unpacked = raw
    elif filters in ("/FlateDecode", generic.ArrayObject(["/FlateDecode"])) and (
        "/DecodeParms" not in stream
    ):
        unpacked = zlib.decompressobj().decompress(raw, limit + 1)
    else:
        raise ValueError("not an attachment the service makes")
    if len(unpacked) > limit:
        raise ValueError("too large")
    return unpacked


def embedded_files(data: bytes) -> dict[str, bytes]:
    """The files attached to a PDF, by name.

    It reads uploads, which may be damaged or hostile: it looks at ten
    attachments at most and unpacks no more than MAX_ATTACHMENT_BYTES of them
    in all; an attachment it cannot read, or that would go over, is left out,
    and a file it cannot read at all has none.
    """
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        tree = reader.root["/Names"]["/EmbeddedFiles"]
        leaves = list(itertools.islice(_name_tree_leaves(tree.get_object()), 10))
    except Exception:  # a damaged file can fail anywhere in the reader
        return {}
    found = {}
    budget = MAX_ATTACHMENT_BYTES
    for name, spec in leaves:
        try:
            found[name] = _unpacked(spec.get_object()["/EF"]["/F"].get_object(), budget)
        except Exception:  # noqa: S112 - an unreadable attachment is one not found
            continue
        budget -= len(found[name])
    return found


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
