"""Reads for the network: councils, memberships and the commitment checklist."""

import datetime
from dataclasses import dataclass

from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date

from keepitlocal import history
from keepitlocal.models import (
    CommunityConversation,
    ConversationOutcome,
    Council,
    DecisionToJoin,
    Membership,
    RecordChange,
)


def councils_visible_to(user) -> models.QuerySet[Council]:
    """Every council a person may open: their own, or all of them for network admins."""
    if not user.is_authenticated:
        return Council.objects.none()
    if user.is_network_admin:
        return Council.objects.all()
    return Council.objects.filter(memberships__user=user)


def council_for_user(user, slug: str) -> tuple[Council, Membership | None]:
    """The council ``slug`` names, with the person's membership of it.

    A council the person may not see is reported exactly like one that does not
    exist, so nobody can probe for another council's pages.
    """
    membership = (
        Membership.objects.select_related("council").filter(user=user, council__slug=slug).first()
        if user.is_authenticated
        else None
    )
    if membership is not None:
        remember_membership_role(user, membership.council, membership.role)
        return membership.council, membership
    if user.is_authenticated and user.is_network_admin:
        council = Council.objects.filter(slug=slug).first()
        if council is not None:
            remember_membership_role(user, council, None)
            return council, None
    raise Http404("No council found")


def _role_cache(user) -> dict:
    # getattr/setattr, not __dict__: request.user is a lazy proxy, and the cache
    # must live on the real user that permission backends receive.
    cache = getattr(user, "_council_roles", None)
    if cache is None:
        cache = {}
        user._council_roles = cache
    return cache


def remember_membership_role(user, council: Council, role: str | None) -> None:
    _role_cache(user)[council.pk] = role


def membership_role(user, council: Council) -> str | None:
    """The person's role in ``council`` (None if they are not a member), cached per request."""
    if not user.is_authenticated:
        return None
    cache = _role_cache(user)
    if council.pk not in cache:
        cache[council.pk] = (
            Membership.objects.filter(user=user, council=council)
            .values_list("role", flat=True)
            .first()
        )
    return cache[council.pk]


def memberships_of(user) -> models.QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("council").order_by("council__name")


def decision_to_join(council: Council) -> DecisionToJoin | None:
    return DecisionToJoin.objects.filter(council=council).select_related("updated_by").first()


class StepStatus(models.TextChoices):
    COMPLETED = "completed", "Completed"
    INCOMPLETE = "incomplete", "Incomplete"
    NOT_STARTED = "not_started", "Not yet started"


@dataclass(frozen=True)
class ChecklistStep:
    number: int
    title: str
    status: StepStatus
    hint: str = ""
    url: str | None = None


_NOT_LOADED = object()


def council_commitment_checklist(
    council: Council,
    decision: DecisionToJoin | None,
    *,
    appointments: list | None = None,
    endorsement_state=_NOT_LOADED,
    assessments=None,
) -> list[ChecklistStep]:
    """The six commitment steps, each status derived from the council's records.

    Pass the council's champion ``appointments``, its ``assessments`` overview and its
    ``endorsement_state`` (None for no endorsement) when they are already
    loaded, to save a query each.
    """
    from champions.selectors import champion_checklist_steps

    decision_url = reverse("decision", kwargs={"council_slug": council.slug})
    if decision is None:
        step_one = ChecklistStep(
            1,
            "Decision to join taken",
            StepStatus.NOT_STARTED,
            "No decision to join has been recorded.",
            decision_url,
        )
    else:
        step_one = ChecklistStep(
            1,
            "Decision to join taken",
            StepStatus.COMPLETED,
            f"{format_date(decision.decided_on, 'j F Y')} by the {decision.decision_maker}",
            decision_url,
        )
    return [
        step_one,
        _endorsement_step(council, endorsement_state),
        *champion_checklist_steps(council, appointments),
        _conversation_step(council),
        _assessment_step(council, assessments),
    ]


