import datetime

import pytest

from keepitlocal.models import Membership
from principles.models import Action
from principles.services import action_create
from tests.factories import ActionFactory, MembershipFactory, principle
from tests.html import page, text


def action_data(version=0, **overrides):
    return {
        "version": str(version),
        "title": "Publish a local spend dashboard",
        "description": "",
        "owner": "",
        "owner_name": "Sussex Community Development Association",
        "due_on_0": "31",
        "due_on_1": "3",
        "due_on_2": "2030",
        "status": "not_started",
        "completed_on_0": "",
        "completed_on_1": "",
        "completed_on_2": "",
        **overrides,
    }


@pytest.fixture
def add_url(council):
    return f"/councils/{council.slug}/principles/3/actions/add/"


@pytest.mark.django_db
def test_officer_adds_an_action_with_a_partner_owner(client, officer, council, add_url):
    client.force_login(officer)
    response = client.post(add_url, action_data(), follow=True)
    assert "Action “Publish a local spend dashboard” added." in text(page(response))
    action = Action.objects.get(council=council)
    assert action.owner_name == "Sussex Community Development Association"
    assert action.due_on == datetime.date(2030, 3, 31)


@pytest.mark.django_db
def test_past_due_date_is_allowed_but_flagged(client, officer, council, add_url):
    client.force_login(officer)
    response = client.post(add_url, action_data(due_on_2="2020"), follow=True)
    body = text(page(response))
    assert "already overdue" in body
    assert "Overdue" in body
    assert Action.objects.filter(council=council).count() == 1


@pytest.mark.django_db
def test_owner_must_be_a_person_of_this_council(client, officer, council, other_council, add_url):
    outsider = MembershipFactory(council=other_council).user
    client.force_login(officer)
    response = client.post(add_url, action_data(owner=str(outsider.pk), owner_name=""))
    assert "Select a person from the list" in text(page(response))
    assert not Action.objects.exists()


@pytest.mark.django_db
def test_owner_is_a_person_or_a_partner_not_both(client, officer, council, add_url):
    client.force_login(officer)
    response = client.post(add_url, action_data(owner=str(officer.pk)))
    assert "not both" in text(page(response))


@pytest.mark.django_db
def test_marking_done_records_the_completed_date(client, officer, council):
    action = ActionFactory(council=council, version=1)
    client.force_login(officer)
    client.post(
        f"/councils/{council.slug}/principles/3/actions/{action.pk}/",
        action_data(version=1, status="done", owner_name=""),
    )
    action.refresh_from_db()
    assert action.status == "done"
    assert action.completed_on is not None
    assert action.version == 2


@pytest.mark.django_db
def test_two_people_changing_one_action_the_second_is_refused(client, member, council):
    first, second = member(Membership.Role.OFFICER), member(Membership.Role.CHAMPION)
    action = action_create(council=council, principle=principle(3), by=first, title="Original")
    url = f"/councils/{council.slug}/principles/3/actions/{action.pk}/"
    client.force_login(first)
    client.post(url, action_data(version=1, title="First's title", owner_name=""))
    client.force_login(second)
    response = client.post(url, action_data(version=1, title="Second's title", owner_name=""))
    html = page(response)
    assert "Title: from “Original” to “First's title”" in text(html.cssselect("#edit-conflict")[0])
    assert html.cssselect("#id_title")[0].get("value") == "Second's title"
    action.refresh_from_db()
    assert action.title == "First's title"


@pytest.mark.django_db
def test_grid_counts_open_and_overdue_actions(client, officer, council):
    ActionFactory(council=council, due_on=datetime.date(2020, 1, 1))
    ActionFactory(council=council, due_on=datetime.date(2020, 1, 1), status="done")
    ActionFactory(council=council, due_on=datetime.date(2099, 1, 1))
    client.force_login(officer)
    row = page(client.get(f"/councils/{council.slug}/principles/")).cssselect("tbody tr")[2]
    cells = [text(cell) for cell in row.cssselect("td")]
    assert cells[2:] == ["2", "1 overdue"]
