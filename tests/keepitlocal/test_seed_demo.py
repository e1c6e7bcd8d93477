import datetime

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from champions.models import ChampionAppointment
from keepitlocal.management.commands.seed_demo import DEMO_PASSWORD
from keepitlocal.models import Council, DecisionToJoin, Membership, RecordChange, User
from principles.models import PrincipleProgress


def _sign_in_request():
    """Sign-ins are throttled per request, so authenticating needs one."""
    from django.test import RequestFactory

    return RequestFactory().post("/sign-in/")


def counts():
    return (
        Council.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        DecisionToJoin.objects.count(),
        PrincipleProgress.objects.count(),
        RecordChange.objects.count(),
        ChampionAppointment.objects.count(),
    )


@pytest.mark.django_db
def test_seed_demo_is_idempotent():
    call_command("seed_demo", stdout=None)
    first = counts()
    call_command("seed_demo")
    # The history: the decision, the progress on principle 3, the two appointments, the
    # local spend settings and the 2021-22 period.
    assert counts() == first == (2, 7, 6, 1, 1, 6, 2)


@pytest.mark.django_db
def test_seed_demo_records_east_sussexs_real_decision():
    call_command("seed_demo")
    decision = DecisionToJoin.objects.get(council__slug="east-sussex")
    assert decision.council.name == "East Sussex County Council"
    assert decision.decided_on == datetime.date(2022, 7, 26)
    assert decision.decision_maker == "Lead Member for Resources and Climate Change"
    assert decision.delegated_to == "Director of Adult Social Care and Health"
    assert len(decision.recommendations) == 5
    assert decision.recommendations[0].startswith("Agree that the county council should join")
    assert decision.partner_membership_renews_on == datetime.date(2023, 7, 26)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "council", "role"),
    [
        ("officer", "east-sussex", "officer"),
        ("champion", "east-sussex", "champion"),
        ("lead-member", "east-sussex", "lead_member"),
        ("chief-executive", "east-sussex", "chief_executive"),
        ("council-admin", "east-sussex", "council_admin"),
        ("peer-officer", "borsetshire", "officer"),
    ],
)
def test_each_demo_person_signs_in_with_the_published_password(username, council, role):
    call_command("seed_demo")
    person = authenticate(_sign_in_request(), username=username, password=DEMO_PASSWORD)
    assert person is not None
    assert list(person.memberships.values_list("council__slug", "role")) == [(council, role)]


@pytest.mark.django_db
def test_demo_network_admin_sees_every_council():
    call_command("seed_demo")
    admin = authenticate(_sign_in_request(), username="network-admin", password=DEMO_PASSWORD)
    assert admin.is_network_admin
    assert not admin.memberships.exists()


@pytest.mark.django_db
def test_seed_demo_appoints_the_champions_east_sussexs_decision_nominated():
    call_command("seed_demo")
    appointments = ChampionAppointment.objects.filter(council__slug="east-sussex")
    assert sorted((a.kind, a.person.username, a.title) for a in appointments) == [
        ("cabinet", "lead-member", "Lead Member for Resources and Climate Change"),
        ("senior_management", "champion", "Director of Adult Social Care and Health"),
    ]
    assert Council.objects.get(slug="borsetshire").shares_with_peers
    assert not Council.objects.get(slug="east-sussex").shares_with_peers


@pytest.mark.django_db
def test_the_demo_peer_has_an_approved_assessment_for_east_sussex_to_compare_with():
    from principles.assessments.models import Assessment
    from principles.assessments.selectors import network_medians

    call_command("seed_demo", stdout=None)
    call_command("seed_demo", stdout=None)
    peer = Assessment.objects.get(council__slug="borsetshire")
    assert peer.is_approved and peer.period == "2025-26"
    assert not peer.answers.filter(level__isnull=True).exists()
    assert not Assessment.objects.filter(council__slug="east-sussex").exists()
    medians = network_medians(excluding=Council.objects.get(slug="east-sussex"))
    assert medians.councils == 1 and medians.by_principle