def _endorsement_step(council: Council, state) -> ChecklistStep:
    from endorsements.selectors import endorsement_states  # builds on this app

    title = "Endorsement signed"
    url = reverse("endorsements:index", kwargs={"council_slug": council.slug})
    if state is _NOT_LOADED:
        state = endorsement_states([council.pk]).get(council.pk)
    if state is None:
        return ChecklistStep(2, title, StepStatus.NOT_STARTED, "No endorsement prepared yet.", url)
    if state.signed_at is not None:
        when = format_date(timezone.localtime(state.signed_at), "j F Y")
        return ChecklistStep(2, title, StepStatus.COMPLETED, f"Signed and sealed {when}", url)
    hint = {
        "draft": "Prepared, not yet sent for signature.",
        "sent": "Out for signature.",
    }.get(state.latest_status, f"The latest version was {state.label.lower()}.")
    return ChecklistStep(2, title, StepStatus.INCOMPLETE, hint, url)


def _assessment_step(council: Council, overview) -> ChecklistStep:
    from principles.assessments.selectors import council_assessment_overview  # builds on this app

    title = "Practice assessed with Locality and peer councils"
    url = reverse("assessments:index", kwargs={"council_slug": council.slug})
    if overview is None:
        overview = council_assessment_overview(council)
    approved, in_progress = overview.approved, overview.in_progress
    if approved is not None:
        when = format_date(timezone.localtime(approved.approved_at), "j F Y")
        return ChecklistStep(
            6, title, StepStatus.COMPLETED, f"{approved.period} assessment approved {when}", url
        )
    if in_progress is not None:
        hint = f"{in_progress.period} assessment: {in_progress.get_status_display().lower()}."
        return ChecklistStep(6, title, StepStatus.INCOMPLETE, hint, url)
    return ChecklistStep(6, title, StepStatus.NOT_STARTED, "No practice assessment yet.", url)


def _conversation_step(council: Council) -> ChecklistStep:
    held = CommunityConversation.objects.filter(council=council).aggregate(
        count=models.Count("pk"), latest=models.Max("held_on")
    )
    url = reverse("conversations", kwargs={"council_slug": council.slug})
    title = "Conversation convened with local communities"
    if not held["count"]:
        return ChecklistStep(
            5, title, StepStatus.NOT_STARTED, "No community conversation recorded yet.", url
        )
    noun = "conversation" if held["count"] == 1 else "conversations"
    hint = f"{held['count']} {noun} recorded; latest {format_date(held['latest'], 'j F Y')}"
    return ChecklistStep(5, title, StepStatus.COMPLETED, hint, url)


def council_conversations(council: Council) -> models.QuerySet[CommunityConversation]:
    return (
        CommunityConversation.objects.filter(council=council)
        .prefetch_related("partners", "principles")
        .annotate(outcome_count=models.Count("outcomes"))
    )


def council_conversation(council: Council, pk: int) -> CommunityConversation:
    """One conversation of the current council, with what it touched; another's is a 404."""
    return get_object_or_404(
        CommunityConversation.objects.prefetch_related(
            "partners",
            "principles",
            models.Prefetch(
                "outcomes",
                queryset=ConversationOutcome.objects.select_related("action__principle"),
            ),
        ),
        council=council,
        pk=pk,
    )


def council_conversation_outcome(council: Council, pk: int, outcome_pk: int) -> ConversationOutcome:
    return get_object_or_404(
        ConversationOutcome.objects.select_related("conversation", "action"),
        conversation__council=council,
        conversation__pk=pk,
        pk=outcome_pk,
    )


# History --------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    """One change to one record, as the history on a page shows it."""

    when: datetime.datetime
    who: str
    kind: str
    record_label: str
    topic: str
    sentences: list[str]
    changes: list[dict]
    reason: str


def record_history(
    council: Council | None,
    *,
    topics: list[str] | None = None,
    record: models.Model | None = None,
    limit: int = 30,
) -> list[HistoryEntry]:
    """The latest changes to a council's records, newest first, in one query.

    ``topics`` keeps the changes shown on one page (``"principle:3"``, ``"local-spend"``);
    ``record`` keeps one record's. Every write records its change here (``keepitlocal.writes``),
    so this is the one place any page reads history from.
    """
    changes = RecordChange.objects.filter(council=council)
    if topics is not None:
        changes = changes.filter(topic__in=topics)
    if record is not None:
        changes = changes.filter(record_type=history.record_type(type(record)), record_id=record.pk)
    return [
        HistoryEntry(
            when=change.occurred_at,
            who=change.actor_name or "Someone",
            kind=change.kind,
            record_label=change.record_label,
            topic=change.topic,
            sentences=history.sentences(change),
            changes=change.changes,
            reason=change.reason,
        )
        for change in changes.order_by("-occurred_at", "-pk")[:limit]
    ]
