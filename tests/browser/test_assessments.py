"""Practice assessments in a real browser: an officer answers, a champion returns and approves,
the results and the PDF; a peer council's champion reviews; Locality revises the framework.
axe runs on every page visited."""

import datetime

import pytest
from django.utils import timezone

from keepitlocal.management.commands.seed_demo import DEMO_PASSWORD
from keepitlocal.models import Council, Membership
from principles.assessments.models import Assessment
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import MembershipFactory, assessment

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]
APPROVED = Assessment.Status.APPROVED


def _sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    assert page.get_by_role("heading", name="Sign in").is_visible()


def _answer(page, criteria, level: str, *, start: int = 0, stop: int | None = None) -> None:
    blocks = page.locator(".app-criterion")
    for index in range(start, stop if stop is not None else blocks.count()):
        blocks.nth(index).get_by_label(level, exact=True).check()


@pytest.fixture
def history(demo):
    """East Sussex's approved assessment of a year before, and peers' to compare with."""
    east_sussex = Council.objects.get(slug="east-sussex")
    assessment(
        east_sussex,
        period="2025-26",
        level=1,
        status=APPROVED,
        approved_at=timezone.now() - datetime.timedelta(days=365),
    )
    return east_sussex


def test_an_assessment_from_first_answer_to_approval_results_and_pdf(page, history):
    # The officer starts an assessment and answers the first two principles.
    sign_in(page, "officer", DEMO_PASSWORD)
    page.get_by_role("link", name="Assessments").click()
    assert page.get_by_role("heading", name="Practice assessments").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Start an assessment").click()
    assert_accessible(page)
    page.get_by_label("Which period does the assessment cover?").fill("2026-27")
    page.get_by_role("button", name="Start assessment").click()
    assert page.get_by_text("Assessment for 2026-27 started.").is_visible()
    assert page.get_by_role("heading", name="Answer the criteria").is_visible()
    assert_accessible(page)
    blocks = page.locator(".app-criterion")
    total = blocks.count()
    assert total == 24
    _answer(page, blocks, "Developing", stop=8)
    blocks.nth(0).get_by_label("Why this level?").fill("Joint commissioning board meets monthly")
    page.get_by_role("button", name="Save", exact=True).last.click()
    assert page.get_by_text("Saved 8 answers.").is_visible()
    assert page.get_by_text("8 of 24 criteria answered.").is_visible()
    assert_accessible(page)

    # Signed out and back: the answers are still there.
    _sign_out(page)
    sign_in(page, "officer", DEMO_PASSWORD)
    page.get_by_role("link", name="Assessments").click()
    page.get_by_role("link", name="2026-27").click()
    assert_accessible(page)
    page.get_by_role("link", name="Continue answering").click()
    blocks = page.locator(".app-criterion")
    assert blocks.nth(0).get_by_label("Developing", exact=True).is_checked()
    assert blocks.nth(0).get_by_label("Why this level?").input_value() == (
        "Joint commissioning board meets monthly"
    )

    # Submitting with criteria unanswered lists exactly which, and keeps what was typed.
    _answer(page, blocks, "Established", start=8, stop=23)
    page.get_by_role("button", name="Submit for review").click()
    summary = page.locator(".govuk-error-summary")
    assert "This one is not answered yet" in summary.inner_text()
    assert summary.get_by_role("link").count() == 1
    assert summary.get_by_role("link").inner_text().startswith("6.4 ")
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    page.locator(".app-criterion").nth(23).get_by_label("Emerging", exact=True).check()
    page.get_by_role("button", name="Submit for review").click()
    assert page.get_by_text("Assessment submitted for review.").is_visible()
    assert page.get_by_text("Submitted for review").first.is_visible()
    assert_accessible(page)
    _sign_out(page)

    # The champion returns it with a comment; a return without one is refused.
    sign_in(page, "champion", DEMO_PASSWORD)
    page.goto("/councils/east-sussex/assessments/")
    page.get_by_role("link", name="2026-27").click()
    page.get_by_role("link", name="Review this assessment").click()
    assert_accessible(page)
    page.get_by_role("button", name="Return with comments").click()
    assert "Say what needs to change" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    page.get_by_label("Comments").fill("Principle 6.4 needs evidence of the simplified contracts.")
    page.get_by_role("button", name="Return with comments").click()
    assert page.get_by_text("Assessment returned to officers with your comments.").is_visible()
    assert_accessible(page)
    _sign_out(page)

    # The officer sees the comment, fixes the answer and submits again.
    sign_in(page, "officer", DEMO_PASSWORD)
    page.goto("/councils/east-sussex/assessments/")
    page.get_by_role("link", name="2026-27").click()
    assert page.get_by_text(
        "Principle 6.4 needs evidence of the simplified contracts.", exact=True
    ).is_visible()
    # The history says who returned it, and why.
    assert page.locator(".app-history").get_by_text("to returned for changes").is_visible()
    page.get_by_role("link", name="Continue answering").click()
    last = page.locator(".app-criterion").nth(23)
    last.get_by_label("Developing", exact=True).check()
    last.get_by_label("Why this level?").fill("Standard contracts shortened to four pages")
    page.get_by_role("button", name="Submit for review").click()
    assert page.get_by_text("Assessment submitted for review.").is_visible()
    _sign_out(page)

    # The champion approves, which locks it and completes checklist step 6.
    sign_in(page, "champion", DEMO_PASSWORD)
    page.goto("/councils/east-sussex/assessments/")
    page.get_by_role("link", name="2026-27").click()
    page.get_by_role("link", name="Review this assessment").click()
    page.get_by_role("button", name="Approve").click()
    assert page.get_by_text("The 2026-27 assessment is approved.").is_visible()
    assert page.get_by_text("Approved, so it is locked").is_visible()
    assert page.get_by_role("link", name="Continue answering").count() == 0
    assert_accessible(page)

    # The results compare with last year's assessment and the network.
    page.get_by_role("link", name="Results: scores against the previous assessment").click()
    table = page.get_by_role("table", name="Scores by principle (1 Emerging to 4 Leading)")
    first = table.locator("tbody tr").nth(0).inner_text()
    assert "2.0" in first and "1.0" in first and "+1.0" in first
    assert "Previous (2025-26)" in table.inner_text()
    assert page.get_by_role("img", name="Scores by principle, 2026-27").is_visible()
    assert_accessible(page)

    # A gap becomes an action on its principle in one step.
    page.get_by_role("button", name="Create action for 1.1").click()
    assert page.get_by_text("Action added to principle 1").is_visible()
    assert page.get_by_role("link", name="Action added for 1.1").is_visible()
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    assert download.value.suggested_filename == "east-sussex-assessment-2026-27.pdf"
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    page.get_by_role("link", name="Overview").click()
    step_six = page.locator(".govuk-task-list__item").nth(5).inner_text()
    assert "Completed" in step_six and "2026-27 assessment approved" in step_six
    assert_accessible(page)


