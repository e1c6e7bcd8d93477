"""Preparing, sending and signing the endorsement, and every way signing is refused."""

import base64
import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command as run_command
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

from endorsements import certificate, pdf
from endorsements.ca import signing_authority
from endorsements.models import Endorsement, Signatory, SigningEvent
from endorsements.services import SigningRefused
from keepitlocal.models import Membership
from tests.factories import PASSWORD, MembershipFactory
from tests.html import checklist, page, text

from .conftest import BASE_URL
from .pdf_tools import pdf_attachments, pdf_text, pdf_words

pytestmark = pytest.mark.django_db


def url(name, endorsement, **extra):
    return reverse(
        f"endorsements:{name}",
        kwargs={"council_slug": endorsement.council.slug, "pk": endorsement.pk, **extra},
    )


def sign_form(endorsement, user, **overrides):
    return {
        "document_sha256": endorsement.document_sha256,
        "password": PASSWORD,
        "intent": "on",
        "typed_name": user.get_full_name(),
        "drawn_signature": "",
        **overrides,
    }


def test_council_admin_prepares_sends_and_both_sign_over_the_web(
    client,
    council,
    council_admin,
    decision,
    lead_member,
    chief_executive,
    django_capture_on_commit_callbacks,
):
    client.force_login(council_admin)
    prepare_url = reverse("endorsements:prepare", kwargs={"council_slug": council.slug})
    form = page(client.get(prepare_url))
    # By default the lead member signs first and the chief executive second.
    assert form.cssselect("#id_first option[selected]")[0].get("value") == str(lead_member.pk)
    assert form.cssselect("#id_second option[selected]")[0].get("value") == str(chief_executive.pk)
    response = client.post(
        prepare_url,
        {
            "statement": "East Sussex endorses the principles.",
            "first": lead_member.pk,
            "second": chief_executive.pk,
            "third": "",
            "signing_order": "ordered",
        },
    )
    endorsement = Endorsement.objects.get(council=council)
    assert response.status_code == 302
    assert endorsement.status == Endorsement.Status.DRAFT

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("send", endorsement))
    endorsement.refresh_from_db()
    assert endorsement.status == Endorsement.Status.SENT
    assert len(endorsement.document_sha256) == 64
    assert endorsement.document_sha256 == pdf.sha256_hex(bytes(endorsement.document_pdf))
    # Ordered signing: only the lead member is asked first.
    assert [m.to for m in mail.outbox] == [[lead_member.email]]
    assert url("sign", endorsement) in mail.outbox[0].body

    for person in (lead_member, chief_executive):
        client.force_login(person)
        opened = client.get(url("sign", endorsement))
        assert opened.status_code == 200
        assert "Think about the whole system" in text(page(opened))
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url("sign", endorsement), sign_form(endorsement, person))
        assert response.status_code == 302, text(page(response))

    endorsement.refresh_from_db()
    assert endorsement.status == Endorsement.Status.COMPLETED
    assert mail.outbox[-1].to == [council_admin.email]
    assert "has been signed by everyone" in mail.outbox[-1].body

    client.force_login(council_admin)
    download = client.get(url("signed-pdf", endorsement))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download.content == bytes(endorsement.signed_pdf)
    assert download["Content-Disposition"] == (
        'attachment; filename="east-sussex-endorsement-v1-with-certificate.pdf"'
    )

    overview = client.get(reverse("overview", kwargs={"council_slug": council.slug}))
    assert checklist(overview)["Endorsement signed"] == "Completed"


