"""Every change to a council's records has a history, through one mechanism (ADR 0012).

For each kind of record, a change made through its page shows in its history there, in plain
English with old and new values and the time of day; the Django admin cannot go around it.
"""

import datetime
import re

import pytest
from django.urls import reverse

from keepitlocal.models import Membership, RecordChange
from keepitlocal.services import decision_to_join_record
from tests.factories import MembershipFactory
from tests.html import page, text

Role = Membership.Role
AT_A_TIME = re.compile(r", \d{1,2} \w+ \d{4}, \d{2}:\d{2}$")


def history_on(client, url: str) -> list[str]:
    lines = [text(li) for li in page(client.get(url)).cssselect(".app-history li")]
    assert all(AT_A_TIME.search(line) for line in lines), lines
    return [AT_A_TIME.sub("", line) for line in lines]


def person(council, role, first="Sam", last="Jones"):
    user = MembershipFactory(council=council, role=role).user
    user.first_name, user.last_name = first, last
    user.save()
    return user


def decision_form(**changes) -> dict:
    data = {
        "version": "0",
        "decided_on_0": "26",
        "decided_on_1": "7",
        "decided_on_2": "2022",
        "decision_maker": "Lead Member for Resources and Climate Change",
        "report_title": "Keep it Local",
        "report_url": "",
        "recommendations": "Join the network\nSign the endorsement",
        "delegated_to": "",
        "partner_membership_starts_on_0": "",
        "partner_membership_starts_on_1": "",
        "partner_membership_starts_on_2": "",
        "partner_membership_renews_on_0": "",
        "partner_membership_renews_on_1": "",
        "partner_membership_renews_on_2": "",
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_the_decision_to_join_keeps_every_version(client, council):
    admin = person(council, Role.COUNCIL_ADMIN, "Ada", "Admin")
    client.force_login(admin)
    edit = f"/councils/{council.slug}/decision/edit/"
    client.post(edit, decision_form())
    client.post(
        edit,
        decision_form(
            version="1",
            decision_maker="Cabinet",
            recommendations="Join the network\nSign the endorsement\nName two champions",
        ),
    )
    lines = history_on(client, f"/councils/{council.slug}/decision/")
    assert lines[-1] == "Decision to join recorded by Ada Admin"
    assert (
        "Decision-maker changed from Lead Member for Resources and Climate Change to Cabinet "
        "by Ada Admin"
    ) in lines
    assert (
        "Recommendations changed from Join the network; Sign the endorsement to Join the "
        "network; Sign the endorsement; Name two champions by Ada Admin"
    ) in lines


@pytest.mark.django_db
def test_a_changed_summary_shows_what_was_removed_and_added(client, council):
    officer = person(council, Role.OFFICER, "Olu", "Officer")
    client.force_login(officer)
    url = f"/councils/{council.slug}/principles/2/progress/"
    fields = {"stage": "developing", "rag": "", "next_steps": ""}
    client.post(url, {"version": "0", **fields, "narrative": "Hubs open in Hastings and Rye."})
    client.post(url, {"version": "1", **fields, "narrative": "Hubs open in Hastings and Lewes."})
    lines = history_on(client, f"/councils/{council.slug}/principles/2/")
    assert lines[0] == "Summary changed: removed “Rye.”; added “Lewes.” by Olu Officer"


@pytest.mark.django_db
def test_champion_appointments_and_their_end_are_in_the_history(client, council):
    admin = person(council, Role.COUNCIL_ADMIN, "Ada", "Admin")
    client.force_login(admin)
    client.post(
        f"/councils/{council.slug}/champions/appoint/",
        {
            "kind": "cabinet",
            "person": "",
            "person_name": "Councillor Bennett",
            "title": "Lead Member for Resources",
            "starts_on_0": "26",
            "starts_on_1": "7",
            "starts_on_2": "2022",
            "ends_on_0": "",
            "ends_on_1": "",
            "ends_on_2": "",
            "decision": "",
            "decision_url": "",
        },
    )
    appointment = council.champion_appointments.get()
    client.post(
        f"/councils/{council.slug}/champions/{appointment.pk}/end/",
        {"ends_on_0": "1", "ends_on_1": "4", "ends_on_2": "2025"},
    )
    lines = history_on(client, f"/councils/{council.slug}/champions/")
    assert "Cabinet champion appointment added by Ada Admin" in lines
    assert (
        "Cabinet champion appointment: to changed from blank to 1 April 2025 by Ada Admin" in lines
    )


@pytest.mark.django_db
def test_sharing_with_peers_is_in_the_history(client, council):
    admin = person(council, Role.COUNCIL_ADMIN, "Ada", "Admin")
    client.force_login(admin)
    url = f"/councils/{council.slug}/network/sharing/"
    client.post(url, {"shares_with_peers": "yes"})
    lines = history_on(client, url)
    assert lines == [
        "The council: share progress with peer councils changed from no to yes by Ada Admin"
    ]


@pytest.mark.django_db
def test_partners_and_conversations_are_in_the_recent_activity(client, council):
    officer = person(council, Role.OFFICER, "Olu", "Officer")
    client.force_login(officer)
    client.post(f"/councils/{council.slug}/partners/", {"name": "Hastings Voluntary Action"})
    overview = text(page(client.get(f"/councils/{council.slug}/")))
    assert "Local partner “Hastings Voluntary Action” recorded by Olu Officer" in overview


@pytest.mark.django_db
def test_a_history_never_shows_another_councils_changes(client, council, other_council):
    theirs = person(other_council, Role.COUNCIL_ADMIN, "Tess", "Theirs")
    decision_to_join_record(
        council=other_council,
        by=theirs,
        decided_on=datetime.date(2023, 1, 1),
        decision_maker="Their cabinet",
        report_title="Their report",
        recommendations=["Join"],
    )
    client.force_login(person(council, Role.OFFICER))
    assert "Their cabinet" not in text(page(client.get(f"/councils/{council.slug}/decision/")))
    assert "Tess Theirs" not in text(page(client.get(f"/councils/{council.slug}/")))


@pytest.mark.django_db
def test_a_record_of_a_change_is_never_changed(council):
    admin = person(council, Role.COUNCIL_ADMIN)
    decision_to_join_record(
        council=council,
        by=admin,
        decided_on=datetime.date(2023, 1, 1),
        decision_maker="Cabinet",
        report_title="Report",
        recommendations=["Join"],
    )
    change = RecordChange.objects.get()
    change.reason = "rewritten"
    with pytest.raises(ValueError, match="never changed"):
        change.save()


@pytest.mark.django_db
def test_the_admin_cannot_change_decisions_or_appointments(client, council, network_admin):
    from tests.factories import ChampionAppointmentFactory, DecisionToJoinFactory

    network_admin.is_staff = True
    network_admin.save()
    decision = DecisionToJoinFactory(council=council)
    appointment = ChampionAppointmentFactory(council=council)
    client.force_login(network_admin)
    for model, pk in (("decisiontojoin", decision.pk), ("championappointment", appointment.pk)):
        app = "keepitlocal" if model == "decisiontojoin" else "champions"
        change = client.post(reverse(f"admin:{app}_{model}_change", args=[pk]), {})
        assert change.status_code == 403
        assert client.post(reverse(f"admin:{app}_{model}_delete", args=[pk]), {}).status_code in {
            403,
            302,
        }
    decision.refresh_from_db()
    appointment.refresh_from_db()  # still there, unchanged


@pytest.mark.django_db
def test_a_council_renamed_in_the_admin_is_in_its_history(client, council, network_admin):
    network_admin.is_staff = True
    network_admin.save()
    client.force_login(network_admin)
    response = client.post(
        reverse("admin:keepitlocal_council_change", args=[council.pk]),
        {"name": "East Sussex Council", "slug": council.slug, "kind": council.kind},
    )
    assert response.status_code == 302
    change = RecordChange.objects.get(council=council)
    assert change.changes == [
        {
            "field": "name",
            "label": "Name",
            "old": "East Sussex County Council",
            "new": "East Sussex Council",
        }
    ]
    assert change.actor == network_admin


@pytest.mark.django_db
def test_the_endorsement_says_when_each_version_was_prepared(council):
    from endorsements.services import EventSource, endorsement_prepare

    admin = person(council, Role.COUNCIL_ADMIN, "Ada", "Admin")
    lead = person(council, Role.LEAD_MEMBER, "Lee", "Lead")
    decision_to_join_record(
        council=council,
        by=admin,
        decided_on=datetime.date(2022, 7, 26),
        decision_maker="Cabinet",
        report_title="Report",
        recommendations=["Join"],
    )
    endorsement_prepare(
        council=council,
        by=admin,
        statement="We endorse the six principles.",
        signatories=[lead],
        signing_order="parallel",
        source=EventSource(),
    )
    from keepitlocal.selectors import record_history

    [entry] = record_history(council, topics=["endorsement"])
    assert entry.sentences == ["Endorsement version 1 prepared"]
    assert entry.who == "Ada Admin"
