"""Writes for practice assessments and the framework they are made against.

Each service checks who may do it, locks the assessment row so two people
cannot move it at once, and saves in one transaction. An approved assessment
is locked; a published framework version is never changed (a revision
publishes a new one).
"""

import hashlib
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from keepitlocal.models import Council, User
from principles.assessments.models import (
    LEVEL_FIELDS,
    MAX_CRITERIA,
    MIN_CRITERIA,
    Answer,
    Assessment,
    Criterion,
    FrameworkVersion,
    Level,
    PeerReview,
    ReviewComment,
)
from principles.models import Action, Evidence, Principle

CHANGE = "principles.change_assessment"
REVIEW = "principles.review_assessment"
INVITE = "principles.invite_peer_reviewer"
CRITERION_FIELDS = ("statement", *LEVEL_FIELDS.values())


class NotAllowedNow(Exception):
    """The assessment is not in a state that allows this; the message says why."""


class Unanswered(Exception):
    """Submitting with criteria still to answer."""

    def __init__(self, answers: list[Answer]):
        self.answers = answers
        super().__init__(f"{len(answers)} criteria are not answered yet.")


def _require(by: User, permission: str, council: Council, message: str) -> None:
    if not by.has_perm(permission, council):
        raise PermissionDenied(message)


def _locked(assessment: Assessment) -> Assessment:
    """The assessment re-read under a row lock, so its status cannot change under us."""
    return Assessment.objects.select_for_update().get(pk=assessment.pk)


def _name(user: User) -> str:
    return user.get_full_name() or user.get_username()


def _network_changed() -> None:
    # An approval moves the network medians every council's dashboard shows (ADR 0006).
    from champions.freshness import records_changed
    from champions.models import RecordsVersion

    records_changed([RecordsVersion.NETWORK_WIDE])


# The framework ---------------------------------------------------------------


def current_framework() -> FrameworkVersion:
    return FrameworkVersion.objects.order_by("-number").first()


def _publish(*, by: User | None, note: str, criteria: list[dict]) -> FrameworkVersion:
    """Publish a new framework version holding ``criteria`` (principle, number and texts)."""
    latest = FrameworkVersion.objects.select_for_update().order_by("-number").first()
    version = FrameworkVersion.objects.create(
        number=(latest.number + 1) if latest else 1, published_by=by, change_note=note
    )
    Criterion.objects.bulk_create(Criterion(framework=version, **row) for row in criteria)
    return version


def _rows(framework: FrameworkVersion) -> list[dict]:
    return [
        {
            "principle_id": criterion.principle_id,
            "number": criterion.number,
            **{name: getattr(criterion, name) for name in CRITERION_FIELDS},
        }
        for criterion in framework.criteria.order_by("principle__number", "number")
    ]


def _require_network_admin(by: User) -> None:
    if not (by.is_active and by.is_network_admin):
        raise PermissionDenied("Only network admins at Locality can revise the framework.")


def _current_for_change(criterion_framework_id: int) -> FrameworkVersion:
    current = FrameworkVersion.objects.select_for_update().order_by("-number").first()
    if current.pk != criterion_framework_id:
        raise NotAllowedNow(
            "The framework has been revised since you opened this page. "
            "Open the current version and make your change there."
        )
    return current


@transaction.atomic
def criterion_revise(*, criterion: Criterion, by: User, note: str, **texts) -> FrameworkVersion:
    """Publish a new version with one criterion's statement or level descriptions changed."""
    _require_network_admin(by)
    current = _current_for_change(criterion.framework_id)
    rows = _rows(current)
    for row in rows:
        if row["principle_id"] == criterion.principle_id and row["number"] == criterion.number:
            row.update({name: texts[name] for name in CRITERION_FIELDS})
    return _publish(by=by, note=note, criteria=rows)


@transaction.atomic
def criterion_add(
    *, framework: FrameworkVersion, principle: Principle, by: User, note: str, **texts
) -> FrameworkVersion:
    """Publish a new version with a criterion added to the end of a principle's list."""
    _require_network_admin(by)
    current = _current_for_change(framework.pk)
    rows = _rows(current)
    numbers = [row["number"] for row in rows if row["principle_id"] == principle.pk]
    if len(numbers) >= MAX_CRITERIA:
        raise NotAllowedNow(
            f"Principle {principle.number} already has {MAX_CRITERIA} criteria, the most allowed."
        )
    rows.append(
        {
            "principle_id": principle.pk,
            "number": max(numbers, default=0) + 1,
            **{name: texts[name] for name in CRITERION_FIELDS},
        }
    )
    return _publish(by=by, note=note, criteria=rows)