def test_every_signature_is_intact_valid_and_trusted_and_each_seal_covers_its_file(completed):
    root = signing_authority().asn1_certificate
    package = bytes(completed.signed_pdf)
    checks = pdf.check_signatures(package, trust_root=root)
    assert [(c.field_name, c.signer, c.role) for c in checks] == [
        (pdf.PACKAGE_SEAL_FIELD, "Keep it Local", "Service seal")
    ]
    assert checks[0].ok and checks[0].covers_whole_file

    # The signatures are in the sealed endorsement the package carries, as signed.
    document = pdf_attachments(package)[certificate.signed_document_name(completed)]
    assert pdf.sha256_hex(document) == completed.sealed_document_sha256
    last_signature = completed.signatories.order_by("-signed_at").first().pdf_after_signing
    assert document.startswith(bytes(last_signature))
    checks = pdf.check_signatures(document, trust_root=root)
    assert [(c.signer, c.role) for c in checks] == [
        ("Helen Marsh", "Lead member"),
        ("David Lowe", "Chief executive"),
        ("Keep it Local", "Service seal"),
    ]
    assert all(c.intact and c.valid and c.trusted and c.bottom_line for c in checks)
    assert checks[-1].covers_whole_file
    # Each signatory's signature was made over the document as it was when they signed.
    assert not any(c.covers_whole_file for c in checks[:-1])


def test_signatures_are_not_trusted_against_another_root(completed):
    from endorsements.ca import make_certificate_authority

    other_cert, _ = make_certificate_authority(name="Some other authority")
    from asn1crypto import pem, x509

    _, _, der = pem.unarmor(other_cert)
    checks = pdf.check_signatures(
        bytes(completed.signed_pdf), trust_root=x509.Certificate.load(der)
    )
    assert checks and not any(c.trusted for c in checks)


def test_each_signatory_gets_their_own_certificate_naming_them_and_their_role(completed):
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    certificates = [
        x509.load_pem_x509_certificate(s.certificate_pem.encode())
        for s in completed.signatories.order_by("position")
    ]
    names = [
        (
            c.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value,
            c.subject.get_attributes_for_oid(NameOID.TITLE)[0].value,
            c.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value,
        )
        for c in certificates
    ]
    assert names == [
        ("Helen Marsh", "Lead member", "East Sussex County Council"),
        ("David Lowe", "Chief executive", "East Sussex County Council"),
    ]
    assert certificates[0].serial_number != certificates[1].serial_number
    assert all(c.issuer == signing_authority().certificate.subject for c in certificates)


def test_signed_pdf_text_has_the_principles_both_names_and_the_certificate(completed):
    content = pdf_text(bytes(completed.signed_pdf))
    for title in (
        "Think about the whole system",
        "Co-ordinate services at a neighbourhood level",
        "Increase local spend",
        "Focus on early intervention",
        "Commit to your community",
        "Commission services simply and collaboratively",
    ):
        assert title in content
    assert content.count("Helen Marsh") >= 2 and content.count("David Lowe") >= 2
    assert "Certificate of completion" in content
    assert "Audit trail" in content and "Completed and sealed" in content
    assert completed.verification_code_display in content
    assert "192.0.2.10" in content  # the audit trail's IP addresses are in the certificate


def _shown(instant: datetime.datetime) -> datetime.datetime:
    """An instant as every place shows it: in UTC, to the second."""
    return instant.astimezone(datetime.UTC).replace(microsecond=0)


def _signature(data: bytes, field: str):
    reader = PdfFileReader(io.BytesIO(data))
    return next(s for s in reader.embedded_signatures if s.field_name == field)


