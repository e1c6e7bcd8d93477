"""The endorsement end to end in a browser: prepare, send, sign twice, download, verify.

axe-core checks every page of the flow, error states included.
"""

import pytest

from endorsements import certificate, pdf
from endorsements.ca import signing_authority
from keepitlocal.management.commands.seed_demo import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, sign_in
from tests.endorsements.pdf_tools import pdf_attachments, pdf_text

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()


def sign_as(page, username: str, full_name: str, *, draw: bool) -> None:
    sign_in(page, username, DEMO_PASSWORD)
    page.get_by_role("link", name="Endorsement", exact=True).click()
    assert_accessible(page)
    page.get_by_role("link", name="Read and sign").click()
    assert page.get_by_text("Think about the whole system, not individual service silos").count()
    assert_accessible(page)

    # A wrong password first: refused on the page, nothing signed.
    page.get_by_label("Your password").fill("not my password")
    page.get_by_label("I have read this endorsement in full").check()
    page.get_by_label("Your full name").fill(full_name)
    page.get_by_role("button", name="Sign endorsement").click()
    assert page.get_by_role("link", name="The password is not right").is_visible()
    assert_accessible(page)

    page.get_by_label("Your password").fill(DEMO_PASSWORD)
    page.get_by_label("I have read this endorsement in full").check()
    if draw:
        canvas = page.locator("canvas")
        canvas.scroll_into_view_if_needed()
        box = canvas.bounding_box()
        page.mouse.move(box["x"] + 20, box["y"] + box["height"] / 2)
        page.mouse.down()
        for step in range(1, 20):
            page.mouse.move(box["x"] + 20 + step * 12, box["y"] + 30 + (step % 4) * 10)
        page.mouse.up()
        assert page.get_by_text("Your drawn signature will be added.").is_visible()
    page.get_by_role("button", name="Sign endorsement").click()
    assert page.get_by_text("You have signed the endorsement. Thank you.").is_visible()
    assert_accessible(page)
    sign_out(page)


