"""Officers record progress on a principle; nobody's update is silently lost."""

import datetime

import pytest
from django.utils import timezone

from keepitlocal.models import Membership
from principles.models import PrincipleProgress
from principles.services import EditConflict, principle_progress_update
from tests.factories import PrincipleProgressFactory, principle
from tests.html import page, text

Role = Membership.Role


def progress_data(version=0, **overrides):
    return {
        "version": str(version),
        "stage": "established",
        "rag": "green",
        "narrative": "Local spend is reported every quarter.",
        "next_steps": "Agree a higher target.",
        **overrides,
    }


@pytest.fixture
def progress_url(council):
    return f"/councils/{council.slug}/principles/3/progress/"


@pytest.mark.django_db
def test_officer_records_progress_and_sees_it(client, officer, council, progress_url):
    client.force_login(officer)
    response = client.post(progress_url, progress_data(), follow=True)
    assert "Progress saved." in text(page(response))
    saved = PrincipleProgress.objects.get(council=council, principle__number=3)
    assert (saved.stage, saved.rag, saved.version) == ("established", "green", 1)
    assert saved.last_reviewed_on == timezone.localdate()
    assert saved.last_reviewed_by == officer
    body = text(page(response))
    assert "Established" in body and "Local spend is reported every quarter." in body
    assert f"by {officer}" in body


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.LEAD_MEMBER, Role.CHIEF_EXECUTIVE])
def test_roles_that_only_read_cannot_change_progress(client, member, council, progress_url, role):
    client.force_login(member(role))
    assert client.get(progress_url).status_code == 403
    assert client.post(progress_url, progress_data()).status_code == 403
    assert not PrincipleProgress.objects.exists()
    detail = client.get(f"/councils/{council.slug}/principles/3/")
    assert b"Update progress" not in detail.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"stage": ""}, "Select a stage"),
        ({"stage": "finished"}, "Select a stage"),
        ({"rag": "purple"}, "Select a RAG status"),
        ({"narrative": "x" * 5001}, "Ensure this value has at most 5000 characters"),
    ],
)
def test_bad_progress_is_explained_and_nothing_is_saved(
    client, officer, council, progress_url, overrides, message
):
    existing = PrincipleProgressFactory(council=council, narrative="Kept", version=1)
    client.force_login(officer)
    response = client.post(progress_url, progress_data(version=1, **overrides))
    assert response.status_code == 200
    assert message in text(page(response).cssselect(".govuk-error-summary")[0])
    existing.refresh_from_db()
    assert (existing.narrative, existing.version) == ("Kept", 1)


@pytest.mark.django_db
def test_two_officers_changing_the_same_fields_at_once_the_second_sees_both_and_keeps_input(
    client, member, council, progress_url
):
    """Both open the form at version 1; the first saves; the second changed the same fields."""
    first, second = member(Role.OFFICER), member(Role.OFFICER)
    principle_progress_update(
        council=council,
        principle=principle(3),
        by=first,
        base_version=0,
        stage="developing",
        rag="green",
        narrative="Start",
        next_steps="Agree a higher target.",
    )
    client.force_login(second)
    form_seen_by_second = page(client.get(progress_url))
    assert form_seen_by_second.cssselect("input[name=version]")[0].get("value") == "1"

    client.force_login(first)
    client.post(progress_url, progress_data(version=1, stage="established", narrative="First"))

    client.force_login(second)
    response = client.post(
        progress_url, progress_data(version=1, stage="embedded", narrative="Second's words")
    )
    html = page(response)
    summary = text(html.cssselect(".govuk-error-summary")[0])
    assert f"{first} changed this while you were editing it" in summary
    assert f"{first} changed the stage to “established” while you were editing" in summary
    conflict = text(html.cssselect("#edit-conflict")[0])
    assert "Stage: from “developing” to “established”; yours is “embedded”" in conflict
    assert "Summary: from “Start” to “First”; yours is “Second's words”" in conflict
    # Their own words are still in the form, now based on the latest version.
    assert html.cssselect("#id_narrative")[0].text_content().strip() == "Second's words"
    assert html.cssselect("input[name=version]")[0].get("value") == "2"
    saved = PrincipleProgress.objects.get(council=council)
    assert (saved.stage, saved.narrative) == ("established", "First")

    # Having seen the other change, the second officer saves again and it sticks.
    client.post(progress_url, progress_data(version=2, stage="embedded", narrative="Agreed"))
    saved.refresh_from_db()
    assert (saved.stage, saved.narrative, saved.version) == ("embedded", "Agreed", 3)


@pytest.mark.django_db
def test_two_first_saves_of_the_same_progress_make_one_record(member, council):
    first, second = member(Role.OFFICER), member(Role.OFFICER)
    fields = {"stage": "developing", "rag": "", "narrative": "", "next_steps": ""}
    principle_progress_update(
        council=council, principle=principle(), by=first, base_version=0, **fields
    )
    principle_progress_update(
        council=council, principle=principle(), by=second, base_version=0, **fields
    )
    saved = PrincipleProgress.objects.get()
    assert (saved.stage, saved.version, saved.last_reviewed_by) == ("developing", 2, second)


@pytest.mark.django_db
def test_two_different_first_saves_give_the_second_a_conflict(member, council):
    first, second = member(Role.OFFICER), member(Role.OFFICER)
    fields = {"rag": "", "narrative": "", "next_steps": ""}
    principle_progress_update(
        council=council,
        principle=principle(),
        by=first,
        base_version=0,
        stage="developing",
        **fields,
    )
    with pytest.raises(EditConflict) as conflict:
        principle_progress_update(
            council=council,
            principle=principle(),
            by=second,
            base_version=0,
            stage="embedded",
            **fields,
        )
    assert [item.field for item in conflict.value.conflicts] == ["stage"]
    assert PrincipleProgress.objects.get().stage == "developing"


@pytest.mark.django_db
def test_two_first_saves_at_the_same_moment_give_the_second_a_conflict_not_an_error(
    member, council, monkeypatch
):
    first, second = member(Role.OFFICER), member(Role.OFFICER)
    fields = {"rag": "", "narrative": "", "next_steps": ""}
    principle_progress_update(
        council=council,
        principle=principle(),
        by=first,
        base_version=0,
        stage="developing",
        **fields,
    )
    # As if the second person's check ran before the first person's row was written.
    real_select = PrincipleProgress.objects.select_for_update
    calls = []

    def first_finds_nothing():
        calls.append(1)
        return PrincipleProgress.objects.none() if len(calls) == 1 else real_select()

    monkeypatch.setattr(PrincipleProgress.objects, "select_for_update", first_finds_nothing)
    with pytest.raises(EditConflict) as conflict:
        principle_progress_update(
            council=council,
            principle=principle(),
            by=second,
            base_version=0,
            stage="embedded",
            **fields,
        )
    monkeypatch.undo()
    assert conflict.value.changed_by == str(first)
    assert PrincipleProgress.objects.get().last_reviewed_by == first


@pytest.mark.django_db
def test_last_reviewed_date_is_the_day_of_saving(member, council, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda: datetime.date(2026, 3, 3))
    progress = principle_progress_update(
        council=council,
        principle=principle(),
        by=member(Role.CHAMPION),
        base_version=0,
        stage="developing",
        rag="red",
        narrative="",
        next_steps="",
    )
    assert progress.last_reviewed_on == datetime.date(2026, 3, 3)
