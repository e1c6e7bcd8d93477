"""Each role sees what it should, and role checks are `rules` predicates."""

import pytest
from django.template import Context, Template

from keepitlocal.models import DecisionToJoin, Membership
from keepitlocal.rules import (
    is_champion,
    is_chief_executive,
    is_council_admin,
    is_lead_member,
    is_member,
    is_network_admin,
    is_officer,
)

Role = Membership.Role
EDIT_BUTTONS = (b"Change the decision", b"Record the decision")


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_every_role_sees_the_overview_decision_and_principles(client, member, council, role):
    client.force_login(member(role))
    for url in (
        f"/councils/{council.slug}/",
        f"/councils/{council.slug}/decision/",
        f"/councils/{council.slug}/principles/",
        f"/councils/{council.slug}/principles/1/",
    ):
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
@pytest.mark.parametrize("role", [r for r in Role if r != Role.COUNCIL_ADMIN])
def test_only_council_admins_may_change_the_decision(client, member, council, role):
    client.force_login(member(role))
    page = client.get(f"/councils/{council.slug}/decision/")
    assert not any(button in page.content for button in EDIT_BUTTONS)
    assert client.get(f"/councils/{council.slug}/decision/edit/").status_code == 403
    refused = client.post(f"/councils/{council.slug}/decision/edit/", {"decision_maker": "x"})
    assert refused.status_code == 403
    assert b"Only a council admin can change the decision to join." in refused.content
    assert not DecisionToJoin.objects.filter(council=council).exists()


@pytest.mark.django_db
def test_council_admin_is_offered_the_decision_form(client, council_admin, council):
    client.force_login(council_admin)
    page = client.get(f"/councils/{council.slug}/decision/")
    assert b"Record the decision" in page.content
    assert client.get(f"/councils/{council.slug}/decision/edit/").status_code == 200


@pytest.mark.django_db
def test_network_admin_sees_a_council_but_does_not_change_its_decision(
    client, network_admin, council
):
    client.force_login(network_admin)
    assert client.get(f"/councils/{council.slug}/").status_code == 200
    assert client.get(f"/councils/{council.slug}/decision/edit/").status_code == 403


@pytest.mark.django_db
def test_role_predicates_follow_memberships(member, council, other_council, network_admin):
    predicates = {
        Role.OFFICER: is_officer,
        Role.CHAMPION: is_champion,
        Role.LEAD_MEMBER: is_lead_member,
        Role.CHIEF_EXECUTIVE: is_chief_executive,
        Role.COUNCIL_ADMIN: is_council_admin,
    }
    for role, predicate in predicates.items():
        person = member(role)
        assert predicate(person, council)
        assert is_member(person, council)
        assert not predicate(person, other_council)
        assert not is_member(person, other_council)
        assert not is_network_admin(person)
        others = [p for r, p in predicates.items() if r != role]
        assert not any(other(person, council) for other in others)
    assert is_network_admin(network_admin)
    assert not is_member(network_admin, council)
    assert network_admin.has_perm("keepitlocal.view_council", council)


@pytest.mark.django_db
def test_permissions_are_usable_in_templates(council_admin, officer, council):
    template = Template(
        "{% load rules %}{% has_perm 'keepitlocal.change_decision' person council as ok %}"
        "{% if ok %}yes{% else %}no{% endif %}"
    )
    assert template.render(Context({"person": council_admin, "council": council})) == "yes"
    assert template.render(Context({"person": officer, "council": council})) == "no"


@pytest.mark.django_db
def test_a_person_in_two_councils_has_the_role_of_each(member, council, other_council):
    person = member(Role.COUNCIL_ADMIN)
    Membership.objects.create(user=person, council=other_council, role=Role.OFFICER)
    assert person.has_perm("keepitlocal.change_decision", council)
    assert not person.has_perm("keepitlocal.change_decision", other_council)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.OFFICER, Role.COUNCIL_ADMIN])
def test_role_checks_on_a_page_add_no_queries(
    client, member, council, role, django_assert_num_queries
):
    from tests.factories import DecisionToJoinFactory

    DecisionToJoinFactory(council=council, updated_by=member(Role.CHAMPION))
    client.force_login(member(role))
    client.get(f"/councils/{council.slug}/")
    # session, user, membership with council, decision with who last changed it, its history
    with django_assert_num_queries(5):
        response = client.get(f"/councils/{council.slug}/decision/")
    assert (b"Change the decision" in response.content) == (role == Role.COUNCIL_ADMIN)
