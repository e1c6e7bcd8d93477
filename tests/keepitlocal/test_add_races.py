"""Two people adding the same partner, or the first decision to join, at the same moment: one
record, and the second person gets a message on the page, never a server error."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from keepitlocal.models import DecisionToJoin, LocalPartner, Membership
from keepitlocal.services import decision_to_join_record, local_partner_add
from keepitlocal.writes import EditConflict
from tests.html import page, text
from tests.keepitlocal.test_decision import form_data
from tests.races import widen

pytestmark = pytest.mark.django_db(transaction=True)


def _errors(outcomes) -> list[str]:
    """The messages of the refusals, with anything else that went wrong left to fail."""
    refused = [outcome.error for outcome in outcomes if not outcome.ok]
    assert all(isinstance(error, ValidationError) for error in refused), refused
    return [message for error in refused for message in error.messages]


def _signed_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def test_two_people_adding_the_same_partner_at_once_make_one_partner(
    race, council, member, monkeypatch
):
    first, second = member(), member()
    # Each checks the list before adding: both check before either adds.
    widen(monkeypatch, LocalPartner, "save")

    outcomes = race(
        lambda: local_partner_add(council=council, by=first, name="Hastings Voluntary Action"),
        lambda: local_partner_add(council=council, by=second, name="Hastings  voluntary ACTION"),
    )

    assert len([outcome for outcome in outcomes if outcome.ok]) == 1
    kept = LocalPartner.objects.get(council=council)
    assert _errors(outcomes) == [f"{kept.name} is already on your list"]


def test_the_second_person_adding_a_partner_at_once_is_told_on_the_page(
    race, council, member, monkeypatch
):
    first, second = member(), member()
    url = f"/councils/{council.slug}/partners/"
    widen(monkeypatch, LocalPartner, "save")

    # Signed in beforehand: signing in writes, which on SQLite would queue one request
    # behind the other before either has read the page's data.
    clients = _signed_in(first), _signed_in(second)

    outcomes = race(
        lambda: clients[0].post(url, {"name": "Rother Voluntary Action"}),
        lambda: clients[1].post(url, {"name": "Rother Voluntary Action"}),
    )

    assert [outcome.error for outcome in outcomes if not outcome.ok] == []
    responses = sorted((o.value for o in outcomes), key=lambda response: response.status_code)
    assert [response.status_code for response in responses] == [200, 302]
    summary = text(page(responses[0]).cssselect(".govuk-error-summary")[0])
    assert "Rother Voluntary Action is already on your list" in summary
    assert LocalPartner.objects.filter(council=council).count() == 1


def _decision(by, **changes):
    values = {
        "decided_on": datetime.date(2022, 7, 26),
        "decision_maker": "Lead Member for Resources and Climate Change",
        "report_title": "Keep it Local",
        "recommendations": ["Join the network"],
    }
    return lambda: decision_to_join_record(by=by, base_version=0, **(values | changes))


def test_two_admins_recording_the_first_decision_at_once_make_one_record(
    race, council, member, monkeypatch
):
    first, second = member(Membership.Role.COUNCIL_ADMIN), member(Membership.Role.COUNCIL_ADMIN)
    widen(monkeypatch, DecisionToJoin, "save")

    outcomes = race(
        _decision(first, council=council, report_title="First report"),
        _decision(second, council=council, report_title="Second report"),
    )

    assert len([outcome for outcome in outcomes if outcome.ok]) == 1
    saved = DecisionToJoin.objects.get(council=council)
    winner = next(outcome.value for outcome in outcomes if outcome.ok)
    assert saved.report_title == winner.report_title  # not overwritten by the other
    [refused] = [outcome.error for outcome in outcomes if not outcome.ok]
    assert isinstance(refused, EditConflict), refused
    assert refused.changed_by == saved.updated_by.get_full_name()
    assert [item.field for item in refused.conflicts] == ["report_title"]


def test_the_second_admin_recording_the_first_decision_at_once_is_told_on_the_page(
    race, council, member, monkeypatch
):
    first, second = member(Membership.Role.COUNCIL_ADMIN), member(Membership.Role.COUNCIL_ADMIN)
    url = f"/councils/{council.slug}/decision/edit/"
    widen(monkeypatch, DecisionToJoin, "save")

    clients = _signed_in(first), _signed_in(second)

    outcomes = race(
        lambda: clients[0].post(url, form_data(report_title="First report")),
        lambda: clients[1].post(url, form_data(report_title="Second report")),
    )

    assert [outcome.error for outcome in outcomes if not outcome.ok] == []
    responses = sorted((o.value for o in outcomes), key=lambda response: response.status_code)
    assert [response.status_code for response in responses] == [200, 302]
    refused = page(responses[0])
    assert "changed this while you were editing it" in text(
        refused.cssselect(".govuk-error-summary")[0]
    )
    # What they typed is still there, with the other person's title beside it.
    typed = refused.cssselect("#id_report_title")[0].get("value")
    saved = DecisionToJoin.objects.get(council=council)
    assert {typed, saved.report_title} == {"First report", "Second report"}
    assert saved.report_title in text(refused.cssselect("#edit-conflict")[0])


@pytest.mark.django_db
def test_saving_again_after_being_told_replaces_the_decision(client, council, member):
    admin = member(Membership.Role.COUNCIL_ADMIN)
    decision_to_join_record(
        council=council,
        by=member(Membership.Role.COUNCIL_ADMIN),
        decided_on=datetime.date(2022, 7, 26),
        decision_maker="Cabinet",
        report_title="Theirs",
        recommendations=["Join"],
    )
    client.force_login(admin)
    url = f"/councils/{council.slug}/decision/edit/"
    told = client.post(url, form_data(report_title="Mine"))
    assert told.status_code == 200
    version = page(told).cssselect("input[name=version]")[0].get("value")
    response = client.post(url, form_data(version=version, report_title="Mine"))
    assert response.status_code == 302
    assert DecisionToJoin.objects.get(council=council).report_title == "Mine"
