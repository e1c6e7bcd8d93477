import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from keepitlocal.history import tracked


class User(AbstractUser):
    """A person who signs in: an officer, a member, a champion or Locality staff."""

    is_network_admin = models.BooleanField(
        "network admin",
        default=False,
        help_text="Locality staff who see every member council.",
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.get_full_name() or self.username


@tracked(
    "name",
    "kind",
    "shares_with_peers",
    topic=lambda council: "sharing",
    label=lambda council: "The council",
    added="{name} joined the network",
)
class Council(models.Model):
    """A member council of the Keep it Local network."""

    class Kind(models.TextChoices):
        COUNTY = "county", "County council"
        DISTRICT = "district", "District council"
        UNITARY = "unitary", "Unitary authority"
        METROPOLITAN = "metropolitan", "Metropolitan borough council"
        LONDON_BOROUGH = "london_borough", "London borough council"
        COMBINED = "combined", "Combined authority"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    kind = models.CharField("kind of authority", max_length=20, choices=Kind.choices)
    shares_with_peers = models.BooleanField(
        "share progress with peer councils",
        default=False,
        help_text="Peer councils see its stages, champions in post and scores, never its records.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("overview", kwargs={"council_slug": self.slug})


class Membership(models.Model):
    """A person's place in one council, with their one role there."""

    class Role(models.TextChoices):
        OFFICER = "officer", "Officer"
        CHAMPION = "champion", "Champion"
        LEAD_MEMBER = "lead_member", "Lead member"
        CHIEF_EXECUTIVE = "chief_executive", "Chief executive"
        COUNCIL_ADMIN = "council_admin", "Council admin"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["council__name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "council"], name="one_role_per_council"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} at {self.council}"


def one_year_after(day: datetime.date) -> datetime.date:
    """The same calendar day a year later (28 February for 29 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


@tracked(
    "decided_on",
    "decision_maker",
    "report_title",
    "report_url",
    "recommendations",
    "delegated_to",
    "partner_membership_starts_on",
    "partner_membership_renews_on",
    topic=lambda decision: "decision",
    label=lambda decision: "Decision to join",
    added="Decision to join recorded",
    named_in_changes=False,
)
class DecisionToJoin(models.Model):
    """The council's public executive decision to join the network."""

    council = models.OneToOneField(Council, on_delete=models.CASCADE, related_name="decision")
    decided_on = models.DateField("date of decision")
    decision_maker = models.CharField("decision-maker", max_length=200)
    report_title = models.CharField(max_length=300)
    report_url = models.URLField("link to the report", max_length=500, blank=True)
    recommendations = models.JSONField(
        default=list, blank=True, help_text="The recommendations agreed, in order."
    )
    delegated_to = models.CharField("authority delegated to", max_length=200, blank=True)
    partner_membership_starts_on = models.DateField(
        "Locality partner membership start date", null=True, blank=True
    )
    partner_membership_renews_on = models.DateField(
        "Locality partner membership renewal date", null=True, blank=True
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "decision to join"
        verbose_name_plural = "decisions to join"

    def __str__(self) -> str:
        return f"{self.council}: {self.report_title} ({self.decided_on:%d %B %Y})"

    def clean(self) -> None:
        if not isinstance(self.recommendations, list) or not all(
            isinstance(item, str) and item.strip() for item in self.recommendations
        ):
            raise ValidationError({"recommendations": "Recommendations must be a list of text."})
        if (
            self.partner_membership_starts_on
            and self.partner_membership_renews_on
            and self.partner_membership_renews_on <= self.partner_membership_starts_on
        ):
            raise ValidationError(
                {"partner_membership_renews_on": "The renewal date must be after the start date."}
            )
        if self.partner_membership_renews_on and not self.partner_membership_starts_on:
            raise ValidationError(
                {"partner_membership_starts_on": "Enter the date partner membership started."}
            )


@tracked(
    "name",
    topic=lambda partner: "partners",
    label=lambda partner: f"Local partner “{partner.name}”",
)
class LocalPartner(models.Model):
    """A local voluntary, community or social enterprise (VCSE) organisation."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="local_partners")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "name"], name="partner_name_unique_in_council"
            )
        ]

    def __str__(self) -> str:
        return self.name


@tracked(
    "held_on",
    "title",
    "partners",
    "people_count",
    "summary",
    "principles",
    topic=lambda conversation: "conversations",
    label=lambda conversation: f"Community conversation “{conversation.title}”",
)
class CommunityConversation(models.Model):
    """A conversation the council convened with local communities (checklist step 5)."""

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="community_conversations"
    )
    held_on = models.DateField("date")
    title = models.CharField(max_length=200)
    partners = models.ManyToManyField(
        LocalPartner,
        blank=True,
        related_name="conversations",
        verbose_name="organisations involved",
    )
    people_count = models.PositiveIntegerField("number of people", null=True, blank=True)
    summary = models.TextField(blank=True)
    principles = models.ManyToManyField(
        "principles.Principle", blank=True, related_name="conversations"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return self.title


class ConversationOutcome(models.Model):
    """Something agreed in a conversation; it can become an action on a principle."""

    conversation = models.ForeignKey(
        CommunityConversation, on_delete=models.CASCADE, related_name="outcomes"
    )
    position = models.PositiveSmallIntegerField()
    text = models.TextField()
    action = models.OneToOneField(
        "principles.Action",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="from_outcome",
    )

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return self.text[:80]


class AuditEvent(models.Model):
    """One entry of the audit log: a sign-in, a failed sign-in, a sign-out, a lockout or a
    change of someone's role in a council. Written, never changed."""

    class Kind(models.TextChoices):
        SIGNED_IN = "signed_in", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
        LOCKED_OUT = "locked_out", "Locked out after too many failed sign-ins"
        SIGNED_OUT = "signed_out", "Signed out"
        ROLE_GRANTED = "role_granted", "Role given"
        ROLE_CHANGED = "role_changed", "Role changed"
        ROLE_REMOVED = "role_removed", "Role removed"

    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Names, not links: the log outlives the accounts and councils it speaks of, and an entry
    # written while one is being deleted must not hold it up.
    username = models.CharField(
        max_length=150, blank=True, db_index=True, help_text="The account, or the name typed."
    )
    actor_username = models.CharField(
        "changed by", max_length=150, blank=True, help_text="Empty for a command or a migration."
    )
    council_slug = models.CharField(max_length=100, blank=True)
    council_name = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=20, choices=Membership.Role.choices, blank=True)
    previous_role = models.CharField(max_length=20, choices=Membership.Role.choices, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.username}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("An audit event is never changed.")
        super().save(*args, **kwargs)


class RecordChange(models.Model):
    """One change to one of a council's records: who made it, when, and old and new values.

    Written by the writes contract (``keepitlocal.writes``) in the transaction of the change
    itself, for every kind of record; read back by ``keepitlocal.selectors.record_history``.
    ``values`` holds the record's tracked fields after the change (before it, for a removal),
    so an edit made from an older version can be merged against the version it started from.
    Written, never changed.
    """

    class Kind(models.TextChoices):
        ADDED = "added", "Added"
        CHANGED = "changed", "Changed"
        REMOVED = "removed", "Removed"

    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    occurred_at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The name as it was: the history outlives accounts and their changes of name.
    actor_name = models.CharField("changed by", max_length=300, blank=True)
    record_type = models.CharField(max_length=100)
    record_id = models.PositiveBigIntegerField()
    record_label = models.CharField(max_length=400)
    topic = models.CharField(max_length=100, blank=True)
    version = models.PositiveIntegerField(null=True, blank=True)
    values = models.JSONField(default=dict, blank=True)
    changes = models.JSONField(default=list, blank=True)
    reason = models.TextField(blank=True)
    # The one-time token of the add form that made this change: the same form sent twice
    # (a double click, a resent request) finds its token taken and adds nothing more.
    submission = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["council", "topic", "-occurred_at"]),
            models.Index(fields=["council", "-occurred_at"]),
            models.Index(fields=["record_type", "record_id", "version"]),
        ]

    def __str__(self) -> str:
        return f"{self.record_label} {self.get_kind_display().lower()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("A record of a change is never changed.")
        super().save(*args, **kwargs)
