"""Writes for practice assessments and the framework they are made against.

Each service checks who may do it, locks the assessment row so two people
cannot move it at once, and saves in one transaction. An approved assessment
is locked; a published framework version is never changed (a revision
publishes a new one).
"""

import hashlib
import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from keepitlocal.models import Council, User
from keepitlocal.writes import EditConflict, council_write
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


def _locked(assessment: Assessment) -> Assessment:
    """The assessment re-read under a row lock, so its status cannot change under us."""
    return Assessment.objects.select_for_update().get(pk=assessment.pk)


def _name(user: User) -> str:
    return user.get_full_name() or user.get_username()


# The framework ---------------------------------------------------------------


def current_framework() -> FrameworkVersion:
    return FrameworkVersion.objects.order_by("-number").first()


def _publish(write, *, by: User | None, note: str, criteria: list[dict]) -> FrameworkVersion:
    """Publish a new framework version holding ``criteria`` (principle, number and texts)."""
    latest = FrameworkVersion.objects.select_for_update().order_by("-number").first()
    version = FrameworkVersion.objects.create(
        number=(latest.number + 1) if latest else 1, published_by=by, change_note=note
    )
    Criterion.objects.bulk_create(Criterion(framework=version, **row) for row in criteria)
    write.added(version, reason=note)
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


REVISE = "principles.revise_framework"
REVISE_DENIED = "Only network admins at Locality can revise the framework."


def _current_for_change(criterion_framework_id: int) -> FrameworkVersion:
    current = FrameworkVersion.objects.select_for_update().order_by("-number").first()
    if current.pk != criterion_framework_id:
        raise NotAllowedNow(
            "The framework has been revised since you opened this page. "
            "Open the current version and make your change there."
        )
    return current


def criterion_revise(*, criterion: Criterion, by: User, note: str, **texts) -> FrameworkVersion:
    """Publish a new version with one criterion's statement or level descriptions changed."""
    with council_write(by=by, council=None, permission=REVISE, denied=REVISE_DENIED) as write:
        current = _current_for_change(criterion.framework_id)
        rows = _rows(current)
        for row in rows:
            if row["principle_id"] == criterion.principle_id and row["number"] == criterion.number:
                row.update({name: texts[name] for name in CRITERION_FIELDS})
        return _publish(write, by=by, note=note, criteria=rows)


def criterion_add(
    *, framework: FrameworkVersion, principle: Principle, by: User, note: str, **texts
) -> FrameworkVersion:
    """Publish a new version with a criterion added to the end of a principle's list."""
    with council_write(by=by, council=None, permission=REVISE, denied=REVISE_DENIED) as write:
        current = _current_for_change(framework.pk)
        rows = _rows(current)
        numbers = [row["number"] for row in rows if row["principle_id"] == principle.pk]
        if len(numbers) >= MAX_CRITERIA:
            raise NotAllowedNow(
                f"Principle {principle.number} already has {MAX_CRITERIA} criteria, "
                "the most allowed."
            )
        rows.append(
            {
                "principle_id": principle.pk,
                "number": max(numbers, default=0) + 1,
                **{name: texts[name] for name in CRITERION_FIELDS},
            }
        )
        return _publish(write, by=by, note=note, criteria=rows)


def criterion_remove(*, criterion: Criterion, by: User, note: str) -> FrameworkVersion:
    """Publish a new version without one criterion; the principle's others are renumbered."""
    with council_write(by=by, council=None, permission=REVISE, denied=REVISE_DENIED) as write:
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
            if not (
                row["principle_id"] == criterion.principle_id and row["number"] == criterion.number
            )
        ]
        for number, row in enumerate(
            (row for row in rows if row["principle_id"] == criterion.principle_id), start=1
        ):
            row["number"] = number
        return _publish(write, by=by, note=note, criteria=rows)


# Assessments ------------------------------------------------------------------

