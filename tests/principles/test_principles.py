import pytest

from principles.models import Principle
from tests.html import page, text

TITLES = [
    "Think about the whole system, not individual service silos",
    "Co-ordinate services at a neighbourhood level",
    "Increase local spend to invest in the local economy",
    "Focus on early intervention now to save costs tomorrow",
    "Commit to your community and proactively support local organisations",
    'Commission services simply and collaboratively so they are "local by default"',
]


@pytest.mark.django_db
def test_the_six_principles_are_seeded_in_order():
    assert list(Principle.objects.values_list("number", "title")) == list(
        enumerate(TITLES, start=1)
    )
    assert all(len(p.summary) > 100 for p in Principle.objects.all())


@pytest.mark.django_db
def test_principles_page_lists_all_six(client, officer, council):
    client.force_login(officer)
    html = page(client.get(f"/councils/{council.slug}/principles/"))
    assert [text(h) for h in html.cssselect("tbody th")] == [
        f"{n}. {title}" for n, title in enumerate(TITLES, start=1)
    ]
    nav = html.cssselect(".govuk-service-navigation__item--active")
    assert [text(item) for item in nav] == ["Principles"]


@pytest.mark.django_db
def test_principle_page_explains_the_principle(client, officer, council):
    client.force_login(officer)
    response = client.get(f"/councils/{council.slug}/principles/3/")
    body = text(page(response))
    assert "Increase local spend to invest in the local economy" in body
    assert Principle.objects.get(number=3).summary in body


@pytest.mark.django_db
@pytest.mark.parametrize("number", [0, 7, 999999])
def test_unknown_principle_is_not_found(client, officer, council, number):
    client.force_login(officer)
    assert client.get(f"/councils/{council.slug}/principles/{number}/").status_code == 404
