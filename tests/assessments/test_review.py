"""Submitting for review, returning with comments, approving, and the lock that follows."""

import pytest
from django.urls import reverse

from keepitlocal.models import Membership
from principles.assessments.models import Answer, Assessment, Frozen, ReviewComment
from principles.assessments.services import NotAllowedNow, assessment_approve
from tests.assessments.conftest import answer, answers_post
from tests.factories import assessment
from tests.html import page, text

pytestmark = pytest.mark.django_db


def _answer_all_but(item, *references):
    Answer.objects.filter(assessment=item).update(level=3)
    for reference in references:
        Answer.objects.filter(pk=answer(item, reference).pk).update(level=None)


def test_submitting_with_unanswered_criteria_lists_exactly_which(client, officer, draft, url):
    _answer_all_but(draft, "2.3", "5.1")
    client.force_login(officer)
    response = client.post(url("submit", draft))
    assert response.status_code == 200
    summary = page(response).cssselect(".govuk-error-summary__list a")
    assert [link.text_content().split(" ")[0] for link in summary] == ["2.3", "5.1"]
    assert summary[0].get("href").endswith(f"#answer-{answer(draft, '2.3').pk}-level")
    draft.refresh_from_db()
    assert draft.status == Assessment.Status.DRAFT


def test_submitting_from_the_answers_page_saves_first_so_nothing_is_lost(
    client, officer, draft, url
):
    _answer_all_but(draft, "2.3", "5.1")
    client.force_login(officer)
    data = answers_post(draft, {"2.3": {"level": 2, "comment": "typed just now"}}, action="submit")
    response = client.post(url("answers", draft), data)
    assert response.status_code == 200
    body = text(page(response))
    assert "These 1 are" not in body and "This one is not answered yet" in body
    assert "5.1" in body
    assert (answer(draft, "2.3").level, answer(draft, "2.3").comment) == (2, "typed just now")
    data = answers_post(draft, {"5.1": {"level": 1}}, action="submit")
    response = client.post(url("answers", draft), data)
    assert response["Location"] == url("detail", draft)
    draft.refresh_from_db()
    assert draft.status == Assessment.Status.SUBMITTED
    assert draft.submitted_by == officer


@pytest.fixture
def submitted(draft, officer):
    from principles.assessments.services import assessment_submit

    Answer.objects.filter(assessment=draft).update(level=2)
    return assessment_submit(assessment=draft, by=officer)


