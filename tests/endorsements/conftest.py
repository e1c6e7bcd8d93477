import pytest

from endorsements import services
from endorsements.models import Endorsement
from endorsements.services import EventSource
from keepitlocal.models import Membership
from tests.factories import PASSWORD, DecisionToJoinFactory, MembershipFactory

BASE_URL = "https://keepitlocal.example"


@pytest.fixture
def source():
    return EventSource(
        ip_address="192.0.2.10",
        user_agent="Mozilla/5.0 (test browser)",
        authentication=services.SIGNED_IN,
    )


@pytest.fixture
def decision(council):
    return DecisionToJoinFactory(council=council)


def _person(council, role, first, last):
    return MembershipFactory(
        council=council, role=role, user__first_name=first, user__last_name=last
    ).user


@pytest.fixture
def lead_member(council):
    return _person(council, Membership.Role.LEAD_MEMBER, "Helen", "Marsh")


@pytest.fixture
def chief_executive(council):
    return _person(council, Membership.Role.CHIEF_EXECUTIVE, "David", "Lowe")


@pytest.fixture
def prepare(council, council_admin, decision, lead_member, chief_executive, source):
    def make(order=Endorsement.SigningOrder.PARALLEL, signatories=None) -> Endorsement:
        return services.endorsement_prepare(
            council=council,
            by=council_admin,
            statement="East Sussex endorses the six principles.",
            signatories=signatories or [lead_member, chief_executive],
            signing_order=order,
            source=source,
        )

    return make


@pytest.fixture
def send(council_admin, source, django_capture_on_commit_callbacks):
    def do(endorsement) -> Endorsement:
        with django_capture_on_commit_callbacks(execute=True):
            return services.endorsement_send_for_signature(
                endorsement=endorsement, by=council_admin, source=source, base_url=BASE_URL
            )

    return do


@pytest.fixture
def sent(prepare, send):
    return send(prepare())


@pytest.fixture
def sign(source, django_capture_on_commit_callbacks):
    def do(endorsement, user, *, password=PASSWORD, typed_name=None, drawn=None, opened=None):
        with django_capture_on_commit_callbacks(execute=True):
            return services.endorsement_sign(
                endorsement=endorsement,
                by=user,
                password=password,
                typed_name=typed_name or user.get_full_name(),
                drawn_signature=drawn,
                opened_sha256=opened if opened is not None else endorsement.document_sha256,
                source=source,
                base_url=BASE_URL,
            )

    return do


@pytest.fixture
def completed(sent, sign, lead_member, chief_executive):
    sign(sent, lead_member)
    endorsement = sign(sent, chief_executive)
    endorsement.refresh_from_db()
    return endorsement