def test_each_signing_time_is_one_instant_shown_the_same_everywhere(client, completed):
    signed_events = {
        e.signatory_id: e for e in completed.events.filter(kind=SigningEvent.Kind.SIGNED)
    }
    record = client.get(reverse("verify"), {"code": completed.verification_code})
    on_record = {
        text(row.cssselect("dt")[0]): text(row.cssselect("dd")[0])
        for row in page(record).cssselect(".govuk-summary-list__row")
    }
    for signatory in completed.signatories.all():
        at = signatory.signed_at
        assert signed_events[signatory.pk].at == at  # the audit event: the very same instant
        revision = bytes(signatory.pdf_after_signing)
        signature = _signature(revision, pdf.signatory_field(signatory.position))
        assert generic.parse_pdf_date(signature.sig_object["/M"]) == _shown(at)
        assert signature.self_reported_timestamp == _shown(at)  # what pyHanko reports
        words = f"Signed {_shown(at).day} {_shown(at):%B %Y, %H:%M:%S} UTC"
        assert words in pdf_text(revision)  # the signature's appearance
        assert on_record[f"{signatory.name}, {signatory.role_title}"] == words
    completed_event = completed.events.get(kind=SigningEvent.Kind.COMPLETED)
    assert completed_event.at == completed.completed_at
    package = bytes(completed.signed_pdf)
    document = pdf_attachments(package)[certificate.signed_document_name(completed)]
    sealed_at = _shown(completed.completed_at)
    for data, field in ((document, pdf.SEAL_FIELD), (package, pdf.PACKAGE_SEAL_FIELD)):
        seal = _signature(data, field)
        assert seal.self_reported_timestamp == sealed_at
        assert generic.parse_pdf_date(seal.sig_object["/M"]) == sealed_at
        assert f"{sealed_at.day} {sealed_at:%B %Y, %H:%M:%S} UTC" in pdf_text(data)
    assert on_record["Sealed"] == f"{sealed_at.day} {sealed_at:%B %Y, %H:%M:%S} UTC"


def test_a_very_long_name_is_shown_whole_in_its_signature_and_the_package(
    council, prepare, send, sign, chief_executive
):
    first, last = "Anne-Marie Philippa Georgina Henrietta", "Montgomery-Fotheringham-Smythe"
    long_named = MembershipFactory(
        council=council,
        role=Membership.Role.LEAD_MEMBER,
        user__first_name=first,
        user__last_name=last,
    ).user
    endorsement = send(prepare(signatories=[long_named, chief_executive]))
    sign(endorsement, long_named)
    sign(endorsement, chief_executive)
    endorsement.refresh_from_db()

    name = f"{first} {last}"
    revision = bytes(endorsement.signatories.get(user=long_named).pdf_after_signing)
    words = pdf_words(revision)
    assert words.count(name) >= 3  # the heading, the typed mark and the line under it
    assert f"Typed name: {name}" in words
    assert f"Typed name: {name}" in pdf_words(bytes(endorsement.signed_pdf))


def test_a_wrong_password_is_refused_and_recorded(client, sent, lead_member):
    client.force_login(lead_member)
    response = client.post(url("sign", sent), sign_form(sent, lead_member, password="wrong"))
    assert response.status_code == 200
    assert "The password is not right. Nothing has been signed." in text(page(response))
    assert "4 tries left" in text(page(response))
    assert sent.signatories.get(user=lead_member).signed_at is None
    failed = SigningEvent.objects.get(kind=SigningEvent.Kind.AUTH_FAILED)
    assert failed.actor == lead_member and failed.ip_address == "127.0.0.1"


def test_five_wrong_passwords_in_15_minutes_lock_signing(client, sent, lead_member):
    client.force_login(lead_member)
    for _ in range(5):
        client.post(url("sign", sent), sign_form(sent, lead_member, password="wrong"))
    # Even the right password is refused while locked.
    response = client.post(url("sign", sent), sign_form(sent, lead_member))
    assert "signing is locked" in text(page(response))
    assert sent.signatories.get(user=lead_member).signed_at is None
    assert SigningEvent.objects.filter(kind=SigningEvent.Kind.LOCKED_OUT).count() == 1


def test_wrong_passwords_older_than_15_minutes_do_not_lock(sent, lead_member, sign):
    old = timezone.now() - datetime.timedelta(minutes=16)
    for _ in range(5):
        SigningEvent(
            endorsement=sent,
            kind=SigningEvent.Kind.AUTH_FAILED,
            at=old,
            actor=lead_member,
            authentication="test",
        ).save()
    sign(sent, lead_member)
    assert sent.signatories.get(user=lead_member).signed_at is not None


