"""Endorsement pages cost the same number of queries however long the trail or history."""

import pytest
from django.urls import reverse

from endorsements.models import SigningEvent

pytestmark = pytest.mark.django_db


def _add_views(endorsement, user, count):
    for _ in range(count):
        SigningEvent(
            endorsement=endorsement,
            kind=SigningEvent.Kind.VIEWED,
            actor=user,
            actor_name="Helen Marsh",
            authentication="test",
        ).save()


def test_version_page_queries_do_not_grow_with_the_audit_trail(
    client, completed, lead_member, django_assert_max_num_queries
):
    client.force_login(lead_member)
    url = reverse(
        "endorsements:detail", kwargs={"council_slug": completed.council.slug, "pk": completed.pk}
    )
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        assert client.get(url).status_code == 200
    _add_views(completed, lead_member, 60)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.count(b"Viewed") >= 60


def test_endorsement_page_queries_do_not_grow_with_versions(
    client, council, council_admin, prepare, send, source, django_assert_max_num_queries
):
    from endorsements.services import endorsement_void

    client.force_login(council_admin)
    url = reverse("endorsements:index", kwargs={"council_slug": council.slug})
    endorsement_void(endorsement=send(prepare()), by=council_admin, reason="one", source=source)
    with django_assert_max_num_queries(12) as few:
        assert client.get(url).status_code == 200
    for reason in ("two", "three", "four"):
        endorsement_void(
            endorsement=send(prepare()), by=council_admin, reason=reason, source=source
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    from tests.html import page, text

    assert "Version 4" in text(page(response)), text(page(response))


def test_verify_by_code_is_a_fixed_number_of_queries(
    client, completed, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
        response = client.get("/verify/", {"code": completed.verification_code})
    assert b"On record" in response.content


def test_endorsement_states_for_many_councils_is_one_query(
    council, other_council, completed, django_assert_num_queries
):
    from endorsements.selectors import endorsement_states
    from tests.factories import CouncilFactory, EndorsementFactory

    drafts = [EndorsementFactory(council=CouncilFactory()).council for _ in range(5)]
    ids = [council.pk, other_council.pk, *(c.pk for c in drafts)]
    with django_assert_num_queries(1):
        states = endorsement_states(ids)
    assert states[council.pk].label == "Signed" and states[council.pk].colour == "green"
    assert states[council.pk].signed_at == completed.completed_at
    assert other_council.pk not in states  # nothing recorded
    assert {states[c.pk].label for c in drafts} == {"Prepared, not sent"}
