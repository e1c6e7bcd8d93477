import pytest

from keepitlocal.models import Membership
from principles.assessments.models import Answer
from tests.factories import assessment


@pytest.fixture
def champion(member):
    return member(Membership.Role.CHAMPION)


@pytest.fixture
def second_champion(member):
    return member(Membership.Role.CHAMPION)


@pytest.fixture
def draft(council, officer):
    return assessment(council, period="2026-27", level=None, by=officer)


@pytest.fixture
def url(council):
    def make(name: str, item=None, **kwargs) -> str:
        from django.urls import reverse

        if item is not None:
            kwargs["pk"] = item.pk
        return reverse(f"assessments:{name}", kwargs={"council_slug": council.slug, **kwargs})

    return make


def answers_post(item, changes: dict | None = None, *, action: str = "save") -> dict:
    """The answers page's form as a browser sends it, with ``changes`` by criterion reference:
    {"1.1": {"level": 3, "comment": "…", "evidence": [pk]}}."""
    changes = changes or {}
    data = {"action": action}
    from principles.assessments.services import answer_fingerprint

    answers = Answer.objects.filter(assessment=item).select_related("criterion__principle")
    for answer in answers.prefetch_related("evidence"):
        prefix = f"answer-{answer.pk}"
        linked = [e.pk for e in answer.evidence.all()]
        values = {"level": answer.level, "comment": answer.comment, "evidence": linked}
        values |= changes.get(answer.criterion.reference, {})
        data[f"{prefix}-level"] = "" if values["level"] is None else str(values["level"])
        data[f"{prefix}-comment"] = values["comment"]
        data[f"{prefix}-evidence"] = [str(pk) for pk in values["evidence"]]
        data[f"{prefix}-version"] = str(answer.version)
        data[f"{prefix}-seen"] = answer_fingerprint(answer.level, answer.comment, linked)
    return data


def answer(item, reference: str) -> Answer:
    number, criterion = (int(part) for part in reference.split("."))
    return Answer.objects.get(
        assessment=item, criterion__principle__number=number, criterion__number=criterion
    )
