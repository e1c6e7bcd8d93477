"""Council admins record the decision to join; bad input never loses what is saved."""

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keepitlocal.models import DecisionToJoin
from tests.factories import DecisionToJoinFactory
from tests.html import page, text


def form_data(**overrides):
    data = {
        "version": "0",
        "decided_on_0": "26",
        "decided_on_1": "7",
        "decided_on_2": "2022",
        "decision_maker": "Lead Member for Resources and Climate Change",
        "report_title": "Keep it Local – Locality's Campaign Network",
        "report_url": "https://democracy.example.gov.uk/report",
        "recommendations": "Join the network\n\n  Sign an endorsement  \nNominate champions\n",
        "delegated_to": "Director of Adult Social Care and Health",
        "partner_membership_starts_on_0": "26",
        "partner_membership_starts_on_1": "7",
        "partner_membership_starts_on_2": "2022",
        "partner_membership_renews_on_0": "",
        "partner_membership_renews_on_1": "",
        "partner_membership_renews_on_2": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def edit_url(council):
    return f"/councils/{council.slug}/decision/edit/"


@pytest.mark.django_db
def test_council_admin_records_the_decision(client, council_admin, council, edit_url):
    client.force_login(council_admin)
    response = client.post(edit_url, form_data(), follow=True)
    assert response.redirect_chain[-1][0] == f"/councils/{council.slug}/decision/"
    assert "The decision to join has been saved." in text(page(response))
    decision = DecisionToJoin.objects.get(council=council)
    assert decision.decided_on == datetime.date(2022, 7, 26)
    assert decision.recommendations == [
        "Join the network",
        "Sign an endorsement",
        "Nominate champions",
    ]
    assert decision.updated_by == council_admin
    # One free year of partner membership unless told otherwise.
    assert decision.partner_membership_renews_on == datetime.date(2023, 7, 26)
    items = [text(li) for li in page(response).cssselect(".govuk-list--number li")]
    assert items == ["Join the network", "Sign an endorsement", "Nominate champions"]


@pytest.mark.django_db
def test_form_shows_the_saved_decision_for_changing(client, council_admin, council, edit_url):
    DecisionToJoinFactory(council=council, recommendations=["First", "Second"])
    client.force_login(council_admin)
    form = page(client.get(edit_url))
    assert form.cssselect("#id_recommendations")[0].text_content().strip() == "First\nSecond"
    assert form.cssselect("#id_decided_on_2")[0].get("value") == "2022"


@pytest.mark.django_db
def test_a_leap_day_start_renews_on_28_february(client, council_admin, council, edit_url):
    client.force_login(council_admin)
    client.post(
        edit_url,
        form_data(
            partner_membership_starts_on_0="29",
            partner_membership_starts_on_1="2",
            partner_membership_starts_on_2="2024",
        ),
    )
    decision = DecisionToJoin.objects.get(council=council)
    assert decision.partner_membership_renews_on == datetime.date(2025, 2, 28)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"decision_maker": ""}, "Enter who took the decision"),
        ({"report_title": ""}, "Enter the title of the report"),
        ({"recommendations": "  \n \n"}, "Enter at least one recommendation"),
        (
            {"decided_on_0": "", "decided_on_1": "", "decided_on_2": ""},
            "Enter the date of the decision as a day, month and year",
        ),
        (
            {"decided_on_0": "31", "decided_on_1": "2"},
            "The date of the decision must be a real date",
        ),
        ({"decided_on_2": "22"}, "The year of the date of the decision must have 4 numbers"),
        ({"decided_on_0": "tomorrow"}, "The date of the decision must be a real date"),
        ({"report_url": "not a link"}, "Enter the link in the correct format"),
        (
            {
                "partner_membership_renews_on_0": "1",
                "partner_membership_renews_on_1": "1",
                "partner_membership_renews_on_2": "2022",
            },
            "The renewal date must be after the start date",
        ),
        (
            {
                "partner_membership_starts_on_0": "",
                "partner_membership_starts_on_1": "",
                "partner_membership_starts_on_2": "",
                "partner_membership_renews_on_0": "1",
                "partner_membership_renews_on_1": "1",
                "partner_membership_renews_on_2": "2024",
            },
            "Enter the date partner membership started",
        ),
        ({"partner_membership_starts_on_1": ""}, "The membership start date must include a month"),
    ],
)
def test_bad_input_is_explained_and_nothing_saved_is_lost(
    client, council_admin, council, edit_url, overrides, message
):
    saved = DecisionToJoinFactory(council=council, decision_maker="The original decision-maker")
    client.force_login(council_admin)
    response = client.post(edit_url, form_data(**overrides))
    assert response.status_code == 200
    html = page(response)
    summary = text(html.cssselect(".govuk-error-summary")[0])
    assert "There is a problem" in summary
    assert message in summary
    assert (
        html.cssselect("title")[0].text_content().startswith("Error: Change the decision to join")
    )
    # What the admin typed is kept in the form.
    typed = form_data(**overrides)["decision_maker"]
    assert (html.cssselect("#id_decision_maker")[0].get("value") or "") == typed
    saved.refresh_from_db()
    assert saved.decision_maker == "The original decision-maker"


hostile_text = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            "'; DROP TABLE keepitlocal_council; --",
            "\x00",
            "x" * 5000,
            "\uff19",
            "-1",
            "99999999999999999999999999",
            "\u202e\u200b",
        ]
    ),
)
FIELDS = list(form_data())


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.dictionaries(st.sampled_from(FIELDS), hostile_text, min_size=1))
def test_no_input_makes_the_decision_form_fail(client, council_admin, council, edit_url, data):
    client.force_login(council_admin)
    response = client.post(edit_url, form_data(**data))
    assert response.status_code in {200, 302}
    assert b"<script>alert(1)</script>" not in response.content
