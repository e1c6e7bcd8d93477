"""The commitment checklist's statuses come from the council's records."""

import datetime

import pytest

from keepitlocal.selectors import StepStatus, council_commitment_checklist
from tests.factories import ConversationFactory, DecisionToJoinFactory
from tests.html import checklist, page, text

STEPS = [
    "Decision to join taken",
    "Endorsement signed",
    "Cabinet champion appointed",
    "Senior management champion appointed",
    "Conversation convened with local communities",
    "Practice assessed with Locality and peer councils",
]


@pytest.mark.django_db
def test_new_council_has_not_started_its_decision(client, officer, council, overview_url):
    client.force_login(officer)
    steps = checklist(client.get(overview_url))
    assert list(steps) == STEPS
    assert steps["Decision to join taken"] == "Not yet started"


@pytest.mark.django_db
def test_recorded_decision_completes_step_one(client, officer, council, overview_url):
    DecisionToJoinFactory(council=council)
    client.force_login(officer)
    response = client.get(overview_url)
    assert checklist(response)["Decision to join taken"] == "Completed"
    assert "26 July 2022 by the Lead Member for Resources and Climate Change" in text(
        page(response)
    )


@pytest.mark.django_db
def test_removing_the_decision_reopens_step_one(client, officer, council, overview_url):
    decision = DecisionToJoinFactory(council=council)
    decision.delete()
    client.force_login(officer)
    assert checklist(client.get(overview_url))["Decision to join taken"] == "Not yet started"


@pytest.mark.django_db
def test_practice_assessment_has_not_started_before_any_assessment(client, officer, overview_url):
    client.force_login(officer)
    steps = checklist(client.get(overview_url))
    assert steps[STEPS[5]] == "Not yet started"
    assert "Cannot start yet" not in steps.values()


@pytest.mark.django_db
def test_champion_steps_have_not_started_before_any_appointment(client, officer, overview_url):
    client.force_login(officer)
    steps = checklist(client.get(overview_url))
    assert steps[STEPS[2]] == steps[STEPS[3]] == "Not yet started"


@pytest.mark.django_db
def test_a_recorded_conversation_completes_step_five(client, officer, council, overview_url):
    client.force_login(officer)
    assert checklist(client.get(overview_url))[STEPS[4]] == "Not yet started"
    ConversationFactory(council=council, held_on=datetime.date(2026, 3, 5))
    response = client.get(overview_url)
    assert checklist(response)[STEPS[4]] == "Completed"
    assert "1 conversation recorded; latest 5 March 2026" in text(page(response))


@pytest.mark.django_db
def test_another_councils_conversation_does_not_complete_ours(
    client, officer, other_council, overview_url
):
    ConversationFactory(council=other_council)
    client.force_login(officer)
    assert checklist(client.get(overview_url))[STEPS[4]] == "Not yet started"


@pytest.mark.django_db
def test_another_councils_decision_does_not_complete_ours(council, other_council):
    DecisionToJoinFactory(council=other_council)
    steps = council_commitment_checklist(council, None)
    assert steps[0].status == StepStatus.NOT_STARTED


@pytest.mark.django_db
def test_overview_shows_the_membership_renewal_date(client, officer, council, overview_url):
    DecisionToJoinFactory(council=council)
    client.force_login(officer)
    body = text(page(client.get(overview_url)))
    assert "Was due for renewal on 26 July 2023" in body


@pytest.mark.django_db
def test_overview_runs_a_fixed_number_of_queries(
    client, officer, council, overview_url, django_assert_max_num_queries
):
    DecisionToJoinFactory(council=council)
    client.force_login(officer)
    client.get(overview_url)
    from tests.champions.test_dashboard import DASHBOARD_QUERIES

    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        assert client.get(overview_url).status_code == 200
