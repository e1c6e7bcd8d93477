"""Two people editing one record at once: a colleague's change is never undone unseen.

Each edit is merged field by field against the version the person started from: fields only
the other person changed keep their value, fields only this person changed take theirs, and a
field both changed differently is shown to the second person with both values (ADR 0012).
"""

import datetime

import pytest

from keepitlocal.models import Membership, RecordChange
from principles.models import Action, PrincipleProgress
from principles.services import action_create, principle_progress_update
from tests.factories import principle
from tests.html import page, text

Role = Membership.Role

PROGRESS = {
    "stage": "developing",
    "rag": "amber",
    "narrative": "Spend is mapped for adults' services.",
    "next_steps": "Map children's services.",
}


@pytest.fixture
def people(member):
    alex = member(Role.OFFICER)
    alex.first_name, alex.last_name = "Alex", "Adams"
    alex.save()
    bo = member(Role.CHAMPION)
    bo.first_name, bo.last_name = "Bo", "Brown"
    bo.save()
    return alex, bo


@pytest.fixture
def progress_url(council):
    return f"/councils/{council.slug}/principles/3/progress/"


@pytest.fixture
def started(council, people):
    """Progress on principle 3 at version 1, as both people open the form."""
    alex, _ = people
    return principle_progress_update(
        council=council, principle=principle(3), by=alex, base_version=0, **PROGRESS
    )


def posted(values: dict, version: int) -> dict:
    return {"version": str(version), **values}


def history_lines(client, council) -> list[str]:
    detail = page(client.get(f"/councils/{council.slug}/principles/3/"))
    return [text(li) for li in detail.cssselect(".app-history li")]


@pytest.mark.django_db
def test_a_change_to_another_field_is_merged_not_undone(
    client, council, people, started, progress_url
):
    """The defect seen: A changes the summary, B (from the same version) changes the stage."""
    alex, bo = people
    client.force_login(alex)
    client.post(progress_url, posted({**PROGRESS, "narrative": "Spend is mapped everywhere."}, 1))

    client.force_login(bo)
    # Bo's form still holds the old summary; Bo changed only the stage.
    response = client.post(
        progress_url, posted({**PROGRESS, "stage": "established"}, 1), follow=True
    )
    saved = PrincipleProgress.objects.get(council=council)
    assert (saved.stage, saved.narrative) == ("established", "Spend is mapped everywhere.")
    assert saved.version == 3
    shown = text(page(response))
    assert "Progress saved." in shown
    assert "Alex Adams also changed this while you were editing it" in shown
    assert "Their change to the summary is kept with yours" in shown
    lines = history_lines(client, council)
    assert any(
        line.startswith("Stage changed from developing to established by Bo Brown")
        for line in lines
    )
    assert any(line.startswith("Summary changed") and "by Alex Adams" in line for line in lines)
    assert not any("Summary" in line and "by Bo Brown" in line for line in lines)


@pytest.mark.django_db
def test_the_same_change_made_by_both_is_no_conflict(
    client, council, people, started, progress_url
):
    alex, bo = people
    same = {**PROGRESS, "rag": "green"}
    client.force_login(alex)
    client.post(progress_url, posted(same, 1))
    client.force_login(bo)
    response = client.post(progress_url, posted(same, 1), follow=True)
    assert "Progress saved." in text(page(response))
    assert PrincipleProgress.objects.get(council=council).rag == "green"


@pytest.mark.django_db
def test_a_real_conflict_shows_both_values_and_a_second_save_applies_only_their_change(
    client, council, people, started, progress_url
):
    alex, bo = people
    client.force_login(alex)
    client.post(
        progress_url,
        posted({**PROGRESS, "stage": "established", "narrative": "Alex's summary"}, 1),
    )
    client.force_login(bo)
    response = client.post(progress_url, posted({**PROGRESS, "stage": "embedded"}, 1))
    html = page(response)
    assert response.status_code == 200
    summary = text(html.cssselect(".govuk-error-summary")[0])
    assert "Alex Adams changed the stage to “established” while you were editing" in summary
    conflict = text(html.cssselect("#edit-conflict")[0])
    assert "Stage: from “developing” to “established”; yours is “embedded”" in conflict
    # Bo's stage is kept in the input; Alex's summary, which Bo did not touch, is now shown.
    assert html.cssselect("input[name=stage][checked]")[0].get("value") == "embedded"
    assert html.cssselect("#id_narrative")[0].text_content().strip() == "Alex's summary"
    assert html.cssselect("input[name=version]")[0].get("value") == "2"
    assert PrincipleProgress.objects.get(council=council).stage == "established"

    # Bo saves the form as shown: only Bo's change applies.
    data = {
        "version": html.cssselect("input[name=version]")[0].get("value"),
        "stage": "embedded",
        "rag": "amber",
        "narrative": html.cssselect("#id_narrative")[0].text_content().strip(),
        "next_steps": html.cssselect("#id_next_steps")[0].text_content().strip(),
    }
    client.post(progress_url, data)
    saved = PrincipleProgress.objects.get(council=council)
    assert (saved.stage, saved.narrative, saved.next_steps, saved.rag) == (
        "embedded",
        "Alex's summary",
        PROGRESS["next_steps"],
        "amber",
    )


