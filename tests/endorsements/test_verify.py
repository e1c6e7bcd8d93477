"""The public verify page: anyone checks a code, or a copy of the signed PDF.

A copy matches only if it is byte for byte the sealed file: since issue 13 the
completion package (docs/adr/0009), before it the sealed endorsement, which
both still verify. Beside the page's verdict, each changed copy is also given
to pyHanko, so the tests show that the page and the digital signatures agree
about it.
"""

import datetime
import io

import pytest
import weasyprint
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields

from endorsements import certificate, pdf, services
from endorsements.ca import signing_authority
from endorsements.models import SigningEvent
from endorsements.verification import Outcome, verify_copy
from keepitlocal.models import Membership
from tests.html import page, text

from . import before_issue_13
from .pdf_tools import pdf_attachments

pytestmark = pytest.mark.django_db

VERIFY = "/verify/"
HEX_DIGITS = b"0123456789ABCDEFabcdef"
NO_MATCH = "This file does not match any signed endorsement on record"


def upload(client, data: bytes, name="endorsement.pdf", content_type="application/pdf"):
    return client.post(VERIFY, {"file": SimpleUploadedFile(name, data, content_type)})


def verdict(response) -> str:
    """The big panel's heading: "Matches" or "Does not match" (empty if there is none)."""
    titles = page(response).cssselect(".govuk-panel__title")
    return text(titles[0]) if titles else ""


def error_summary(response) -> str:
    summary = page(response).cssselect(".govuk-error-summary")
    return text(summary[0]) if summary else ""


def on_record(response) -> dict[str, str]:
    """The record the page found, as {row heading: what it says}."""
    return {
        text(row.cssselect("dt")[0]): text(row.cssselect("dd")[0])
        for row in page(response).cssselect(".govuk-summary-list__row")
    }


def flip(data: bytes, position: int) -> bytes:
    """``data`` with one byte changed; a hex digit stays a hex digit, so the file still parses."""
    byte = data[position]
    changed = bytes([byte ^ 0x01])
    if byte in HEX_DIGITS:
        changed = b"1" if byte != ord("1") else b"2"
    return data[:position] + changed + data[position + 1 :]


def pyhanko_accepts(data: bytes, *, root=None) -> bool:
    """pyHanko says every signature is fine and the last seal covers every byte of ``data``,
    and, for a completion package, the same of the sealed endorsement attached to it."""
    root = root or signing_authority().asn1_certificate
    try:
        checks = pdf.check_signatures(data, trust_root=root)
    except pdf.PdfUnreadable:
        return False
    seals = (pdf.SEAL_FIELD, pdf.PACKAGE_SEAL_FIELD)
    if not checks or checks[-1].field_name not in seals or not checks[-1].covers_whole_file:
        return False
    if not all(c.ok for c in checks):
        return False
    if checks[-1].field_name == pdf.SEAL_FIELD:
        return True
    attached = [d for d in pdf.embedded_files(data).values() if d.startswith(b"%PDF-")]
    return len(attached) == 1 and pyhanko_accepts(attached[0], root=root)


def signatures(data: bytes) -> dict:
    """Each signature field -> (start, end) of its /Contents hex string, and its CMS parts."""
    found = {}
    for signature in PdfFileReader(io.BytesIO(data)).embedded_signatures:
        _, contents_start, contents_end, _ = (int(v) for v in signature.byte_range)
        signed_attrs = signature.signer_info["signed_attrs"]
        digest = next(a for a in signed_attrs if a["type"].native == "message_digest")
        found[signature.field_name] = {
            "contents": (contents_start, contents_end),
            "signature": signature.signer_info["signature"].native,
            "message_digest": digest["values"][0].native,
        }
    return found


def inside_contents(data: bytes, field: str, part: str) -> int:
    """The position of the middle of ``part`` (the signature value or the message digest),
    as hex in the /Contents of ``field``'s signature."""
    info = signatures(data)[field]
    start, end = info["contents"]
    needle = info[part].hex().upper().encode()
    at = data.index(needle, start, end)
    return at + len(needle) // 2