def test_a_peer_council_reviews_and_locality_revises_the_framework(page, demo):
    east_sussex = Council.objects.get(slug="east-sussex")
    borsetshire = Council.objects.get(slug="borsetshire")
    assessment(east_sussex, period="2026-27", level=3)
    peer = MembershipFactory(
        council=borsetshire, role=Membership.Role.CHAMPION, user__username="peer-champion"
    ).user
    peer.set_password(DEMO_PASSWORD)
    peer.save()

    sign_in(page, "council-admin", DEMO_PASSWORD)
    page.goto("/councils/east-sussex/assessments/")
    page.get_by_role("link", name="2026-27").click()
    page.get_by_role("link", name="Invite or withdraw a peer council").click()
    assert_accessible(page)
    page.get_by_role("button", name="Invite council").click()
    assert "Choose the council to invite" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    page.get_by_label("Which council should review this assessment?").select_option(
        label="Borsetshire District Council"
    )
    page.get_by_role("button", name="Invite council").click()
    assert page.get_by_text("Borsetshire District Council is invited").is_visible()
    _sign_out(page)

    sign_in(page, "peer-champion", DEMO_PASSWORD)
    page.goto("/councils/borsetshire/assessments/")
    page.get_by_role("link", name="East Sussex County Council: 2026-27").click()
    assert page.get_by_role("heading", name="Practice assessment 2026-27").is_visible()
    assert page.get_by_role("link", name="Answer the criteria").count() == 0
    assert_accessible(page)
    page.get_by_role("button", name="Add comment").click()
    assert "Enter a comment" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    page.get_by_label("Your comment").fill("Your neighbourhood teams are a model for us.")
    page.get_by_role("button", name="Add comment").click()
    assert page.get_by_text("Comment sent to East Sussex County Council.").is_visible()
    assert_accessible(page)
    _sign_out(page)

    sign_in(page, "network-admin", DEMO_PASSWORD)
    page.goto("/network/")
    page.get_by_role("link", name="Assessment framework").click()
    assert page.get_by_text("Version 1, published").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Change criterion 1.1").click()
    assert_accessible(page)
    page.get_by_label("Statement of good practice").fill("")
    page.get_by_role("button", name="Publish revision").click()
    assert "Enter the statement" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    page.get_by_label("Statement of good practice").fill(
        "Leaders plan services around people and places, not departments"
    )
    page.get_by_label("What changed, and why").fill("Plainer wording")
    page.get_by_role("button", name="Publish revision").click()
    assert page.get_by_text("Framework version 2 published.").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Remove criterion 2.4").click()
    assert_accessible(page)
    page.get_by_role("button", name="Remove criterion and publish revision").click()
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    page.get_by_label("Why is it being removed?").fill("Covered by 2.1")
    page.get_by_role("button", name="Remove criterion and publish revision").click()
    assert page.get_by_text("Framework version 3 published.").is_visible()
    assert page.get_by_role("link", name="Add a criterion to principle 2").is_visible()
    page.get_by_role("link", name="Add a criterion to principle 2").click()
    assert_accessible(page)
    page.get_by_role("link", name="Back to the framework").click()
    page.get_by_role("link", name="Version 1", exact=True).click()
    assert page.get_by_text("This is an earlier version.").is_visible()
    assert_accessible(page)
