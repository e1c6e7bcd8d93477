import pytest

from keepitlocal.models import Membership


@pytest.fixture
def person_in_two_councils(member, council, other_council):
    person = member(Membership.Role.OFFICER)
    Membership.objects.create(user=person, council=other_council, role=Membership.Role.CHAMPION)
    return person


@pytest.mark.django_db
def test_person_in_two_councils_chooses_which_to_work_on(
    client, person_in_two_councils, council, other_council
):
    client.force_login(person_in_two_councils)
    assert client.get("/")["Location"] == "/councils/"
    page = client.get("/councils/").content.decode()
    assert council.name in page and other_council.name in page
    assert "Officer" in page and "Champion" in page


@pytest.mark.django_db
def test_switching_council_changes_where_home_goes(
    client, person_in_two_councils, council, other_council
):
    client.force_login(person_in_two_councils)
    overview = client.get(f"/councils/{other_council.slug}/")
    assert overview.status_code == 200
    assert other_council.name.encode() in overview.content
    assert client.get("/")["Location"] == f"/councils/{other_council.slug}/"
    client.get(f"/councils/{council.slug}/")
    assert client.get("/")["Location"] == f"/councils/{council.slug}/"
    assert b'aria-current="true">East Sussex' in client.get("/councils/").content


@pytest.mark.django_db
def test_person_in_one_council_goes_straight_to_it(client, officer, council):
    client.force_login(officer)
    assert client.get("/")["Location"] == f"/councils/{council.slug}/"


@pytest.mark.django_db
def test_person_with_no_council_is_told_to_ask_for_access(client, django_user_model):
    person = django_user_model.objects.create_user("newcomer", password="x")
    client.force_login(person)
    page = client.get("/", follow=True)
    assert b"You are not a member of any council yet" in page.content


@pytest.mark.django_db
def test_council_list_never_shows_someone_elses_council(client, officer, other_council):
    client.force_login(officer)
    assert other_council.name.encode() not in client.get("/councils/").content


@pytest.mark.django_db
def test_network_admin_can_switch_to_any_council(client, network_admin, council, other_council):
    client.force_login(network_admin)
    page = client.get("/councils/").content.decode()
    assert council.name in page and other_council.name in page
