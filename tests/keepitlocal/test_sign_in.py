import pytest
from django.urls import reverse

from tests.factories import PASSWORD
from tests.urlconf import all_routes

OPEN_ROUTES = {"sign-in", "verify"}


@pytest.mark.django_db
def test_sign_in_page_is_open(client):
    response = client.get(reverse("sign-in"))
    assert response.status_code == 200
    assert b'<h1 class="govuk-heading-l">Sign in</h1>' in response.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    "route", [r for r in all_routes() if r.name not in OPEN_ROUTES], ids=lambda r: r.name
)
def test_every_other_page_asks_you_to_sign_in(client, council, route):
    url = route.url(route.kwargs_for(council))
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("sign-in"))


@pytest.mark.django_db
def test_wrong_password_is_refused_without_saying_which_part_was_wrong(client, officer):
    wrong_password = client.post(
        reverse("sign-in"), {"username": officer.username, "password": "not-my-password"}
    )
    unknown_user = client.post(
        reverse("sign-in"), {"username": "nobody-by-this-name", "password": "not-my-password"}
    )
    for response in (wrong_password, unknown_user):
        assert response.status_code == 200
        assert b"There is a problem" in response.content
        assert b"Enter a correct username and password" in response.content
        assert "_auth_user_id" not in client.session
    assert wrong_password.content.count(b"Enter a correct") == unknown_user.content.count(
        b"Enter a correct"
    )


@pytest.mark.django_db
def test_empty_sign_in_says_what_is_missing(client):
    response = client.post(reverse("sign-in"), {"username": "", "password": ""})
    assert b"Enter your username" in response.content
    assert b"Enter your password" in response.content


@pytest.mark.django_db
def test_signing_in_takes_an_officer_to_their_councils_overview(client, officer, council):
    response = client.post(
        reverse("sign-in"), {"username": officer.username, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"/councils/{council.slug}/"
    assert b"Commitment checklist" in response.content


@pytest.mark.django_db
def test_sign_in_goes_back_to_the_page_asked_for(client, officer, council):
    wanted = f"/councils/{council.slug}/principles/"
    response = client.post(
        f"{reverse('sign-in')}?next={wanted}",
        {"username": officer.username, "password": PASSWORD, "next": wanted},
    )
    assert response["Location"] == wanted


@pytest.mark.django_db
def test_sign_in_never_redirects_to_another_site(client, officer):
    response = client.post(
        reverse("sign-in"),
        {"username": officer.username, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("home")


@pytest.mark.django_db
def test_signing_out_needs_a_post_and_ends_the_session(client, officer):
    client.force_login(officer)
    assert client.get(reverse("sign-out")).status_code == 405
    response = client.post(reverse("sign-out"))
    assert response["Location"] == reverse("sign-in")
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_inactive_person_cannot_sign_in(client, officer):
    officer.is_active = False
    officer.save()
    response = client.post(reverse("sign-in"), {"username": officer.username, "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
