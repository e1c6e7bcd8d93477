"""Reads for champions and the dashboards they review, each in a fixed number of queries.

Three figures belong to features still being built elsewhere: the endorsement,
practice assessments and local spend. Each has its own function below that
returns None (or nothing, for many councils) until that feature lands; pages
show "Not recorded yet" for None.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Concat, RowNumber
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date

from champions.models import ChampionAppointment
from keepitlocal import history
from keepitlocal.models import Council, DecisionToJoin, RecordChange
from keepitlocal.selectors import ChecklistStep, StepStatus, record_history
from principles.models import Action, Principle, PrincipleProgress, Rag, Stage
from principles.reminders import REMIND_DAYS_AHEAD

Kind = ChampionAppointment.Kind
ACTIONS_LISTED = 10
ACTIVITY_LISTED = 10
STAGE_RANK = {stage: rank for rank, stage in enumerate(Stage.values)}
STAGE_LABELS = dict(Stage.choices)
RAG_LABELS = dict(Rag.choices)


# --- Champion appointments -------------------------------------------------


def council_appointments(council: Council) -> list[ChampionAppointment]:
    """Every appointment the council has recorded, current and past, newest first per role."""
    return list(
        ChampionAppointment.objects.filter(council=council)
        .select_related("person")
        .order_by("kind", "-starts_on", "-pk")
    )


def council_appointment(council: Council, pk: int) -> ChampionAppointment:
    """One appointment of the current council; another council's is a 404."""
    return get_object_or_404(
        ChampionAppointment.objects.select_related("person", "council"), council=council, pk=pk
    )


@dataclass(frozen=True)
class ChampionPost:
    """One of the two champion roles: who holds it today, if anyone, and who held it before."""

    kind: str
    label: str
    current: ChampionAppointment | None
    upcoming: ChampionAppointment | None
    history: list[ChampionAppointment]

    @property
    def vacant(self) -> bool:
        return self.current is None

    @property
    def last_ended(self) -> ChampionAppointment | None:
        ended = [a for a in self.history if a.ends_on is not None and a is not self.current]
        return max(ended, key=lambda a: a.ends_on, default=None)


def champion_posts(
    appointments: Iterable[ChampionAppointment], today: datetime.date
) -> list[ChampionPost]:
    """The Cabinet and senior management champion posts, from already-loaded appointments."""
    posts = []
    for kind, label in Kind.choices:
        history = sorted(
            (a for a in appointments if a.kind == kind),
            key=lambda a: (a.starts_on, a.pk or 0),
            reverse=True,
        )
        current = next((a for a in history if a.is_in_post(today)), None)
        upcoming = min(
            (a for a in history if a.starts_on > today), key=lambda a: a.starts_on, default=None
        )
        posts.append(ChampionPost(kind, label, current, upcoming, history))
    return posts


def _day(value: datetime.date) -> str:
    return format_date(value, "j F Y")


def champion_checklist_steps(
    council: Council,
    appointments: Iterable[ChampionAppointment] | None = None,
    today: datetime.date | None = None,
) -> list[ChecklistStep]:
    """Checklist steps 3 and 4, from the council's appointments.

    A champion in post completes the step; a role left vacant after an
    appointment ended is incomplete again until someone is appointed.
    """
    if appointments is None:
        appointments = council_appointments(council)
    today = today or timezone.localdate()
    url = reverse("champions:list", kwargs={"council_slug": council.slug})
    steps = []
    for number, post in enumerate(champion_posts(appointments, today), start=3):
        title = f"{post.label} appointed"
        starts = (
            f"{post.upcoming.name} starts on {_day(post.upcoming.starts_on)}."
            if post.upcoming
            else ""
        )
        if post.current is not None:
            appointment = post.current
            hint = f"{appointment.name}, {appointment.title}, since {_day(appointment.starts_on)}"
            steps.append(ChecklistStep(number, title, StepStatus.COMPLETED, hint, url))
        elif post.last_ended is not None:
            since = post.last_ended.ends_on + datetime.timedelta(days=1)
            hint = f"Vacant since {_day(since)}. {starts}".strip()
            steps.append(ChecklistStep(number, title, StepStatus.INCOMPLETE, hint, url))
        else:
            hint = starts or f"No {post.label.lower()} appointed yet."
            steps.append(ChecklistStep(number, title, StepStatus.NOT_STARTED, hint, url))
    return steps


