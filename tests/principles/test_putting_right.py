"""Mistakes can be put right: evidence changed or removed, actions removed, a draft
assessment's period corrected or the draft deleted; each removal asks why and stays in the
history."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from keepitlocal.models import Membership, RecordChange
from principles.assessments.models import Assessment
from principles.assessments.services import assessment_start
from principles.models import Action, Evidence
from principles.services import action_create, evidence_add
from tests.factories import principle
from tests.html import page, text

Role = Membership.Role
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def evidence(council, officer):
    return evidence_add(
        council=council,
        principle=principle(3),
        by=officer,
        title="Spend report",
        url="https://example.gov.uk/spend",
    )


def evidence_url(council, evidence, end=""):
    return f"/councils/{council.slug}/principles/3/evidence/{evidence.pk}/{end}"


def history(client, council) -> str:
    detail = page(client.get(f"/councils/{council.slug}/principles/3/"))
    return " | ".join(text(li) for li in detail.cssselect(".app-history li"))


@pytest.mark.django_db
def test_evidence_details_are_corrected_and_the_history_says_what_changed(
    client, officer, council, evidence
):
    client.force_login(officer)
    response = client.post(
        evidence_url(council, evidence),
        {"version": "1", "title": "Local spend report 2021-22", "url": evidence.url},
        follow=True,
    )
    assert "Evidence “Local spend report 2021-22” saved." in text(page(response))
    assert (
        "Evidence “Local spend report 2021-22”: title changed from Spend report to Local spend "
        "report 2021-22"
    ) in history(client, council)


@pytest.mark.django_db
def test_a_file_is_replaced_and_then_taken_away_leaving_the_link(
    client, officer, council, evidence
):
    client.force_login(officer)
    client.post(
        evidence_url(council, evidence),
        {
            "version": "1",
            "title": "Spend report",
            "url": evidence.url,
            "file": SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf"),
        },
    )
    evidence.refresh_from_db()
    assert evidence.file_name == "report.pdf" and evidence.file_type == "application/pdf"
    client.post(
        evidence_url(council, evidence),
        {"version": "2", "title": "Spend report", "url": evidence.url, "remove_file": "on"},
    )
    evidence.refresh_from_db()
    assert not evidence.file and evidence.url
    assert "file changed from report.pdf to blank" in history(client, council)


@pytest.mark.django_db
def test_the_file_cannot_be_taken_away_when_it_is_all_there_is(client, officer, council):
    upload = SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf")
    only_a_file = evidence_add(
        council=council,
        principle=principle(3),
        by=officer,
        title="Report",
        upload=upload,
        file_type="application/pdf",
    )
    client.force_login(officer)
    response = client.post(
        evidence_url(council, only_a_file),
        {"version": "1", "title": "Report", "url": "", "remove_file": "on"},
    )
    assert response.status_code == 200
    assert "Enter a link or upload a file" in text(page(response))
    only_a_file.refresh_from_db()
    assert only_a_file.file


@pytest.mark.django_db
def test_removing_evidence_asks_why_and_keeps_it_in_the_history(client, officer, council, evidence):
    client.force_login(officer)
    confirm = page(client.get(evidence_url(council, evidence, "remove/")))
    assert "Remove the evidence “Spend report”?" in text(confirm)
    refused = client.post(evidence_url(council, evidence, "remove/"), {"reason": ""})
    assert "Enter why it is being removed" in text(page(refused))
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    done = client.post(
        evidence_url(council, evidence, "remove/"), {"reason": "Added twice"}, follow=True
    )
    assert "Evidence “Spend report” removed. The history keeps it." in text(page(done))
    assert not Evidence.objects.filter(pk=evidence.pk).exists()
    assert f"Evidence “Spend report” removed: Added twice by {officer}" in history(client, council)
    removal = RecordChange.objects.get(kind="removed")
    assert removal.values["title"] == "Spend report" and removal.actor == officer


@pytest.mark.django_db
def test_evidence_behind_an_approved_assessment_stays(client, officer, council, evidence):
    from tests.factories import assessment

    approved = assessment(council, status="approved", level=3)
    approved.answers.first().evidence.add(evidence)
    client.force_login(officer)
    response = client.post(evidence_url(council, evidence, "remove/"), {"reason": "Tidying"})
    assert response.status_code == 200
    assert "supports an approved practice assessment" in text(page(response))
    assert Evidence.objects.filter(pk=evidence.pk).exists()


@pytest.mark.django_db
def test_an_action_is_removed_with_why_and_the_history_keeps_it(client, officer, council):
    action = action_create(council=council, principle=principle(3), by=officer, title="Typo")
    client.force_login(officer)
    url = f"/councils/{council.slug}/principles/3/actions/{action.pk}/remove/"
    done = client.post(url, {"reason": "Made by mistake"}, follow=True)
    assert "Action “Typo” removed. The history keeps it." in text(page(done))
    assert not Action.objects.filter(pk=action.pk).exists()
    assert f"Action “Typo” removed: Made by mistake by {officer}" in history(client, council)


@pytest.mark.django_db
def test_readers_cannot_remove_anything(client, member, council, officer, evidence):
    action = action_create(council=council, principle=principle(3), by=officer, title="Kept")
    client.force_login(member(Role.LEAD_MEMBER))
    for url in (
        evidence_url(council, evidence, "remove/"),
        f"/councils/{council.slug}/principles/3/actions/{action.pk}/remove/",
    ):
        assert client.post(url, {"reason": "Because"}).status_code == 403
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    assert Action.objects.filter(pk=action.pk).exists()


# Draft assessments -------------------------------------------------------------


@pytest.fixture
def draft(council, officer):
    return assessment_start(council=council, period="2026-27", by=officer)


def assessment_url(council, item, end):
    return f"/councils/{council.slug}/assessments/{item.pk}/{end}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "saved"),
    [("2025/26", "2025-26"), ("2025-2026", "2025-26"), ("2025-26 q3", "2025-26 Q3")],
)
def test_a_drafts_period_is_corrected_to_a_financial_year_or_quarter(
    client, officer, council, draft, typed, saved
):
    client.force_login(officer)
    response = client.post(assessment_url(council, draft, "period/"), {"period": typed})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.period == saved
    detail = text(page(client.get(assessment_url(council, draft, ""))))
    assert f"period changed from 2026-27 to {saved} by {officer}" in detail


@pytest.mark.django_db
def test_a_period_that_is_not_a_financial_year_is_refused(client, officer, council, draft):
    client.force_login(officer)
    response = client.post(assessment_url(council, draft, "period/"), {"period": "2025-27"})
    assert response.status_code == 200
    assert "2025-27 is not a financial year" in text(page(response))
    draft.refresh_from_db()
    assert draft.period == "2026-27"


@pytest.mark.django_db
def test_a_draft_is_deleted_with_why_and_the_history_keeps_it(client, officer, council, draft):
    client.force_login(officer)
    done = client.post(
        assessment_url(council, draft, "delete/"), {"reason": "Started twice"}, follow=True
    )
    assert "The draft 2026-27 assessment is deleted. The history keeps it." in text(page(done))
    assert not Assessment.objects.filter(pk=draft.pk).exists()
    removal = RecordChange.objects.get(kind="removed", record_type="principles.assessment")
    assert (removal.reason, removal.actor) == ("Started twice", officer)


@pytest.mark.django_db
def test_a_submitted_assessment_cannot_be_deleted(client, officer, council, draft):
    from principles.assessments.services import assessment_submit

    draft.answers.update(level=2)
    assessment_submit(assessment=draft, by=officer)
    client.force_login(officer)
    response = client.post(assessment_url(council, draft, "delete/"), {"reason": "Oops"})
    assert response.status_code == 200
    assert "Only a draft that has never been submitted can be deleted" in text(page(response))
    assert Assessment.objects.filter(pk=draft.pk).exists()


@pytest.mark.django_db
def test_removing_a_file_from_an_old_copy_does_not_undo_a_colleagues_new_file(
    client, officer, member, council, evidence
):
    from principles.services import evidence_update

    opened_at = evidence.version
    evidence_update(
        evidence=evidence,
        by=member(Role.CHAMPION),
        base_version=opened_at,
        title=evidence.title,
        description="",
        dated_on=None,
        url=evidence.url,
        upload=SimpleUploadedFile("theirs.pdf", PDF, content_type="application/pdf"),
        file_type="application/pdf",
    )
    client.force_login(officer)
    response = client.post(
        evidence_url(council, evidence),
        {
            "version": str(opened_at),
            "title": "Spend report",
            "url": evidence.url,
            "remove_file": "on",
        },
    )
    assert response.status_code == 200
    assert "File: theirs is “theirs.pdf”; yours is “no file”" in text(page(response))
    evidence.refresh_from_db()
    assert evidence.file_name == "theirs.pdf"