START_DENIED = "Your role in this council does not allow you to start one."
ANSWER_DENIED = "Your role in this council does not allow you to answer."
REVIEW_DENIED = "Only the council's champions review assessments."


def assessment_start(*, council: Council, period: str, by: User, submission=None) -> Assessment:
    """Start an assessment against the current framework, with an empty answer per criterion.

    ``period`` is a financial year (``2026-27``) or a quarter of one (``2026-27 Q1``)."""
    with council_write(
        by=by, council=council, permission=CHANGE, denied=START_DENIED, submission=submission
    ) as write:
        period = assessment_period(period)
        framework = current_framework()
        if framework is None:
            raise NotAllowedNow(
                "There is no assessment framework yet. Ask Locality to publish one."
            )
        _check_period_free(council, period)
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
        write.added(assessment)
        return assessment


def assessment_period(text: str) -> str:
    """A period as the service writes it, from what a person typed: a financial year such as
    ``2026-27`` (or ``2026/27``, ``2026-2027``), or a quarter of one (``2026-27 Q1``).
    Anything else raises ``NotAllowedNow`` saying what is expected."""
    cleaned = " ".join(str(text).upper().split())
    match = PERIOD_PATTERN.fullmatch(cleaned)
    if match is None:
        raise NotAllowedNow(PERIOD_HELP)
    start, end, quarter = int(match["start"]), match["end"], match["quarter"]
    if len(end) == 4:
        end = end[2:]
    if int(end) != (start + 1) % 100 or not 2000 <= start <= 2099:
        raise NotAllowedNow(
            f"{start}-{end} is not a financial year: it runs from April one year to March "
            f"the next, like {start}-{(start + 1) % 100:02d}"
        )
    label = f"{start}-{(start + 1) % 100:02d}"
    return f"{label} Q{quarter}" if quarter else label


PERIOD_PATTERN = re.compile(
    r"(?P<start>\d{4})\s*[-/–]\s*(?P<end>\d{2}|\d{4})(?:\s*Q(?P<quarter>[1-4]))?"
)
PERIOD_HELP = "Enter a financial year, like 2026-27, or a quarter of one, like 2026-27 Q1"


def _check_period_free(council: Council, period: str, *, besides: Assessment | None = None):
    taken = Assessment.objects.filter(council=council, period__iexact=period)
    if besides is not None:
        taken = taken.exclude(pk=besides.pk)
    if taken.exists():
        raise NotAllowedNow(f"There is already an assessment for {period}.")


def assessment_period_correct(*, assessment: Assessment, by: User, period: str) -> Assessment:
    """Correct the period of an assessment that is still a draft (or returned)."""
    council = assessment.council
    with council_write(by=by, council=council, permission=CHANGE, denied=START_DENIED) as write:
        locked = _locked(assessment)
        if not locked.is_editable:
            raise NotAllowedNow(_not_editable(locked))
        period = assessment_period(period)
        _check_period_free(council, period, besides=locked)
        write.track(locked)
        locked.period = period
        try:
            with transaction.atomic():
                locked.save(update_fields=["period"])
        except IntegrityError:
            raise NotAllowedNow(f"There is already an assessment for {period}.") from None
        write.changed(locked)
        return locked


def assessment_delete(*, assessment: Assessment, by: User, reason: str = "") -> None:
    """Delete a draft assessment started by mistake; its history (and why) stays. One that has
    been submitted, returned or approved is part of the council's record and stays."""
    council = assessment.council
    with council_write(by=by, council=council, permission=CHANGE, denied=START_DENIED) as write:
        locked = Assessment.objects.select_for_update().filter(pk=assessment.pk).first()
        if locked is None:
            return
        if locked.status != Assessment.Status.DRAFT or locked.review_comments.exists():
            raise NotAllowedNow(
                "Only a draft that has never been submitted can be deleted. This one is part "
                "of the council's record."
            )
        write.removed(locked, reason=reason)
        Action.objects.filter(from_answer__assessment=locked).update(from_answer=None)
        locked.delete()


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
    # Answers where someone else saved a different value in a field this person changed too,
    # as saved now, each with its ``conflict`` (``EditConflict``).
    conflicts: list[Answer] = field(default_factory=list)
    merged: list = field(default_factory=list)


