"""The network dashboard for network admins, and the peer view for a council's people."""

import csv
import datetime
import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from keepitlocal.models import Membership
from tests.factories import (
    ChampionAppointmentFactory,
    CouncilFactory,
    DecisionToJoinFactory,
    PrincipleProgressFactory,
    assessment,
    principle,
)
from tests.html import page, text

Role = Membership.Role
# session, user, the network's records version, then councils with champions, their
# stages, the principles, endorsement statuses, local spend, and the latest approved
# assessments with their scores
NETWORK_QUERIES = 10
# session, user, membership + council, the records version, then the same seven reads
PEER_QUERIES = 11


def council_rows(response) -> list[list[str]]:
    tables = page(response).cssselect("table")
    table = next(t for t in tables if "Member councils" in text(t.cssselect("caption")[0]))
    return [[text(cell) for cell in row.cssselect("th, td")] for row in table.cssselect("tbody tr")]


def names(response) -> list[str]:
    return [row[0].removesuffix(" Your council") for row in council_rows(response)]


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def network(db, council, other_council):
    """Three councils: ours (not sharing), Borsetshire (sharing) and Ambridge (not sharing)."""
    other_council.shares_with_peers = True
    other_council.save()
    ambridge = CouncilFactory(name="Ambridge Borough Council", slug="ambridge", kind="unitary")
    DecisionToJoinFactory(council=other_council, decided_on=datetime.date(2023, 4, 1))
    DecisionToJoinFactory(council=ambridge, decided_on=datetime.date(2021, 1, 15))
    PrincipleProgressFactory(council=other_council, principle=principle(3), stage="embedded")
    PrincipleProgressFactory(council=ambridge, principle=principle(3), stage="developing")
    PrincipleProgressFactory(council=ambridge, principle=principle(1), stage="established")
    ChampionAppointmentFactory(council=other_council, kind="cabinet")
    ChampionAppointmentFactory(council=other_council, kind="senior_management")
    ChampionAppointmentFactory(council=ambridge, kind="cabinet")
    ChampionAppointmentFactory(
        council=ambridge, kind="senior_management", ends_on=datetime.date(2023, 1, 1)
    )
    return {"ours": council, "borsetshire": other_council, "ambridge": ambridge}


@pytest.mark.django_db
def test_network_admin_sees_every_council_with_its_figures(client, network_admin, network):
    client.force_login(network_admin)
    response = client.get("/network/")
    assert response.status_code == 200
    rows = council_rows(response)
    assert [row[0] for row in rows] == [
        "Ambridge Borough Council",
        "Borsetshire District Council",
        "East Sussex County Council",
    ]
    assert rows[0] == [
        "Ambridge Borough Council",
        "15 Jan 2021",
        "Not recorded yet",
        "Senior management vacant",
        "Established",
        "Not started",
        "Developing",
        "Not started",
        "Not started",
        "Not started",
        "Not recorded yet",
        "Not recorded yet",
    ]
    assert rows[1][3] == "Both in post"
    assert rows[1][6] == "Embedded"
    assert rows[2][1:4] == ["Not recorded", "Not recorded yet", "Both vacant"]
    links = page(response).cssselect("tbody th a")
    assert [link.get("href") for link in links] == [
        "/councils/ambridge/",
        "/councils/borsetshire/",
        "/councils/east-sussex/",
    ]


@pytest.mark.django_db
def test_a_council_that_does_not_share_is_absent_for_peers_but_present_for_network_admins(
    client, member, network_admin, network
):
    peer = member(Role.OFFICER, of=network["borsetshire"])
    client.force_login(peer)
    seen_by_peer = client.get("/councils/borsetshire/network/")
    assert names(seen_by_peer) == ["Borsetshire District Council"]
    assert "Ambridge" not in text(page(seen_by_peer))
    assert "East Sussex" not in text(page(seen_by_peer))
    exported = csv_rows(client.get("/councils/borsetshire/network/export.csv"))
    assert [row[0] for row in exported[1:]] == ["Borsetshire District Council"]

    client.force_login(network_admin)
    assert names(client.get("/network/")) == [
        "Ambridge Borough Council",
        "Borsetshire District Council",
        "East Sussex County Council",
    ]


