"""Endorsements sealed before issue 13 keep verifying exactly as before.

They are loaded from the rows the old code wrote (tests/endorsements/before_issue_13.py),
with the certificate of the CA that signed them configured, as after a restore.
"""

import datetime
import itertools

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from endorsements import certificate, pdf
from endorsements.ca import signing_authority
from tests.html import page, text

from . import before_issue_13
from .pdf_tools import pdf_attachments, pdf_words

pytestmark = pytest.mark.django_db


@pytest.fixture
def sealed_before(settings):
    settings.SIGNING_CA_CERT = before_issue_13.signing_ca_certificate_pem()
    return before_issue_13.load("completed")


def upload(client, data: bytes):
    return client.post(
        reverse("verify"), {"file": SimpleUploadedFile("endorsement.pdf", data, "application/pdf")}
    )


def signature_rows(response) -> list[tuple[str, str]]:
    rows = page(response).cssselect(".govuk-table__body tr")
    return [tuple(text(cell) for cell in row.cssselect("td")) for row in rows]


def test_the_sealed_file_still_matches_with_every_signature_valid(client, sealed_before):
    response = upload(client, bytes(sealed_before.signed_pdf))

    shown = page(response)
    assert text(shown.cssselect(".govuk-panel__title")[0]) == "Matches"
    assert "On record: Fixture Completed Borough Council, endorsement version 1" in text(shown)
    assert signature_rows(response) == [
        ("Helen Marsh, Lead member", "Valid: intact and issued by Keep it Local"),
        ("David Lowe, Chief executive", "Valid: intact and issued by Keep it Local"),
        (
            "Keep it Local, Service seal",
            "Valid: intact and issued by Keep it Local; covers the whole file",
        ),
    ]


def test_pyhanko_still_finds_every_signature_intact_valid_and_trusted(sealed_before):
    checks = pdf.check_signatures(
        bytes(sealed_before.signed_pdf), trust_root=before_issue_13.signing_ca_root()
    )
    assert [c.field_name for c in checks] == ["signatory-1", "signatory-2", pdf.SEAL_FIELD]
    assert all(c.ok for c in checks)
    assert checks[-1].covers_whole_file


def test_a_byte_changed_in_it_still_does_not_match(client, sealed_before):
    sealed = bytes(sealed_before.signed_pdf)
    position = len(sealed) // 2
    changed = sealed[:position] + bytes([sealed[position] ^ 0x01]) + sealed[position + 1 :]
    client.raise_request_exception = False

    response = upload(client, changed)

    assert text(page(response).cssselect(".govuk-panel__title")[0]) == "Does not match"
    assert "1 byte differ" in text(page(response))


def test_its_verification_code_still_shows_who_signed_and_when(client, sealed_before):
    response = client.get(reverse("verify"), {"code": sealed_before.verification_code})
    shown = {
        text(row.cssselect("dt")[0]): text(row.cssselect("dd")[0])
        for row in page(response).cssselect(".govuk-summary-list__row")
    }
    for signatory in sealed_before.signatories.all():
        at = signatory.signed_at.astimezone(datetime.UTC)
        assert shown[f"{signatory.name}, {signatory.role_title}"] == (
            f"Signed {at.day} {at:%B %Y, %H:%M:%S} UTC"
        )
    assert shown["SHA-256 of the sealed PDF"] == sealed_before.signed_pdf_sha256


def test_its_audit_trail_still_recomputes_link_by_link(sealed_before):
    events = list(sealed_before.events.order_by("at", "pk"))
    assert len(events) == 12
    assert events[0].previous_hash == ""
    for earlier, later in itertools.pairwise(events):
        assert later.previous_hash == earlier.event_hash
    assert all(event.compute_hash() == event.event_hash for event in events)


def test_one_sent_before_and_signed_now_is_sealed_and_issued_with_its_certificate(client, sign):
    sent = before_issue_13.load("sent", expires_at=timezone.now() + datetime.timedelta(days=30))
    old_events = list(sent.events.order_by("at", "pk"))
    for signatory in sent.signatories.order_by("position"):
        sign(sent, signatory.user)
    sent.refresh_from_db()
    assert sent.status == "completed"

    # Its document as sent has the old, larger seal box: the summary fills that instead.
    package = bytes(sent.signed_pdf)
    document = pdf_attachments(package)[certificate.signed_document_name(sent)]
    assert pdf.field_box(document, pdf.SEAL_FIELD) == (481, 560)
    assert "The certificate of completion lists every one of them." in pdf_words(document)
    root = signing_authority().asn1_certificate
    for data in (package, document):
        checks = pdf.check_signatures(data, trust_root=root)
        assert all(c.ok for c in checks) and checks[-1].covers_whole_file

    # Its trail holds both chain formats, the old events unchanged, and recomputes.
    events = list(sent.events.filter(at__lte=sent.completed_at).order_by("at", "pk"))
    assert events[: len(old_events)] == old_events
    assert [e.chain_version for e in events] == [1] * len(old_events) + [2] * (
        len(events) - len(old_events)
    )
    assert [(e.pk, e.event_hash) for e in events[: len(old_events)]] == [
        (e.pk, e.event_hash) for e in old_events
    ]
    assert all(e.compute_hash() == e.event_hash for e in events)
    response = upload(client, package)
    assert text(page(response).cssselect(".govuk-panel__title")[0]) == "Matches"
    assert (
        f"Its {len(events)} events recompute: each event's hash is the hash of its record, and"
        " names the event before it. Its last event's hash is the one on record."
    ) in text(page(response))