# --- Principles, with the change since the previous quarter ---------------


def previous_quarter_end(today: datetime.date) -> datetime.date:
    """The last day of the calendar quarter before the one ``today`` is in."""
    first_month = 3 * ((today.month - 1) // 3) + 1
    return datetime.date(today.year, first_month, 1) - datetime.timedelta(days=1)


@dataclass(frozen=True)
class PrincipleStanding:
    """Where a council stands on a principle now and at the end of the previous quarter."""

    principle: Principle
    stage: str
    rag: str
    then_stage: str
    then_rag: str

    @property
    def stage_label(self) -> str:
        return STAGE_LABELS[self.stage]

    @property
    def rag_label(self) -> str:
        return RAG_LABELS.get(self.rag, "Not set")

    @property
    def change(self) -> str:
        difference = STAGE_RANK[self.stage] - STAGE_RANK[self.then_stage]
        return "up" if difference > 0 else "down" if difference < 0 else "same"

    @property
    def change_text(self) -> str:
        then = STAGE_LABELS[self.then_stage].lower()
        if self.change == "up":
            return f"Up from {then}"
        if self.change == "down":
            return f"Down from {then}"
        return "No change"

    @property
    def rag_change_text(self) -> str:
        if self.rag == self.then_rag:
            return ""
        return f"RAG was {RAG_LABELS.get(self.then_rag, 'not set').lower()}"


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def principle_standings(council: Council, today: datetime.date) -> list[PrincipleStanding]:
    """The six principles with the council's stage and RAG now and at the previous quarter's end.

    The earlier stage is the one recorded by the last change before the current quarter
    began (none, or a removal, means not started), read with subqueries so the cost is one
    query however long the history is.
    """
    boundary = _start_of(previous_quarter_end(today) + datetime.timedelta(days=1))
    now = PrincipleProgress.objects.filter(council=council, principle=OuterRef("pk"))
    then = RecordChange.objects.filter(
        council=council,
        record_type=history.record_type(PrincipleProgress),
        topic=Concat(Value("principle:"), Cast(OuterRef("number"), CharField())),
        occurred_at__lt=boundary,
    ).order_by("-occurred_at", "-pk")
    principles = Principle.objects.order_by("number").annotate(
        now_stage=Subquery(now.values("stage")[:1]),
        now_rag=Subquery(now.values("rag")[:1]),
        then_stage=Subquery(then.values("values__stage")[:1]),
        then_rag=Subquery(then.values("values__rag")[:1]),
        then_type=Subquery(then.values("kind")[:1]),
    )
    standings = []
    for principle in principles:
        existed_then = principle.then_type not in (None, RecordChange.Kind.REMOVED)
        standings.append(
            PrincipleStanding(
                principle=principle,
                stage=principle.now_stage or Stage.NOT_STARTED,
                rag=principle.now_rag or "",
                then_stage=principle.then_stage if existed_then else Stage.NOT_STARTED,
                then_rag=(principle.then_rag or "") if existed_then else "",
            )
        )
    return standings


# --- Actions due ------------------------------------------------------------


@dataclass(frozen=True)
class ActionsDue:
    overdue: list[Action]
    overdue_count: int
    due_soon: list[Action]
    due_soon_count: int
    days_ahead: int = REMIND_DAYS_AHEAD


def actions_due(council: Council, today: datetime.date, limit: int = ACTIONS_LISTED) -> ActionsDue:
    """Open actions past their due date, and those due within the reminder window.

    One query: each group is numbered and counted with window functions, and
    only the first ``limit`` of each come back, however many there are.
    """
    late = Case(
        When(due_on__lt=today, then=Value(True)), default=Value(False), output_field=BooleanField()
    )
    rows = (
        Action.objects.filter(
            council=council,
            due_on__lte=today + datetime.timedelta(days=REMIND_DAYS_AHEAD),
        )
        .exclude(status=Action.Status.DONE)
        .annotate(
            is_late=late,
            position=Window(RowNumber(), partition_by=[late], order_by=[F("due_on"), F("pk")]),
            group_size=Window(Count("pk"), partition_by=[late]),
        )
        .filter(position__lte=limit)
        .select_related("principle", "owner")
        .order_by("due_on", "pk")
    )
    overdue = [row for row in rows if row.is_late]
    due_soon = [row for row in rows if not row.is_late]
    return ActionsDue(
        overdue=overdue,
        overdue_count=overdue[0].group_size if overdue else 0,
        due_soon=due_soon,
        due_soon_count=due_soon[0].group_size if due_soon else 0,
    )


# --- Recent activity --------------------------------------------------------


@dataclass(frozen=True)
class Activity:
    when: datetime.datetime
    who: str
    text: str
    url: str | None = None


def _activity_url(council: Council, topic: str) -> str | None:
    slug = {"council_slug": council.slug}
    kind, _, key = topic.partition(":")
    if kind == "principle" and key.isdigit():
        return reverse("principles:detail", kwargs={**slug, "number": int(key)})
    if kind == "assessment" and key.isdigit():
        return reverse("assessments:detail", kwargs={**slug, "pk": int(key)})
    names = {
        "conversations": "conversations",
        "partners": "partners",
        "decision": "decision",
        "champions": "champions:list",
        "sharing": "champions:sharing",
        "local-spend": "spend:index",
        "endorsement": "endorsements:index",
    }
    return reverse(names[kind], kwargs=slug) if kind in names else None


def _activity_text(entry, topic: str) -> str:
    kind, _, key = topic.partition(":")
    on_principle = kind == "principle"
    if entry.record_label == "Progress" and on_principle:
        verb = "first recorded" if entry.kind == RecordChange.Kind.ADDED else "updated"
        return f"Progress on principle {key} {verb}"
    if entry.kind == RecordChange.Kind.ADDED:
        verb = f"added to principle {key}" if on_principle else "recorded"
    elif entry.kind == RecordChange.Kind.REMOVED:
        verb = "removed"
    else:
        verb = "updated"
    return f"{entry.record_label} {verb}"


def recent_activity(council: Council, limit: int = ACTIVITY_LISTED) -> list[Activity]:
    """The latest changes to the council's records, newest first, in one query: the council's
    history (``record_history``), one line a change, each linking to where it is shown."""
    return [
        Activity(
            entry.when,
            entry.who,
            _activity_text(entry, entry.topic),
            _activity_url(council, entry.topic),
        )
        for entry in record_history(council, limit=limit)
    ]


# --- Figures from features still being built ------------------------------


@dataclass(frozen=True)
class EndorsementStatus:
    """Where the council's endorsement is: e.g. "Signed", "Sent for signature", "Not sent"."""

    label: str
    colour: str = "grey"  # a GOV.UK tag colour
    signed_on: datetime.date | None = None


@dataclass(frozen=True)
class AssessmentScore:
    principle: Principle
    score: Decimal | None
    previous: Decimal | None = None
    network_median: Decimal | None = None


@dataclass(frozen=True)
class AssessmentScores:
    """The latest approved practice assessment, against the one before and the network."""

    assessed_on: datetime.date
    scores: list[AssessmentScore] = field(default_factory=list)
    previous_assessed_on: datetime.date | None = None
    average: Decimal | None = None
    previous_average: Decimal | None = None
    network_average: Decimal | None = None


@dataclass(frozen=True)
class LocalSpend:
    """Local spend in the latest period, as a share of all spend, against the council's target."""

    period: str
    local_percentage: Decimal
    target_percentage: Decimal | None = None
    # While suppliers paid in the period are not all classified, there is no result yet.
    known: bool = True
    classified_percentage: Decimal | None = None
    total_spend: Decimal | None = None

    @property
    def meets_target(self) -> bool | None:
        if self.target_percentage is None or not self.known:
            return None
        return self.local_percentage >= self.target_percentage


def endorsement_status(council: Council) -> EndorsementStatus | None:
    """The council's endorsement status, or None when none has been prepared."""
    return endorsement_statuses([council.pk]).get(council.pk)


def endorsement_statuses(council_ids: Iterable[int]) -> dict[int, EndorsementStatus]:
    """Endorsement status by council id for many councils, in one query.

    A council missing from the result has no endorsement recorded.
    """
    from endorsements.selectors import endorsement_states

    return {pk: _status_of(state) for pk, state in endorsement_states(council_ids).items()}


def _status_of(state) -> EndorsementStatus:
    return EndorsementStatus(
        label=state.label,
        colour=state.colour,
        signed_on=timezone.localdate(state.signed_at) if state.signed_at else None,
    )


def latest_assessment_scores(
    council: Council, principles: list[Principle] | None = None, overview=None
) -> AssessmentScores | None:
    """The latest approved practice assessment's scores, with the previous one and the network
    median of councils that share. Pass the ``principles`` and the assessment ``overview`` when
    already loaded."""
    from principles.assessments.selectors import council_assessment_overview

    if overview is None:
        overview = council_assessment_overview(council)
    if overview.approved is None:
        return None
    if principles is None:
        principles = list(Principle.objects.order_by("number"))
    return AssessmentScores(
        assessed_on=timezone.localdate(overview.approved.approved_at),
        scores=[
            AssessmentScore(
                principle=principle,
                score=overview.scores.get(principle.pk),
                previous=overview.previous_scores.get(principle.pk),
                network_median=overview.network_medians.get(principle.pk),
            )
            for principle in principles
        ],
        previous_assessed_on=(
            timezone.localdate(overview.previous.approved_at) if overview.previous else None
        ),
        average=overview.overall,
        previous_average=overview.previous_overall,
        network_average=overview.network_overall,
    )


def assessment_averages(council_ids: Iterable[int]) -> dict[int, Decimal]:
    """The latest approved assessment's overall score by council id, in two queries."""
    from principles.assessments.selectors import assessment_averages as averages

    return averages(council_ids)


def local_spend_against_target(council: Council) -> LocalSpend | None:
    """Local spend in the latest period against the council's target (None with no figures)."""
    from principles.spend.selectors import council_latest_local_spend

    latest = council_latest_local_spend(council)
    if latest is None:
        return None
    return LocalSpend(
        period=latest.period_label,
        local_percentage=latest.percentage,
        target_percentage=latest.target_percentage,
        known=latest.is_known,
        classified_percentage=latest.classified_percentage,
        total_spend=latest.total_spend,
    )


def local_spend_percentages(council_ids: Iterable[int]) -> dict[int, Decimal]:
    """The latest period's local spend percentage by council id, in one query; a council whose
    latest period has suppliers not classified yet has no percentage to compare."""
    from principles.spend.selectors import councils_latest_local_spend

    councils = Council.objects.filter(pk__in=list(council_ids))
    return {
        pk: latest.percentage
        for pk, latest in councils_latest_local_spend(councils).items()
        if latest.is_known
    }


# --- The council dashboard -------------------------------------------------


@dataclass(frozen=True)
class CouncilDashboard:
    decision: DecisionToJoin | None
    checklist: list[ChecklistStep]
    posts: list[ChampionPost]
    principles: list[PrincipleStanding]
    quarter_end: datetime.date
    actions: ActionsDue
    activity: list[Activity]
    endorsement: EndorsementStatus | None
    assessment: AssessmentScores | None
    local_spend: LocalSpend | None


def council_dashboard(council: Council, today: datetime.date) -> CouncilDashboard:
    """Everything a champion reviews first, in a fixed number of queries."""
    from endorsements.selectors import endorsement_states
    from keepitlocal.selectors import council_commitment_checklist, decision_to_join
    from principles.assessments.selectors import council_assessment_overview

    decision = decision_to_join(council)
    appointments = council_appointments(council)
    endorsement = endorsement_states([council.pk]).get(council.pk)
    assessments = council_assessment_overview(council)
    standings = principle_standings(council, today)
    return CouncilDashboard(
        decision=decision,
        checklist=council_commitment_checklist(
            council,
            decision,
            appointments=appointments,
            endorsement_state=endorsement,
            assessments=assessments,
        ),
        posts=champion_posts(appointments, today),
        principles=standings,
        quarter_end=previous_quarter_end(today),
        actions=actions_due(council, today),
        activity=recent_activity(council),
        endorsement=_status_of(endorsement) if endorsement is not None else None,
        assessment=latest_assessment_scores(
            council, [row.principle for row in standings], assessments
        ),
        local_spend=local_spend_against_target(council),
    )


# --- The network -----------------------------------------------------------


def network_councils() -> QuerySet[Council]:
    """Every member council: what network admins see."""
    return Council.objects.all()


def peer_councils(council: Council) -> QuerySet[Council]:
    """The councils a council's people see: those that chose to share, and their own."""
    return Council.objects.filter(Q(shares_with_peers=True) | Q(pk=council.pk))


@dataclass(frozen=True)
class NetworkRow:
    """One member council's line on the network dashboard."""

    council_id: int
    slug: str
    name: str
    kind: str
    joined_on: datetime.date | None
    shares_with_peers: bool
    cabinet_in_post: bool
    senior_in_post: bool
    stages: tuple[str, ...]
    endorsement: EndorsementStatus | None = None
    assessment_average: Decimal | None = None
    local_spend_percentage: Decimal | None = None

    @property
    def champions_in_post(self) -> int:
        return int(self.cabinet_in_post) + int(self.senior_in_post)

    @property
    def champions_label(self) -> str:
        if self.cabinet_in_post and self.senior_in_post:
            return "Both in post"
        if self.cabinet_in_post:
            return "Senior management vacant"
        if self.senior_in_post:
            return "Cabinet vacant"
        return "Both vacant"

    @property
    def stage_labels(self) -> list[str]:
        return [STAGE_LABELS[stage] for stage in self.stages]


def network_rows(
    councils: QuerySet[Council], principles: list[Principle], today: datetime.date
) -> list[NetworkRow]:
    """One row per council in ``councils``, in three queries however many councils there are."""
    in_post = ChampionAppointment.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today),
        council=OuterRef("pk"),
        starts_on__lte=today,
    )
    councils = councils.order_by("name").annotate(
        cabinet=Exists(in_post.filter(kind=Kind.CABINET)),
        senior=Exists(in_post.filter(kind=Kind.SENIOR_MANAGEMENT)),
    )
    position = {principle.pk: index for index, principle in enumerate(principles)}
    stages: dict[int, list[str]] = {}
    for council_id, principle_id, stage in PrincipleProgress.objects.filter(
        council__in=councils.values("pk")
    ).values_list("council_id", "principle_id", "stage"):
        council_stages = stages.setdefault(council_id, [Stage.NOT_STARTED] * len(principles))
        council_stages[position[principle_id]] = stage
    values = list(
        councils.values_list(
            "pk",
            "slug",
            "name",
            "kind",
            "decision__decided_on",
            "shares_with_peers",
            "cabinet",
            "senior",
        )
    )
    ids = [row[0] for row in values]
    endorsements = endorsement_statuses(ids)
    averages = assessment_averages(ids)
    spend = local_spend_percentages(ids)
    not_started = (Stage.NOT_STARTED,) * len(principles)
    return [
        NetworkRow(
            council_id=pk,
            slug=slug,
            name=name,
            kind=kind,
            joined_on=joined_on,
            shares_with_peers=shares,
            cabinet_in_post=cabinet,
            senior_in_post=senior,
            stages=tuple(stages[pk]) if pk in stages else not_started,
            endorsement=endorsements.get(pk),
            assessment_average=averages.get(pk),
            local_spend_percentage=spend.get(pk),
        )
        for pk, slug, name, kind, joined_on, shares, cabinet, senior in values
    ]
