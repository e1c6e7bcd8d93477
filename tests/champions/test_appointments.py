"""Council admins record and end champion appointments; everyone in the council sees them."""

import datetime

import pytest
from django.utils import timezone

from champions.models import ChampionAppointment
from keepitlocal.models import Membership
from tests.factories import ChampionAppointmentFactory
from tests.html import checklist, page, text

Role = Membership.Role
CABINET = "Cabinet champion appointed"
SENIOR = "Senior management champion appointed"


def appoint_data(**overrides) -> dict:
    data = {
        "kind": "cabinet",
        "person": "",
        "person_name": "Councillor Rupert Simmons",
        "title": "Lead Member for Resources and Climate Change",
        "starts_on_0": "26",
        "starts_on_1": "7",
        "starts_on_2": "2022",
        "decision": "Lead Member decision of 26 July 2022",
        "decision_url": "https://democracy.example.gov.uk/decision",
    }
    return {**data, **overrides}


@pytest.fixture
def champions_url(council):
    return f"/councils/{council.slug}/champions/"


@pytest.mark.django_db
def test_council_admin_appoints_a_named_cabinet_champion(
    client, council_admin, council, champions_url, overview_url
):
    client.force_login(council_admin)
    response = client.post(f"{champions_url}appoint/", appoint_data(), follow=True)

    body = text(page(response))
    assert "Councillor Rupert Simmons recorded as cabinet champion." in body
    appointment = ChampionAppointment.objects.get(council=council)
    assert appointment.person is None
    assert appointment.starts_on == datetime.date(2022, 7, 26)
    assert appointment.ends_on is None
    assert appointment.created_by == council_admin
    assert "Lead Member decision of 26 July 2022" in body
    steps = checklist(client.get(overview_url))
    assert steps[CABINET] == "Completed"
    assert steps[SENIOR] == "Not yet started"


@pytest.mark.django_db
def test_a_person_of_the_council_can_be_the_senior_management_champion(
    client, council_admin, member, council, champions_url, overview_url
):
    director = member(Role.CHAMPION)
    client.force_login(council_admin)
    client.post(
        f"{champions_url}appoint/",
        appoint_data(
            kind="senior_management",
            person=director.pk,
            person_name="",
            title="Director of Adult Social Care and Health",
        ),
    )
    appointment = ChampionAppointment.objects.get(council=council, kind="senior_management")
    assert appointment.person == director
    response = client.get(overview_url)
    assert checklist(response)[SENIOR] == "Completed"
    assert f"{director}, Director of Adult Social Care and Health, since 26 July 2022" in text(
        page(response)
    )


@pytest.mark.django_db
def test_appointing_a_successor_ends_the_current_appointment_the_day_before(
    client, council_admin, council, champions_url
):
    first = ChampionAppointmentFactory(council=council, person_name="Councillor Old")
    client.force_login(council_admin)
    response = client.post(
        f"{champions_url}appoint/",
        appoint_data(person_name="Councillor New", starts_on_1="5", starts_on_2="2025"),
        follow=True,
    )
    first.refresh_from_db()
    assert first.ends_on == datetime.date(2025, 5, 25)
    assert first.ended_by == council_admin
    body = text(page(response))
    assert "Councillor Old’s appointment ended on 25 May 2025." in body
    history = page(response).cssselect("table")[0]
    rows = [text(row) for row in history.cssselect("tbody tr")]
    assert rows[0].startswith("Councillor New In post")
    assert "Councillor Old" in rows[1]
    assert "25 May 2025" in rows[1]


@pytest.mark.django_db
def test_an_overlapping_past_appointment_is_refused_and_nothing_changes(
    client, council_admin, council, champions_url
):
    current = ChampionAppointmentFactory(council=council, person_name="Councillor Now")
    client.force_login(council_admin)
    response = client.post(
        f"{champions_url}appoint/",
        appoint_data(
            person_name="Councillor Before",
            starts_on_2="2021",
            ends_on_0="1",
            ends_on_1="1",
            ends_on_2="2023",
        ),
    )
    assert response.status_code == 200
    summary = text(page(response).cssselect(".govuk-error-summary")[0])
    assert (
        "These dates overlap Councillor Now’s appointment as cabinet champion from "
        "26 July 2022" in summary
    )
    assert page(response).cssselect("title")[0].text.startswith("Error: ")
    assert ChampionAppointment.objects.filter(council=council).count() == 1
    current.refresh_from_db()
    assert current.ends_on is None


@pytest.mark.django_db
def test_a_past_appointment_before_the_current_one_is_kept_as_history(
    client, council_admin, council, champions_url, overview_url
):
    ChampionAppointmentFactory(council=council, person_name="Councillor Now")
    client.force_login(council_admin)
    client.post(
        f"{champions_url}appoint/",
        appoint_data(
            person_name="Councillor Before",
            starts_on_2="2019",
            ends_on_0="25",
            ends_on_1="7",
            ends_on_2="2022",
        ),
    )
    assert ChampionAppointment.objects.filter(council=council).count() == 2
    body = text(page(client.get(champions_url)))
    assert "Councillor Before" in body
    assert "Councillor Now" in text(page(client.get(overview_url)))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"person_name": ""}, "Choose a person of the council or enter their name"),
        ({"kind": ""}, "Select which champion this is"),
        ({"title": ""}, "Enter their title"),
        ({"starts_on_0": "31", "starts_on_1": "2"}, "The start date must be a real date"),
        (
            {"ends_on_0": "1", "ends_on_1": "1", "ends_on_2": "2020"},
            "The end date must be on or after the start date",
        ),
        ({"decision_url": "not a link"}, "Enter the link in the correct format"),
    ],
)
def test_mistakes_in_an_appointment_are_explained_on_the_page(
    client, council_admin, council, champions_url, overrides, message
):
    client.force_login(council_admin)
    response = client.post(f"{champions_url}appoint/", appoint_data(**overrides))
    assert response.status_code == 200
    assert message in text(page(response).cssselect(".govuk-error-summary")[0])
    assert not ChampionAppointment.objects.exists()


