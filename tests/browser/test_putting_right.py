"""The demo officer puts mistakes right in a browser, with axe on every page: an action
removed, a draft assessment's period corrected, then the draft deleted."""

import pytest

from keepitlocal.management.commands.seed_demo import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_officer_removes_an_action_and_corrects_then_deletes_a_draft(page, demo):
    from principles.models import Action

    sign_in(page, "officer", DEMO_PASSWORD)
    page.goto("/councils/east-sussex/principles/3/actions/add/")
    page.get_by_label("Title").fill("Added to the wrong principle")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Added to the wrong principle").click()
    page.get_by_role("link", name="Remove this action").click()
    assert_accessible(page)
    page.get_by_role("button", name="Remove").click()
    assert page.get_by_role("link", name="Enter why it is being removed").is_visible()
    assert_accessible(page)
    page.get_by_label("Why is it being removed?").fill("It belongs to principle 5")
    page.get_by_role("button", name="Remove").click()
    assert page.get_by_text("removed. The history keeps it.").is_visible()
    assert not Action.objects.filter(title="Added to the wrong principle").exists()
    history = page.locator(".app-history").inner_text()
    assert "Action “Added to the wrong principle” removed: It belongs to principle 5" in history

    page.goto("/councils/east-sussex/assessments/start/")
    page.get_by_label("Which period does the assessment cover?").fill("2025-26")
    page.get_by_role("button", name="Start assessment").click()
    page.get_by_role("link", name="Back to the assessment").click()
    page.get_by_role("link", name="Change the period").click()
    assert_accessible(page)
    page.get_by_label("Which period does the assessment cover?").fill("2025-27")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_role("link", name="2025-27 is not a financial year").first.is_visible()
    assert_accessible(page)
    page.get_by_label("Which period does the assessment cover?").fill("2025-26 Q4")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("The period is now 2025-26 Q4.").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Delete this draft").click()
    assert_accessible(page)
    page.get_by_label("Why is it being deleted?").fill("Started for the wrong year")
    page.get_by_role("button", name="Delete draft").click()
    assert page.get_by_text("The draft 2025-26 Q4 assessment is deleted.").is_visible()
    assert_accessible(page)