def answers_save(*, assessment: Assessment, changes: list[AnswerChange], by: User) -> AnswersSaved:
    """Save each changed answer on its own, merged with what others saved since this person
    opened the page: an answer where both changed the same field differently is left as saved
    and reported as a conflict; the rest are saved."""
    council = assessment.council
    with council_write(by=by, council=council, permission=CHANGE, denied=ANSWER_DENIED) as write:
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
            .prefetch_related("evidence")
        )
        for answer in answers:
            change = by_id[answer.pk]
            if any(item.council_id != council.pk for item in change.evidence):
                raise PermissionDenied("Evidence from another council cannot be linked.")
            write.track(answer)
            try:
                taken = write.merge(
                    answer,
                    base_version=change.base_version,
                    submitted={
                        "level": change.level,
                        "comment": change.comment.strip(),
                        "evidence": list(change.evidence),
                    },
                )
            except EditConflict as conflict:
                write.forget(answer)
                answer.conflict = conflict
                result.conflicts.append(answer)
                continue
            answer.updated_by = by
            answer.save()
            if "evidence" in taken:
                answer.evidence.set(taken["evidence"])
                answer._prefetched_objects_cache.pop("evidence", None)
            write.changed(answer)
            result.saved.append(answer)
        result.merged = write.merged
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


def _move(write, locked: Assessment, status: str, reason: str = "", **fields) -> Assessment:
    write.track(locked)
    locked.status = status
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save()
    write.changed(locked, reason=reason)
    return locked


def assessment_submit(*, assessment: Assessment, by: User) -> Assessment:
    """Send the assessment to the council's champions. Every criterion must have a level."""
    council = assessment.council
    with council_write(
        by=by,
        council=council,
        permission=CHANGE,
        denied="Your role in this council does not allow this.",
    ) as write:
        locked = _locked(assessment)
        if not locked.is_editable:
            raise NotAllowedNow(_not_editable(locked))
        unanswered = list(
            locked.answers.filter(level__isnull=True).select_related("criterion__principle")
        )
        if unanswered:
            raise Unanswered(unanswered)
        _move(
            write,
            locked,
            Assessment.Status.SUBMITTED,
            submitted_at=timezone.now(),
            submitted_by=by,
        )
        _comment(locked, ReviewComment.Kind.SUBMITTED, by)
        return locked


def _require_reviewable(locked: Assessment) -> None:
    if locked.status != Assessment.Status.SUBMITTED:
        if locked.status == Assessment.Status.APPROVED:
            raise NotAllowedNow("This assessment has already been approved.")
        raise NotAllowedNow("This assessment is not waiting for review: it has not been submitted.")


def assessment_return(*, assessment: Assessment, by: User, text: str) -> Assessment:
    """Return the assessment to officers with comments saying what to change."""
    council = assessment.council
    with council_write(by=by, council=council, permission=REVIEW, denied=REVIEW_DENIED) as write:
        locked = _locked(assessment)
        _require_reviewable(locked)
        if not text.strip():
            raise NotAllowedNow("Say what needs to change before returning the assessment.")
        _move(write, locked, Assessment.Status.RETURNED, reason=text.strip())
        _comment(locked, ReviewComment.Kind.RETURNED, by, text)
        return locked