def test_second_signatory_cannot_sign_twice(sent, lead_member, chief_executive, sign):
    sign(sent, lead_member)
    with pytest.raises(SigningRefused, match="already signed"):
        sign(sent, lead_member)
    assert SigningEvent.objects.filter(kind=SigningEvent.Kind.SIGNED).count() == 1


def test_signing_twice_over_the_web_is_refused(client, sent, lead_member, sign):
    sign(sent, lead_member)
    client.force_login(lead_member)
    response = client.post(url("sign", sent), sign_form(sent, lead_member))
    assert response.status_code == 200
    assert "You have already signed this endorsement." in text(page(response))


@pytest.mark.parametrize(
    "role", [Membership.Role.OFFICER, Membership.Role.CHAMPION, Membership.Role.COUNCIL_ADMIN]
)
def test_nobody_signs_for_someone_else(client, council, sent, role):
    intruder = MembershipFactory(council=council, role=role).user
    client.force_login(intruder)
    assert client.get(url("sign", sent)).status_code == 403
    form = sign_form(sent, intruder, typed_name="Helen Marsh")
    assert client.post(url("sign", sent), form).status_code == 403
    assert not Signatory.objects.filter(endorsement=sent, signed_at__isnull=False).exists()


def test_a_signatory_cannot_type_someone_elses_name(client, sent, lead_member):
    client.force_login(lead_member)
    response = client.post(url("sign", sent), sign_form(sent, lead_member, typed_name="D Lowe"))
    assert "Type your full name as it appears on the endorsement: Helen Marsh" in text(
        page(response)
    )
    assert sent.signatories.get(user=lead_member).signed_at is None


def test_signing_needs_the_statement_of_intent(client, sent, lead_member):
    client.force_login(lead_member)
    form = sign_form(sent, lead_member)
    del form["intent"]
    response = client.post(url("sign", sent), form)
    assert "Confirm the statement to sign the endorsement" in text(page(response))
    assert not SigningEvent.objects.filter(kind=SigningEvent.Kind.CONSENTED).exists()


def test_in_ordered_signing_the_second_cannot_sign_before_the_first(
    prepare, send, sign, lead_member, chief_executive
):
    endorsement = send(prepare(order=Endorsement.SigningOrder.ORDERED))
    with pytest.raises(SigningRefused, match=r"It is not your turn to sign yet\. Helen Marsh"):
        sign(endorsement, chief_executive)
    sign(endorsement, lead_member)
    sign(endorsement, chief_executive)
    endorsement.refresh_from_db()
    assert endorsement.status == Endorsement.Status.COMPLETED


def test_in_ordered_signing_the_second_is_emailed_only_when_it_is_their_turn(
    prepare, send, sign, lead_member, chief_executive
):
    endorsement = send(prepare(order=Endorsement.SigningOrder.ORDERED))
    assert [m.to for m in mail.outbox] == [[lead_member.email]]
    sign(endorsement, lead_member)
    assert [m.to for m in mail.outbox] == [[lead_member.email], [chief_executive.email]]


def test_in_parallel_signing_either_may_sign_first(sent, sign, lead_member, chief_executive):
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [lead_member.email, chief_executive.email]
    )
    sign(sent, chief_executive)
    sign(sent, lead_member)
    sent.refresh_from_db()
    assert sent.status == Endorsement.Status.COMPLETED


def test_a_post_for_a_document_that_changed_since_it_was_opened_is_refused(
    client, sent, lead_member
):
    client.force_login(lead_member)
    form = sign_form(sent, lead_member, document_sha256="0" * 64)
    response = client.post(url("sign", sent), form)
    assert "The endorsement has changed since you opened it" in text(page(response))
    assert sent.signatories.get(user=lead_member).signed_at is None


