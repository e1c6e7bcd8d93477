"""A double click on a form's button sends the form once, with GOV.UK Frontend's Button
started under the Content-Security-Policy."""

import pytest

from keepitlocal.management.commands.seed_demo import DEMO_PASSWORD
from principles.models import Action
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_double_click_on_save_adds_one_action(page, demo):
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    sign_in(page, "officer", DEMO_PASSWORD)
    page.goto("/councils/east-sussex/principles/3/actions/add/")
    # GOV.UK Frontend marks each component it has started: initAll ran, the CSP allowing it.
    page.wait_for_selector('[data-module="govuk-button"][data-govuk-button-init]', state="attached")
    assert_accessible(page)
    posts = []
    page.on("request", lambda request: request.method == "POST" and posts.append(request.url))

    page.get_by_label("Title").fill("Ask the market traders what would help")
    page.get_by_role("button", name="Save").dblclick()
    # Sent twice, the first navigation is cut short (net::ERR_ABORTED) and this fails too.
    page.wait_for_url("**/principles/3/")

    assert len(posts) == 1
    assert Action.objects.filter(title="Ask the market traders what would help").count() == 1
    assert page.get_by_text("Ask the market traders what would help").first.is_visible()
    assert problems == []
