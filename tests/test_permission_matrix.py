"""Every URL, every role, own council and another council: the status each person gets.

The matrix is generated from the URLconf: a URL without a row in ``MATRIX`` fails, and the
failure prints the row it observed, to check and paste. Each row says, for each of ``ROLES``
in order, what a GET and an empty POST of the page *in the person's own council* answer.
Another council's page is always 404 to its members; network admins belong to no council,
so their column is what they get for any council. Anonymous visitors are sent to sign in.
"""

import pytest

from keepitlocal.models import Membership
from tests.factories import CouncilFactory, MembershipFactory, NetworkAdminFactory
from tests.urlconf import all_routes

ROLES = ["officer", "champion", "lead_member", "chief_executive", "council_admin", "network_admin"]
OPEN = {"sign-in": "200/200", "verify": "200/200"}

# name: "GET/POST" for officer, champion, lead member, chief executive, council admin, network
# admin. 200 a page (a POST with nothing in it shows the form's errors), 302 sent on (a done
# action or a sign-out), 403 not for this role, 404 not there, 405 that method is not taken.
MATRIX: dict[str, str] = {
    "home": "302/405 302/405 302/405 302/405 302/405 302/405",
    "sign-out": "405/302 405/302 405/302 405/302 405/302 405/302",
    "council-list": "200/405 200/405 200/405 200/405 200/405 200/405",
    "overview": "200/405 200/405 200/405 200/405 200/405 200/405",
    "decision": "200/405 200/405 200/405 200/405 200/405 200/405",
    "decision-edit": "403/403 403/403 403/403 403/403 200/200 403/403",
    "principles:list": "200/405 200/405 200/405 200/405 200/405 200/405",
    "principles:export": "200/405 200/405 200/405 200/405 200/405 200/405",
    "principles:detail": "200/405 200/405 200/405 200/405 200/405 200/405",
    "principles:progress-edit": "200/200 200/200 403/403 403/403 200/200 403/403",
    "principles:action-add": "200/200 200/200 403/403 403/403 200/200 403/403",
    "principles:action-edit": "200/200 200/200 403/403 403/403 200/200 403/403",
    "principles:action-remove": "200/200 200/200 403/403 403/403 200/200 403/403",
    "principles:evidence-add": "200/200 200/200 403/403 403/403 200/200 403/403",
    "principles:evidence-edit": "200/200 200/200 403/403 403/403 200/200 403/403",
    "principles:evidence-remove": "200/200 200/200 403/403 403/403 200/200 403/403",
    "principles:evidence-file": "200/405 200/405 200/405 200/405 200/405 200/405",
    "spend:index": "200/405 200/405 200/405 200/405 200/405 200/405",
    "spend:settings": "200/302 200/302 403/403 403/403 200/302 403/403",
    "spend:period-add": "200/200 200/200 403/403 403/403 200/200 403/403",
    "spend:period-edit": "200/200 200/200 403/403 403/403 200/200 403/403",
    "spend:imports": "200/405 200/405 200/405 200/405 200/405 200/405",
    "spend:import-add": "200/200 200/200 403/403 403/403 200/200 403/403",
    "spend:import": "200/302 200/302 403/403 403/403 200/302 403/403",
    "spend:import-columns": "200/200 200/200 403/403 403/403 200/200 403/403",
    "spend:import-undo": "200/302 200/302 403/403 403/403 200/302 403/403",
    "spend:suppliers": "200/405 200/405 200/405 200/405 200/405 200/405",
    "spend:suppliers-export": "200/405 200/405 200/405 200/405 200/405 200/405",
    "spend:suppliers-update": "200/200 200/200 403/403 403/403 200/200 403/403",
    "spend:supplier": "200/200 200/200 200/403 200/403 200/200 200/403",
    "assessments:index": "200/405 200/405 200/405 200/405 200/405 200/405",
    "assessments:start": "200/200 200/200 403/403 403/403 200/200 403/403",
    "assessments:detail": "200/405 200/405 200/405 200/405 200/405 200/405",
    "assessments:answers": "200/200 200/200 403/403 403/403 200/200 403/403",
    "assessments:period": "200/200 200/200 403/403 403/403 200/200 403/403",
    "assessments:delete": "200/200 200/200 403/403 403/403 200/200 403/403",
    "assessments:submit": "405/302 405/302 405/403 405/403 405/302 405/403",
    "assessments:review": "403/403 200/200 403/403 403/403 403/403 403/403",
    "assessments:results": "200/405 200/405 200/405 200/405 200/405 200/405",
    "assessments:gap-action": "405/302 405/302 405/403 405/403 405/302 405/403",
    "assessments:pdf": "200/405 200/405 200/405 200/405 200/405 200/405",
    "assessments:csv": "200/405 200/405 200/405 200/405 200/405 200/405",
    "assessments:invite": "403/403 200/200 403/403 403/403 200/200 403/403",
    "assessments:withdraw": "405/403 405/302 405/403 405/403 405/302 405/403",
    "assessments:peer-review": "403/403 200/200 403/403 403/403 403/403 403/403",
    "conversations": "200/405 200/405 200/405 200/405 200/405 200/405",
    "conversation-add": "200/200 200/200 403/403 403/403 200/200 403/403",
    "conversation": "200/405 200/405 200/405 200/405 200/405 200/405",
    "outcome-action": "200/200 200/200 403/403 403/403 200/200 403/403",
    "partners": "200/200 200/200 200/403 200/403 200/200 200/403",
    "endorsements:index": "200/405 200/405 200/405 200/405 200/405 200/405",
    "endorsements:prepare": "403/403 403/403 403/403 403/403 302/302 403/403",
    "endorsements:detail": "200/405 200/405 200/405 200/405 200/405 200/405",
    "endorsements:send": "405/403 405/403 405/403 405/403 405/302 405/403",
    "endorsements:void": "403/403 403/403 403/403 403/403 302/302 403/403",
    "endorsements:sign": "403/403 403/403 403/403 403/403 403/403 403/403",
    "endorsements:decline": "403/403 403/403 403/403 403/403 403/403 403/403",
    "endorsements:document-pdf": "200/405 200/405 200/405 200/405 200/405 200/405",
    "endorsements:signed-pdf": "200/405 200/405 200/405 200/405 200/405 200/405",
    "champions:list": "200/405 200/405 200/405 200/405 200/405 200/405",
    "champions:appoint": "403/403 403/403 403/403 403/403 200/200 403/403",
    "champions:end": "403/403 403/403 403/403 403/403 200/200 403/403",
    "champions:peers": "200/405 200/405 200/405 200/405 200/405 200/405",
    "champions:peers-export": "200/405 200/405 200/405 200/405 200/405 200/405",
    "champions:sharing": "403/403 403/403 403/403 403/403 200/200 403/403",
    "framework:index": "403/405 403/405 403/405 403/405 403/405 200/405",
    "framework:version": "403/405 403/405 403/405 403/405 403/405 200/405",
    "framework:criterion": "403/403 403/403 403/403 403/403 403/403 200/200",
    "framework:criterion-remove": "403/403 403/403 403/403 403/403 403/403 200/200",
    "framework:criterion-add": "403/403 403/403 403/403 403/403 403/403 200/200",
    "network:dashboard": "403/405 403/405 403/405 403/405 403/405 200/405",
    "network:export": "403/405 403/405 403/405 403/405 403/405 200/405",
}