def test_signing_a_version_that_was_voided_since_it_was_opened_is_refused(
    client, council_admin, sent, lead_member, source
):
    from endorsements.services import endorsement_void

    client.force_login(lead_member)
    client.get(url("sign", sent))
    endorsement_void(endorsement=sent, by=council_admin, reason="Wrong statement", source=source)
    response = client.post(url("sign", sent), sign_form(sent, lead_member))
    assert "This endorsement is voided, so it can no longer be signed." in text(page(response))
    assert not Signatory.objects.filter(signed_at__isnull=False).exists()


def test_an_expired_request_cannot_be_signed(sent, sign, lead_member):
    later = sent.expires_at + datetime.timedelta(minutes=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: later)
        with pytest.raises(SigningRefused, match="time to sign this endorsement has run out"):
            sign(sent, lead_member)


def test_decline_with_a_reason_ends_the_request_and_tells_the_admin(
    client, sent, chief_executive, lead_member, council_admin, django_capture_on_commit_callbacks
):
    client.force_login(chief_executive)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("decline", sent),
            {"document_sha256": sent.document_sha256, "reason": "The statement needs rewording"},
        )
    assert response.status_code == 302
    sent.refresh_from_db()
    assert sent.status == Endorsement.Status.DECLINED
    assert sent.end_reason == "The statement needs rewording"
    assert mail.outbox[-1].to == [council_admin.email]
    assert "The statement needs rewording" in mail.outbox[-1].body
    # Nobody can sign it any more.
    client.force_login(lead_member)
    response = client.post(url("sign", sent), sign_form(sent, lead_member))
    assert "This endorsement is declined" in text(page(response))


def test_declining_needs_a_reason(client, sent, chief_executive):
    client.force_login(chief_executive)
    response = client.post(
        url("decline", sent), {"document_sha256": sent.document_sha256, "reason": "  "}
    )
    assert "Say why you are declining to sign" in text(page(response))
    sent.refresh_from_db()
    assert sent.status == Endorsement.Status.SENT


def test_council_admin_voids_with_a_reason_and_prepares_a_new_version(
    client, council, sent, council_admin, lead_member, chief_executive
):
    client.force_login(council_admin)
    response = client.post(url("void", sent), {"reason": ""})
    assert "Say why you are voiding the endorsement" in text(page(response))
    client.post(url("void", sent), {"reason": "The decision was updated"})
    sent.refresh_from_db()
    assert sent.status == Endorsement.Status.VOIDED
    response = client.post(
        reverse("endorsements:prepare", kwargs={"council_slug": council.slug}),
        {
            "statement": "Version two",
            "first": lead_member.pk,
            "second": chief_executive.pk,
            "signing_order": "parallel",
        },
    )
    assert response.status_code == 302
    assert list(Endorsement.objects.filter(council=council).values_list("version", "status")) == [
        (2, "draft"),
        (1, "voided"),
    ]


@pytest.mark.parametrize(
    "role",
    [
        Membership.Role.OFFICER,
        Membership.Role.CHAMPION,
        Membership.Role.LEAD_MEMBER,
        Membership.Role.CHIEF_EXECUTIVE,
    ],
)
def test_only_a_council_admin_prepares_sends_or_voids(client, member, sent, prepare, role):
    client.force_login(member(role))
    council_slug = sent.council.slug
    assert (
        client.get(
            reverse("endorsements:prepare", kwargs={"council_slug": council_slug})
        ).status_code
        == 403
    )
    assert client.post(url("void", sent), {"reason": "x"}).status_code == 403
    assert client.post(url("send", sent)).status_code == 403
    sent.refresh_from_db()
    assert sent.status == Endorsement.Status.SENT


