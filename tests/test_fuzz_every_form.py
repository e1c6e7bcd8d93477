"""Hostile input to every form in the service, found from the URLconf: never a server error,
and no script that was typed in ever comes back as markup on any page.

For each page whose form a person of some role may post, the fields are read from the page
itself, so a new form is fuzzed without being listed here.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import html

from tests.factories import CouncilFactory, MembershipFactory, NetworkAdminFactory
from tests.test_permission_matrix import MATRIX, ROLES
from tests.urlconf import all_routes

SCRIPT = "<script>alert('kil')</script>"
hostile = st.one_of(
    st.text(max_size=80),
    st.sampled_from(
        [
            SCRIPT,
            f'"><img src=x onerror=alert(1)>{SCRIPT}',
            "' OR 1=1; --",
            "'; DROP TABLE keepitlocal_council; --",
            "\x00",
            "a\x00b",
            "x" * 10_000,
            "-1",
            "0",
            "1",
            "3.5",
            "1e309",
            "99999999999999999999",
            "NaN",
            "2024-02-30",
            "31",
            "12",
            "2026",
            "\u202e\u0301\ufeff",
            "😀" * 50,
            "https://example.org/",
            "javascript:alert(1)",
            "",
            "on",
            "true",
        ]
    ),
    st.lists(st.sampled_from(["1", "2", SCRIPT, ""]), max_size=3),
)
FUZZ = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
NOT_FORMS = {"sign-in", "sign-out"}  # sign-in is throttled and has its own tests


def _poster(name: str) -> str | None:
    """A role whose GET and POST of the page are both answered (200), from the matrix."""
    row = MATRIX.get(name, "")
    for role, cell in zip(ROLES, row.split(), strict=False):
        if cell == "200/200":
            return role
    return None


FORM_ROUTES = [
    route for route in all_routes() if route.name not in NOT_FORMS and _poster(route.name)
]


def _fields(content: bytes) -> list[str]:
    """The names of the fields of the page's POST forms, as a browser would send them."""
    names = []
    for form in html.fromstring(content).cssselect("main form"):
        if (form.get("method") or "get").lower() != "post":
            continue
        for field in form.cssselect("input, textarea, select"):
            name = field.get("name")
            if name and name != "csrfmiddlewaretoken" and name not in names:
                names.append(name)
    return names


def test_there_are_forms_to_fuzz():
    assert len(FORM_ROUTES) >= 20, [route.name for route in FORM_ROUTES]


@pytest.mark.django_db
@pytest.mark.parametrize("route", FORM_ROUTES, ids=lambda route: route.name)
def test_no_form_fails_or_stores_a_script(client, route, settings_media):
    role = _poster(route.name)
    council = CouncilFactory()
    person = (
        NetworkAdminFactory()
        if role == "network_admin"
        else MembershipFactory(council=council, role=role).user
    )
    client.force_login(person)
    kwargs = route.kwargs_for(council) if route.is_council_owned else route.kwargs_for()
    url = route.url(kwargs)
    page = client.get(url)
    assert page.status_code == 200
    names = _fields(page.content)
    # A page may show no form for its record's state (a review of a draft): post anything.
    fields = (
        st.fixed_dictionaries({}, optional=dict.fromkeys(names, hostile))
        if names
        else st.dictionaries(st.sampled_from(["decision", "comment", "text", "x"]), hostile)
    )

    @FUZZ
    @given(data=fields)
    def post(data):
        response = client.post(url, data)
        assert response.status_code in {200, 302, 400, 403, 404, 409}, response.status_code
        assert SCRIPT.encode() not in response.content

    post()
    # Whatever was saved reads back as text on every page of the council.
    for other in all_routes():
        if not other.is_council_owned or other.names_an_object:
            continue
        response = client.get(other.url(other.kwargs_for(council)))
        assert SCRIPT.encode() not in response.content, other.name
    assert SCRIPT.encode() not in client.get(url).content


@pytest.fixture
def settings_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
