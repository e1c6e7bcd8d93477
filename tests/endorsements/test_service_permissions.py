"""Each endorsement service checks who is asking, whatever called it, and changes nothing if
they may not. (The pages' own answers are in tests/test_permission_matrix.py.)"""

import pytest
from django.core.exceptions import PermissionDenied

from endorsements import services
from endorsements.models import Endorsement, SigningEvent
from keepitlocal.models import Membership
from tests.factories import PASSWORD, MembershipFactory

from .conftest import BASE_URL

pytestmark = pytest.mark.django_db

NOT_ADMIN = [
    Membership.Role.OFFICER,
    Membership.Role.CHAMPION,
    Membership.Role.LEAD_MEMBER,
    Membership.Role.CHIEF_EXECUTIVE,
]


@pytest.fixture
def other_councils_admin(other_council):
    return MembershipFactory(council=other_council, role=Membership.Role.COUNCIL_ADMIN).user


@pytest.mark.parametrize("role", NOT_ADMIN)
def test_only_a_council_admin_can_prepare(council, decision, member, lead_member, source, role):
    with pytest.raises(PermissionDenied, match="Only a council admin"):
        services.endorsement_prepare(
            council=council,
            by=member(role),
            statement="Prepared by someone who may not.",
            signatories=[lead_member],
            signing_order=Endorsement.SigningOrder.PARALLEL,
            source=source,
        )
    assert not Endorsement.objects.exists()
    assert not SigningEvent.objects.exists()


def test_another_councils_admin_cannot_prepare_send_or_void(
    council, decision, lead_member, prepare, send, source, other_councils_admin
):
    with pytest.raises(PermissionDenied):
        services.endorsement_prepare(
            council=council,
            by=other_councils_admin,
            statement="Not their council.",
            signatories=[lead_member],
            signing_order=Endorsement.SigningOrder.PARALLEL,
            source=source,
        )
    draft = prepare()
    with pytest.raises(PermissionDenied):
        services.endorsement_send_for_signature(
            endorsement=draft, by=other_councils_admin, source=source, base_url=BASE_URL
        )
    draft.refresh_from_db()
    assert draft.status == Endorsement.Status.DRAFT
    sent = send(draft)
    with pytest.raises(PermissionDenied):
        services.endorsement_void(
            endorsement=sent, by=other_councils_admin, reason="Not theirs", source=source
        )
    sent.refresh_from_db()
    assert sent.status == Endorsement.Status.SENT


@pytest.mark.parametrize("role", NOT_ADMIN)
def test_only_a_council_admin_can_send_or_void(prepare, send, member, source, role):
    draft = prepare()
    events = SigningEvent.objects.count()
    with pytest.raises(PermissionDenied):
        services.endorsement_send_for_signature(
            endorsement=draft, by=member(role), source=source, base_url=BASE_URL
        )
    draft.refresh_from_db()
    assert (draft.status, draft.document_sha256) == (Endorsement.Status.DRAFT, "")
    sent = send(draft)
    events = SigningEvent.objects.count()
    with pytest.raises(PermissionDenied):
        services.endorsement_void(endorsement=sent, by=member(role), reason="x", source=source)
    sent.refresh_from_db()
    assert sent.status == Endorsement.Status.SENT
    assert SigningEvent.objects.count() == events


@pytest.mark.parametrize(
    "role", [Membership.Role.COUNCIL_ADMIN, Membership.Role.OFFICER, Membership.Role.LEAD_MEMBER]
)
def test_only_a_named_signatory_can_open_sign_or_decline(sent, member, source, role):
    someone_else = member(role)
    events = SigningEvent.objects.count()
    with pytest.raises(PermissionDenied, match="not named to sign"):
        services.endorsement_record_view(endorsement=sent, by=someone_else, source=source)
    with pytest.raises(PermissionDenied, match="not named to sign"):
        services.endorsement_sign(
            endorsement=sent,
            by=someone_else,
            password=PASSWORD,
            typed_name=someone_else.get_full_name(),
            drawn_signature=None,
            opened_sha256=sent.document_sha256,
            source=source,
            base_url=BASE_URL,
        )
    with pytest.raises(PermissionDenied, match="not named to sign"):
        services.endorsement_decline(
            endorsement=sent,
            by=someone_else,
            reason="Not mine to decline",
            opened_sha256=sent.document_sha256,
            source=source,
        )
    sent.refresh_from_db()
    assert sent.status == Endorsement.Status.SENT
    assert not sent.signatories.filter(signed_at__isnull=False).exists()
    # Not even a wrong-password event: the check comes before anything is recorded.
    assert SigningEvent.objects.count() == events