def _person(role: str, council):
    if role == "network_admin":
        return NetworkAdminFactory()
    return MembershipFactory(council=council, role=role).user


def _status(client, method: str, url: str) -> int:
    response = client.get(url) if method == "GET" else client.post(url, {})
    return response.status_code


def _observed(client, route) -> str:
    cells = []
    for role in ROLES:
        statuses = []
        for method in ("GET", "POST"):
            # A council of its own for each cell, so one cell's POST cannot change another's.
            council = CouncilFactory()
            client.force_login(_person(role, council))
            kwargs = route.kwargs_for(council) if route.is_council_owned else route.kwargs_for()
            statuses.append(str(_status(client, method, route.url(kwargs))))
            client.logout()
        cells.append("/".join(statuses))
    return " ".join(cells)


@pytest.mark.django_db
@pytest.mark.parametrize("route", all_routes(), ids=lambda route: route.name)
def test_each_role_gets_what_the_matrix_says(client, route):
    observed = _observed(client, route)
    if route.name in OPEN:
        return
    assert route.name in MATRIX, f"Add to MATRIX after checking it: {route.name!r}: {observed!r},"
    assert observed == MATRIX[route.name]


@pytest.mark.django_db
@pytest.mark.parametrize("route", all_routes(), ids=lambda route: route.name)
def test_anonymous_visitors_are_sent_to_sign_in_except_on_public_pages(client, route):
    council = CouncilFactory()
    url = route.url(route.kwargs_for(council) if route.is_council_owned else route.kwargs_for())
    for method in ("GET", "POST"):
        status = _status(client, method, url)
        if route.name in OPEN:
            assert f"{status}" in OPEN[route.name].split("/")
        else:
            assert status == 302, (method, url)
    if route.name not in OPEN:
        assert client.get(url)["Location"].startswith("/sign-in/")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "route", [r for r in all_routes() if r.is_council_owned], ids=lambda route: route.name
)
@pytest.mark.parametrize("role", [role for role in ROLES if role != "network_admin"])
def test_another_councils_page_is_404_for_every_role(client, route, role):
    mine, theirs = CouncilFactory(), CouncilFactory()
    client.force_login(_person(role, mine))
    url = route.url(route.kwargs_for(theirs))
    assert (_status(client, "GET", url), _status(client, "POST", url)) == (404, 404)


def test_the_matrix_has_no_rows_for_urls_that_are_gone():
    names = {route.name for route in all_routes()}
    assert set(MATRIX) - names == set()
    assert set(OPEN) <= names
    assert set(ROLES) - {"network_admin"} == set(Membership.Role.values)