def last_xref_stream(data: bytes) -> int:
    """The middle of the compressed cross-reference stream that ends the file."""
    end = data.rindex(b"endstream")
    start = data.rindex(b"stream", 0, end) + len(b"stream\n")
    return (start + end) // 2


def attachment_stream(data: bytes, name: str) -> int:
    """The middle of the compressed stream of the attachment called ``name``."""
    tree = PdfFileReader(io.BytesIO(data)).root["/Names"]["/EmbeddedFiles"]
    names = tree["/Names"]
    spec = next(names[i + 1] for i in range(0, len(names), 2) if names[i] == name)
    number = spec.get_object()["/EF"].raw_get("/F").idnum
    header = data.index(b"\n%d 0 obj" % number)
    start = data.index(b"stream\n", header) + len(b"stream\n")
    return (start + data.index(b"endstream", start)) // 2


# Each place is a function of (the sealed file, the document as sent) -> position.
# A sealed endorsement of before issue 13: the seal is the file's last signature.
SEALED_BEFORE_PLACES = {
    "the PDF version in the header": lambda d, sent: len(b"%PDF-1."),
    "the binary marker on the second line": lambda d, sent: d.index(b"\n") + 2,
    "the first page's content stream": lambda d, sent: d.index(b"stream\n") + 200,
    "the middle of the document as sent": lambda d, sent: len(sent) // 2,
    "the first signature's value": lambda d, sent: inside_contents(d, "signatory-1", "signature"),
    "the second signature's value": lambda d, sent: inside_contents(d, "signatory-2", "signature"),
    "the seal's signature value": lambda d, sent: inside_contents(d, "service-seal", "signature"),
    "the seal's message digest": lambda d, sent: inside_contents(
        d, "service-seal", "message_digest"
    ),
    "the seal's /ByteRange": lambda d, sent: d.rindex(b"/ByteRange [") + len(b"/ByteRange [0 "),
    "the startxref offset": lambda d, sent: d.rindex(b"startxref\n") + len(b"startxref\n") + 1,
    "the %%EOF marker": lambda d, sent: len(d) - len(b"OF\n"),
    "the very last byte": lambda d, sent: len(d) - 1,
}
# A completion package: its own seal, and the sealed endorsement and trail attached.
PACKAGE_PLACES = {
    "the PDF version in the header": lambda d, e: len(b"%PDF-"),
    "the binary marker on the second line": lambda d, e: d.index(b"\n") + 2,
    "the first page's content stream": lambda d, e: d.index(b"stream\n") + 200,
    "the middle of the file": lambda d, e: len(d) // 2,
    "the attached signed endorsement": lambda d, e: attachment_stream(
        d, certificate.signed_document_name(e)
    ),
    "the attached audit trail": lambda d, e: attachment_stream(d, certificate.TRAIL_FILE),
    "the seal's signature value": lambda d, e: inside_contents(
        d, pdf.PACKAGE_SEAL_FIELD, "signature"
    ),
    "the seal's message digest": lambda d, e: inside_contents(
        d, pdf.PACKAGE_SEAL_FIELD, "message_digest"
    ),
    "the seal's /ByteRange": lambda d, e: d.rindex(b"/ByteRange [") + len(b"/ByteRange [0 "),
    "the startxref offset": lambda d, e: d.rindex(b"startxref\n") + len(b"startxref\n") + 1,
    "the final cross-reference stream": lambda d, e: last_xref_stream(d),
    "the %%EOF marker": lambda d, e: len(d) - len(b"OF\n"),
    "the very last byte": lambda d, e: len(d) - 1,
}


@pytest.fixture
def signed(completed) -> bytes:
    return bytes(completed.signed_pdf)


@pytest.fixture
def sealed_before(settings):
    """An endorsement sealed by the code before issue 13, with its CA configured."""
    settings.SIGNING_CA_CERT = before_issue_13.signing_ca_certificate_pem()
    return before_issue_13.load("completed")


# Opening the page and checking a code


def test_anyone_can_open_the_verify_page_without_signing_in(client):
    response = client.get(reverse("verify"))
    assert response.status_code == 200
    assert text(page(response).cssselect("h1")[0]) == "Verify an endorsement"