def assessment_approve(*, assessment: Assessment, by: User, text: str = "") -> Assessment:
    """Approve the assessment, which locks it. Nobody approves their own submission."""
    council = assessment.council
    with council_write(by=by, council=council, permission=REVIEW, denied=REVIEW_DENIED) as write:
        locked = _locked(assessment)
        _require_reviewable(locked)
        if locked.submitted_by_id == by.pk:
            raise NotAllowedNow(
                "You submitted this assessment, so another champion must approve it."
            )
        _move(
            write,
            locked,
            Assessment.Status.APPROVED,
            approved_at=timezone.now(),
            approved_by=by,
        )
        _comment(locked, ReviewComment.Kind.APPROVED, by, text)
        return locked


def review_comment_add(
    *, assessment: Assessment, by: User, text: str, council: Council
) -> ReviewComment:
    """A comment from the council's champion or from an invited peer council's champion."""
    own = council.pk == assessment.council_id
    with council_write(
        by=by,
        council=council,
        permission=REVIEW,
        denied=REVIEW_DENIED if own else "Only your council's champions review for it.",
    ):
        if not text.strip():
            raise NotAllowedNow("Enter a comment.")
        locked = _locked(assessment)
        if locked.is_approved:
            raise NotAllowedNow("This assessment has been approved; comments are closed.")
        if not own:
            invited = PeerReview.objects.filter(
                assessment=locked, reviewer_council=council, withdrawn_at__isnull=True
            ).exists()
            if not invited:
                raise PermissionDenied("Your council has not been invited to review this.")
        # The comment is its own record: written once, shown with its author and time.
        return _comment(locked, ReviewComment.Kind.COMMENT, by, text, council)


def peer_invite(*, assessment: Assessment, reviewer_council: Council, by: User) -> PeerReview:
    """Invite a peer council's champions to review the assessment (read-only, with comments)."""
    with council_write(
        by=by,
        council=assessment.council,
        permission=INVITE,
        denied="Your role does not allow you to invite reviewers.",
    ) as write:
        locked = _locked(assessment)
        if locked.is_approved:
            raise NotAllowedNow("This assessment has been approved; its review is over.")
        if reviewer_council.pk == locked.council_id:
            raise NotAllowedNow("Choose another council: a council cannot peer review itself.")
        review = PeerReview.objects.filter(
            assessment=locked, reviewer_council=reviewer_council
        ).first()
        if review is None:
            review = PeerReview.objects.create(
                assessment=locked, reviewer_council=reviewer_council, invited_by=by
            )
            write.added(review)
            return review
        if review.withdrawn_at is None:
            raise NotAllowedNow(f"{reviewer_council.name} is already invited.")
        write.track(review)
        review.withdrawn_at = None
        review.invited_by = by
        review.invited_at = timezone.now()
        review.save()
        write.changed(review)
        return review


def peer_withdraw(*, review: PeerReview, by: User) -> PeerReview:
    with council_write(
        by=by,
        council=review.assessment.council,
        permission=INVITE,
        denied="Your role does not allow this.",
    ) as write:
        if review.withdrawn_at is None:
            write.track(review)
            review.withdrawn_at = timezone.now()
            review.save(update_fields=["withdrawn_at"])
            write.changed(review)
        return review


def gap_to_action(*, answer: Answer, by: User) -> tuple[Action, bool]:
    """An action on the principle to move a criterion up a level. Made once per answer: the
    second time (or a second request at the same moment) returns the action already made
    (``False``)."""
    council = answer.assessment.council
    with council_write(
        by=by,
        council=council,
        permission="principles.change_progress",
        denied="Your role does not allow adding actions.",
    ) as write:
        # The answer's row lock makes two requests at once take turns, so only one makes it.
        answer = (
            Answer.objects.select_for_update(of=("self",))
            .select_related("criterion__principle", "assessment")
            .get(pk=answer.pk)
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
                f"From the {answer.assessment.period} practice assessment, where this criterion "
                f"was scored {Level(answer.level).label.lower()}. {target.label} looks like: "
                f"{criterion.description_of(target)}"
            ),
            owner=by,
            from_answer=answer,
        )
        action.save()
        write.added(action)
        return action, True
