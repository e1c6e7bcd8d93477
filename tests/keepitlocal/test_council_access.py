"""Another council's pages are a 404, for every council URL in the URLconf."""

import pytest

from keepitlocal.models import Membership
from tests.urlconf import NOT_COUNCIL_OWNED, SAMPLE_KWARGS, all_routes, council_routes

COUNCIL_ROUTES = council_routes()
OPEN_TO_THEM = {200, 302, 403, 405}


def test_every_url_is_either_council_owned_or_listed_as_not():
    unlisted = [
        route.name
        for route in all_routes()
        if not route.is_council_owned and route.name not in NOT_COUNCIL_OWNED
    ]
    assert unlisted == [], "Add these URLs to NOT_COUNCIL_OWNED with a reason, or scope them"


def test_the_urlconf_has_council_pages_to_check():
    assert {"overview", "decision", "decision-edit", "principles:list"} <= {
        route.name for route in COUNCIL_ROUTES
    }


@pytest.mark.django_db
@pytest.mark.parametrize("route", COUNCIL_ROUTES, ids=lambda route: route.name)
@pytest.mark.parametrize("role", list(Membership.Role))
def test_member_of_one_council_gets_404_for_another_councils_page(
    client, member, council, other_council, route, role
):
    person = member(role)
    client.force_login(person)
    theirs = route.kwargs_for(other_council)

    assert client.get(route.url(theirs)).status_code == 404
    assert client.post(route.url(theirs), {}).status_code == 404
    if route.names_an_object:
        # Their object's id under our own council's address is just as missing.
        ours = {**theirs, "council_slug": council.slug}
        object_params = set(theirs) - {"council_slug", *SAMPLE_KWARGS}
        missing = {**ours, **dict.fromkeys(object_params, 2_000_000_000)}
        assert client.get(route.url(ours)).status_code == 404
        # A GET-only page refuses POST before looking anything up: same answer either way.
        posted = client.post(route.url(ours), {}).status_code
        assert posted in {404, 405}
        assert posted == client.post(route.url(missing), {}).status_code
    # The same page of their own council is not hidden from them (it may be refused,
    # send them on, or take only POST, but it is there).
    assert client.get(route.url(route.kwargs_for(council))).status_code in OPEN_TO_THEM


@pytest.mark.django_db
@pytest.mark.parametrize("route", COUNCIL_ROUTES, ids=lambda route: route.name)
def test_unknown_council_is_the_same_404_as_another_councils(client, officer, route):
    client.force_login(officer)
    kwargs = route.kwargs_for(officer.memberships.get().council)
    response = client.get(route.url({**kwargs, "council_slug": "no-such-council"}))
    assert response.status_code == 404
    assert b"Page not found" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("route", COUNCIL_ROUTES, ids=lambda route: route.name)
def test_network_admin_can_open_any_councils_page(client, network_admin, other_council, route):
    client.force_login(network_admin)
    assert client.get(route.url(route.kwargs_for(other_council))).status_code in OPEN_TO_THEM


@pytest.mark.django_db
def test_another_councils_decision_is_never_changed(client, council_admin, other_council):
    from tests.factories import DecisionToJoinFactory

    theirs = DecisionToJoinFactory(council=other_council, decision_maker="Their cabinet")
    client.force_login(council_admin)
    response = client.post(
        f"/councils/{other_council.slug}/decision/edit/",
        {
            "decided_on_0": "1",
            "decided_on_1": "1",
            "decided_on_2": "2024",
            "decision_maker": "Someone else",
            "report_title": "Hijack",
            "recommendations": "Hijack",
        },
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.decision_maker == "Their cabinet"