@pytest.mark.parametrize(
    "typed",
    [
        lambda e: e.verification_code_display,
        lambda e: e.verification_code_display.lower(),
        lambda e: e.verification_code.lower(),
        lambda e: f"  {e.verification_code_display.lower().replace('-', ' ')} ",
    ],
    ids=["as printed", "lower case with dashes", "lower case without dashes", "with spaces"],
)
def test_a_verification_code_shows_the_council_who_signed_and_when(
    client, completed, settings, typed
):
    # Far from UTC, so a time shown in local time instead of UTC would not match.
    settings.TIME_ZONE = "Asia/Kolkata"
    response = client.get(reverse("verify"), {"code": typed(completed)})
    assert response.status_code == 200
    assert "On record: East Sussex County Council, endorsement version 1" in text(page(response))
    shown = on_record(response)
    assert list(shown)[1:3] == ["Helen Marsh, Lead member", "David Lowe, Chief executive"]
    for signatory in completed.signatories.all():
        at = signatory.signed_at.astimezone(datetime.UTC)
        assert shown[f"{signatory.name}, {signatory.role_title}"] == (
            f"Signed {at.day} {at:%B %Y, %H:%M:%S} UTC"
        )
    assert shown["SHA-256 of the sealed PDF"] == completed.signed_pdf_sha256


def test_an_unknown_code_says_no_endorsement_has_it(client, completed):
    response = client.get(reverse("verify"), {"code": "ZZZZ-ZZZZ-ZZZZ-ZZZZ"})
    assert response.status_code == 200
    assert "No endorsement has the code you entered." in text(page(response))
    assert "On record" not in text(page(response))


def test_a_voided_endorsements_code_shows_that_it_was_voided_and_why(
    client, sent, council_admin, source
):
    # The void form tells the admin that anyone checking the code will see the reason.
    services.endorsement_void(
        endorsement=sent, by=council_admin, reason="The decision was updated", source=source
    )
    response = client.get(reverse("verify"), {"code": sent.verification_code})
    assert on_record(response)["Status"] == "Voided The decision was updated"


def test_a_declined_endorsements_code_does_not_show_the_public_why_someone_declined(
    client, sent, chief_executive, source
):
    services.endorsement_decline(
        endorsement=sent,
        by=chief_executive,
        reason="I was not consulted about the local spend target",
        opened_sha256=sent.document_sha256,
        source=source,
    )
    response = client.get(reverse("verify"), {"code": sent.verification_code})
    assert on_record(response)["Status"].startswith("Declined")
    assert "I was not consulted" not in response.content.decode()


def test_another_councils_people_can_check_any_code_but_never_see_addresses_or_browsers(
    client, member, other_council, completed, signed
):
    # The audit trail holds where each step came from; the public page must not show it.
    events = SigningEvent.objects.filter(endorsement=completed)
    assert events.filter(ip_address="192.0.2.10", user_agent="Mozilla/5.0 (test browser)").exists()
    client.force_login(member(Membership.Role.OFFICER, of=other_council))

    by_code = client.get(reverse("verify"), {"code": completed.verification_code})
    by_file = upload(client, signed)

    assert "On record: East Sussex County Council" in text(page(by_code))
    assert verdict(by_file) == "Matches"
    for response in (by_code, by_file):
        html = response.content.decode()
        for event in events:
            if event.ip_address:
                assert event.ip_address not in html
            if event.user_agent:
                assert event.user_agent not in html


# Uploading a copy


def signature_tables(response) -> list[list[tuple[str, str]]]:
    """Each table of signatures on the page, as (signed by, check) rows."""
    return [
        [tuple(text(cell) for cell in row.cssselect("td")) for row in table.cssselect("tbody tr")]
        for table in page(response).cssselect("table.govuk-table")
    ]


VALID = "Valid: intact and issued by Keep it Local"
COVERS = "Valid: intact and issued by Keep it Local; covers the whole file"


