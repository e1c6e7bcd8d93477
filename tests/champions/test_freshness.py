"""A cached dashboard never shows a page older than the last change to the records behind it."""

import datetime

import pytest
from django.utils import timezone

from champions.freshness import council_records_version, network_records_version
from champions.models import RecordsVersion
from champions.signals import _councils_of
from keepitlocal.models import Membership
from principles.models import Principle
from tests.factories import (
    ActionFactory,
    ChampionAppointmentFactory,
    CouncilFactory,
    DecisionToJoinFactory,
    OutcomeFactory,
    PrincipleProgressFactory,
    principle,
)
from tests.html import checklist, page, text

Role = Membership.Role


def body(client, url: str) -> str:
    return text(page(client.get(url)))


def _conversation_recorded(council):
    """A conversation recorded through its service, so it shows in the recent activity."""
    from keepitlocal.services import community_conversation_record
    from tests.factories import MembershipFactory

    community_conversation_record(
        council=council,
        by=MembershipFactory(council=council, role=Role.OFFICER).user,
        held_on=datetime.date(2026, 3, 5),
        title="Rye town meeting",
        partners=[],
        people_count=None,
        summary="",
        principles=[],
        outcomes=[],
    )


def councils_table(client) -> str:
    tables = page(client.get("/network/")).cssselect("table")
    return next(text(t) for t in tables if "Member councils" in text(t))


@pytest.mark.django_db
def test_a_new_champion_shows_on_a_dashboard_already_viewed(client, officer, council, overview_url):
    client.force_login(officer)
    assert checklist(client.get(overview_url))["Cabinet champion appointed"] == "Not yet started"
    ChampionAppointmentFactory(council=council, person_name="Councillor Fresh")
    response = client.get(overview_url)
    assert checklist(response)["Cabinet champion appointed"] == "Completed"
    assert "Councillor Fresh" in text(page(response))


@pytest.mark.django_db
def test_progress_saved_from_its_page_shows_on_the_dashboard(
    client, officer, council, overview_url
):
    client.force_login(officer)
    assert "Embedded" not in body(client, overview_url)
    client.post(
        f"/councils/{council.slug}/principles/2/progress/",
        {"version": "0", "stage": "embedded", "rag": "green", "narrative": "", "next_steps": ""},
    )
    assert "Embedded" in body(client, overview_url)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make", "shows"),
    [
        (
            lambda c: ActionFactory(
                council=c, title="Chase late invoices", due_on=timezone.localdate()
            ),
            "Chase late invoices",
        ),
        (_conversation_recorded, "Rye town meeting"),
        (lambda c: DecisionToJoinFactory(council=c), "Was due for renewal on 26 July 2023"),
    ],
)
def test_each_kind_of_record_refreshes_the_dashboard(
    client, officer, council, overview_url, make, shows
):
    client.force_login(officer)
    assert shows not in body(client, overview_url)
    make(council)
    assert shows in body(client, overview_url)


@pytest.mark.django_db
def test_deleting_a_record_refreshes_the_dashboard(client, officer, council, overview_url):
    appointment = ChampionAppointmentFactory(council=council, person_name="Councillor Gone")
    client.force_login(officer)
    assert "Councillor Gone" in body(client, overview_url)
    appointment.delete()
    assert "Councillor Gone" not in body(client, overview_url)


@pytest.mark.django_db
def test_a_renamed_principle_refreshes_every_dashboard(client, officer, overview_url):
    client.force_login(officer)
    body(client, overview_url)
    renamed = Principle.objects.get(number=1)
    renamed.title = "Think about the whole place"
    renamed.save()
    assert "1. Think about the whole place" in body(client, overview_url)


@pytest.mark.django_db
def test_a_renamed_person_shows_under_their_new_name(client, officer, council, overview_url):
    ChampionAppointmentFactory(council=council, person=officer, person_name="")
    client.force_login(officer)
    assert str(officer) in body(client, overview_url)
    officer.first_name, officer.last_name = "Renamed", "Person"
    officer.save()
    assert "Renamed Person" in body(client, overview_url)


@pytest.mark.django_db
def test_another_councils_change_leaves_this_dashboard_cached(council, other_council):
    before = council_records_version(council)
    ActionFactory(council=other_council)
    assert council_records_version(council) == before


@pytest.mark.django_db
def test_signing_in_does_not_count_as_a_change(council, officer):
    before = council_records_version(council)
    officer.last_login = timezone.now()
    officer.save(update_fields=["last_login"])
    assert council_records_version(council) == before


