"""An add form sent twice (a double click, a resent page) adds one record (ADR 0012)."""

import pytest

from keepitlocal.models import LocalPartner, Membership
from principles.models import Action, Evidence
from tests.html import page, text

Role = Membership.Role


def token_of(client, url: str) -> str:
    return page(client.get(url)).cssselect("input[name=submission]")[0].get("value")


ALREADY_SENT = "That form was already sent, so nothing was added a second time."
ADD_FORMS = [
    (
        "principles/3/actions/add/",
        {
            "version": "0",
            "title": "Map local suppliers",
            "status": "not_started",
        },
        lambda council: Action.objects.filter(council=council).count(),
        ALREADY_SENT,
    ),
    (
        "principles/3/evidence/add/",
        {"title": "Spend report", "url": "https://example.gov.uk/spend"},
        lambda council: Evidence.objects.filter(council=council).count(),
        ALREADY_SENT,
    ),
    (
        "partners/",
        {"name": "Hastings Voluntary Action"},
        lambda council: LocalPartner.objects.filter(council=council).count(),
        # The partner's name, now on the list, is what the form notices first.
        "Hastings Voluntary Action is already on your list",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "data", "count", "message"), ADD_FORMS, ids=["action", "evidence", "partner"]
)
def test_a_form_sent_three_times_adds_one_record(
    client, officer, council, path, data, count, message
):
    client.force_login(officer)
    url = f"/councils/{council.slug}/{path}"
    sent = {**data, "submission": token_of(client, url)}
    first = client.post(url, sent)
    assert first.status_code == 302
    for _ in range(2):
        again = client.post(url, sent, follow=True)
        assert again.status_code == 200
        assert message in text(page(again))
    assert count(council) == 1


@pytest.mark.django_db
def test_each_opening_of_an_add_form_gets_its_own_token(client, officer, council):
    client.force_login(officer)
    url = f"/councils/{council.slug}/principles/3/actions/add/"
    first, second = token_of(client, url), token_of(client, url)
    assert first != second
    for token in (first, second):
        client.post(
            url,
            {"version": "0", "title": "Same words", "status": "not_started", "submission": token},
        )
    assert Action.objects.filter(council=council).count() == 2


@pytest.mark.django_db
def test_a_mangled_token_still_saves(client, officer, council):
    """A token that is not one protects nothing, but the person's work is not lost for it."""
    client.force_login(officer)
    url = f"/councils/{council.slug}/principles/3/actions/add/"
    response = client.post(
        url, {"version": "0", "title": "Kept", "status": "not_started", "submission": "x" * 40}
    )
    assert response.status_code == 302
    assert Action.objects.filter(title="Kept").exists()