def test_the_exact_signed_pdf_matches(client, completed, signed):
    response = upload(client, signed)
    assert response.status_code == 200
    assert verdict(response) == "Matches"
    shown = text(page(response))
    assert "This is the signed endorsement on record" in shown
    assert "On record: East Sussex County Council, endorsement version 1" in shown
    package_seal, attached = signature_tables(response)
    assert package_seal == [("Keep it Local, Service seal", COVERS)]
    assert attached == [
        ("Helen Marsh, Lead member", VALID),
        ("David Lowe, Chief executive", VALID),
        ("Keep it Local, Service seal", COVERS),
    ]
    assert "It is the signed endorsement on record." in shown
    events = completed.events.filter(at__lte=completed.completed_at).count()
    assert (
        f"Its {events} events recompute: each event's hash is the hash of its record, and names"
        " the event before it. Its last event's hash is the one on record."
    ) in shown
    assert pyhanko_accepts(signed)


def test_the_signed_endorsement_taken_out_of_its_package_matches(client, completed, signed):
    document = pdf_attachments(signed)[certificate.signed_document_name(completed)]

    response = upload(client, document)

    assert verdict(response) == "Matches"
    shown = text(page(response))
    assert "taken out of its completion package" in shown
    assert "On record: East Sussex County Council, endorsement version 1" in shown
    assert signature_tables(response) == [
        [
            ("Helen Marsh, Lead member", VALID),
            ("David Lowe, Chief executive", VALID),
            ("Keep it Local, Service seal", COVERS),
        ]
    ]
    assert pyhanko_accepts(document)


def assert_changed_copy_does_not_match(client, changed: bytes, *, root=None) -> None:
    client.raise_request_exception = False
    response = upload(client, changed)

    assert response.status_code == 200
    assert verdict(response) == "Does not match"
    assert "This file has been changed since it was sealed" in text(page(response))
    assert "1 byte differ" in text(page(response))
    assert not pyhanko_accepts(changed, root=root)


@pytest.mark.parametrize("place", PACKAGE_PLACES)
def test_a_copy_with_one_byte_changed_does_not_match(client, completed, signed, place):
    position = PACKAGE_PLACES[place](signed, completed)
    assert 0 <= position < len(signed)
    changed = flip(signed, position)
    assert len(changed) == len(signed) and changed != signed

    assert_changed_copy_does_not_match(client, changed)


@pytest.mark.parametrize("place", [*SEALED_BEFORE_PLACES, "the final cross-reference stream"])
def test_a_copy_sealed_before_issue_13_with_one_byte_changed_still_does_not_match(
    client, sealed_before, place
):
    signed = bytes(sealed_before.signed_pdf)
    position = (
        last_xref_stream(signed)
        if place == "the final cross-reference stream"
        else SEALED_BEFORE_PLACES[place](signed, bytes(sealed_before.document_pdf))
    )
    changed = flip(signed, position)
    assert len(changed) == len(signed) and changed != signed

    assert_changed_copy_does_not_match(client, changed, root=before_issue_13.signing_ca_root())