def test_admin_sends_both_sign_and_anyone_verifies_the_pdf(page, browser, live_server, demo):
    sign_in(page, "council-admin", DEMO_PASSWORD)
    page.get_by_role("link", name="Endorsement", exact=True).click()
    assert_accessible(page)
    page.get_by_role("link", name="Prepare the endorsement").click()
    assert_accessible(page)
    page.get_by_label("Statement of endorsement").fill("")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_role("link", name="Enter the statement of endorsement").is_visible()
    assert_accessible(page)
    page.get_by_label("Statement of endorsement").fill(
        "East Sussex County Council endorses the six Keep it Local principles."
    )
    page.get_by_label("One after the other, in the order listed").check()
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("The draft endorsement has been saved.").is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Send for signature").click()
    assert page.get_by_text("Its content is now fixed.").is_visible()
    assert_accessible(page)
    sign_out(page)

    sign_as(page, "lead-member", "Helen Marsh", draw=True)
    sign_as(page, "chief-executive", "David Lowe", draw=False)

    sign_in(page, "council-admin", DEMO_PASSWORD)
    page.get_by_role("link", name="Endorsement", exact=True).click()
    assert page.get_by_text("Signed", exact=True).first.is_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    signed = download.value.path().read_bytes()
    page.get_by_role("link", name="View version 1 and its audit trail").click()
    assert page.get_by_role("table", name="Audit trail").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Overview", exact=True).click()
    step = page.locator(".govuk-task-list__item", has_text="Endorsement signed")
    assert "Completed" in step.inner_text()

    from endorsements.models import Endorsement

    assert signed == bytes(Endorsement.objects.get().signed_pdf)
    root = signing_authority().asn1_certificate
    checks = pdf.check_signatures(signed, trust_root=root)
    assert [c.signer for c in checks] == ["Keep it Local"]  # the completion package's seal
    assert all(c.ok for c in checks) and checks[-1].covers_whole_file
    endorsement = Endorsement.objects.get()
    document = pdf_attachments(signed)[certificate.signed_document_name(endorsement)]
    checks = pdf.check_signatures(document, trust_root=root)
    assert [c.signer for c in checks] == ["Helen Marsh", "David Lowe", "Keep it Local"]
    assert all(c.ok for c in checks) and checks[-1].covers_whole_file
    text = pdf_text(signed)
    assert "Increase local spend to invest in the local economy" in text
    assert "Certificate of completion" in text and "Helen Marsh" in text and "David Lowe" in text

    # Anyone, not signed in, checks the file and its code.
    public = browser.new_context(base_url=live_server.url).new_page()
    public.goto("/verify/")
    assert_accessible(public)
    public.get_by_label("Upload a copy of the PDF").set_input_files(
        files=[{"name": "endorsement.pdf", "mimeType": "application/pdf", "buffer": signed}]
    )
    public.get_by_role("button", name="Check file").click()
    assert public.get_by_role("heading", name="Matches").is_visible()
    assert public.get_by_text("This is the signed endorsement on record").is_visible()
    assert public.get_by_text("It is the signed endorsement on record.").is_visible()
    public.get_by_text("How to recompute the audit trail's hashes").click()
    assert public.get_by_text("must be the event's event_hash").is_visible()
    assert_accessible(public)

    # The signed endorsement taken out of the package matches too.
    public.get_by_label("Upload a copy of the PDF").set_input_files(
        files=[{"name": "signed.pdf", "mimeType": "application/pdf", "buffer": document}]
    )
    public.get_by_role("button", name="Check file").click()
    assert public.get_by_role("heading", name="Matches").is_visible()
    assert public.get_by_text("taken out of its completion package").first.is_visible()
    assert_accessible(public)

    tampered = bytearray(signed)
    tampered[len(tampered) // 2] ^= 0x01
    public.get_by_label("Upload a copy of the PDF").set_input_files(
        files=[{"name": "copy.pdf", "mimeType": "application/pdf", "buffer": bytes(tampered)}]
    )
    public.get_by_role("button", name="Check file").click()
    assert public.get_by_role("heading", name="Does not match").is_visible()
    assert_accessible(public)

    public.get_by_role("button", name="Check file").click()
    assert public.get_by_role("link", name="Choose the PDF to check").is_visible()
    assert_accessible(public)

    from endorsements.models import Endorsement

    code = Endorsement.objects.get().verification_code_display
    public.get_by_label("Verification code").fill(code.lower())
    public.get_by_role("button", name="Check code").click()
    assert public.get_by_role(
        "heading", name="On record: East Sussex County Council, endorsement version 1"
    ).is_visible()
    assert public.get_by_text("Helen Marsh, Lead member").is_visible()
    assert_accessible(public)


def test_declining_and_voiding_pages_are_accessible(page, demo):
    from endorsements import services
    from keepitlocal.models import Council, User

    council = Council.objects.get(slug="east-sussex")
    admin = User.objects.get(username="council-admin")
    signatories = [User.objects.get(username=u) for u in ("lead-member", "chief-executive")]
    endorsement = services.endorsement_prepare(
        council=council,
        by=admin,
        statement="East Sussex County Council endorses the six Keep it Local principles.",
        signatories=signatories,
        signing_order="parallel",
        source=services.EventSource(),
    )
    services.endorsement_send_for_signature(
        endorsement=endorsement, by=admin, source=services.EventSource(), base_url="http://x"
    )

    sign_in(page, "council-admin", DEMO_PASSWORD)
    page.goto(f"/councils/east-sussex/endorsement/{endorsement.pk}/")
    page.get_by_role("link", name="Void endorsement").click()
    assert_accessible(page)
    page.get_by_role("button", name="Void endorsement").click()
    assert page.get_by_role("link", name="Say why you are voiding the endorsement").is_visible()
    assert_accessible(page)
    sign_out(page)

    sign_in(page, "lead-member", DEMO_PASSWORD)
    page.goto(f"/councils/east-sussex/endorsement/{endorsement.pk}/sign/")
    page.get_by_role("link", name="Decline to sign").click()
    assert_accessible(page)
    page.get_by_role("button", name="Decline to sign").click()
    assert page.get_by_role("link", name="Say why you are declining to sign").is_visible()
    assert_accessible(page)
    page.get_by_label("Why are you declining to sign?").fill("The statement needs our new plan.")
    page.get_by_role("button", name="Decline to sign").click()
    assert page.get_by_text("You have declined to sign.").is_visible()
    assert page.get_by_text("Declined", exact=True).first.is_visible()
    assert_accessible(page)
