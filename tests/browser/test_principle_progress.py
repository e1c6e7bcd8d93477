"""The demo officer updates principle 3 in a browser, with axe on every page."""

import pytest

from keepitlocal.management.commands.seed_demo import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_officer_updates_principle_three(page, demo, tmp_path):
    sign_in(page, "officer", DEMO_PASSWORD)
    page.get_by_role("link", name="Principles").click()
    assert_accessible(page)
    page.get_by_role("link", name="3. Increase local spend to invest in the local economy").click()
    assert page.get_by_text("Progress first recorded at stage developing by Sam Ellis").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Update progress").click()
    assert_accessible(page)
    page.get_by_label("Established").check()
    page.get_by_label("Amber").check()
    page.get_by_label("Summary").fill("67.9% of procurement spend was local in 2021-22.")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("Progress saved.").is_visible()
    assert page.get_by_text("67.9% of procurement spend was local in 2021-22.").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Add an action").click()
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    assert page.get_by_role("link", name="Enter what the action is").is_visible()
    assert_accessible(page)
    page.get_by_label("Title").fill("Publish a local spend dashboard")
    page.get_by_label("Or a named partner").fill("Sussex Community Development Association")
    page.locator("#id_due_on_0").fill("31")
    page.locator("#id_due_on_1").fill("3")
    page.locator("#id_due_on_2").fill("2030")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("Action “Publish a local spend dashboard” added.").is_visible()
    assert_accessible(page)

    # Someone else changes the action's title while the officer marks it done: both kept.
    page.get_by_role("link", name="Publish a local spend dashboard").click()
    assert_accessible(page)
    _someone_else_changes_the_action(title="Publish a quarterly local spend dashboard")
    page.get_by_label("Done").check()
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("Sam Ellis also changed this while you were editing it.").is_visible()
    assert page.get_by_text("Done (").first.is_visible()
    assert page.get_by_role("link", name="Publish a quarterly local spend dashboard").is_visible()
    assert_accessible(page)

    # Both change the status: the officer sees both and decides.
    page.get_by_role("link", name="Publish a quarterly local spend dashboard").click()
    _someone_else_changes_the_action(status="in_progress")
    page.get_by_label("Not started").check()
    page.get_by_role("button", name="Save").click()
    conflict = page.locator("#edit-conflict")
    assert "Sam Ellis saved changes while you were editing" in conflict.inner_text()
    assert "Status: from “done” to “in progress”; yours is “not started”" in conflict.inner_text()
    assert page.get_by_label("Not started").is_checked()
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text(
        "Action “Publish a quarterly local spend dashboard” saved."
    ).is_visible()

    page.get_by_role("link", name="Add evidence").click()
    assert_accessible(page)
    report = tmp_path / "spend-2021-22.csv"
    report.write_bytes("supplier,amount\nCafé Ltd,£10\n".encode("cp1252"))
    page.get_by_label("Title").fill("Local spend 2021-22")
    page.get_by_label("Upload a file").set_input_files(str(report))
    page.get_by_role("button", name="Add evidence").click()
    assert page.get_by_text("Evidence “Local spend 2021-22” added.").is_visible()
    assert page.get_by_role("link", name="Download spend-2021-22.csv").is_visible()

    # The evidence is corrected, then a mistaken piece removed, with why.
    page.get_by_role("link", name="Change the evidence “Local spend 2021-22”").click()
    assert_accessible(page)
    page.get_by_label("Title").fill("Local spend report 2021-22")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("Evidence “Local spend report 2021-22” saved.").is_visible()
    page.get_by_role("link", name="Change the evidence “Local spend report 2021-22”").click()
    page.get_by_role("link", name="Remove this evidence").click()
    assert_accessible(page)
    page.get_by_role("button", name="Remove").click()
    assert page.get_by_role("link", name="Enter why it is being removed").is_visible()
    assert_accessible(page)
    page.get_by_label("Why is it being removed?").fill("Uploaded to the wrong principle")
    page.get_by_role("button", name="Remove").click()
    assert page.get_by_text("removed. The history keeps it.").is_visible()
    assert not page.get_by_role("link", name="Download spend-2021-22.csv").is_visible()

    history = page.locator(".app-history")
    assert "Stage changed from developing to established by Priya Shah" in history.inner_text()
    assert "RAG status changed from green to amber by Priya Shah" in history.inner_text()
    assert "Summary changed: removed “In 2021-22," in history.inner_text()
    assert "Action “Publish a local spend dashboard” added by Priya Shah" in history.inner_text()
    assert "status changed from not started to done by Priya Shah" in history.inner_text()
    assert "Evidence “Local spend 2021-22” added by Priya Shah" in history.inner_text()
    assert (
        "Evidence “Local spend report 2021-22” removed: Uploaded to the wrong principle "
        "by Priya Shah"
    ) in history.inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="Back to principles").click()
    row = page.locator("tbody tr").nth(2)
    assert "Established" in row.inner_text() and "Amber" in row.inner_text()
    assert_accessible(page)


def _someone_else_changes_the_action(**changes) -> None:
    from keepitlocal.models import User
    from principles.models import Action
    from principles.services import action_update

    action = Action.objects.get(title__startswith="Publish a")
    fields = {
        "title": action.title,
        "description": action.description,
        "owner": action.owner,
        "owner_name": action.owner_name,
        "due_on": action.due_on,
        "status": action.status,
        "completed_on": action.completed_on,
    }
    action_update(
        action=action,
        by=User.objects.get(username="council-admin"),
        base_version=action.version,
        **{**fields, **changes},
    )
