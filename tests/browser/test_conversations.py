"""An officer records a community conversation; the checklist's step 5 completes."""

import pytest

from keepitlocal.management.commands.seed_demo import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_records_a_conversation_and_turns_an_outcome_into_an_action(page, demo):
    sign_in(page, "officer", DEMO_PASSWORD)
    step_five = page.locator(".govuk-task-list__item").nth(4)
    assert "Not yet started" in step_five.inner_text()
    page.get_by_role("link", name="5. Conversation convened with local communities").click()
    assert_accessible(page)

    page.get_by_role("link", name="Your local partners").click()
    assert_accessible(page)
    page.get_by_label("Organisation name").fill("Hastings Voluntary Action")
    page.get_by_role("button", name="Add partner").click()
    assert page.get_by_text("Hastings Voluntary Action added to your local partners.").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Back to conversations").click()
    page.get_by_role("link", name="Record a conversation").click()
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    assert page.get_by_role("link", name="Enter a title").is_visible()
    assert_accessible(page)
    page.locator("#id_held_on_0").fill("5")
    page.locator("#id_held_on_1").fill("3")
    page.locator("#id_held_on_2").fill("2026")
    page.get_by_label("Title").fill("Keeping it local in Hastings")
    page.get_by_label("Hastings Voluntary Action").check()
    page.get_by_label("Number of people").fill("42")
    page.get_by_label("3. Increase local spend to invest in the local economy").check()
    page.get_by_label("Outcomes").fill("Hold a market day for local suppliers")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("Conversation “Keeping it local in Hastings” recorded.").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Turn into an action").click()
    assert_accessible(page)
    page.get_by_label("3. Increase local spend to invest in the local economy").check()
    page.get_by_role("button", name="Turn into an action").click()
    assert page.get_by_text("Now an action on").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Overview").click()
    step_five = page.locator(".govuk-task-list__item").nth(4)
    assert "Completed" in step_five.inner_text()
    assert "1 conversation recorded; latest 5 March 2026" in step_five.inner_text()
    assert_accessible(page)