@pytest.mark.django_db
def test_peers_see_sharing_councils_and_their_own_but_cannot_open_the_others(
    client, officer, network
):
    client.force_login(officer)  # of East Sussex, which does not share
    response = client.get("/councils/east-sussex/network/")
    assert names(response) == ["Borsetshire District Council", "East Sussex County Council"]
    assert council_rows(response)[1][0] == "East Sussex County Council Your council"
    links = [a.get("href") for a in page(response).cssselect("tbody th a")]
    assert links == ["/councils/east-sussex/"]
    assert "does not share its progress with peer councils" in text(page(response))


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_only_network_admins_open_the_network_dashboard(client, member, network, role):
    client.force_login(member(role))
    refused = client.get("/network/")
    assert refused.status_code == 403
    assert b"Only Locality" in refused.content
    assert client.get("/network/export.csv").status_code == 403


@pytest.mark.django_db
def test_sharing_is_off_until_a_council_admin_turns_it_on(
    client, council_admin, member, council, network
):
    assert council.shares_with_peers is False
    peer = member(Role.OFFICER, of=network["borsetshire"])
    client.force_login(peer)
    assert "East Sussex" not in text(page(client.get("/councils/borsetshire/network/")))

    client.force_login(council_admin)
    form = client.get("/councils/east-sussex/network/sharing/")
    assert form.status_code == 200
    checked = page(form).cssselect("input[name=shares_with_peers][checked]")
    assert [box.get("value") for box in checked] == ["no"]
    response = client.post(
        "/councils/east-sussex/network/sharing/", {"shares_with_peers": "yes"}, follow=True
    )
    assert "Peer councils can now see your council’s progress." in text(page(response))
    council.refresh_from_db()
    assert council.shares_with_peers is True

    client.force_login(peer)
    assert "East Sussex County Council" in names(client.get("/councils/borsetshire/network/"))


@pytest.mark.django_db
def test_choosing_nothing_on_the_sharing_page_is_explained(client, council_admin, council):
    client.force_login(council_admin)
    response = client.post("/councils/east-sussex/network/sharing/", {})
    assert "Select whether to share your progress with peer councils" in text(page(response))
    assert page(response).cssselect("title")[0].text.startswith("Error: ")


@pytest.mark.django_db
@pytest.mark.parametrize("role", [role for role in Role if role != Role.COUNCIL_ADMIN])
def test_only_council_admins_change_sharing(client, member, council, role):
    client.force_login(member(role))
    assert client.get("/councils/east-sussex/network/sharing/").status_code == 403
    response = client.post("/councils/east-sussex/network/sharing/", {"shares_with_peers": "yes"})
    assert response.status_code == 403
    council.refresh_from_db()
    assert council.shares_with_peers is False


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=bors", ["Borsetshire District Council"]),
        ("kind=unitary", ["Ambridge Borough Council"]),
        ("champions=both", ["Borsetshire District Council"]),
        ("champions=vacancy", ["Ambridge Borough Council", "East Sussex County Council"]),
        ("principle=3&stage=developing", ["Ambridge Borough Council"]),
        ("principle=3&stage=not_started", ["East Sussex County Council"]),
        ("q=nothing-matches", []),
    ],
)
def test_network_admin_filters_councils(client, network_admin, network, query, expected):
    client.force_login(network_admin)
    response = client.get(f"/network/?{query}")
    if expected:
        assert names(response) == expected
    else:
        assert "No councils match these filters" in text(page(response))
    exported = csv_rows(client.get(f"/network/export.csv?{query}"))
    assert [row[0] for row in exported[1:]] == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sort=name&order=desc", ["East Sussex", "Borsetshire", "Ambridge"]),
        ("sort=joined", ["Ambridge", "Borsetshire", "East Sussex"]),
        ("sort=joined&order=desc", ["Borsetshire", "Ambridge", "East Sussex"]),
        ("sort=champions&order=desc", ["Borsetshire", "Ambridge", "East Sussex"]),
        ("sort=p3&order=desc", ["Borsetshire", "Ambridge", "East Sussex"]),
        ("sort=p1", ["Borsetshire", "East Sussex", "Ambridge"]),
        ("sort=no-such-column", ["Ambridge", "Borsetshire", "East Sussex"]),
    ],
)
def test_network_admin_sorts_by_any_column(client, network_admin, network, query, expected):
    client.force_login(network_admin)
    response = client.get(f"/network/?{query}")
    assert [name.split(" ")[0] for name in names(response)] == [
        name.split(" ")[0] for name in expected
    ]


