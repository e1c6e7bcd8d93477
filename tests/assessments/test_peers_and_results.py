"""Peer review access, results against the previous assessment and the network, gaps to
actions, and the exports."""

import datetime
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone

from keepitlocal.models import Membership
from principles.assessments.models import Assessment, PeerReview
from principles.models import Action
from tests.assessments.conftest import answer
from tests.factories import CouncilFactory, MembershipFactory, assessment
from tests.html import page, text

pytestmark = pytest.mark.django_db
APPROVED = Assessment.Status.APPROVED


@pytest.fixture
def invited(client, council, other_council, champion, draft, url):
    client.force_login(champion)
    response = client.post(url("invite", draft), {"council": other_council.pk})
    assert response.status_code == 302
    return PeerReview.objects.get(assessment=draft, reviewer_council=other_council)


def _peer_url(council, review) -> str:
    return reverse(
        "assessments:peer-review", kwargs={"council_slug": council.slug, "review_pk": review.pk}
    )


def test_an_invited_peer_champion_reads_and_comments_but_changes_nothing(
    client, council, other_council, draft, invited, url
):
    peer = MembershipFactory(council=other_council, role=Membership.Role.CHAMPION).user
    client.force_login(peer)
    index = text(page(client.get(f"/councils/{other_council.slug}/assessments/")))
    assert f"{council.name}: 2026-27" in index
    review_url = _peer_url(other_council, invited)
    assert client.get(review_url).status_code == 200
    response = client.post(review_url, {"text": "Your 2.1 looks strong"})
    assert response.status_code == 302
    comment = draft.review_comments.get()
    assert (comment.author, comment.author_council, comment.text) == (
        peer,
        other_council,
        "Your 2.1 looks strong",
    )
    # The assessed council sees the comment, marked as from the peer.
    for name in ("detail", "answers", "review", "results", "pdf", "csv", "invite"):
        assert client.get(url(name, draft)).status_code == 404, name
    assert client.post(url("submit", draft)).status_code == 404
    assert client.get(f"/councils/{council.slug}/").status_code == 404


@pytest.mark.parametrize("role", [Membership.Role.OFFICER, Membership.Role.COUNCIL_ADMIN])
def test_only_the_peer_councils_champions_review(client, other_council, invited, role):
    person = MembershipFactory(council=other_council, role=role).user
    client.force_login(person)
    response = client.post(_peer_url(other_council, invited), {"text": "hello"})
    assert response.status_code == 403
    assert not invited.assessment.review_comments.exists()
    index = text(page(client.get(f"/councils/{other_council.slug}/assessments/")))
    assert "Reviews for peer councils" not in index


def test_a_council_not_invited_cannot_see_the_assessment(client, other_council, invited):
    third = CouncilFactory(name="Ambridge Parish", slug="ambridge")
    peer = MembershipFactory(council=third, role=Membership.Role.CHAMPION).user
    client.force_login(peer)
    assert client.get(_peer_url(third, invited)).status_code == 404
    # Nor through the invited council's address, which is not theirs.
    assert client.get(_peer_url(other_council, invited)).status_code == 404


def test_a_withdrawn_invitation_closes_access(
    client, council, other_council, champion, draft, invited, url
):
    client.force_login(champion)
    response = client.post(
        reverse(
            "assessments:withdraw",
            kwargs={"council_slug": council.slug, "pk": draft.pk, "review_pk": invited.pk},
        )
    )
    assert response.status_code == 302
    peer = MembershipFactory(council=other_council, role=Membership.Role.CHAMPION).user
    client.force_login(peer)
    assert client.get(_peer_url(other_council, invited)).status_code == 404


def test_peers_cannot_comment_once_approved(client, other_council, invited):
    Assessment.objects.filter(pk=invited.assessment_id).update(
        status=APPROVED, approved_at=timezone.now()
    )
    peer = MembershipFactory(council=other_council, role=Membership.Role.CHAMPION).user
    client.force_login(peer)
    response = client.post(_peer_url(other_council, invited), {"text": "late"})
    assert response.status_code == 200
    assert "comments are closed" in text(page(response))
    assert not invited.assessment.review_comments.exists()


def test_a_council_cannot_invite_itself_or_the_same_council_twice(
    client, council, other_council, champion, draft, invited, url
):
    client.force_login(champion)
    response = client.post(url("invite", draft), {"council": council.pk})
    assert "Choose a council from the list" in text(page(response))
    response = client.post(url("invite", draft), {"council": other_council.pk})
    assert f"{other_council.name} is already invited" in text(page(response))
    assert PeerReview.objects.count() == 1