@transaction.atomic
def criterion_remove(*, criterion: Criterion, by: User, note: str) -> FrameworkVersion:
    """Publish a new version without one criterion; the principle's others are renumbered."""
    _require_network_admin(by)
    current = _current_for_change(criterion.framework_id)
    rows = _rows(current)
    same = [row for row in rows if row["principle_id"] == criterion.principle_id]
    if len(same) <= MIN_CRITERIA:
        raise NotAllowedNow(
            f"Principle {criterion.principle.number} needs at least {MIN_CRITERIA} criteria."
        )
    rows = [
        row
        for row in rows
        if not (row["principle_id"] == criterion.principle_id and row["number"] == criterion.number)
    ]
    for number, row in enumerate(
        (row for row in rows if row["principle_id"] == criterion.principle_id), start=1
    ):
        row["number"] = number
    return _publish(by=by, note=note, criteria=rows)


# Assessments ------------------------------------------------------------------


@transaction.atomic
def assessment_start(*, council: Council, period: str, by: User) -> Assessment:
    """Start an assessment against the current framework, with an empty answer per criterion."""
    _require(by, CHANGE, council, "Your role in this council does not allow you to start one.")
    framework = current_framework()
    if framework is None:
        raise NotAllowedNow("There is no assessment framework yet. Ask Locality to publish one.")
    if Assessment.objects.filter(council=council, period__iexact=period).exists():
        raise NotAllowedNow(f"There is already an assessment for {period}.")
    try:
        with transaction.atomic():  # a savepoint: someone may start the same period just now
            assessment = Assessment.objects.create(
                council=council, framework=framework, period=period, started_by=by
            )
    except IntegrityError:
        raise NotAllowedNow(f"There is already an assessment for {period}.") from None
    Answer.objects.bulk_create(
        Answer(assessment=assessment, criterion=criterion, updated_by=by)
        for criterion in framework.criteria.all()
    )
    return assessment


def answer_fingerprint(level: int | None, comment: str, evidence_ids) -> str:
    """What an answer said, in a few characters: the answer page sends it back with the form so
    that only the answers a person actually changed are saved."""
    text = f"{level or ''}\x1f{comment}\x1f{','.join(str(pk) for pk in sorted(evidence_ids))}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class AnswerChange:
    answer_id: int
    base_version: int
    level: int | None
    comment: str
    evidence: list[Evidence]


@dataclass
class AnswersSaved:
    saved: list[Answer] = field(default_factory=list)
    conflicts: list[Answer] = field(default_factory=list)  # as someone else saved them


@transaction.atomic
def answers_save(*, assessment: Assessment, changes: list[AnswerChange], by: User) -> AnswersSaved:
    """Save each changed answer on its own: one changed by someone else since this person
    opened the page is left as they saved it and reported as a conflict."""
    council = assessment.council
    _require(by, CHANGE, council, "Your role in this council does not allow you to answer.")
    locked = _locked(assessment)
    if not locked.is_editable:
        raise NotAllowedNow(_not_editable(locked))
    result = AnswersSaved()
    if not changes:
        return result
    by_id = {change.answer_id: change for change in changes}
    answers = (
        Answer.objects.select_for_update(of=("self",))
        .filter(assessment=locked, pk__in=by_id)
        .select_related("criterion__principle", "updated_by")
    )
    for answer in answers:
        change = by_id[answer.pk]
        if answer.version != change.base_version:
            result.conflicts.append(answer)
            continue
        if any(item.council_id != council.pk for item in change.evidence):
            raise PermissionDenied("Evidence from another council cannot be linked.")
        answer.level = change.level
        answer.comment = change.comment
        answer.version += 1
        answer.updated_by = by
        answer._history_user = by
        answer.save()
        answer.evidence.set(change.evidence)
        result.saved.append(answer)
    return result


def _not_editable(assessment: Assessment) -> str:
    if assessment.status == Assessment.Status.APPROVED:
        return "This assessment has been approved, so it is locked and cannot change."
    return (
        "This assessment has been submitted for review. A champion must return it "
        "before answers can change."
    )


def _comment(assessment, kind, by: User, text: str = "", council: Council | None = None):
    return ReviewComment.objects.create(
        assessment=assessment,
        kind=kind,
        author=by,
        author_name=_name(by),
        author_council=council or assessment.council,
        text=text,
    )


@transaction.atomic
def assessment_submit(*, assessment: Assessment, by: User) -> Assessment:
    """Send the assessment to the council's champions. Every criterion must have a level."""
    _require(by, CHANGE, assessment.council, "Your role in this council does not allow this.")
    locked = _locked(assessment)
    if not locked.is_editable:
        raise NotAllowedNow(_not_editable(locked))
    unanswered = list(
        locked.answers.filter(level__isnull=True).select_related("criterion__principle")
    )
    if unanswered:
        raise Unanswered(unanswered)
    locked.status = Assessment.Status.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.submitted_by = by
    locked._history_user = by
    locked.save()
    _comment(locked, ReviewComment.Kind.SUBMITTED, by)
    return locked


def _require_reviewable(locked: Assessment) -> None:
    if locked.status != Assessment.Status.SUBMITTED:
        if locked.status == Assessment.Status.APPROVED:
            raise NotAllowedNow("This assessment has already been approved.")
        raise NotAllowedNow("This assessment is not waiting for review: it has not been submitted.")


