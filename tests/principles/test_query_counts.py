"""The Principles page and a principle page cost the same queries at 10 or 1,000 records."""

import datetime

import pytest

from keepitlocal.models import RecordChange
from keepitlocal.writes import change_record
from principles.models import Action, Evidence, PrincipleProgress
from tests.factories import principle

# session, user, membership + council, then the page's own reads
PRINCIPLES_PAGE_QUERIES = 6
PRINCIPLE_PAGE_QUERIES = 12  # principle 3 also shows the latest local spend


def fill(council, officer, n):
    """n changes to progress, n actions and n pieces of evidence, with their history."""
    p3 = principle(3)
    progress = PrincipleProgress.objects.create(council=council, principle=p3, version=1)
    changes = [change_record(progress, kind="added", by=officer, values={}, changes=[])]
    for version in range(2, n + 1):  # n history rows for the progress record
        progress.stage = ["developing", "established"][version % 2]
        progress.version = version
        progress.save()
        old, new = ["established", "developing"][version % 2], progress.stage
        change = {"field": "stage", "label": "Stage", "old": old, "new": new}
        changes.append(
            change_record(progress, kind="changed", by=officer, values={}, changes=[change])
        )
    actions = Action.objects.bulk_create(
        [
            Action(
                council=council,
                principle=p3,
                title=f"Action {i}",
                owner=officer if i % 2 else None,
                due_on=datetime.date(2020 + i % 10, 1, 1),
            )
            for i in range(n)
        ]
    )
    evidence = Evidence.objects.bulk_create(
        [
            Evidence(council=council, principle=p3, title=f"Evidence {i}", url="https://e.org")
            for i in range(n)
        ]
    )
    changes += [
        change_record(record, kind="added", by=officer, values={}, changes=[])
        for record in [*actions, *evidence]
    ]
    RecordChange.objects.bulk_create(changes)


@pytest.mark.django_db
@pytest.mark.parametrize("n", [10, 1000])
def test_principles_page_queries_do_not_grow(
    client, officer, council, n, django_assert_max_num_queries
):
    fill(council, officer, n)
    client.force_login(officer)
    client.get(f"/councils/{council.slug}/")  # the first visit records the current council
    with django_assert_max_num_queries(PRINCIPLES_PAGE_QUERIES):
        response = client.get(f"/councils/{council.slug}/principles/")
    assert f"{n}</td>".encode() in response.content  # open actions counted, not listed


@pytest.mark.django_db
@pytest.mark.parametrize("n", [10, 1000])
def test_principle_page_queries_do_not_grow(
    client, officer, council, n, django_assert_max_num_queries
):
    fill(council, officer, n)
    client.force_login(officer)
    client.get(f"/councils/{council.slug}/")
    with django_assert_max_num_queries(PRINCIPLE_PAGE_QUERIES):
        response = client.get(f"/councils/{council.slug}/principles/3/")
    assert response.content.count(b'<tr class="govuk-table__row">') == n + 1
    assert len(response.context["history"]) == 30  # the latest changes, however many there are
    if n == 10:
        assert b"Stage changed from established to developing" in response.content
