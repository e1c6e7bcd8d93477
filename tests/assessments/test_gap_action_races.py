"""Two clicks at once on "Create action" for one gap make one action, and no server error."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from principles.assessments.models import Assessment
from principles.models import Action
from tests.assessments.conftest import answer
from tests.factories import assessment
from tests.races import widen

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_create_actions_at_once_from_one_gap_make_one_action(
    race, seeded, council, officer, monkeypatch
):
    made = assessment(council, level=2, status=Assessment.Status.APPROVED)
    gap = answer(made, "4.2")
    url = reverse(
        "assessments:gap-action",
        kwargs={"council_slug": council.slug, "pk": made.pk, "answer_pk": gap.pk},
    )
    # Each request checks for an action before making one: both check before either makes it.
    widen(monkeypatch, Action, "save")

    # One person, two browser tabs, each signed in beforehand.
    tabs = []
    for _ in range(2):
        tabs.append(Client())
        tabs[-1].force_login(officer)

    def click(tab):
        def post():
            response = tab.post(url)
            return response, [str(message) for message in get_messages(response.wsgi_request)]

        return post

    outcomes = race(*(click(tab) for tab in tabs))

    assert [outcome.error for outcome in outcomes if not outcome.ok] == []
    assert [response.status_code for response, _ in (o.value for o in outcomes)] == [302, 302]
    assert Action.objects.filter(from_answer=gap).count() == 1
    said = sorted(messages[0] for _, messages in (o.value for o in outcomes))
    assert said[0].startswith("Action added to principle 4")
    assert said[1].startswith("That gap already has an action")
