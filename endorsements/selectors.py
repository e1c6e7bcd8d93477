"""Reads for endorsements: the council's versions, one version, the audit trail."""

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from endorsements.models import Endorsement, Signatory, SigningEvent
from keepitlocal.models import Council, Membership

LOCKOUT_ATTEMPTS = 5
LOCKOUT_WINDOW = datetime.timedelta(minutes=15)
VERIFICATION_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32


def _with_signatories(queryset):
    return queryset.select_related("council").prefetch_related(
        models.Prefetch("signatories", queryset=Signatory.objects.select_related("user"))
    )


def council_endorsements(council: Council) -> models.QuerySet[Endorsement]:
    """Every version of the council's endorsement, newest first."""
    return _with_signatories(Endorsement.objects.filter(council=council)).defer(
        "document_pdf", "signed_pdf", "content"
    )


def latest_endorsement(council: Council) -> Endorsement | None:
    return council_endorsements(council).first()


def council_endorsement(council: Council, pk: int) -> Endorsement:
    """One version of the current council's endorsement; another council's is a 404."""
    return get_object_or_404(_with_signatories(Endorsement.objects.all()), council=council, pk=pk)


def endorsement_events(endorsement: Endorsement) -> models.QuerySet[SigningEvent]:
    return endorsement.events.select_related("signatory").order_by("at", "pk")


def signatory_of(endorsement: Endorsement, user) -> Signatory | None:
    """The signatory entry of ``user`` on ``endorsement`` (from the prefetched list)."""
    for signatory in endorsement.signatories.all():
        if signatory.user_id == user.pk:
            return signatory
    return None


def possible_signatories(council: Council) -> models.QuerySet[Membership]:
    """People of the council who may be named to sign, lead members and chief executives first."""
    order = models.Case(
        models.When(role=Membership.Role.LEAD_MEMBER, then=0),
        models.When(role=Membership.Role.CHIEF_EXECUTIVE, then=1),
        default=2,
    )
    return (
        Membership.objects.filter(council=council, user__is_active=True)
        .select_related("user")
        .annotate(role_order=order)
        .order_by("role_order", "user__last_name", "user__first_name", "user__username")
    )


def failed_signing_attempts(user, *, now: datetime.datetime | None = None) -> list[SigningEvent]:
    """The person's wrong passwords at signing in the lockout window, oldest first."""
    now = now or timezone.now()
    return list(
        SigningEvent.objects.filter(
            actor=user, kind=SigningEvent.Kind.AUTH_FAILED, at__gt=now - LOCKOUT_WINDOW
        ).order_by("at")
    )


def signing_locked_until(user, *, now: datetime.datetime | None = None):
    """When the person may try their password again, or None if they are not locked out."""
    now = now or timezone.now()
    attempts = failed_signing_attempts(user, now=now)
    if len(attempts) < LOCKOUT_ATTEMPTS:
        return None
    return attempts[-LOCKOUT_ATTEMPTS].at + LOCKOUT_WINDOW


def normalise_verification_code(text: str) -> str:
    """The code as stored: letters upper case, no spaces or dashes, I/L as 1 and O as 0."""
    code = re.sub(r"[\s\-]", "", text or "").upper()
    return code.translate(str.maketrans({"I": "1", "L": "1", "O": "0"}))


def endorsement_by_verification_code(code: str) -> Endorsement | None:
    code = normalise_verification_code(code)
    if not code or len(code) > 16:
        return None
    return (
        _with_signatories(Endorsement.objects.filter(verification_code=code))
        .defer("document_pdf", "signed_pdf")
        .first()
    )


def sealed_endorsement_sizes() -> dict[int, list[tuple[int, str]]]:
    """Size of each sealed PDF on record -> [(endorsement id, SHA-256)], for matching uploads."""
    sizes: dict[int, list[tuple[int, str]]] = {}
    rows = Endorsement.objects.exclude(signed_pdf_sha256="").values_list(
        "pk", "signed_pdf_size", "signed_pdf_sha256"
    )
    for pk, size, digest in rows:
        sizes.setdefault(size, []).append((pk, digest))
    return sizes


@dataclass(frozen=True)
class EndorsementState:
    """Where a council's endorsement stands, for dashboards."""

    latest_status: str
    signed_at: datetime.datetime | None

    @property
    def label(self) -> str:
        if self.signed_at is not None:
            return "Signed"
        return {
            Endorsement.Status.DRAFT: "Prepared, not sent",
            Endorsement.Status.SENT: "Out for signature",
        }.get(self.latest_status, Endorsement.Status(self.latest_status).label)

    @property
    def colour(self) -> str:
        if self.signed_at is not None:
            return "green"
        return {
            Endorsement.Status.DRAFT: "grey",
            Endorsement.Status.SENT: "blue",
        }.get(self.latest_status, "red")


def endorsement_states(council_ids: Iterable[int]) -> dict[int, EndorsementState]:
    """Each council's endorsement state in one query; councils with none are left out."""
    latest = Endorsement.objects.filter(council=OuterRef("pk")).order_by("-version")
    signed = Endorsement.objects.filter(
        council=OuterRef("pk"), status=Endorsement.Status.COMPLETED
    ).order_by("-completed_at")
    rows = (
        Council.objects.filter(pk__in=list(council_ids))
        .annotate(
            latest_status=Subquery(latest.values("status")[:1]),
            signed_at=Subquery(signed.values("completed_at")[:1]),
        )
        .filter(latest_status__isnull=False)
        .values_list("pk", "latest_status", "signed_at")
    )
    return {pk: EndorsementState(status, signed_at) for pk, status, signed_at in rows}
