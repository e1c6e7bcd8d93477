"""Network admins revise the framework; a revision never changes an assessment already made."""

import pytest
from django.urls import reverse

from keepitlocal.models import Membership
from principles.assessments.models import Criterion, FrameworkVersion, Frozen
from principles.assessments.services import (
    NotAllowedNow,
    criterion_add,
    criterion_remove,
    criterion_revise,
)
from tests.assessments.conftest import answer
from tests.factories import assessment, principle
from tests.html import page, text

pytestmark = pytest.mark.django_db

LEVEL_TEXTS = {
    "emerging": "A few services have started to try it.",
    "developing": "Some services do it, but not consistently.",
    "established": "It is how most services work.",
    "leading": "Other councils learn from how we do it.",
}


def _criterion(reference: str, framework: FrameworkVersion | None = None) -> Criterion:
    number, position = (int(part) for part in reference.split("."))
    framework = framework or FrameworkVersion.objects.order_by("-number").first()
    return framework.criteria.get(principle__number=number, number=position)


def _texts(statement: str) -> dict:
    return {"statement": statement, **LEVEL_TEXTS}


def _form(statement: str, note: str = "Clearer wording") -> dict:
    return {**_texts(statement), "note": note}


def test_a_network_admin_revises_a_criterion_and_started_assessments_keep_the_old_wording(
    client, network_admin, council, officer
):
    started = assessment(council, period="2025-26", level=2)
    old = _criterion("2.1")
    old_statement = old.statement
    client.force_login(network_admin)
    edit_url = reverse("framework:criterion", kwargs={"pk": old.pk})
    assert old_statement in client.get(edit_url).content.decode()

    response = client.post(edit_url, _form("Services are planned with each neighbourhood"))
    assert response["Location"] == reverse("framework:index")
    assert FrameworkVersion.objects.count() == 2
    new = FrameworkVersion.objects.get(number=2)
    assert new.published_by == network_admin and new.change_note == "Clearer wording"
    assert _criterion("2.1", new).statement == "Services are planned with each neighbourhood"
    assert _criterion("2.2", new).statement == _criterion("2.2", old.framework).statement
    assert new.criteria.count() == old.framework.criteria.count()

    # The assessment already made still reads version 1, word for word.
    started.refresh_from_db()
    assert started.framework.number == 1
    assert answer(started, "2.1").criterion.statement == old_statement
    client.force_login(officer)
    detail = text(
        page(
            client.get(
                reverse(
                    "assessments:detail", kwargs={"council_slug": council.slug, "pk": started.pk}
                )
            )
        )
    )
    assert old_statement in detail
    assert "Services are planned with each neighbourhood" not in detail

    # A new assessment uses the new version.
    client.post(
        reverse("assessments:start", kwargs={"council_slug": council.slug}), {"period": "2026-27"}
    )
    fresh = council.assessments.get(period="2026-27")
    assert fresh.framework == new
    assert (
        answer(fresh, "2.1").criterion.statement == "Services are planned with each neighbourhood"
    )


def test_a_published_version_and_its_criteria_never_change():
    framework = FrameworkVersion.objects.get()
    criterion = framework.criteria.first()
    criterion.statement = "Quietly changed"
    with pytest.raises(Frozen):
        criterion.save()
    framework.change_note = "Quietly changed"
    with pytest.raises(Frozen):
        framework.save()


def test_the_earlier_version_stays_readable(client, network_admin):
    first = _criterion("1.1")
    criterion_revise(criterion=first, by=network_admin, note="Shorter", **_texts("Whole system"))
    client.force_login(network_admin)
    response = client.get(reverse("framework:version", kwargs={"number": 1}))
    body = text(page(response))
    assert "This is an earlier version" in body
    assert first.statement in body
    # Only the current version's criteria can be changed.
    assert client.get(reverse("framework:criterion", kwargs={"pk": first.pk})).status_code == 404


def test_adding_and_removing_criteria_keeps_three_to_five_per_principle(network_admin):
    third = principle(3)
    texts = {"statement": "Spend data is published monthly", **LEVEL_TEXTS}
    version = criterion_add(
        framework=FrameworkVersion.objects.get(),
        principle=third,
        by=network_admin,
        note="Add",
        **texts,
    )
    assert [c.number for c in version.criteria.filter(principle=third)] == [1, 2, 3, 4, 5]
    with pytest.raises(NotAllowedNow, match="already has 5 criteria"):
        criterion_add(framework=version, principle=third, by=network_admin, note="Again", **texts)

    version = criterion_remove(criterion=_criterion("3.2"), by=network_admin, note="Merged")
    version = criterion_remove(criterion=_criterion("3.1"), by=network_admin, note="Merged")
    remaining = list(version.criteria.filter(principle=third))
    assert [c.number for c in remaining] == [1, 2, 3]  # renumbered
    assert remaining[-1].statement == "Spend data is published monthly"
    with pytest.raises(NotAllowedNow, match="at least 3 criteria"):
        criterion_remove(criterion=_criterion("3.1"), by=network_admin, note="Too far")
    assert FrameworkVersion.objects.count() == 4


def test_a_revision_from_a_page_opened_before_another_revision_is_refused(client, network_admin):
    stale = _criterion("4.1")
    criterion_revise(criterion=stale, by=network_admin, note="First", **_texts("First wording"))
    with pytest.raises(NotAllowedNow, match="revised since you opened"):
        criterion_revise(criterion=stale, by=network_admin, note="Second", **_texts("Second"))
    assert FrameworkVersion.objects.count() == 2


def test_a_revision_with_missing_texts_is_refused_on_the_page(client, network_admin):
    client.force_login(network_admin)
    criterion = _criterion("5.1")
    response = client.post(
        reverse("framework:criterion", kwargs={"pk": criterion.pk}),
        {"statement": "", **LEVEL_TEXTS, "leading": "", "note": ""},
    )
    assert response.status_code == 200
    summary = text(page(response).cssselect(".govuk-error-summary")[0])
    for message in ("Enter the statement", "Describe what Leading looks like", "Say what changed"):
        assert message in summary
    assert FrameworkVersion.objects.count() == 1


@pytest.mark.parametrize(
    "role",
    [
        Membership.Role.OFFICER,
        Membership.Role.CHAMPION,
        Membership.Role.COUNCIL_ADMIN,
        Membership.Role.LEAD_MEMBER,
        Membership.Role.CHIEF_EXECUTIVE,
    ],
)
def test_only_network_admins_revise_the_framework(client, member, role):
    criterion = _criterion("1.1")
    client.force_login(member(role))
    for url in (
        reverse("framework:index"),
        reverse("framework:version", kwargs={"number": 1}),
        reverse("framework:criterion", kwargs={"pk": criterion.pk}),
        reverse("framework:criterion-remove", kwargs={"pk": criterion.pk}),
        reverse("framework:criterion-add", kwargs={"number": 1}),
    ):
        assert client.get(url).status_code == 403, url
    response = client.post(
        reverse("framework:criterion", kwargs={"pk": criterion.pk}), _form("Taken over")
    )
    assert response.status_code == 403
    assert FrameworkVersion.objects.count() == 1


def test_the_network_page_links_to_the_framework(client, network_admin):
    client.force_login(network_admin)
    links = page(client.get(reverse("network:dashboard"))).cssselect("a")
    assert reverse("framework:index") in [link.get("href") for link in links]