@pytest.mark.django_db
def test_interleaved_edits_never_revert_a_field_the_last_person_did_not_touch(
    council, people, started
):
    """Three saves from the same version, each touching different fields, then a conflict."""
    alex, bo = people
    carol = Membership.objects.create(
        user=type(alex).objects.create(username="carol", first_name="Carol"),
        council=council,
        role=Role.OFFICER,
    ).user
    p3 = principle(3)
    principle_progress_update(
        council=council, principle=p3, by=alex, base_version=1, **{**PROGRESS, "rag": "green"}
    )
    principle_progress_update(
        council=council,
        principle=p3,
        by=bo,
        base_version=1,
        **{**PROGRESS, "next_steps": "Bo's next steps"},
    )
    principle_progress_update(
        council=council,
        principle=p3,
        by=carol,
        base_version=1,
        **{**PROGRESS, "narrative": "Carol's summary"},
    )
    saved = PrincipleProgress.objects.get(council=council)
    assert (saved.rag, saved.next_steps, saved.narrative, saved.stage) == (
        "green",
        "Bo's next steps",
        "Carol's summary",
        "developing",
    )
    assert saved.version == 4
    changed_by = list(
        RecordChange.objects.filter(record_id=saved.pk, kind="changed")
        .order_by("pk")
        .values_list("actor_name", "changes__0__field")
    )
    assert changed_by == [
        ("Alex Adams", "rag"),
        ("Bo Brown", "next_steps"),
        ("Carol", "narrative"),
    ]


# Actions ---------------------------------------------------------------------


def action_data(action: Action, version: int, **changes) -> dict:
    data = {
        "version": str(version),
        "title": action.title,
        "description": action.description,
        "owner": str(action.owner_id or ""),
        "owner_name": action.owner_name,
        "due_on_0": str(action.due_on.day) if action.due_on else "",
        "due_on_1": str(action.due_on.month) if action.due_on else "",
        "due_on_2": str(action.due_on.year) if action.due_on else "",
        "status": action.status,
        "completed_on_0": "",
        "completed_on_1": "",
        "completed_on_2": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def action(council, people):
    alex, _ = people
    return action_create(
        council=council,
        principle=principle(3),
        by=alex,
        title="Map local suppliers",
        due_on=datetime.date(2027, 3, 31),
    )


@pytest.mark.django_db
def test_action_edits_to_different_fields_merge(client, council, people, action):
    alex, bo = people
    url = f"/councils/{council.slug}/principles/3/actions/{action.pk}/"
    client.force_login(alex)
    client.post(url, action_data(action, 1, title="Map every local supplier"))
    client.force_login(bo)
    response = client.post(url, action_data(action, 1, status="in_progress"), follow=True)
    assert "Alex Adams also changed this while you were editing it" in text(page(response))
    action.refresh_from_db()
    assert (action.title, action.status, action.version) == (
        "Map every local supplier",
        "in_progress",
        3,
    )


@pytest.mark.django_db
def test_action_edits_to_the_same_field_conflict_and_the_resave_keeps_the_rest(
    client, council, people, action
):
    alex, bo = people
    url = f"/councils/{council.slug}/principles/3/actions/{action.pk}/"
    client.force_login(alex)
    client.post(
        url,
        action_data(action, 1, title="Alex's title", due_on_0="30", due_on_1="6", due_on_2="2027"),
    )
    client.force_login(bo)
    response = client.post(url, action_data(action, 1, title="Bo's title"))
    html = page(response)
    assert "Title: from “Map local suppliers” to “Alex's title”; yours is “Bo's title”" in text(
        html.cssselect("#edit-conflict")[0]
    )
    assert html.cssselect("#id_title")[0].get("value") == "Bo's title"
    # Alex's due date, which Bo did not change, is what the form shows now.
    assert html.cssselect("#id_due_on_0")[0].get("value") == "30"
    assert html.cssselect("#id_due_on_1")[0].get("value") == "6"

    data = {
        field.get("name"): field.get("value") or ""
        for field in html.cssselect("form input[type=text], form input[type=hidden]")
    }
    data.update(
        {
            "status": html.cssselect("input[name=status][checked]")[0].get("value"),
            "description": html.cssselect("#id_description")[0].text_content().strip(),
            "owner": "",
        }
    )
    client.post(url, data)
    action.refresh_from_db()
    assert action.title == "Bo's title"
    assert action.due_on == datetime.date(2027, 6, 30)
    assert action.version == 3
