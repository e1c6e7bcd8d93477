"""The assessment framework (versioned, never changed once published) and councils' assessments."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from keepitlocal.history import tracked

MIN_CRITERIA = 3
MAX_CRITERIA = 5


class Level(models.IntegerChoices):
    """The four-level maturity scale every criterion is scored on."""

    EMERGING = 1, "Emerging"
    DEVELOPING = 2, "Developing"
    ESTABLISHED = 3, "Established"
    LEADING = 4, "Leading"


LEVEL_FIELDS = {
    Level.EMERGING: "emerging",
    Level.DEVELOPING: "developing",
    Level.ESTABLISHED: "established",
    Level.LEADING: "leading",
}


class Frozen(Exception):
    """A published framework version, or an approved assessment, cannot change."""


@tracked(
    "number",
    "change_note",
    topic=lambda version: "framework",
    label=lambda version: f"Framework version {version.number}",
    added="Framework version {number} published",
)
class FrameworkVersion(models.Model):
    """One published version of the framework. A revision publishes a new version; assessments
    keep the version they were started against."""

    number = models.PositiveIntegerField(unique=True)
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    change_note = models.TextField("what changed", blank=True)

    class Meta:
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"Framework version {self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise Frozen("A published framework version cannot change; publish a revision.")
        super().save(*args, **kwargs)


class Criterion(models.Model):
    """A statement of good practice for a principle, with what each level looks like."""

    framework = models.ForeignKey(
        FrameworkVersion, on_delete=models.PROTECT, related_name="criteria"
    )
    principle = models.ForeignKey(
        "principles.Principle", on_delete=models.PROTECT, related_name="criteria"
    )
    number = models.PositiveSmallIntegerField()
    statement = models.CharField(max_length=300)
    emerging = models.TextField()
    developing = models.TextField()
    established = models.TextField()
    leading = models.TextField()

    class Meta:
        ordering = ["principle__number", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "principle", "number"], name="one_criterion_per_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.statement}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise Frozen("A published criterion cannot change; publish a revision.")
        super().save(*args, **kwargs)

    @property
    def reference(self) -> str:
        """How people refer to a criterion: principle 2, criterion 3 is "2.3"."""
        return f"{self.principle.number}.{self.number}"

    def description_of(self, level: int) -> str:
        return getattr(self, LEVEL_FIELDS[Level(level)])


@tracked(
    "period",
    "status",
    topic=lambda assessment: f"assessment:{assessment.pk}",
    label=lambda assessment: f"Practice assessment {assessment.period}",
    added="Practice assessment {period} started",
)
class Assessment(models.Model):
    """A council's assessment of its practice for a period, against one framework version."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted for review"
        RETURNED = "returned", "Returned for changes"
        APPROVED = "approved", "Approved"

    EDITABLE = (Status.DRAFT, Status.RETURNED)

    council = models.ForeignKey(
        "keepitlocal.Council", on_delete=models.CASCADE, related_name="assessments"
    )
    framework = models.ForeignKey(
        FrameworkVersion, on_delete=models.PROTECT, related_name="assessments"
    )
    period = models.CharField(
        max_length=20, help_text="The period the assessment covers, for example 2026-27."
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    started_at = models.DateTimeField(default=timezone.now)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["council", "period"], name="one_assessment_per_period"),
            models.CheckConstraint(
                condition=~models.Q(status="approved") | models.Q(approved_at__isnull=False),
                name="approved_assessment_has_its_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.council}: practice assessment {self.period}"

    def save(self, *args, **kwargs):
        if (
            self.pk is not None
            and type(self)._base_manager.filter(pk=self.pk, status=self.Status.APPROVED).exists()
        ):
            raise Frozen("An approved assessment is locked.")
        super().save(*args, **kwargs)

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED


@tracked(
    "level",
    "comment",
    "evidence",
    topic=lambda answer: f"assessment:{answer.assessment_id}",
    label=lambda answer: f"Answer to {answer.criterion.reference}",
    starts_blank=True,
)
class Answer(models.Model):
    """A council's answer to one criterion: a level, a comment and the principle's evidence.

    Each answer is saved on its own and carries a version, so two officers answering at once
    never overwrite each other (ADR 0003)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="answers")
    level = models.PositiveSmallIntegerField(choices=Level.choices, null=True, blank=True)
    comment = models.TextField(blank=True)
    evidence = models.ManyToManyField("principles.Evidence", blank=True, related_name="answers")
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["criterion__principle__number", "criterion__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "criterion"], name="one_answer_per_criterion"
            ),
            models.CheckConstraint(
                condition=models.Q(level__isnull=True) | models.Q(level__gte=1, level__lte=4),
                name="answer_level_1_to_4",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment}: {self.criterion.reference}"

    def save(self, *args, **kwargs):
        if (
            self.pk is not None
            and Assessment._base_manager.filter(
                pk=self.assessment_id, status=Assessment.Status.APPROVED
            ).exists()
        ):
            raise Frozen("An approved assessment is locked.")
        super().save(*args, **kwargs)

    @property
    def level_description(self) -> str:
        return self.criterion.description_of(self.level) if self.level else ""


class ReviewComment(models.Model):
    """A comment from a reviewer: the council's champion, or a champion of an invited peer council.

    Returning or approving an assessment is recorded as a comment of that kind."""

    class Kind(models.TextChoices):
        COMMENT = "comment", "Comment"
        SUBMITTED = "submitted", "Submitted for review"
        RETURNED = "returned", "Returned for changes"
        APPROVED = "approved", "Approved"

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="review_comments"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.COMMENT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    author_name = models.CharField(max_length=200)
    # The council the author spoke for: the assessed council, or the peer council invited.
    author_council = models.ForeignKey(
        "keepitlocal.Council", on_delete=models.CASCADE, related_name="+"
    )
    text = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.author_name}"


@tracked(
    "reviewer_council",
    "withdrawn_at",
    topic=lambda review: f"assessment:{review.assessment_id}",
    label=lambda review: f"Peer review by {review.reviewer_council}",
)
class PeerReview(models.Model):
    """An invitation to a peer council's champions to review an assessment: read-only, with
    comments."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="peer_reviews"
    )
    reviewer_council = models.ForeignKey(
        "keepitlocal.Council", on_delete=models.CASCADE, related_name="peer_reviews_invited"
    )
    invited_at = models.DateTimeField(default=timezone.now)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["invited_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "reviewer_council"], name="one_invitation_per_peer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reviewer_council} reviewing {self.assessment}"

    def clean(self):
        if self.assessment_id and self.reviewer_council_id == self.assessment.council_id:
            raise ValidationError("A council cannot be its own peer reviewer.")
