"""Starting an assessment, answering it as you go, and two officers answering at once."""

import pytest
from django.utils import timezone

from keepitlocal.models import Membership
from keepitlocal.selectors import record_history
from principles.assessments.forms import suggested_period
from principles.assessments.models import Answer, Assessment, FrameworkVersion
from tests.assessments.conftest import answer, answers_post
from tests.factories import EvidenceFactory, principle
from tests.html import page, text

pytestmark = pytest.mark.django_db


def test_the_first_framework_has_four_criteria_per_principle_each_with_four_levels():
    framework = FrameworkVersion.objects.get()
    assert framework.number == 1
    criteria = list(framework.criteria.select_related("principle"))
    assert len(criteria) == 24
    for number in range(1, 7):
        mine = [c for c in criteria if c.principle.number == number]
        assert [c.number for c in mine] == [1, 2, 3, 4]
        for c in mine:
            texts = [c.statement, c.emerging, c.developing, c.established, c.leading]
            assert all(len(t) > 20 for t in texts), c.reference
            assert len(set(texts)) == 5, c.reference


def test_an_officer_starts_an_assessment_with_an_empty_answer_for_every_criterion(
    client, officer, council, url
):
    client.force_login(officer)
    suggested = suggested_period(timezone.localdate())
    assert f'value="{suggested}"' in client.get(url("start")).content.decode()
    response = client.post(url("start"), {"period": " 2026-27 "})
    made = Assessment.objects.get(council=council)
    assert response.status_code == 302
    assert response["Location"] == url("answers", made)
    assert made.period == "2026-27"
    assert made.status == Assessment.Status.DRAFT
    assert made.framework.number == 1
    assert made.answers.count() == 24
    assert not made.answers.filter(level__isnull=False).exists()


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("", "Enter the period the assessment covers"),
        ("<script>", "Enter a financial year, like 2026-27, or a quarter of one"),
        ("x" * 21, "The period must be 20 characters or fewer"),
        ("2026-28", "2026-28 is not a financial year"),
        ("Spring 2026", "Enter a financial year, like 2026-27, or a quarter of one"),
        ("2026-27 Q5", "Enter a financial year, like 2026-27, or a quarter of one"),
    ],
)
def test_a_bad_period_is_refused_on_the_page(client, officer, council, url, period, message):
    client.force_login(officer)
    response = client.post(url("start"), {"period": period})
    assert response.status_code == 200
    assert message in text(page(response))
    assert not Assessment.objects.exists()


def test_a_second_assessment_for_the_same_period_is_refused(client, officer, draft, url):
    client.force_login(officer)
    response = client.post(url("start"), {"period": "2026-27"})
    assert response.status_code == 200
    assert "There is already an assessment for 2026-27" in text(page(response))
    assert Assessment.objects.count() == 1


@pytest.mark.parametrize("role", [Membership.Role.LEAD_MEMBER, Membership.Role.CHIEF_EXECUTIVE])
def test_only_officers_champions_and_council_admins_start_and_answer(
    client, member, draft, url, role
):
    client.force_login(member(role))
    assert client.post(url("start"), {"period": "2027-28"}).status_code == 403
    assert (
        client.post(url("answers", draft), answers_post(draft, {"1.1": {"level": 2}})).status_code
        == 403
    )
    assert answer(draft, "1.1").level is None


def test_saved_answers_survive_signing_out(client, officer, council, draft, url):
    evidence = EvidenceFactory(
        council=council, principle=principle(1), title="Whole-place budget map"
    )
    client.force_login(officer)
    data = answers_post(
        draft, {"1.1": {"level": 2, "comment": "Mapped for adults only", "evidence": [evidence.pk]}}
    )
    response = client.post(url("answers", draft), data)
    assert response.status_code == 302
    assert "Saved 1 answer." in text(page(client.get(response["Location"])))
    client.logout()
    client.force_login(officer)
    body = client.get(url("answers", draft)).content.decode()
    saved = answer(draft, "1.1")
    assert (saved.level, saved.comment, saved.version) == (2, "Mapped for adults only", 2)
    assert list(saved.evidence.all()) == [evidence]
    radio = f'name="answer-{saved.pk}-level" type="radio" value="2" checked'
    assert radio in body
    assert "Mapped for adults only" in body
    assert record_history(draft.council, record=saved, limit=1)[0].who == str(officer)


def test_evidence_of_another_principle_or_council_cannot_be_linked(
    client, officer, council, other_council, draft, url
):
    theirs = EvidenceFactory(council=other_council, principle=principle(1))
    other_principle = EvidenceFactory(council=council, principle=principle(2))
    client.force_login(officer)
    for item in (theirs, other_principle):
        data = answers_post(draft, {"1.1": {"level": 2, "evidence": [item.pk]}})
        response = client.post(url("answers", draft), data)
        assert response.status_code == 200
        assert "Choose evidence for 1.1 from the list" in text(page(response))
    assert answer(draft, "1.1").level is None  # nothing half-written