@pytest.mark.django_db
def test_column_headings_sort_and_say_which_way(client, network_admin, network):
    client.force_login(network_admin)
    response = client.get("/network/?sort=joined&order=asc&kind=")
    table = next(t for t in page(response).cssselect("table") if "Member councils" in text(t))
    headings = table.cssselect("thead th")
    joined = next(th for th in headings if text(th) == "Joined")
    assert joined.get("aria-sort") == "ascending"
    assert "order=desc" in joined.cssselect("a")[0].get("href")
    assert "sort=joined" in joined.cssselect("a")[0].get("href")
    council_heading = headings[0]
    assert council_heading.get("aria-sort") == "none"
    assert text(headings[4]) == "Principle 1"


@pytest.mark.django_db
def test_bad_filters_are_explained_and_the_rest_still_apply(client, network_admin, network):
    client.force_login(network_admin)
    response = client.get("/network/?kind=parish&stage=embedded&q=bors")
    summary = text(page(response).cssselect(".govuk-error-summary")[0])
    assert "Select a kind of authority from the list" in summary
    assert "Select the principle the stage is for" in summary
    assert names(response) == ["Borsetshire District Council"]


@pytest.mark.django_db
def test_the_chart_shows_the_spread_of_stages_with_the_figures_in_a_table(
    client, network_admin, network
):
    client.force_login(network_admin)
    response = client.get("/network/")
    svg = page(response).cssselect("svg[role=img]")[0]
    title_id, desc_id = svg.get("aria-labelledby").split()
    assert text(svg.cssselect(f"#{title_id}")[0]) == "Spread of stages across the network"
    assert "how many of the 3 councils listed are at each stage" in text(
        svg.cssselect(f"#{desc_id}")[0]
    )
    tables = page(response).cssselect("table")
    figures = next(t for t in tables if "the figures in the chart" in text(t))
    rows = [[text(c) for c in row.cssselect("th, td")] for row in figures.cssselect("tbody tr")]
    assert rows[0] == ["Principle 1", "2", "0", "1", "0", "3"]
    assert rows[2] == ["Principle 3", "1", "1", "0", "1", "3"]
    segment_titles = [text(t) for t in svg.cssselect("g > title")]
    assert "Principle 3, Embedded: 1" in segment_titles
    assert "Principle 1, Established: 1" in segment_titles


@pytest.mark.django_db
def test_the_csv_export_has_every_column(client, network_admin, network):
    client.force_login(network_admin)
    response = client.get("/network/export.csv")
    assert 'filename="keep-it-local-network-' in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0][:6] == [
        "Council",
        "Kind of authority",
        "Joined",
        "Endorsement",
        "Cabinet champion",
        "Senior management champion",
    ]
    assert rows[0][6].startswith("Principle 1: ")
    assert rows[0][-2:] == ["Latest assessment average", "Local spend (%)"]
    assert rows[1][:8] == [
        "Ambridge Borough Council",
        "Unitary authority",
        "2021-01-15",
        "Not recorded yet",
        "In post",
        "Vacant",
        "Established",
        "Not started",
    ]


