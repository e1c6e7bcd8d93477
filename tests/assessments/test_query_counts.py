"""Assessment pages run the same number of queries however many criteria, answers, evidence,
comments and peer councils there are."""

import pytest
from django.urls import reverse

from keepitlocal.models import Membership
from principles.assessments.models import Answer, Assessment, FrameworkVersion
from principles.assessments.services import criterion_add, review_comment_add
from tests.factories import (
    CouncilFactory,
    EvidenceFactory,
    MembershipFactory,
    NetworkAdminFactory,
    assessment,
    principle,
)

pytestmark = pytest.mark.django_db
APPROVED = Assessment.Status.APPROVED
PAGES = ("detail", "answers", "results", "review", "csv")


def _five_criteria_per_principle():
    admin = NetworkAdminFactory()
    for number in range(1, 7):
        criterion_add(
            framework=FrameworkVersion.objects.order_by("-number").first(),
            principle=principle(number),
            by=admin,
            note=f"A fifth criterion for principle {number}",
            statement=f"A fifth statement of good practice for principle {number}",
            emerging="Emerging description",
            developing="Developing description",
            established="Established description",
            leading="Leading description",
        )


def _busy(council, made, champion, evidence_per_principle: int, peers: int):
    for number in range(1, 7):
        items = [
            EvidenceFactory(council=council, principle=principle(number))
            for _ in range(evidence_per_principle)
        ]
        for answer in Answer.objects.filter(assessment=made, criterion__principle__number=number):
            answer.evidence.set(items)
    for index in range(peers):
        other = CouncilFactory(shares_with_peers=True)
        assessment(other, level=1 + index % 4, status=APPROVED)
    for index in range(5):
        review_comment_add(assessment=made, by=champion, text=f"Comment {index}", council=council)


def _urls(council, made) -> dict[str, str]:
    return {
        name: reverse(f"assessments:{name}", kwargs={"council_slug": council.slug, "pk": made.pk})
        for name in PAGES
    }


def _count(client, url, django_assert_max_num_queries, limit: int) -> int:
    with django_assert_max_num_queries(limit) as queries:
        assert client.get(url).status_code == 200, url
    return len(queries.captured_queries)


@pytest.mark.parametrize("name", PAGES)
def test_assessment_pages_do_not_grow_with_6_by_5_criteria(
    client, council, django_assert_max_num_queries, name
):
    champion = MembershipFactory(council=council, role=Membership.Role.CHAMPION).user
    client.force_login(champion)
    # Answers change while a draft or returned; the review page is for a submitted one.
    status = Assessment.Status.RETURNED if name == "answers" else Assessment.Status.SUBMITTED
    small = assessment(council, period="2024-25", level=2, status=status)
    small_count = _count(client, _urls(council, small)[name], django_assert_max_num_queries, 25)

    _five_criteria_per_principle()
    big = assessment(council, period="2025-26", level=3, status=status)
    assert big.answers.count() == 30
    _busy(council, big, champion, evidence_per_principle=4, peers=8)
    _count(client, _urls(council, big)[name], django_assert_max_num_queries, small_count)


def test_saving_30_answers_does_not_grow_the_page_load(
    client, council, officer, django_assert_max_num_queries
):
    from tests.assessments.conftest import answers_post

    _five_criteria_per_principle()
    made = assessment(council, period="2026-27", level=None)
    client.force_login(officer)
    url = reverse("assessments:answers", kwargs={"council_slug": council.slug, "pk": made.pk})
    before = _count(client, url, django_assert_max_num_queries, 25)
    data = answers_post(made, {f"{p}.{c}": {"level": 2} for p in range(1, 7) for c in range(1, 6)})
    client.post(url, data)
    assert Answer.objects.filter(assessment=made, level=2).count() == 30
    _count(client, url, django_assert_max_num_queries, before)


def test_the_peer_review_page_does_not_grow_with_criteria(
    client, council, other_council, django_assert_max_num_queries
):
    from principles.assessments.services import peer_invite

    inviter = MembershipFactory(council=council, role=Membership.Role.CHAMPION).user
    peer = MembershipFactory(council=other_council, role=Membership.Role.CHAMPION).user
    client.force_login(peer)

    def review_url(made):
        review = peer_invite(assessment=made, reviewer_council=other_council, by=inviter)
        return reverse(
            "assessments:peer-review",
            kwargs={"council_slug": other_council.slug, "review_pk": review.pk},
        )

    small = assessment(council, period="2024-25", level=2)
    small_count = _count(client, review_url(small), django_assert_max_num_queries, 20)
    _five_criteria_per_principle()
    big = assessment(council, period="2025-26", level=3)
    _busy(council, big, inviter, evidence_per_principle=3, peers=0)
    _count(client, review_url(big), django_assert_max_num_queries, small_count)
