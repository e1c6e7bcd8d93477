import datetime
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from keepitlocal.history import tracked


class Principle(models.Model):
    """One of the six Keep it Local principles. Network admins maintain the text."""

    number = models.PositiveSmallIntegerField(
        unique=True, validators=[MinValueValidator(1), MaxValueValidator(6)]
    )
    title = models.CharField(max_length=200)
    summary = models.TextField(help_text="What the principle means, in plain English.")

    class Meta:
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(number__gte=1, number__lte=6), name="principle_number_1_to_6"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Stage(models.TextChoices):
    """How far a council has come with a principle: our four-step maturity scale."""

    NOT_STARTED = "not_started", "Not started"
    DEVELOPING = "developing", "Developing"
    ESTABLISHED = "established", "Established"
    EMBEDDED = "embedded", "Embedded"


class Rag(models.TextChoices):
    NOT_SET = "", "Not set"
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


@tracked(
    "stage",
    "rag",
    "narrative",
    "next_steps",
    topic=lambda progress: f"principle:{progress.principle.number}",
    label=lambda progress: "Progress",
    added="Progress first recorded at stage {stage}",
    named_in_changes=False,
)
class PrincipleProgress(models.Model):
    """A council's progress on one principle. Created on first save; absent means not started."""

    council = models.ForeignKey(
        "keepitlocal.Council", on_delete=models.CASCADE, related_name="principle_progress"
    )
    principle = models.ForeignKey(Principle, on_delete=models.PROTECT, related_name="progress")
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.NOT_STARTED)
    rag = models.CharField("RAG status", max_length=5, choices=Rag.choices, blank=True)
    narrative = models.TextField("summary", blank=True)
    next_steps = models.TextField(blank=True)
    last_reviewed_on = models.DateField(null=True, blank=True)
    last_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Bumped on every save; an edit based on an older version is refused (no lost updates).
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "principle progress"
        constraints = [
            models.UniqueConstraint(
                fields=["council", "principle"], name="one_progress_per_principle"
            )
        ]

    def __str__(self) -> str:
        return f"{self.council}: principle {self.principle.number}"


@tracked(
    "title",
    "description",
    "owner",
    "owner_name",
    "due_on",
    "status",
    "completed_on",
    topic=lambda action: f"principle:{action.principle.number}",
    label=lambda action: f"Action “{action.title}”",
)
class Action(models.Model):
    """Something a council will do to make progress on a principle."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"

    council = models.ForeignKey(
        "keepitlocal.Council", on_delete=models.CASCADE, related_name="actions"
    )
    principle = models.ForeignKey(Principle, on_delete=models.PROTECT, related_name="actions")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_actions",
        help_text="A person of the council",
    )
    owner_name = models.CharField(
        "partner owner", max_length=200, blank=True, help_text="Or a named partner"
    )
    due_on = models.DateField("due date", null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    completed_on = models.DateField("completed date", null=True, blank=True)
    # Set when the action was made from a gap in a practice assessment.
    from_answer = models.ForeignKey(
        "principles.Answer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name="from assessment answer",
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["council", "principle", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def owner_display(self) -> str:
        if self.owner_id:
            return str(self.owner)
        return self.owner_name or "No owner"

    def is_overdue(self, today: datetime.date) -> bool:
        return self.status != self.Status.DONE and self.due_on is not None and self.due_on < today


def evidence_upload_to(evidence: "Evidence", filename: str) -> str:
    # A random folder per file: names stay readable on download and never collide.
    return f"evidence/{evidence.council_id}/{uuid.uuid4().hex}/{filename}"


@tracked(
    "title",
    "description",
    "dated_on",
    "url",
    "file",
    topic=lambda evidence: f"principle:{evidence.principle.number}",
    label=lambda evidence: f"Evidence “{evidence.title}”",
)
class Evidence(models.Model):
    """Something that shows progress on a principle: a link, an uploaded file, or both."""

    council = models.ForeignKey(
        "keepitlocal.Council", on_delete=models.CASCADE, related_name="evidence"
    )
    principle = models.ForeignKey(Principle, on_delete=models.PROTECT, related_name="evidence")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    dated_on = models.DateField("date", null=True, blank=True)
    url = models.URLField("link", max_length=500, blank=True)
    file = models.FileField(upload_to=evidence_upload_to, max_length=300, blank=True)
    file_type = models.CharField(max_length=100, blank=True, help_text="Checked from the content")
    file_size = models.PositiveIntegerField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name_plural = "evidence"
        ordering = ["-dated_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(url="") | ~models.Q(file=""), name="evidence_has_link_or_file"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def file_name(self) -> str:
        return self.file.name.rsplit("/", 1)[-1] if self.file else ""


class ActionReminder(models.Model):
    """A reminder email sent to an action's owner; at most one per action per day."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="reminders")
    sent_on = models.DateField()
    sent_to = models.EmailField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["action", "sent_on"], name="one_reminder_per_action_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"Reminder for {self.action} on {self.sent_on}"


# Practice assessments and local spend live in their own modules
# (principles/assessments/, principles/spend/); imported here so Django finds them.
from principles.assessments.models import (  # noqa: E402
    Answer,
    Assessment,
    Criterion,
    FrameworkVersion,
    PeerReview,
    ReviewComment,
)
from principles.spend.models import (  # noqa: E402
    LocalSpendColumnMapping,
    LocalSpendImport,
    LocalSpendPeriod,
    LocalSpendSettings,
    LocalSpendTransaction,
    Supplier,
)

__all__ = [
    "Action",
    "ActionReminder",
    "Answer",
    "Assessment",
    "Criterion",
    "Evidence",
    "FrameworkVersion",
    "LocalSpendColumnMapping",
    "LocalSpendImport",
    "LocalSpendPeriod",
    "LocalSpendSettings",
    "LocalSpendTransaction",
    "PeerReview",
    "Principle",
    "PrincipleProgress",
    "ReviewComment",
    "Supplier",
]
