"""Random and hostile input to every principle form: never a server error."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import ActionFactory, PrincipleProgressFactory

hostile = st.one_of(
    st.text(max_size=200),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            "' OR 1=1; --",
            "\x00",
            "y" * 6000,
            "-1",
            "99999999999999999999",
            "\u202e",
            "",
        ]
    ),
)
FORMS = {
    "progress/": ["version", "stage", "rag", "narrative", "next_steps"],
    "actions/add/": [
        "version",
        "title",
        "description",
        "owner",
        "owner_name",
        "due_on_0",
        "due_on_1",
        "due_on_2",
        "status",
        "completed_on_0",
        "completed_on_1",
        "completed_on_2",
    ],
    "evidence/add/": ["title", "description", "dated_on_0", "dated_on_1", "dated_on_2", "url"],
    "actions/{action}/": [
        "version",
        "title",
        "owner",
        "owner_name",
        "due_on_0",
        "due_on_2",
        "status",
        "completed_on_0",
        "completed_on_1",
        "completed_on_2",
    ],
}
FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.mark.django_db
@pytest.mark.parametrize("form", list(FORMS))
def test_principle_forms_never_fail(client, officer, council, form):
    PrincipleProgressFactory(council=council, version=1)
    action = ActionFactory(council=council)
    client.force_login(officer)
    url = f"/councils/{council.slug}/principles/3/{form.format(action=action.pk)}"

    @FUZZ
    @given(data=st.dictionaries(st.sampled_from(FORMS[form]), hostile))
    def post(data):
        response = client.post(url, data)
        assert response.status_code in {200, 302}
        assert b"<script>alert(1)</script>" not in response.content

    post()


@pytest.mark.django_db
def test_outcome_to_action_form_never_fails(client, officer, council):
    from tests.factories import OutcomeFactory

    outcome = OutcomeFactory(conversation__council=council)
    client.force_login(officer)
    url = (
        f"/councils/{council.slug}/conversations/{outcome.conversation.pk}"
        f"/outcomes/{outcome.pk}/action/"
    )

    @FUZZ
    @given(principle=hostile)
    def post(principle):
        assert client.post(url, {"principle": principle}).status_code in {200, 302}

    post()