@transaction.atomic
def assessment_return(*, assessment: Assessment, by: User, text: str) -> Assessment:
    """Return the assessment to officers with comments saying what to change."""
    _require(by, REVIEW, assessment.council, "Only the council's champions review assessments.")
    locked = _locked(assessment)
    _require_reviewable(locked)
    if not text.strip():
        raise NotAllowedNow("Say what needs to change before returning the assessment.")
    locked.status = Assessment.Status.RETURNED
    locked._history_user = by
    locked.save()
    _comment(locked, ReviewComment.Kind.RETURNED, by, text)
    return locked


@transaction.atomic
def assessment_approve(*, assessment: Assessment, by: User, text: str = "") -> Assessment:
    """Approve the assessment, which locks it. Nobody approves their own submission."""
    _require(by, REVIEW, assessment.council, "Only the council's champions review assessments.")
    locked = _locked(assessment)
    _require_reviewable(locked)
    if locked.submitted_by_id == by.pk:
        raise NotAllowedNow("You submitted this assessment, so another champion must approve it.")
    locked.status = Assessment.Status.APPROVED
    locked.approved_at = timezone.now()
    locked.approved_by = by
    locked._history_user = by
    locked.save()
    _comment(locked, ReviewComment.Kind.APPROVED, by, text)
    _network_changed()
    return locked


@transaction.atomic
def review_comment_add(
    *, assessment: Assessment, by: User, text: str, council: Council
) -> ReviewComment:
    """A comment from the council's champion or from an invited peer council's champion."""
    if not text.strip():
        raise NotAllowedNow("Enter a comment.")
    locked = _locked(assessment)
    if locked.is_approved:
        raise NotAllowedNow("This assessment has been approved; comments are closed.")
    if council.pk == locked.council_id:
        _require(by, REVIEW, council, "Only the council's champions review assessments.")
    else:
        _require(by, REVIEW, council, "Only your council's champions review for it.")
        invited = PeerReview.objects.filter(
            assessment=locked, reviewer_council=council, withdrawn_at__isnull=True
        ).exists()
        if not invited:
            raise PermissionDenied("Your council has not been invited to review this.")
    return _comment(locked, ReviewComment.Kind.COMMENT, by, text, council)


@transaction.atomic
def peer_invite(*, assessment: Assessment, reviewer_council: Council, by: User) -> PeerReview:
    """Invite a peer council's champions to review the assessment (read-only, with comments)."""
    _require(by, INVITE, assessment.council, "Your role does not allow you to invite reviewers.")
    locked = _locked(assessment)
    if locked.is_approved:
        raise NotAllowedNow("This assessment has been approved; its review is over.")
    if reviewer_council.pk == locked.council_id:
        raise NotAllowedNow("Choose another council: a council cannot peer review itself.")
    review, created = PeerReview.objects.get_or_create(
        assessment=locked, reviewer_council=reviewer_council, defaults={"invited_by": by}
    )
    if not created:
        if review.withdrawn_at is None:
            raise NotAllowedNow(f"{reviewer_council.name} is already invited.")
        review.withdrawn_at = None
        review.invited_by = by
        review.invited_at = timezone.now()
        review.save()
    return review


@transaction.atomic
def peer_withdraw(*, review: PeerReview, by: User) -> PeerReview:
    _require(by, INVITE, review.assessment.council, "Your role does not allow this.")
    if review.withdrawn_at is None:
        review.withdrawn_at = timezone.now()
        review.save(update_fields=["withdrawn_at"])
    return review


@transaction.atomic
def gap_to_action(*, answer: Answer, by: User) -> tuple[Action, bool]:
    """An action on the principle to move a criterion up a level. Made once per answer: the
    second time returns the action already made (``False``)."""
    council = answer.assessment.council
    _require(by, "principles.change_progress", council, "Your role does not allow adding actions.")
    # Locked, so of two clicks at once on "Create action" the second waits, then finds the
    # first one's action.
    answer.level = (
        Answer.objects.select_for_update().values_list("level", flat=True).get(pk=answer.pk)
    )
    existing = Action.objects.filter(council=council, from_answer=answer).first()
    if existing is not None:
        return existing, False
    criterion = answer.criterion
    if answer.level is None or answer.level >= Level.LEADING:
        raise NotAllowedNow("Only a criterion scored below Leading has a gap to act on.")
    target = Level(answer.level + 1)
    title = f"Reach {target.label.lower()} on {criterion.reference}: {criterion.statement}"
    action = Action(
        council=council,
        principle=criterion.principle,
        title=title[:200],
        description=(
            f"From the {answer.assessment.period} practice assessment, where this criterion was "
            f"scored {Level(answer.level).label.lower()}. {target.label} looks like: "
            f"{criterion.description_of(target)}"
        ),
        owner=by,
        from_answer=answer,
    )
    action._history_user = by
    action.save()
    return action, True
