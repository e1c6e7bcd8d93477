"""Every change to progress, actions and evidence shows on the principle page in plain English."""

import datetime
import re

import pytest
from django.utils import timezone

from keepitlocal.models import Membership
from principles.services import action_create, action_update, principle_progress_update
from tests.factories import principle
from tests.html import page, text


@pytest.mark.django_db
def test_history_says_who_changed_what_and_when(client, member, council, monkeypatch):
    jo = member(Membership.Role.OFFICER)
    jo.first_name, jo.last_name = "Jo", "Smith"
    jo.save()
    p3 = principle(3)
    fields = {"rag": "", "narrative": "", "next_steps": ""}
    principle_progress_update(
        council=council, principle=p3, by=jo, base_version=0, stage="developing", **fields
    )
    principle_progress_update(
        council=council, principle=p3, by=jo, base_version=1, stage="established", **fields
    )
    action = action_create(council=council, principle=p3, by=jo, title="Map suppliers")
    action_update(
        action=action,
        by=jo,
        base_version=1,
        title="Map suppliers",
        description="",
        owner=jo,
        owner_name="",
        due_on=datetime.date(2027, 3, 31),
        status="in_progress",
        completed_on=None,
    )
    client.force_login(jo)
    shown = [
        text(li)
        for li in page(client.get(f"/councils/{council.slug}/principles/3/")).cssselect(
            ".app-history li"
        )
    ]
    # Each change is shown with the time of day it was made.
    now = timezone.localtime()
    assert all(re.search(r", \d{2}:\d{2}$", item) for item in shown)
    assert any(item.endswith(f"{now:%H}:{now:%M}") for item in shown) or now.second < 5
    items = [re.sub(r", \d{2}:\d{2}$", "", item) for item in shown]
    today = timezone.localdate()
    on = f"by Jo Smith, {today.day} {today:%B %Y}"
    assert f"Stage changed from developing to established {on}" in items
    assert f"Progress first recorded at stage developing {on}" in items
    assert f"Action “Map suppliers” added {on}" in items
    assert f"Action “Map suppliers”: owner changed from blank to Jo Smith {on}" in items
    assert f"Action “Map suppliers”: status changed from not started to in progress {on}" in items
    assert f"Action “Map suppliers”: due date changed from blank to 31 March 2027 {on}" in items


@pytest.mark.django_db
def test_another_councils_changes_never_appear(client, officer, council, other_council, member):
    theirs = member(Membership.Role.OFFICER, of=other_council)
    action_create(council=other_council, principle=principle(3), by=theirs, title="Secret plan")
    client.force_login(officer)
    response = client.get(f"/councils/{council.slug}/principles/3/")
    assert b"Secret plan" not in response.content
    assert b"No changes recorded yet." in response.content
