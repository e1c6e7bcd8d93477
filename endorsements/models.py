"""The endorsement, its signatories and the signing events (the audit trail).

Once sent, an endorsement's content is frozen: the model refuses the change,
and database triggers (migration 0002) refuse it for any route that skips the
model, such as a bulk update. Signing events are append-only the same way.
See docs/adr/0004-signing-the-endorsement.md.
"""

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from endorsements import audit_trail
from keepitlocal.history import tracked


class EndorsementFrozen(ValidationError):
    """A change to something that can no longer change."""


class EndorsementQuerySet(models.QuerySet):
    def update(self, **kwargs):
        fixed = Endorsement.FROZEN_FIELDS + Endorsement.SEALED_FIELDS
        names = set(fixed) | {name.removesuffix("_id") for name in fixed}
        if names & set(kwargs) and self.filter(sent_at__isnull=False).exists():
            raise EndorsementFrozen(
                "These endorsements include one that has been sent, so its content cannot change."
            )
        return super().update(**kwargs)


class SigningEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise EndorsementFrozen("Signing events can be added, never changed.")

    def delete(self):
        raise EndorsementFrozen("Signing events can be added, never deleted.")


@tracked(
    "statement",
    "signing_order",
    "status",
    topic=lambda endorsement: "endorsement",
    label=lambda endorsement: f"Endorsement version {endorsement.version}",
    added="{label} prepared",
)
class Endorsement(models.Model):
    """One version of a council's endorsement of the six principles."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENT = "sent", "Out for signature"
        COMPLETED = "completed", "Signed"
        DECLINED = "declined", "Declined"
        VOIDED = "voided", "Voided"
        EXPIRED = "expired", "Expired"

    class SigningOrder(models.TextChoices):
        PARALLEL = "parallel", "At the same time, in any order"
        ORDERED = "ordered", "One after the other, in the order listed"

    OPEN = (Status.DRAFT, Status.SENT)
    ENDED = (Status.COMPLETED, Status.DECLINED, Status.VOIDED, Status.EXPIRED)
    # What sending fixes for good, and what sealing fixes for good. The
    # migration's triggers list the same columns.
    FROZEN_FIELDS = (
        "council_id",
        "version",
        "signing_order",
        "statement",
        "content",
        "document_pdf",
        "document_sha256",
        "verification_code",
        "sent_at",
        "sent_by_id",
        "expires_at",
    )
    SEALED_FIELDS = (
        "signed_pdf",
        "signed_pdf_sha256",
        "signed_pdf_size",
        "sealed_document_sha256",
        "completed_at",
    )
    ENDED_FIELDS = ("status", "end_reason", "ended_at", "ended_by_id")

    council = models.ForeignKey(
        "keepitlocal.Council", on_delete=models.PROTECT, related_name="endorsements"
    )
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    signing_order = models.CharField(
        "how they sign", max_length=10, choices=SigningOrder.choices, default=SigningOrder.PARALLEL
    )
    statement = models.TextField("statement of endorsement")
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Fixed when sent.
    content = models.JSONField(null=True, blank=True, editable=False)
    document_pdf = models.BinaryField(null=True, editable=False)
    document_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    verification_code = models.CharField(
        max_length=16, unique=True, null=True, blank=True, editable=False
    )
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    expires_at = models.DateTimeField(null=True, blank=True, editable=False)

    # Fixed when sealed.
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    signed_pdf = models.BinaryField(null=True, editable=False)
    signed_pdf_sha256 = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    signed_pdf_size = models.PositiveIntegerField(null=True, blank=True, editable=False)
    # Since issue 13, signed_pdf is the completion package (docs/adr/0009), and this is the
    # SHA-256 of the sealed endorsement inside it, so a copy taken out of it is recognised.
    # Empty for endorsements sealed before, whose signed_pdf is the sealed endorsement.
    sealed_document_sha256 = models.CharField(
        max_length=64, blank=True, db_index=True, editable=False
    )

    ended_at = models.DateTimeField(null=True, blank=True, editable=False)
    end_reason = models.TextField(blank=True, editable=False)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    objects = EndorsementQuerySet.as_manager()

    class Meta:
        ordering = ["council", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["council", "version"], name="endorsement_version"),
            models.UniqueConstraint(
                fields=["council"],
                condition=Q(status__in=["draft", "sent"]),
                name="one_open_endorsement_per_council",
                violation_error_message="The council already has an endorsement in progress.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.council} endorsement, version {self.version}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            self._refuse_changes_to_fixed_fields()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse(
            "endorsements:detail", kwargs={"council_slug": self.council.slug, "pk": self.pk}
        )

    def delete(self, *args, **kwargs):
        if self.sent_at is not None:
            raise EndorsementFrozen("An endorsement that has been sent cannot be deleted.")
        return super().delete(*args, **kwargs)

    def _refuse_changes_to_fixed_fields(self) -> None:
        stored = (
            type(self)
            .objects.filter(pk=self.pk)
            .values(*self.ENDED_FIELDS, *self.FROZEN_FIELDS, *self.SEALED_FIELDS)
            .first()
        )
        if stored is None:
            return
        if stored["sent_at"] is not None:
            changed = [f for f in self.FROZEN_FIELDS if _differs(stored[f], getattr(self, f))]
            if changed:
                raise EndorsementFrozen(
                    "This endorsement has been sent for signature, so its content cannot change."
                    " Void it and prepare a new version instead."
                )
        if stored["signed_pdf_sha256"]:
            changed = [f for f in self.SEALED_FIELDS if _differs(stored[f], getattr(self, f))]
            if changed:
                raise EndorsementFrozen("The signed endorsement has been sealed and cannot change.")
        if stored["status"] in self.ENDED and (
            stored["status"] != self.status
            or any(_differs(stored[f], getattr(self, f)) for f in self.ENDED_FIELDS[1:])
        ):
            raise EndorsementFrozen(
                f"This endorsement is {self.Status(stored['status']).label.lower()} and cannot"
                " be reopened or changed."
            )
        if stored["sent_at"] is not None and self.status == self.Status.DRAFT:
            raise EndorsementFrozen("A sent endorsement cannot become a draft again.")

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def verification_code_display(self) -> str:
        code = self.verification_code or ""
        return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _differs(stored, current) -> bool:
    if isinstance(stored, memoryview):
        stored = bytes(stored)
    if isinstance(current, memoryview):
        current = bytes(current)
    return stored != current


class Signatory(models.Model):
    """A person named to sign an endorsement, and what they did."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting for their turn"
        TO_SIGN = "to_sign", "To sign"
        SIGNED = "signed", "Signed"
        DECLINED = "declined", "Declined"

    IDENTITY_FIELDS = ("endorsement_id", "user_id", "name", "role_title", "position")
    SIGNATURE_FIELDS = (
        "signed_at",
        "typed_name",
        "drawn_signature",
        "certificate_pem",
        "pdf_after_signing",
        "declined_at",
        "decline_reason",
    )

    endorsement = models.ForeignKey(
        Endorsement, on_delete=models.CASCADE, related_name="signatories"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    name = models.CharField("full name", max_length=150)
    role_title = models.CharField("role", max_length=150)
    position = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    viewed_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    last_reminded_at = models.DateTimeField(null=True, blank=True)

    signed_at = models.DateTimeField(null=True, blank=True)
    typed_name = models.CharField(max_length=150, blank=True)
    drawn_signature = models.BinaryField(null=True, blank=True)
    certificate_pem = models.TextField(blank=True)
    pdf_after_signing = models.BinaryField(null=True, blank=True)

    declined_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["endorsement", "position"]
        constraints = [
            models.UniqueConstraint(fields=["endorsement", "user"], name="signatory_once"),
            models.UniqueConstraint(fields=["endorsement", "position"], name="signatory_position"),
        ]
        verbose_name_plural = "signatories"

    def __str__(self) -> str:
        return f"{self.name}, {self.role_title}"

    def save(self, *args, **kwargs):
        self._refuse_changes_after_sending()
        super().save(*args, **kwargs)

    def _refuse_changes_after_sending(self) -> None:
        if self.pk is None:
            if Endorsement.objects.filter(pk=self.endorsement_id, sent_at__isnull=False).exists():
                raise EndorsementFrozen(
                    "Nobody can be added to the signatories of a sent endorsement."
                )
            return
        stored = (
            type(self)
            .objects.filter(pk=self.pk)
            .values("endorsement__sent_at", *self.IDENTITY_FIELDS, *self.SIGNATURE_FIELDS)
            .first()
        )
        if stored is None:
            return
        if stored["endorsement__sent_at"] is not None and any(
            _differs(stored[f], getattr(self, f)) for f in self.IDENTITY_FIELDS
        ):
            raise EndorsementFrozen("The signatories of a sent endorsement cannot change.")
        if (stored["signed_at"] or stored["declined_at"]) and any(
            _differs(stored[f], getattr(self, f)) for f in self.SIGNATURE_FIELDS
        ):
            raise EndorsementFrozen("A signature, once made or declined, cannot change.")


class SigningEvent(models.Model):
    """One entry of the audit trail. Added, never changed or deleted.

    Each event's hash covers its own fields and the previous event's hash, so
    the trail of one endorsement is a chain: removing or altering an entry
    breaks every hash after it. Events since issue 13 (chain format 2) hash
    salted commitments of the IP address, browser and email address instead of
    the values, so the chain can be checked by someone not given them; earlier
    events keep format 1 (see endorsements/audit_trail.py).
    """

    EMAIL_KINDS = ("email_queued", "email_failed")

    class Kind(models.TextChoices):
        PREPARED = "prepared", "Prepared"
        SENT = "sent", "Sent for signature"
        EMAIL_QUEUED = "email_queued", "Email delivered to the queue"
        EMAIL_FAILED = "email_failed", "Email could not be queued"
        VIEWED = "viewed", "Viewed"
        AUTH_FAILED = "auth_failed", "Wrong password at signing"
        LOCKED_OUT = "locked_out", "Signing locked after wrong passwords"
        CONSENTED = "consented", "Confirmed intent to sign"
        SIGNED = "signed", "Signed"
        DECLINED = "declined", "Declined to sign"
        REMINDED = "reminded", "Reminded"
        VOIDED = "voided", "Voided"
        EXPIRED = "expired", "Expired"
        COMPLETED = "completed", "Completed and sealed"
        DOWNLOADED = "downloaded", "Signed PDF downloaded"

    endorsement = models.ForeignKey(Endorsement, on_delete=models.PROTECT, related_name="events")
    signatory = models.ForeignKey(
        Signatory, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signing_events",
    )
    actor_name = models.CharField(max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.TextField(blank=True)
    email_address = models.EmailField("email sent to", blank=True)
    authentication = models.CharField("how the person was authenticated", max_length=200)
    document_sha256 = models.CharField(max_length=64, blank=True)
    detail = models.TextField(blank=True)
    previous_hash = models.CharField(max_length=64, blank=True)
    event_hash = models.CharField(max_length=64)
    chain_version = models.PositiveSmallIntegerField(editable=False)
    # One random salt for each personal value, so opening one commitment opens no other.
    commitment_salts = models.JSONField(default=dict, blank=True, editable=False)

    objects = SigningEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["actor", "kind", "at"])]
        constraints = [
            # Every event carries its hash: a bulk insert that skips save() is refused.
            models.CheckConstraint(condition=~Q(event_hash=""), name="signing_event_has_its_hash")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M:%S} UTC"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise EndorsementFrozen("Signing events can be added, never changed.")
        self.link_into_chain()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise EndorsementFrozen("Signing events can be added, never deleted.")

    def link_into_chain(self) -> None:
        """Give a new event the current chain format, fresh salts and its hash.

        save() does this; it is separate so that many events can be made and
        bulk-inserted, each already linked by its previous_hash.
        """
        self.chain_version = audit_trail.CHAIN_VERSION
        self.commitment_salts = {
            name: secrets.token_hex(16) for name in audit_trail.PERSONAL_FIELDS
        }
        self.event_hash = self.compute_hash()

    @property
    def description(self) -> str:
        """The event's detail as people read it: an email's says to whom it went."""
        if self.kind in self.EMAIL_KINDS and self.email_address:
            return f"To {self.email_address}: {self.detail}"
        return self.detail

    def personal_value(self, name: str) -> str:
        """An IP address, browser or email address, as its commitment is taken over."""
        value = getattr(self, name)
        return "" if value is None else str(value)

    def hashed_record(self) -> dict:
        """What the event's hash is taken over, in the chain format it was recorded in."""
        record = {
            "endorsement": self.endorsement_id,
            "signatory": self.signatory_id,
            "kind": self.kind,
            "at": self.at.astimezone(datetime.UTC).isoformat(),
            "actor": self.actor_id,
            "actor_name": self.actor_name,
            "authentication": self.authentication,
            "document_sha256": self.document_sha256,
            "detail": self.detail,
            "previous_hash": self.previous_hash,
        }
        if self.chain_version == 1:
            # Format 1 hashed the values themselves (and knew no email address field).
            return {**record, "ip_address": self.ip_address, "user_agent": self.user_agent}
        commitments = {
            name: audit_trail.commitment(self.commitment_salts[name], self.personal_value(name))
            for name in audit_trail.PERSONAL_FIELDS
        }
        return {**record, **commitments, "chain": self.chain_version}

    def compute_hash(self) -> str:
        return audit_trail.record_hash(self.hashed_record())
