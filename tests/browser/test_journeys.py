"""People's first journeys through the service, in a real browser, with axe on every page."""

import pytest

from keepitlocal.management.commands.seed_demo import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_demo_officer_signs_in_and_sees_east_sussexs_overview(page, demo):
    page.goto("/")
    assert page.url.endswith("/sign-in/?next=/")
    assert_accessible(page)

    sign_in(page, "officer", "not-the-password")
    assert page.get_by_role("heading", name="There is a problem").is_visible()
    assert page.get_by_role("link", name="Enter a correct username and password").is_visible()
    assert page.title().startswith("Error: Sign in")
    assert_accessible(page)

    sign_in(page, "officer", DEMO_PASSWORD)
    assert page.url.endswith("/councils/east-sussex/")
    assert page.get_by_role("heading", name="Overview").is_visible()
    assert page.get_by_role("link", name="East Sussex County Council").is_visible()
    step_one = page.locator(".govuk-task-list__item").first
    assert "Decision to join taken" in step_one.inner_text()
    assert "Completed" in step_one.inner_text()
    # Every step follows the records now: East Sussex has no practice assessment yet.
    assert page.get_by_text("Cannot start yet").count() == 0
    step_six = page.locator(".govuk-task-list__item").nth(5).inner_text()
    assert "Practice assessed with Locality and peer councils" in step_six
    assert "Not yet started" in step_six
    assert_accessible(page)

    page.get_by_role("link", name="1. Decision to join taken").click()
    assert page.get_by_role("heading", name="Decision to join").is_visible()
    assert page.get_by_text("Lead Member for Resources and Climate Change").is_visible()
    assert page.get_by_role("link", name="Change the decision").count() == 0
    assert_accessible(page)

    page.get_by_role("link", name="Principles").click()
    assert page.locator("tbody tr").count() == 6
    assert_accessible(page)

    page.get_by_role("link", name="3. Increase local spend to invest in the local economy").click()
    assert page.get_by_role("heading", name="Increase local spend").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Switch council").click()
    assert page.get_by_role("heading", name="Your councils").is_visible()
    assert page.get_by_role("link", name="Borsetshire District Council").count() == 0
    assert_accessible(page)

    page.goto("/councils/borsetshire/")
    assert page.get_by_role("heading", name="Page not found").is_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    assert page.url.endswith("/sign-in/")


def test_council_admin_corrects_the_decision_after_a_mistake(page, demo):
    sign_in(page, "council-admin", DEMO_PASSWORD)
    page.goto("/councils/east-sussex/decision/")
    page.get_by_role("link", name="Change the decision").click()
    assert page.get_by_role("heading", name="Change the decision to join").is_visible()
    assert_accessible(page)

    page.get_by_label("Decision-maker").fill("")
    page.locator("#id_decided_on_0").fill("31")
    page.locator("#id_decided_on_1").fill("2")
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".govuk-error-summary")
    assert "Enter who took the decision" in summary.inner_text()
    assert "The date of the decision must be a real date" in summary.inner_text()
    assert_accessible(page)

    page.get_by_label("Decision-maker").fill("Lead Member for Resources and Climate Change")
    page.locator("#id_decided_on_0").fill("26")
    page.locator("#id_decided_on_1").fill("7")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("The decision to join has been saved.").is_visible()
    assert_accessible(page)


def test_network_admin_moves_between_councils(page, demo):
    sign_in(page, "network-admin", DEMO_PASSWORD)
    page.get_by_role("link", name="Borsetshire District Council").click()
    assert page.get_by_role("heading", name="Overview").is_visible()
    assert "Not yet started" in page.locator(".govuk-task-list__item").first.inner_text()
    assert_accessible(page)


def test_officer_is_told_plainly_when_a_page_is_not_for_their_role(page, demo):
    sign_in(page, "officer", DEMO_PASSWORD)
    page.goto("/councils/east-sussex/decision/edit/")
    assert page.get_by_role("heading", name="You cannot do this").is_visible()
    assert page.get_by_text("Only a council admin can change the decision to join.").is_visible()
    assert_accessible(page)


def test_person_without_a_council_is_told_who_to_ask(page, demo, django_user_model):
    django_user_model.objects.create_user("newcomer", password=DEMO_PASSWORD)
    sign_in(page, "newcomer", DEMO_PASSWORD)
    assert page.get_by_text("You are not a member of any council yet").is_visible()
    assert_accessible(page)


def test_five_wrong_passwords_lock_the_account_with_a_clear_page(page, demo):
    for _ in range(5):
        sign_in(page, "officer", "not-the-password")
    summary = page.locator(".govuk-error-summary")
    assert "locked for 15 minutes" in summary.inner_text()
    assert page.title().startswith("Error: Sign in")
    assert_accessible(page)
    sign_in(page, "officer", DEMO_PASSWORD)
    assert "locked for 15 minutes" in page.locator(".govuk-error-summary").inner_text()
    assert page.url.endswith("/sign-in/")