@pytest.mark.parametrize("level", ["5", "0", "-1", "three", "99999999999999999999"])
def test_a_level_off_the_scale_is_refused_and_nothing_is_saved(client, officer, draft, url, level):
    client.force_login(officer)
    data = answers_post(draft, {"1.2": {"level": 2}, "1.1": {"comment": "kept"}})
    data[f"answer-{answer(draft, '1.1').pk}-level"] = level
    response = client.post(url("answers", draft), data)
    assert response.status_code == 200
    assert "Choose a level for 1.1 from the list" in text(page(response))
    assert "kept" in response.content.decode()  # what they typed is still on the page
    assert not Answer.objects.filter(assessment=draft, level__isnull=False).exists()


def test_two_officers_answering_different_criteria_at_once_both_keep_their_answers(
    client, member, draft, url
):
    first, second = member(), member()
    opened_by_first = answers_post(draft, {"1.1": {"level": 1, "comment": "first"}})
    opened_by_second = answers_post(draft, {"2.1": {"level": 4, "comment": "second"}})
    client.force_login(first)
    assert client.post(url("answers", draft), opened_by_first).status_code == 302
    client.force_login(second)
    assert client.post(url("answers", draft), opened_by_second).status_code == 302
    assert (answer(draft, "1.1").level, answer(draft, "1.1").comment) == (1, "first")
    assert (answer(draft, "2.1").level, answer(draft, "2.1").comment) == (4, "second")


def test_two_officers_changing_the_same_answer_get_a_conflict_not_a_lost_answer(
    client, member, draft, url
):
    first, second = member(), member()
    opened_by_first = answers_post(draft, {"1.1": {"level": 1, "comment": "first"}})
    opened_by_second = answers_post(
        draft, {"1.1": {"level": 4, "comment": "second"}, "3.2": {"level": 2}}
    )
    client.force_login(first)
    client.post(url("answers", draft), opened_by_first)
    client.force_login(second)
    response = client.post(url("answers", draft), opened_by_second)
    assert response.status_code == 200
    body = text(page(response))
    assert "Someone else saved this answer while you were editing" in body
    assert f"1.1 was changed by {first}" in body
    assert "Your other changes were saved" in body
    assert (answer(draft, "1.1").level, answer(draft, "1.1").comment) == (1, "first")
    assert answer(draft, "3.2").level == 2
    # Their answer stays in the form, now based on the saved version: saving again replaces it.
    form = page(response)
    pk = answer(draft, "1.1").pk
    assert form.cssselect(f"#answer-{pk}-level-4")[0].get("checked") is not None
    resubmitted = {
        field.get("name"): field.get("value")
        for field in form.cssselect("input[type=hidden]")
        if field.get("name", "").startswith(f"answer-{pk}")
    }
    assert resubmitted[f"answer-{pk}-version"] == "2"
    data = answers_post(draft, {"1.1": {"level": 4, "comment": "second"}})
    client.post(url("answers", draft), data)
    assert (answer(draft, "1.1").level, answer(draft, "1.1").comment) == (4, "second")


def test_two_officers_changing_different_parts_of_one_answer_both_keep_their_change(
    client, member, draft, url
):
    first, second = member(), member()
    opened_by_first = answers_post(draft, {"1.1": {"level": 3}})
    opened_by_second = answers_post(draft, {"1.1": {"comment": "Mapped for adults only"}})
    client.force_login(first)
    client.post(url("answers", draft), opened_by_first)
    client.force_login(second)
    response = client.post(url("answers", draft), opened_by_second, follow=True)
    assert f"{first} also changed this while you were editing it" in text(page(response))
    saved = answer(draft, "1.1")
    assert (saved.level, saved.comment, saved.version) == (3, "Mapped for adults only", 3)


def test_unchanged_answers_are_not_rewritten(client, officer, draft, url):
    client.force_login(officer)
    client.post(url("answers", draft), answers_post(draft, {"1.1": {"level": 3}}))
    response = client.post(url("answers", draft), answers_post(draft))
    assert "Nothing had changed" in text(page(client.get(response["Location"])))
    assert answer(draft, "1.1").version == 2
    assert answer(draft, "1.2").version == 1


def test_starting_the_same_period_at_the_same_moment_is_refused_with_a_message(
    officer, council, monkeypatch
):
    """The second of two people pressing Start at once gets the message, not a server error."""
    from principles.assessments import services

    services.assessment_start(council=council, period="2026-27", by=officer)
    # As if the check ran before the first person's assessment was saved.
    monkeypatch.setattr(
        services.Assessment.objects, "filter", lambda **kw: services.Assessment.objects.none()
    )
    with pytest.raises(services.NotAllowedNow, match="already an assessment for 2026-27"):
        services.assessment_start(council=council, period="2026-27", by=officer)
    monkeypatch.undo()
    assert Assessment.objects.filter(council=council).count() == 1
