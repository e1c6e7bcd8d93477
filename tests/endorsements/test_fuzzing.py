"""Random and hostile input to every endorsement form: never a server error, nothing signed."""

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from endorsements.models import Endorsement, Signatory
from tests.principles.test_fuzzing import FUZZ, hostile

pytestmark = pytest.mark.django_db


def test_prepare_form_never_fails(client, council_admin, council, decision, lead_member):
    client.force_login(council_admin)
    url = reverse("endorsements:prepare", kwargs={"council_slug": council.slug})
    fields = ["statement", "first", "second", "third", "signing_order"]

    @FUZZ
    @given(data=st.dictionaries(st.sampled_from(fields), hostile))
    def post(data):
        response = client.post(url, data)
        assert response.status_code in {200, 302}
        assert b"<script>alert(1)</script>" not in response.content

    post()


@pytest.mark.parametrize("form", ["sign", "decline"])
def test_signatory_forms_never_fail_and_never_sign(client, sent, lead_member, form):
    client.force_login(lead_member)
    url = reverse(f"endorsements:{form}", kwargs={"council_slug": sent.council.slug, "pk": sent.pk})
    fields = ["document_sha256", "password", "intent", "typed_name", "drawn_signature", "reason"]

    @FUZZ
    @given(data=st.dictionaries(st.sampled_from(fields), hostile))
    def post(data):
        response = client.post(url, data)
        assert response.status_code in {200, 302}
        assert b"<script>alert(1)</script>" not in response.content

    post()
    assert not Signatory.objects.filter(signed_at__isnull=False).exists()
    # A decline with a random reason is allowed only with the document's own hash.
    assert Endorsement.objects.get(pk=sent.pk).status == Endorsement.Status.SENT


def test_void_form_never_fails(client, council_admin, sent):
    client.force_login(council_admin)
    url = reverse("endorsements:void", kwargs={"council_slug": sent.council.slug, "pk": sent.pk})

    @FUZZ
    @given(reason=hostile)
    def post(reason):
        assert client.post(url, {"reason": reason}).status_code in {200, 302}

    post()


def test_verify_code_never_fails(client):
    @FUZZ
    @given(code=hostile)
    def check(code):
        response = client.get("/verify/", {"code": code})
        assert response.status_code == 200
        assert b"<script>alert(1)</script>" not in response.content

    check()


def test_verify_upload_never_fails(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    @FUZZ
    @given(content=st.binary(max_size=2000), prefix=st.sampled_from([b"", b"%PDF-1.7\n"]))
    def check(content, prefix):
        upload = SimpleUploadedFile("copy.pdf", prefix + content, "application/pdf")
        assert client.post("/verify/", {"file": upload}).status_code == 200

    check()