def test_any_one_byte_changed_anywhere_in_the_package_is_detected(signed):
    # Thirty-two places spread over the whole file, wherever they fall.
    for position in range(0, len(signed), len(signed) // 32):
        outcome = verify_copy(flip(signed, position)).outcome
        assert outcome == Outcome.ALTERED, position


def test_a_change_in_the_seals_unused_padding_does_not_match_though_pyhanko_cannot_see_it(
    client, signed
):
    # The end of the seal's /Contents is zero padding that no signature covers; only the
    # byte-for-byte comparison with the record notices a change there.
    _, end = signatures(signed)[pdf.PACKAGE_SEAL_FIELD]["contents"]
    position = end - 10
    assert signed[position : position + 8] == b"00000000"
    changed = flip(signed, position)
    assert pyhanko_accepts(changed)

    response = upload(client, changed)
    assert verdict(response) == "Does not match"
    assert "This file has been changed since it was sealed" in text(page(response))


def test_something_appended_after_sealing_is_reported_and_pyhanko_agrees(client, signed):
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    fields.append_signature_field(writer, fields.SigFieldSpec("extra", box=(10, 10, 50, 50)))
    output = io.BytesIO()
    writer.write(output)
    appended = output.getvalue()
    assert appended.startswith(signed) and len(appended) > len(signed)

    response = upload(client, appended)

    assert response.status_code == 200
    assert verdict(response) == "Does not match"
    shown = text(page(response))
    assert "Something was added to this file after it was sealed" in shown
    assert f"{len(appended) - len(signed)} bytes were added after it was sealed" in shown
    assert "On record: East Sussex County Council" in shown
    checks = pdf.check_signatures(appended, trust_root=signing_authority().asn1_certificate)
    seal = next(c for c in checks if c.field_name == pdf.PACKAGE_SEAL_FIELD)
    assert not seal.covers_whole_file
    assert not pyhanko_accepts(appended)


def test_a_document_info_change_appended_after_sealing_is_reported(client, signed):
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    writer.set_info(
        generic.DictionaryObject({pdf_name("/Title"): generic.TextStringObject("Not it")})
    )
    output = io.BytesIO()
    writer.write(output)
    appended = output.getvalue()
    assert appended.startswith(signed) and len(appended) > len(signed)

    response = upload(client, appended)
    assert verdict(response) == "Does not match"
    assert "Something was added to this file after it was sealed" in text(page(response))
    assert not pyhanko_accepts(appended)


def test_a_file_that_is_not_a_pdf_is_refused_with_a_message(client, completed):
    response = upload(
        client, b"name,amount\nA,1\n", name="endorsement.csv", content_type="text/csv"
    )
    assert response.status_code == 200
    assert "The file must be a PDF" in error_summary(response)
    assert verdict(response) == ""


def test_a_file_over_20_mb_is_refused_with_a_message(client, completed):
    too_big = b"%PDF-1.7\n" + b"0" * (20 * 1024 * 1024)
    response = upload(client, too_big)
    assert response.status_code == 200
    assert "The file must be smaller than 20 MB" in error_summary(response)
    assert verdict(response) == ""


def test_checking_without_choosing_a_file_asks_for_one(client):
    response = client.post(VERIFY, {})
    assert "Choose the PDF to check" in error_summary(response)


def test_an_unrelated_pdf_does_not_match_any_signed_endorsement(client, completed):
    other = weasyprint.HTML(string="<p>x</p>").write_pdf()
    response = upload(client, other)
    assert response.status_code == 200
    assert verdict(response) == "Does not match"
    shown = text(page(response))
    assert NO_MATCH in shown
    assert "The file has no digital signatures." in shown
    assert "On record" not in shown


@pytest.mark.parametrize(
    "keep",
    [
        lambda d, sent: len(d) - 1,
        lambda d, sent: len(d) - len(b"%%EOF\n"),
        lambda d, sent: len(d) // 2,
        lambda d, sent: len(sent),
        lambda d, sent: 2000,
    ],
    ids=[
        "without the last byte",
        "without %%EOF",
        "half the file",
        "only the document as sent",
        "the first 2000 bytes",
    ],
)
def test_a_truncated_copy_does_not_match(client, completed, signed, keep):
    truncated = signed[: keep(signed, bytes(completed.document_pdf))]
    client.raise_request_exception = False
    response = upload(client, truncated)
    assert response.status_code == 200
    assert verdict(response) == "Does not match"
    assert NO_MATCH in text(page(response))
    assert not pyhanko_accepts(truncated)


def test_a_pdf_whose_attachment_would_unpack_huge_is_checked_without_unpacking_it(client):
    # 41 MB of zeros packs into a few tens of kilobytes: more than the page will unpack.
    bomb = weasyprint.HTML(string="<p>x</p>").write_pdf(
        attachments=[
            weasyprint.Attachment(
                string=b"\0" * (pdf.MAX_ATTACHMENT_BYTES + 1024 * 1024),
                name=certificate.TRAIL_FILE,
            )
        ]
    )
    assert len(bomb) < 1024 * 1024
    assert pdf.embedded_files(bomb) == {}

    response = upload(client, bomb)

    assert response.status_code == 200
    assert verdict(response) == "Does not match"
    assert "The audit trail attached to it" not in text(page(response))