@pytest.mark.django_db
def test_a_council_name_like_a_formula_is_escaped_in_the_csv(client, network_admin):
    CouncilFactory(name="=HYPERLINK(1)", slug="formula")
    client.force_login(network_admin)
    rows = csv_rows(client.get("/network/export.csv"))
    assert rows[1][0] == "'=HYPERLINK(1)"


@pytest.mark.django_db
def test_the_table_shows_fifty_councils_a_page(client, network_admin):
    for number in range(1, 56):
        CouncilFactory(name=f"Council {number:03}", slug=f"c{number}")
    client.force_login(network_admin)
    first = client.get("/network/?sort=name&order=desc")
    assert len(council_rows(first)) == 50
    assert names(first)[0] == "Council 055"
    assert "Showing 1 to 50 of 55 councils" in text(page(first))
    next_link = page(first).cssselect("a[rel=next]")[0].get("href")
    assert "sort=name" in next_link
    second = client.get(f"/network/{next_link}")
    assert names(second) == [f"Council {n:03}" for n in range(5, 0, -1)]


def _grow(n: int) -> None:
    for number in range(n):
        council = CouncilFactory(shares_with_peers=True)
        DecisionToJoinFactory(council=council)
        for principle_number in range(1, 7):
            PrincipleProgressFactory(council=council, principle=principle(principle_number))
        ChampionAppointmentFactory(council=council, ends_on=datetime.date(2023, 1, 1))
        ChampionAppointmentFactory(council=council, starts_on=datetime.date(2023, 1, 2))
        ChampionAppointmentFactory(council=council, kind="senior_management")
        if number % 2 == 0:  # every other council has assessed its practice, twice
            assessment(council, period="2024-25", level=2, status="approved")
            assessment(council, period="2025-26", level=3, status="approved")


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_both_network_pages_cost_the_same_queries_at_any_size(client, network_admin, officer):
    counts = {}
    for size in (1, 60):
        _grow(size if size == 1 else size - 1)
        cache.clear()
        client.force_login(network_admin)
        client.get("/councils/")  # the first request after signing in records the activity
        admin = (_queries(client, "/network/"), _queries(client, "/network/"))
        client.force_login(officer)
        client.get("/councils/east-sussex/")
        peer_url = "/councils/east-sussex/network/"
        peer = (_queries(client, peer_url), _queries(client, peer_url))
        counts[size] = (admin, peer)
    # Worked out, then from the cache until some council's records change.
    expected = ((NETWORK_QUERIES, 3), (PEER_QUERIES, 4))
    assert counts[1] == counts[60] == expected, counts


@pytest.mark.django_db
def test_the_assessment_average_is_the_latest_approved_ones(client, network_admin, network):
    from django.utils import timezone

    earlier = timezone.now() - datetime.timedelta(days=365)
    assessment(network["ambridge"], period="2024-25", level=1, status="approved")
    Assessment = type(assessment(network["ambridge"], period="2025-26", level=4))
    Assessment.objects.filter(council=network["ambridge"], period="2024-25").update(
        approved_at=earlier
    )
    later = assessment(network["borsetshire"], period="2025-26", level=3, levels={6: 1})
    Assessment.objects.filter(pk=later.pk).update(status="approved", approved_at=timezone.now())
    client.force_login(network_admin)
    rows = {row[0]: row for row in council_rows(client.get("/network/"))}
    # Ambridge's 2025-26 is not approved yet, so its approved 2024-25 counts.
    assert rows["Ambridge Borough Council"][-2] == "1.0"
    # (3 * 5 + 1) / 6 = 2.67
    assert rows["Borsetshire District Council"][-2] == "2.7"
    assert rows["East Sussex County Council"][-2] == "Not recorded yet"
