import pytest

from tests.html import page, text


@pytest.mark.django_db
def test_unknown_page_is_a_404_in_the_products_look(client, officer):
    client.force_login(officer)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = page(response)
    assert text(html.cssselect("h1")[0]) == "Page not found"
    assert text(html.cssselect(".govuk-generic-header__homepage-link")[0]) == "Keep it Local"
    assert not html.cssselect(".govuk-header__logotype")  # no GOV.UK logotype or crown


@pytest.mark.django_db
def test_server_error_page_renders_without_a_database(client):
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Sorry, there is a problem with the service" in html