def _sharing(name: str, level: int, *, shares: bool = True) -> None:
    made = CouncilFactory(name=name, shares_with_peers=shares)
    assessment(made, level=level, status=APPROVED)


def test_results_compare_with_the_previous_assessment_and_the_median_of_councils_that_share(
    client, officer, council, url
):
    assessment(
        council,
        period="2024-25",
        level=1,
        status=APPROVED,
        approved_at=timezone.now() - datetime.timedelta(days=365),
    )
    current = assessment(council, period="2025-26", levels={1: 3, 2: 2}, level=1)
    Assessment.objects.filter(pk=current.pk).update(status=APPROVED, approved_at=timezone.now())
    # One criterion of principle 1 higher: 3, 3, 3, 4 averages 3.25, shown as 3.3.
    type(answer(current, "1.4")).objects.filter(pk=answer(current, "1.4").pk).update(level=4)
    _sharing("Sharing One", 1)
    _sharing("Sharing Two", 2)
    _sharing("Sharing Three", 4)
    _sharing("Private Council", 4, shares=False)
    client.force_login(officer)
    response = client.get(url("results", current))
    assert response.status_code == 200
    rows = {
        row.cssselect("th")[0].text_content().split(".")[0]: [
            cell.text_content().strip() for cell in row.cssselect("td")
        ]
        for row in page(response).cssselect("table")[0].cssselect("tbody tr")
    }
    # score, previous, change, network median (of 1, 2 and 4: 2; the private council's 4 is out)
    assert rows["1"] == ["3.3", "1.0", "+2.3", "2.0"]
    assert rows["2"] == ["2.0", "1.0", "+1.0", "2.0"]
    assert rows["3"] == ["1.0", "1.0", "0.0", "2.0"]
    # Overall counts each principle the same: (3.25 + 2 + 1 * 4) / 6 = 1.54
    assert rows["Overall"][0] == "1.5"
    body = text(page(response))
    assert "3 councils that share" in body
    for name in ("Sharing One", "Sharing Two", "Sharing Three", "Private Council"):
        assert name not in body


def test_a_gap_becomes_an_action_on_the_principle_in_one_step_once(client, officer, council, url):
    made = assessment(council, level=2, status=APPROVED)
    gap = answer(made, "4.2")
    client.force_login(officer)
    action_url = reverse(
        "assessments:gap-action",
        kwargs={"council_slug": council.slug, "pk": made.pk, "answer_pk": gap.pk},
    )
    response = client.post(action_url)
    assert response["Location"] == url("results", made)
    action = Action.objects.get()
    assert action.principle.number == 4 and action.council == council
    assert action.title.startswith("Reach established on 4.2:")
    assert gap.criterion.established in action.description
    assert action.from_answer == gap and action.owner == officer
    client.post(action_url)
    assert Action.objects.count() == 1
    results = text(page(client.get(url("results", made))))
    assert "Action added for 4.2" in results


def test_a_criterion_at_leading_has_no_gap(client, officer, council, url):
    made = assessment(council, level=4, status=APPROVED)
    client.force_login(officer)
    response = client.post(
        reverse(
            "assessments:gap-action",
            kwargs={
                "council_slug": council.slug,
                "pk": made.pk,
                "answer_pk": answer(made, "1.1").pk,
            },
        ),
        follow=True,
    )
    assert "Only a criterion scored below Leading" in text(page(response))
    assert not Action.objects.exists()


def test_the_csv_export_has_every_answer_with_formulas_escaped(client, officer, council, url):
    made = assessment(council, level=2)
    one = answer(made, "1.1")
    type(one).objects.filter(pk=one.pk).update(comment='=HYPERLINK("http://x")')
    client.force_login(officer)
    response = client.get(url("csv", made))
    assert response["Content-Type"].startswith("text/csv")
    content = response.content.decode("utf-8-sig").splitlines()
    assert content[0].startswith("Principle,Criterion,Statement,Level")
    assert len(content) == 25
    assert "'=HYPERLINK" in content[1]
    assert ",Developing,2," in content[1]


def test_the_pdf_report_has_the_results_and_the_answers(client, officer, council, url, tmp_path):
    made = assessment(council, level=3, levels={6: 1}, status=APPROVED)
    client.force_login(officer)
    response = client.get(url("pdf", made))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.content)
    words = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Practice assessment 2025-26" in words
    assert council.name in words
    assert "Scores by principle" in words  # the chart's title
    assert answer(made, "6.1").criterion.emerging[:40] in " ".join(words.split())
