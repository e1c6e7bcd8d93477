"""Reads for practice assessments, each page in a fixed number of queries."""

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.db.models import Avg, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from keepitlocal.models import Council
from principles.assessments.models import (
    Answer,
    Assessment,
    Criterion,
    FrameworkVersion,
    Level,
    PeerReview,
    ReviewComment,
)
from principles.models import Evidence, Principle

TENTH = Decimal("0.1")


def _tenth(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(TENTH, rounding=ROUND_HALF_UP)


# The framework ---------------------------------------------------------------


def framework_versions() -> QuerySet[FrameworkVersion]:
    return FrameworkVersion.objects.select_related("published_by").order_by("-number")


def framework_version(number: int) -> FrameworkVersion:
    return get_object_or_404(FrameworkVersion, number=number)


def framework_criteria(framework: FrameworkVersion) -> list[tuple[Principle, list[Criterion]]]:
    """The framework's criteria grouped by principle, every principle listed (two queries)."""
    criteria = defaultdict(list)
    for criterion in framework.criteria.select_related("principle"):
        criteria[criterion.principle_id].append(criterion)
    return [(principle, criteria[principle.pk]) for principle in Principle.objects.all()]


def current_criterion(pk: int) -> Criterion:
    """A criterion of the current framework version; an older version's is not revisable."""
    current = FrameworkVersion.objects.order_by("-number").first()
    return get_object_or_404(
        Criterion.objects.select_related("principle", "framework"), framework=current, pk=pk
    )


# A council's assessments ---------------------------------------------------------


def council_assessments(council: Council) -> QuerySet[Assessment]:
    return Assessment.objects.filter(council=council).select_related(
        "framework", "submitted_by", "approved_by"
    )


def council_assessment(council: Council, pk: int) -> Assessment:
    """One of the council's assessments; another council's is a 404."""
    return get_object_or_404(
        Assessment.objects.select_related(
            "council", "framework", "started_by", "submitted_by", "approved_by"
        ),
        council=council,
        pk=pk,
    )


def assessment_answers(assessment: Assessment) -> list[Answer]:
    """Every answer with its criterion, principle, evidence and who last changed it."""
    return list(
        assessment.answers.select_related("criterion__principle", "updated_by").prefetch_related(
            Prefetch("evidence", queryset=Evidence.objects.order_by("title"))
        )
    )


def council_evidence_by_principle(council: Council) -> dict[int, list[Evidence]]:
    """The council's evidence, grouped by principle id, for linking to answers."""
    grouped = defaultdict(list)
    for item in Evidence.objects.filter(council=council).order_by("title", "pk"):
        grouped[item.principle_id].append(item)
    return grouped


def review_comments(assessment: Assessment) -> QuerySet[ReviewComment]:
    return assessment.review_comments.select_related("author_council")


def assessment_peer_reviews(assessment: Assessment) -> QuerySet[PeerReview]:
    return assessment.peer_reviews.filter(withdrawn_at__isnull=True).select_related(
        "reviewer_council", "invited_by"
    )


def council_assessment_peer_review(council: Council, assessment: Assessment, pk: int) -> PeerReview:
    return get_object_or_404(
        PeerReview.objects.select_related("reviewer_council", "assessment"),
        assessment=assessment,
        assessment__council=council,
        pk=pk,
    )


def peer_council_choices(council: Council) -> QuerySet[Council]:
    """Every other member council, for inviting a peer reviewer."""
    return Council.objects.exclude(pk=council.pk).order_by("name")


def assessment_answer(assessment: Assessment, pk: int) -> Answer:
    return get_object_or_404(
        Answer.objects.select_related("criterion__principle", "assessment__council"),
        assessment=assessment,
        pk=pk,
    )


# Reviews a council's champions were invited to do for peers --------------------------


def peer_reviews_for(council: Council) -> QuerySet[PeerReview]:
    """Assessments of other councils this council's champions are invited to review."""
    return (
        PeerReview.objects.filter(reviewer_council=council, withdrawn_at__isnull=True)
        .select_related("assessment__council")
        .order_by("-invited_at")
    )


def peer_review_for(council: Council, pk: int) -> PeerReview:
    """An invitation to ``council``; any other council's, or a withdrawn one, is a 404."""
    return get_object_or_404(
        PeerReview.objects.select_related(
            "assessment__council", "assessment__framework", "assessment__submitted_by"
        ),
        reviewer_council=council,
        withdrawn_at__isnull=True,
        pk=pk,
    )


# Results --------------------------------------------------------------------------


@dataclass(frozen=True)
class PrincipleResult:
    principle: Principle
    score: Decimal | None
    previous: Decimal | None = None
    network_median: Decimal | None = None

    @property
    def change(self) -> Decimal | None:
        if self.score is None or self.previous is None:
            return None
        return self.score - self.previous


@dataclass(frozen=True)
class Gap:
    answer: Answer
    next_level: Level
    action_id: int | None

    @property
    def next_text(self) -> str:
        return self.answer.criterion.description_of(self.next_level)


@dataclass(frozen=True)
class Results:
    assessment: Assessment
    principles: list[PrincipleResult]
    overall: Decimal | None
    previous: Assessment | None
    previous_overall: Decimal | None
    network_overall: Decimal | None
    network_councils: int
    gaps: list[Gap] = field(default_factory=list)

    @property
    def overall_change(self) -> Decimal | None:
        if self.overall is None or self.previous_overall is None:
            return None
        return self.overall - self.previous_overall


def principle_scores(answers: Iterable[Answer]) -> dict[int, float]:
    """The average level by principle id: each principle's score, from 1 to 4, unrounded so that
    the overall score is not rounded twice (round with ``rounded`` to show it)."""
    levels = defaultdict(list)
    for answer in answers:
        if answer.level is not None:
            levels[answer.criterion.principle_id].append(answer.level)
    return {pk: statistics.fmean(values) for pk, values in levels.items()}


def rounded(scores: dict[int, float]) -> dict[int, Decimal]:
    """Scores as shown: to one decimal place, halves up."""
    return {pk: _tenth(score) for pk, score in scores.items()}


def overall_score(scores: dict[int, float]) -> Decimal | None:
    """Each principle counts the same, however many criteria it has."""
    return _tenth(statistics.fmean(scores.values())) if scores else None


def _scores_by_assessment(
    assessment_ids: list[int], *, query_when_none: bool = False
) -> dict[int, dict[int, float]]:
    """Unrounded principle scores of many assessments in one query.

    With no ids Django skips the query; ``query_when_none`` runs it all the same (for no id
    that exists), so that a page costs the same queries whether or not there is anything yet.
    """
    if not assessment_ids and query_when_none:
        assessment_ids = [0]
    rows = (
        Answer.objects.filter(assessment_id__in=assessment_ids, level__isnull=False)
        .values("assessment_id", "criterion__principle_id")
        .annotate(score=Avg("level"))
    )
    scores = defaultdict(dict)
    for row in rows:
        scores[row["assessment_id"]][row["criterion__principle_id"]] = float(row["score"])
    return scores


def latest_approved_ids(council_ids: Iterable[int] | None = None, *, shared_only: bool) -> dict:
    """The latest approved assessment's id by council id (one query)."""
    approved = Assessment.objects.filter(status=Assessment.Status.APPROVED)
    if council_ids is not None:
        approved = approved.filter(council_id__in=list(council_ids))
    if shared_only:
        approved = approved.filter(council__shares_with_peers=True)
    latest = {}
    for council_id, pk in approved.order_by("council_id", "-approved_at", "-pk").values_list(
        "council_id", "pk"
    ):
        latest.setdefault(council_id, pk)
    return latest


@dataclass(frozen=True)
class NetworkMedians:
    by_principle: dict[int, Decimal]
    overall: Decimal | None
    councils: int


def network_medians(*, excluding: Council) -> NetworkMedians:
    """The median score of councils that share, from each one's latest approved assessment.

    Councils that do not share are left out, and no council is ever named (two queries)."""
    latest = latest_approved_ids(shared_only=True)
    latest.pop(excluding.pk, None)
    scores = _scores_by_assessment(list(latest.values()))
    by_principle = defaultdict(list)
    overalls = []
    for principle_scores_ in scores.values():
        for principle_id, score in principle_scores_.items():
            by_principle[principle_id].append(score)
        overalls.append(statistics.fmean(principle_scores_.values()))
    return NetworkMedians(
        by_principle={pk: _tenth(statistics.median(values)) for pk, values in by_principle.items()},
        overall=_tenth(statistics.median(overalls)) if overalls else None,
        councils=len(scores),
    )


def previous_assessment(assessment: Assessment) -> Assessment | None:
    """The council's approved assessment before this one."""
    earlier = Assessment.objects.filter(
        council_id=assessment.council_id, status=Assessment.Status.APPROVED
    ).exclude(pk=assessment.pk)
    if assessment.approved_at is not None:
        earlier = earlier.filter(approved_at__lt=assessment.approved_at)
    return earlier.order_by("-approved_at", "-pk").first()


def assessment_results(assessment: Assessment, answers: list[Answer] | None = None) -> Results:
    """Scores by principle and overall, against the previous assessment and the network median,
    and the gaps that could become actions (a fixed number of queries)."""
    from principles.models import Action

    if answers is None:
        answers = assessment_answers(assessment)
    exact = principle_scores(answers)
    scores = rounded(exact)
    previous = previous_assessment(assessment)
    previous_exact = _scores_by_assessment([previous.pk]).get(previous.pk, {}) if previous else {}
    previous_scores = rounded(previous_exact)
    medians = network_medians(excluding=assessment.council)
    principles = list(Principle.objects.all())
    actions = dict(
        Action.objects.filter(
            council_id=assessment.council_id, from_answer__assessment=assessment
        ).values_list("from_answer_id", "pk")
    )
    gaps = [
        Gap(answer=answer, next_level=Level(answer.level + 1), action_id=actions.get(answer.pk))
        for answer in sorted(
            answers, key=lambda a: (a.level or 0, a.criterion.principle.number, a.criterion.number)
        )
        if answer.level is not None and answer.level < Level.LEADING
    ]
    return Results(
        assessment=assessment,
        principles=[
            PrincipleResult(
                principle=principle,
                score=scores.get(principle.pk),
                previous=previous_scores.get(principle.pk),
                network_median=medians.by_principle.get(principle.pk),
            )
            for principle in principles
        ],
        overall=overall_score(exact),
        previous=previous,
        previous_overall=overall_score(previous_exact),
        network_overall=medians.overall,
        network_councils=medians.councils,
        gaps=gaps,
    )


def assessment_averages(council_ids: Iterable[int]) -> dict[int, Decimal]:
    """The overall score of each council's latest approved assessment (two queries)."""
    latest = latest_approved_ids(council_ids, shared_only=False)
    scores = _scores_by_assessment(list(latest.values()))
    return {
        council_id: overall_score(scores[pk]) for council_id, pk in latest.items() if scores.get(pk)
    }


@dataclass(frozen=True)
class AssessmentOverview:
    """What the council dashboard shows of practice assessments, read in at most three queries."""

    approved: Assessment | None
    in_progress: Assessment | None
    scores: dict[int, Decimal]
    previous: Assessment | None
    previous_scores: dict[int, Decimal]
    network_medians: dict[int, Decimal]
    overall: Decimal | None = None
    previous_overall: Decimal | None = None
    network_overall: Decimal | None = None


def council_assessment_overview(council: Council) -> AssessmentOverview:
    """The latest approved assessment with the one before and the network medians, and the latest
    in progress (for checklist step 6), in two queries whatever there is: the council's own
    assessments and the approved ones of councils that share, then all their scores."""
    fields = ("pk", "council_id", "period", "status", "started_at", "approved_at")
    rows = (
        Assessment.objects.filter(
            models.Q(council=council)
            | models.Q(status=Assessment.Status.APPROVED, council__shares_with_peers=True)
        )
        .order_by(models.F("approved_at").desc(nulls_last=True), "-started_at", "-pk")
        .values_list(*fields)
    )
    approved, in_progress, peers = [], None, {}
    for row in rows:
        pk, council_id, period, status, started_at, approved_at = row
        if council_id != council.pk:
            peers.setdefault(council_id, pk)  # the latest, as rows come newest first
            continue
        # Only what the dashboard and the checklist show of the council's own.
        assessment = Assessment(
            pk=pk,
            council_id=council_id,
            period=period,
            status=status,
            started_at=started_at,
            approved_at=approved_at,
        )
        if assessment.is_approved:
            approved.append(assessment)
        elif in_progress is None or started_at > in_progress.started_at:
            in_progress = assessment
    latest, previous = [*approved, None, None][:2]
    own = [assessment.pk for assessment in (latest, previous) if assessment is not None]
    scores = _scores_by_assessment(own + list(peers.values()), query_when_none=True)
    by_principle, overalls = defaultdict(list), []
    for pk in peers.values():
        for principle_id, score in scores.get(pk, {}).items():
            by_principle[principle_id].append(score)
        if scores.get(pk):
            overalls.append(statistics.fmean(scores[pk].values()))
    mine = scores.get(latest.pk, {}) if latest is not None else {}
    return AssessmentOverview(
        approved=latest,
        in_progress=in_progress,
        scores=rounded(mine),
        previous=previous,
        previous_scores=rounded(scores.get(previous.pk, {})) if previous else {},
        overall=overall_score(mine),
        previous_overall=overall_score(scores.get(previous.pk, {})) if previous else None,
        network_overall=_tenth(statistics.median(overalls)) if overalls else None,
        network_medians={
            pk: _tenth(statistics.median(values)) for pk, values in by_principle.items()
        },
    )