def test_a_drawn_signature_appears_in_the_signed_pdf(sent, sign, lead_member):
    image = Image.new("RGBA", (300, 100), (255, 255, 255, 0))
    for x in range(20, 280):
        image.putpixel((x, 50), (11, 12, 12, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    sign(sent, lead_member, drawn=buffer.getvalue())
    signatory = sent.signatories.get(user=lead_member)
    # Kept as the pixels the person drew (re-encoded), and drawn into the PDF.
    assert Image.open(io.BytesIO(bytes(signatory.drawn_signature))).size == (300, 100)
    assert b"/Subtype /Image" in bytes(signatory.pdf_after_signing)[len(sent.document_pdf) :]


@pytest.mark.parametrize(
    "drawing",
    [
        "not a data uri",
        "data:image/png;base64,!!!!",
        "data:image/png;base64," + base64.b64encode(b"GIF89a not a png").decode(),
        "data:image/svg+xml;base64," + base64.b64encode(b"<svg/>").decode(),
    ],
)
def test_a_broken_drawn_signature_is_refused_with_a_message(client, sent, lead_member, drawing):
    client.force_login(lead_member)
    response = client.post(url("sign", sent), sign_form(sent, lead_member, drawn_signature=drawing))
    assert response.status_code == 200
    assert "The drawn signature could not be read" in text(page(response))
    assert sent.signatories.get(user=lead_member).signed_at is None


def test_the_sign_page_records_each_view(client, sent, lead_member):
    client.force_login(lead_member)
    client.get(url("sign", sent))
    client.get(url("sign", sent))
    viewed = SigningEvent.objects.filter(kind=SigningEvent.Kind.VIEWED, actor=lead_member)
    assert viewed.count() == 2
    assert sent.signatories.get(user=lead_member).viewed_at is not None


def test_reminders_every_three_days_until_signed_then_expiry(
    sent, sign, lead_member, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    now = sent.sent_at

    def call_command(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            run_command(*args, **kwargs)

    call_command("send_signing_reminders", base_url=BASE_URL, now=now + datetime.timedelta(days=2))
    assert mail.outbox == []
    call_command(
        "send_signing_reminders", base_url=BASE_URL, now=now + datetime.timedelta(days=3, minutes=1)
    )
    assert sorted(m.to[0] for m in mail.outbox if m.subject.startswith("Reminder")) == sorted(
        [lead_member.email, sent.signatories.get(position=2).user.email]
    )
    assert SigningEvent.objects.filter(kind=SigningEvent.Kind.REMINDED).count() == 2
    sign(sent, lead_member)
    mail.outbox.clear()
    call_command(
        "send_signing_reminders", base_url=BASE_URL, now=now + datetime.timedelta(days=6, minutes=2)
    )
    assert [m.to for m in mail.outbox if m.subject.startswith("Reminder")] == [
        [sent.signatories.get(position=2).user.email]
    ]
    call_command("send_signing_reminders", base_url=BASE_URL, now=now + datetime.timedelta(days=31))
    sent.refresh_from_db()
    assert sent.status == Endorsement.Status.EXPIRED
    assert any("has expired" in m.subject for m in mail.outbox)


def test_checklist_step_two_follows_the_endorsement(
    client, officer, council, prepare, send, sign, lead_member, chief_executive
):
    client.force_login(officer)
    overview = reverse("overview", kwargs={"council_slug": council.slug})
    assert checklist(client.get(overview))["Endorsement signed"] == "Not yet started"
    endorsement = prepare()
    assert checklist(client.get(overview))["Endorsement signed"] == "Incomplete"
    endorsement = send(endorsement)
    sign(endorsement, lead_member)
    assert "Out for signature." in text(page(client.get(overview)))
    sign(endorsement, chief_executive)
    assert checklist(client.get(overview))["Endorsement signed"] == "Completed"


def test_signing_without_a_configured_ca_says_so_and_signs_nothing(
    client, sent, lead_member, settings
):
    settings.SIGNING_CA_CERT = ""
    settings.SIGNING_CA_CERT_FILE = ""
    client.force_login(lead_member)
    response = client.post(url("sign", sent), sign_form(sent, lead_member))
    assert "Signing is not available at the moment" in text(page(response))
    assert sent.signatories.get(user=lead_member).signed_at is None
    assert not SigningEvent.objects.filter(kind=SigningEvent.Kind.CONSENTED).exists()