@pytest.mark.django_db
def test_any_councils_change_refreshes_the_network_dashboard(
    client, network_admin, council, other_council
):
    client.force_login(network_admin)
    assert "Embedded" not in councils_table(client)
    PrincipleProgressFactory(council=other_council, principle=principle(4), stage="embedded")
    assert "Embedded" in councils_table(client)
    CouncilFactory(name="Newly Joined Borough Council", slug="newly-joined")
    assert "Newly Joined Borough Council" in body(client, "/network/")


@pytest.mark.django_db
def test_a_council_that_stops_sharing_leaves_peers_views_at_once(
    client, member, council, other_council
):
    council.shares_with_peers = True
    council.save()
    peer = member(Role.OFFICER, of=other_council)
    client.force_login(peer)
    url = f"/councils/{other_council.slug}/network/"
    assert "East Sussex County Council" in body(client, url)
    council.shares_with_peers = False
    council.save()
    assert "East Sussex County Council" not in body(client, url)


@pytest.mark.django_db
def test_a_council_admins_sharing_link_is_not_served_to_other_roles(
    client, council_admin, officer, council
):
    url = f"/councils/{council.slug}/network/"
    client.force_login(council_admin)
    assert "Change whether your council shares" in body(client, url)
    client.force_login(officer)
    assert "Change whether your council shares" not in body(client, url)


@pytest.mark.django_db
def test_records_one_step_from_a_council_change_its_version(council):
    outcome = OutcomeFactory(conversation__council=council)
    assert _councils_of(outcome) == {council.pk}
    before = council_records_version(council)
    outcome.text = "Changed"
    outcome.save()
    assert council_records_version(council) != before


@pytest.mark.django_db
def test_a_deleted_council_changes_the_network_version(other_council):
    before, pk = network_records_version(), other_council.pk
    other_council.delete()
    assert network_records_version() != before
    assert RecordsVersion.objects.filter(council_id=pk).exists()


@pytest.mark.django_db
def test_tomorrow_the_dashboard_is_worked_out_again(
    client, officer, council, overview_url, monkeypatch
):
    ActionFactory(
        council=council, title="Due tomorrow", due_on=timezone.localdate() + datetime.timedelta(1)
    )
    client.force_login(officer)
    assert "Overdue (0)" in body(client, overview_url)
    later = timezone.localdate() + datetime.timedelta(days=2)
    monkeypatch.setattr(timezone, "localdate", lambda *args: later)
    assert "Overdue (1)" in body(client, overview_url)


def _medians(client, url: str) -> list[str]:
    rows = page(client.get(url)).cssselect("table")
    for table in rows:
        headers = [text(th) for th in table.cssselect("thead th")]
        if "Network median" in headers:
            column = headers.index("Network median")
            return [text(row.cssselect("th, td")[column]) for row in table.cssselect("tbody tr")]
    raise AssertionError("No table with a network median")


@pytest.mark.django_db
def test_a_peer_that_stops_sharing_leaves_every_dashboard_at_once(
    client, officer, council, overview_url, member
):
    """Seen: after a peer turned sharing off, the dashboard kept its scores for ten minutes."""
    from champions.services import council_sharing_update
    from tests.factories import assessment

    assessment(council, level=2, status="approved")
    peer = CouncilFactory(name="Borsetshire District Council", shares_with_peers=True)
    assessment(peer, level=4, status="approved")
    client.force_login(officer)
    assert set(_medians(client, overview_url)) == {"4.0"}  # the peer's scores

    council_sharing_update(
        council=peer,
        by=member(Role.COUNCIL_ADMIN, of=peer),
        shares_with_peers=False,
    )
    assert set(_medians(client, overview_url)) == {"–"}

    council_sharing_update(
        council=peer, by=member(Role.COUNCIL_ADMIN, of=peer), shares_with_peers=True
    )
    assert set(_medians(client, overview_url)) == {"4.0"}


@pytest.mark.django_db
def test_a_peer_joining_or_leaving_the_network_changes_every_dashboard_at_once(
    client, officer, council, overview_url
):
    from tests.factories import assessment

    assessment(council, level=2, status="approved")
    client.force_login(officer)
    assert set(_medians(client, overview_url)) == {"–"}
    peer = CouncilFactory(shares_with_peers=True)
    assessment(peer, level=3, status="approved")
    assert set(_medians(client, overview_url)) == {"3.0"}
    peer.delete()
    assert set(_medians(client, overview_url)) == {"–"}