def test_a_champion_returns_it_with_comments_and_the_officer_fixes_and_resubmits(
    client, officer, champion, submitted, url
):
    client.force_login(champion)
    response = client.post(url("review", submitted), {"decision": "return", "comment": ""})
    assert response.status_code == 200
    assert "Say what needs to change before returning it" in text(page(response))
    response = client.post(
        url("review", submitted), {"decision": "return", "comment": "Evidence for 3.1, please"}
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == Assessment.Status.RETURNED
    client.force_login(officer)
    detail = text(page(client.get(url("detail", submitted))))
    assert "Returned for changes" in detail and "Evidence for 3.1, please" in detail
    client.post(url("answers", submitted), answers_post(submitted, {"3.1": {"level": 3}}))
    client.post(url("submit", submitted))
    submitted.refresh_from_db()
    assert submitted.status == Assessment.Status.SUBMITTED
    kinds = list(submitted.review_comments.values_list("kind", flat=True))
    assert kinds == ["submitted", "returned", "submitted"]


def test_a_champion_approves_and_the_assessment_is_locked(
    client, officer, champion, submitted, url
):
    client.force_login(champion)
    response = client.post(
        url("review", submitted), {"decision": "approve", "comment": "Well done"}
    )
    assert response["Location"] == url("detail", submitted)
    submitted.refresh_from_db()
    assert submitted.status == Assessment.Status.APPROVED
    assert submitted.approved_by == champion
    # Officers can no longer change it, by the page or by the models.
    client.force_login(officer)
    response = client.get(url("answers", submitted))
    assert response["Location"] == url("detail", submitted)
    before = list(Answer.objects.filter(assessment=submitted).values_list("level", "version"))
    response = client.post(
        url("answers", submitted), answers_post(submitted, {"1.1": {"level": 4}})
    )
    assert response.status_code == 302
    assert "approved, so it is locked" in text(page(client.get(response["Location"])))
    assert (
        list(Answer.objects.filter(assessment=submitted).values_list("level", "version")) == before
    )
    one = answer(submitted, "1.1")
    one.level = 4
    with pytest.raises(Frozen):
        one.save()
    with pytest.raises(Frozen):
        submitted.save()
    response = client.post(url("submit", submitted))
    assert "approved" in text(page(client.get(response["Location"])))
    # Its history remains.
    detail = text(page(client.get(url("detail", submitted))))
    assert "Approved" in detail and "Well done" in detail
    assert "status changed from submitted for review to approved" in detail


def test_approving_your_own_submission_is_not_allowed(client, member, draft, url):
    champion = member(Membership.Role.CHAMPION)
    Answer.objects.filter(assessment=draft).update(level=2)
    client.force_login(champion)
    client.post(url("submit", draft))
    draft.refresh_from_db()
    assert draft.submitted_by == champion
    review_page = text(page(client.get(url("review", draft))))
    assert "You submitted this assessment, so another champion must approve it" in review_page
    response = client.post(url("review", draft), {"decision": "approve", "comment": ""})
    assert response.status_code == 200
    assert "another champion must approve it" in text(page(response))
    draft.refresh_from_db()
    assert draft.status == Assessment.Status.SUBMITTED
    with pytest.raises(NotAllowedNow):
        assessment_approve(assessment=draft, by=champion)


@pytest.mark.parametrize(
    "role",
    [
        Membership.Role.OFFICER,
        Membership.Role.COUNCIL_ADMIN,
        Membership.Role.LEAD_MEMBER,
        Membership.Role.CHIEF_EXECUTIVE,
    ],
)
def test_only_champions_review(client, member, submitted, url, role):
    client.force_login(member(role))
    assert client.get(url("review", submitted)).status_code == 403
    response = client.post(url("review", submitted), {"decision": "approve", "comment": ""})
    assert response.status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == Assessment.Status.SUBMITTED


def test_answers_cannot_change_while_with_the_champions(client, officer, submitted, url):
    client.force_login(officer)
    response = client.post(
        url("answers", submitted), answers_post(submitted, {"1.1": {"level": 4}})
    )
    assert response.status_code == 302
    assert answer(submitted, "1.1").level == 2


def test_a_draft_cannot_be_approved_or_returned(client, champion, draft, url):
    client.force_login(champion)
    response = client.post(url("review", draft), {"decision": "approve", "comment": ""})
    assert "not waiting for review" in text(page(response))
    draft.refresh_from_db()
    assert draft.status == Assessment.Status.DRAFT


def test_checklist_step_six_follows_the_assessments(client, officer, council, overview_url):
    client.force_login(officer)

    def step_six():
        items = page(client.get(overview_url)).cssselect(".govuk-task-list__item")
        return text(items[5])

    assert "Not yet started" in step_six()
    made = assessment(council, period="2025-26", status=Assessment.Status.SUBMITTED)
    assert "Incomplete" in step_six() and "2025-26 assessment: submitted for review" in step_six()
    made.status = Assessment.Status.APPROVED
    made.approved_at = made.started_at
    made.save()
    assert "Completed" in step_six() and "2025-26 assessment approved" in step_six()
    assert reverse("assessments:index", kwargs={"council_slug": council.slug}) in str(
        page(client.get(overview_url)).cssselect(".govuk-task-list__item a")[5].get("href")
    )


def test_review_comments_are_kept_in_order_with_who_said_them(champion, submitted):
    from principles.assessments.services import assessment_return

    assessment_return(assessment=submitted, by=champion, text="More on 4.2")
    comments = list(ReviewComment.objects.filter(assessment=submitted))
    assert [c.kind for c in comments] == ["submitted", "returned"]
    assert comments[1].author == champion and comments[1].text == "More on 4.2"
