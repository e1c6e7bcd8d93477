import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from keepitlocal.history import tracked


@tracked(
    "kind",
    "person",
    "person_name",
    "title",
    "starts_on",
    "ends_on",
    "decision",
    "decision_url",
    topic=lambda appointment: "champions",
    label=lambda appointment: f"{appointment.get_kind_display()} appointment",
)
class ChampionAppointment(models.Model):
    """Who holds one of a council's two champion roles, from when to when, and by what decision.

    An appointment with no end date, or an end date still to come, is in post.
    Ended appointments stay as the council's history.
    """

    class Kind(models.TextChoices):
        CABINET = "cabinet", "Cabinet champion"
        SENIOR_MANAGEMENT = "senior_management", "Senior management champion"

    council = models.ForeignKey(
        "keepitlocal.Council", on_delete=models.CASCADE, related_name="champion_appointments"
    )
    kind = models.CharField("role", max_length=20, choices=Kind.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        # Accounts are deactivated, not deleted, so the history keeps its names.
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="champion_appointments",
        help_text="A person of the council",
    )
    person_name = models.CharField(
        "name", max_length=200, blank=True, help_text="Or a named person without an account"
    )
    title = models.CharField(
        max_length=200, help_text="For example, Lead Member for Resources and Climate Change"
    )
    starts_on = models.DateField("from")
    ends_on = models.DateField("to", null=True, blank=True)
    decision = models.CharField(
        "decision that appointed them",
        max_length=300,
        blank=True,
        help_text="For example, Lead Member decision of 26 July 2022",
    )
    decision_url = models.URLField("link to the decision", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["kind", "-starts_on", "-pk"]
        indexes = [models.Index(fields=["council", "kind", "starts_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="champion_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=(models.Q(person__isnull=False) & models.Q(person_name=""))
                | (models.Q(person__isnull=True) & ~models.Q(person_name="")),
                name="champion_is_a_person_or_a_name",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name} ({self.council_id})"

    def clean(self) -> None:
        if self.person_id and self.person_name:
            raise ValidationError(
                {"person_name": "Choose a person of the council or enter a name, not both."}
            )
        if not self.person_id and not self.person_name.strip():
            raise ValidationError({"person": "Choose a person of the council or enter a name."})
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "The end date must be on or after the start date."})

    @property
    def name(self) -> str:
        return str(self.person) if self.person_id else self.person_name

    def is_in_post(self, today: datetime.date) -> bool:
        return self.starts_on <= today and (self.ends_on is None or self.ends_on >= today)

    def has_ended(self, today: datetime.date) -> bool:
        return self.ends_on is not None and self.ends_on < today


class RecordsVersion(models.Model):
    """A number that changes, at random, whenever one of a council's records changes.

    Cached dashboards are keyed on it, so a cached page is never older than
    the last committed change (ADR 0006). ``council_id`` 0 stands for records
    every council shares, such as the principles' text. It is a plain number,
    not a foreign key, so that deleting a council changes its version too.
    """

    NETWORK_WIDE = 0

    council_id = models.BigIntegerField(primary_key=True)
    version = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"Records version {self.version} of council {self.council_id}"