@pytest.mark.django_db
def test_a_person_and_a_name_together_are_refused(client, council_admin, council, champions_url):
    client.force_login(council_admin)
    response = client.post(f"{champions_url}appoint/", appoint_data(person=council_admin.pk))
    assert "Choose a person of the council or enter a name, not both" in text(page(response))
    assert not ChampionAppointment.objects.exists()


@pytest.mark.django_db
def test_someone_from_another_council_cannot_be_appointed(
    client, council_admin, member, other_council, champions_url
):
    outsider = member(Role.OFFICER, of=other_council)
    client.force_login(council_admin)
    response = client.post(
        f"{champions_url}appoint/", appoint_data(person=outsider.pk, person_name="")
    )
    assert "Select a person from the list" in text(page(response))
    assert not ChampionAppointment.objects.exists()


@pytest.mark.django_db
def test_ending_an_appointment_leaves_the_post_vacant_and_reopens_the_step(
    client, council_admin, council, champions_url, overview_url
):
    appointment = ChampionAppointmentFactory(council=council, person_name="Councillor Gone")
    client.force_login(council_admin)
    end_url = f"{champions_url}{appointment.pk}/end/"
    assert client.get(end_url).status_code == 200
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = client.post(
        end_url,
        {"ends_on_0": yesterday.day, "ends_on_1": yesterday.month, "ends_on_2": yesterday.year},
        follow=True,
    )
    appointment.refresh_from_db()
    assert appointment.ends_on == yesterday
    assert appointment.ended_by == council_admin
    assert "Vacant" in text(page(response))
    overview = client.get(overview_url)
    assert checklist(overview)[CABINET] == "Incomplete"
    today = timezone.localdate()
    assert f"Vacant since {today.day} {today:%B %Y}" in text(page(overview))


@pytest.mark.django_db
def test_an_appointment_cannot_end_before_it_started(client, council_admin, council, champions_url):
    appointment = ChampionAppointmentFactory(council=council)
    client.force_login(council_admin)
    response = client.post(
        f"{champions_url}{appointment.pk}/end/",
        {"ends_on_0": "1", "ends_on_1": "1", "ends_on_2": "2020"},
    )
    assert "The last day in post must be on or after 26 July 2022" in text(page(response))
    appointment.refresh_from_db()
    assert appointment.ends_on is None


@pytest.mark.django_db
def test_an_ended_appointment_cannot_be_ended_again(client, council_admin, council, champions_url):
    appointment = ChampionAppointmentFactory(council=council, ends_on=datetime.date(2024, 3, 31))
    client.force_login(council_admin)
    response = client.post(
        f"{champions_url}{appointment.pk}/end/",
        {"ends_on_0": "1", "ends_on_1": "4", "ends_on_2": "2025"},
    )
    assert "This appointment already ended on 31 March 2024" in text(page(response))
    appointment.refresh_from_db()
    assert appointment.ends_on == datetime.date(2024, 3, 31)


@pytest.mark.django_db
def test_an_appointment_starting_later_shows_the_post_vacant_until_then(
    client, officer, council, champions_url, overview_url
):
    starts = timezone.localdate() + datetime.timedelta(days=10)
    ChampionAppointmentFactory(council=council, person_name="Councillor Soon", starts_on=starts)
    client.force_login(officer)
    response = client.get(overview_url)
    assert checklist(response)[CABINET] == "Not yet started"
    assert f"Councillor Soon starts on {starts.day} {starts:%B %Y}" in text(page(response))


@pytest.mark.django_db
@pytest.mark.parametrize("role", [role for role in Role if role != Role.COUNCIL_ADMIN])
def test_only_council_admins_record_or_end_appointments(
    client, member, council, champions_url, role
):
    appointment = ChampionAppointmentFactory(council=council)
    client.force_login(member(role))
    listing = client.get(champions_url)
    assert listing.status_code == 200
    assert appointment.person_name in text(page(listing))
    assert b"Appoint a cabinet champion" not in listing.content
    assert b"End appointment" not in listing.content
    assert client.get(f"{champions_url}appoint/").status_code == 403
    assert client.post(f"{champions_url}appoint/", appoint_data()).status_code == 403
    end_url = f"{champions_url}{appointment.pk}/end/"
    refused = client.post(end_url, {"ends_on_0": "1", "ends_on_1": "1", "ends_on_2": "2025"})
    assert refused.status_code == 403
    assert b"Only a council admin can record champion appointments." in refused.content
    assert ChampionAppointment.objects.get().ends_on is None


@pytest.mark.django_db
def test_network_admin_sees_champions_but_does_not_change_them(
    client, network_admin, council, champions_url
):
    ChampionAppointmentFactory(council=council, person_name="Councillor Seen")
    client.force_login(network_admin)
    assert "Councillor Seen" in text(page(client.get(champions_url)))
    assert client.post(f"{champions_url}appoint/", appoint_data()).status_code == 403


@pytest.mark.django_db
def test_the_service_refuses_someone_without_the_role(officer, council):
    from django.core.exceptions import PermissionDenied

    from champions.services import champion_appoint

    with pytest.raises(PermissionDenied):
        champion_appoint(
            council=council,
            by=officer,
            kind="cabinet",
            person_name="Councillor X",
            title="Leader",
            starts_on=datetime.date(2024, 1, 1),
        )
    assert not ChampionAppointment.objects.exists()
