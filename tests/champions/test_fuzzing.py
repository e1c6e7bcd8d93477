"""Random and hostile input to every champions form and to the network filters: never a 500."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from champions.models import ChampionAppointment
from tests.factories import ChampionAppointmentFactory

hostile = st.one_of(
    st.text(max_size=200),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            "' OR 1=1; --",
            "\x00",
            "y" * 6000,
            "-1",
            "0",
            "99999999999999999999",
            "9223372036854775808",
            "\u202e",
            "",
            "cabinet",
            "senior_management",
            "embedded",
            "31",
            "2",
            "2024",
        ]
    ),
)
APPOINT = [
    "kind",
    "person",
    "person_name",
    "title",
    "starts_on_0",
    "starts_on_1",
    "starts_on_2",
    "ends_on_0",
    "ends_on_1",
    "ends_on_2",
    "decision",
    "decision_url",
]
FILTERS = ["q", "kind", "champions", "principle", "stage", "sort", "order", "page"]
FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.mark.django_db
def test_the_appointment_form_never_fails(client, council_admin, council):
    client.force_login(council_admin)
    url = f"/councils/{council.slug}/champions/appoint/"

    @FUZZ
    @given(data=st.dictionaries(st.sampled_from(APPOINT), hostile))
    def post(data):
        response = client.post(url, data)
        assert response.status_code in {200, 302}
        assert b"<script>alert(1)</script>" not in response.content

    post()


@pytest.mark.django_db
def test_ending_an_appointment_never_fails_and_never_ends_it_wrongly(
    client, council_admin, council
):
    appointment = ChampionAppointmentFactory(council=council)
    client.force_login(council_admin)
    url = f"/councils/{council.slug}/champions/{appointment.pk}/end/"

    @FUZZ
    @given(data=st.dictionaries(st.sampled_from(["ends_on_0", "ends_on_1", "ends_on_2"]), hostile))
    def post(data):
        response = client.post(url, data)
        assert response.status_code in {200, 302}
        ended = ChampionAppointment.objects.get(pk=appointment.pk).ends_on
        assert ended is None or ended >= appointment.starts_on

    post()


@pytest.mark.django_db
def test_the_sharing_form_never_fails(client, council_admin, council):
    client.force_login(council_admin)
    url = f"/councils/{council.slug}/network/sharing/"

    @FUZZ
    @given(choice=hostile)
    def post(choice):
        assert client.post(url, {"shares_with_peers": choice}).status_code in {200, 302}

    post()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/network/", "/network/export.csv"])
def test_the_network_filters_never_fail(client, network_admin, council, url):
    client.force_login(network_admin)

    @FUZZ
    @given(query=st.dictionaries(st.sampled_from(FILTERS), hostile))
    def get(query):
        response = client.get(url, query)
        assert response.status_code == 200
        assert b"<script>alert(1)</script>" not in response.content

    get()
