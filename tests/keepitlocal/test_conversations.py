"""Councils record conversations with local communities; outcomes become actions."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keepitlocal.models import CommunityConversation, LocalPartner, Membership
from principles.models import Action
from tests.factories import ConversationFactory, OutcomeFactory
from tests.html import page, text

Role = Membership.Role


def conversation_data(**overrides):
    return {
        "held_on_0": "5",
        "held_on_1": "3",
        "held_on_2": "2026",
        "title": "Keeping it local in Hastings",
        "people_count": "42",
        "summary": "Residents and groups talked about local buying.",
        "outcomes": "Hold a market day for local suppliers\n\nPublish smaller contract lots\n",
        **overrides,
    }


@pytest.fixture
def partner(council):
    return LocalPartner.objects.create(council=council, name="Hastings Voluntary Action")


@pytest.mark.django_db
def test_officer_records_a_conversation(client, officer, council, partner):
    client.force_login(officer)
    response = client.post(
        f"/councils/{council.slug}/conversations/add/",
        conversation_data(partners=[partner.pk], principles=["3", "5"]),
        follow=True,
    )
    body = text(page(response))
    assert "Conversation “Keeping it local in Hastings” recorded." in body
    assert "Hastings Voluntary Action" in body
    assert "3. Increase local spend" in body
    conversation = CommunityConversation.objects.get(council=council)
    assert conversation.people_count == 42
    assert [o.text for o in conversation.outcomes.all()] == [
        "Hold a market day for local suppliers",
        "Publish smaller contract lots",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "Enter a title"),
        ({"held_on_0": ""}, "Enter the date of the conversation as a day, month and year"),
        ({"people_count": "-3"}, "The number of people cannot be negative"),
        ({"people_count": "lots"}, "Enter the number of people as a whole number"),
        ({"principles": ["9"]}, "Select principles from the list"),
    ],
)
def test_bad_conversation_input_is_explained(client, officer, council, overrides, message):
    client.force_login(officer)
    response = client.post(
        f"/councils/{council.slug}/conversations/add/", conversation_data(**overrides)
    )
    assert message in text(page(response).cssselect(".govuk-error-summary")[0])
    assert not CommunityConversation.objects.exists()


@pytest.mark.django_db
def test_another_councils_partner_cannot_be_chosen(client, officer, council, other_council):
    theirs = LocalPartner.objects.create(council=other_council, name="Their charity")
    client.force_login(officer)
    response = client.post(
        f"/councils/{council.slug}/conversations/add/", conversation_data(partners=[theirs.pk])
    )
    assert "Select organisations from the list" in text(page(response))
    assert not CommunityConversation.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.LEAD_MEMBER, Role.CHIEF_EXECUTIVE])
def test_reading_roles_see_conversations_but_cannot_record(client, member, council, role):
    ConversationFactory(council=council, title="Seen by all")
    client.force_login(member(role))
    listing = client.get(f"/councils/{council.slug}/conversations/")
    assert b"Seen by all" in listing.content
    assert b"Record a conversation" not in listing.content
    assert client.get(f"/councils/{council.slug}/conversations/add/").status_code == 403
    assert client.post(f"/councils/{council.slug}/partners/", {"name": "X"}).status_code == 403


@pytest.mark.django_db
def test_an_outcome_becomes_an_action_once(client, officer, council):
    outcome = OutcomeFactory(conversation__council=council, text="Hold a market day")
    conversation_url = f"/councils/{council.slug}/conversations/{outcome.conversation.pk}/"
    url = f"{conversation_url}outcomes/{outcome.pk}/action/"
    client.force_login(officer)
    missing = client.post(url, {})
    assert "Select the principle the action is for" in text(page(missing))
    response = client.post(url, {"principle": "3"}, follow=True)
    assert "Action “Hold a market day” added to principle 3." in text(page(response))
    assert "Now an action on principle 3" in text(page(response))
    client.post(url, {"principle": "5"})
    action = Action.objects.get(council=council)
    assert action.principle.number == 3
    assert "From the community conversation" in action.description


@pytest.mark.django_db
def test_partners_are_listed_once_each(client, officer, council, partner):
    client.force_login(officer)
    duplicate = client.post(
        f"/councils/{council.slug}/partners/", {"name": "  hastings voluntary   action "}
    )
    assert "Hastings Voluntary Action is already on your list" in text(page(duplicate))
    client.post(f"/councils/{council.slug}/partners/", {"name": "Rother Voluntary Action"})
    assert list(council.local_partners.values_list("name", flat=True)) == [
        "Hastings Voluntary Action",
        "Rother Voluntary Action",
    ]


@pytest.mark.django_db
def test_conversation_pages_run_a_fixed_number_of_queries(
    client, officer, council, partner, django_assert_max_num_queries
):
    for _ in range(20):
        conversation = ConversationFactory(council=council)
        conversation.partners.add(partner)
        OutcomeFactory(conversation=conversation)
    client.force_login(officer)
    client.get(f"/councils/{council.slug}/")
    with django_assert_max_num_queries(6):
        client.get(f"/councils/{council.slug}/conversations/")
    with django_assert_max_num_queries(7):
        client.get(f"/councils/{council.slug}/conversations/{conversation.pk}/")


hostile = st.one_of(
    st.text(max_size=100),
    st.sampled_from(["<script>alert(1)</script>", "\x00", "-1", "9" * 30, "", "z" * 11000]),
)
FIELDS = [
    "held_on_0",
    "held_on_1",
    "held_on_2",
    "title",
    "people_count",
    "summary",
    "outcomes",
    "partners",
    "principles",
]


@pytest.mark.django_db
def test_conversation_and_partner_forms_never_fail(client, officer, council):
    client.force_login(officer)

    @settings(
        max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(data=st.dictionaries(st.sampled_from(FIELDS), hostile), name=hostile)
    def post(data, name):
        for url, payload in (
            (f"/councils/{council.slug}/conversations/add/", data),
            (f"/councils/{council.slug}/partners/", {"name": name}),
        ):
            response = client.post(url, payload)
            assert response.status_code in {200, 302}
            assert b"<script>alert(1)</script>" not in response.content

    post()
