"""A realistic synthetic network of member councils, for benchmarks and for trying the dashboards.

``synthetic_network_seed(councils=400, years=5)`` clears any earlier synthetic
network, then runs each function in ``SECTIONS`` in order. Each section fills
one part of the service for every council, with ``bulk_create`` and history
rows dated across the years, so "change since the previous quarter" and
"recent activity" have data. To fill a new part of the service (the
endorsement, local spend), write one more
``seed_<section>(network)`` function and add it to ``SECTIONS``; add its
tables to ``_clear``.

Synthetic councils' slugs and people's usernames start with ``synthetic-``;
their people cannot sign in (unusable passwords).
"""

import contextlib
import datetime
import itertools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify

from champions.freshness import records_changed
from champions.models import ChampionAppointment, RecordsVersion
from keepitlocal import history
from keepitlocal.models import (
    CommunityConversation,
    ConversationOutcome,
    Council,
    DecisionToJoin,
    LocalPartner,
    Membership,
    RecordChange,
    User,
    one_year_after,
)
from keepitlocal.writes import change_record
from principles.models import (
    Action,
    ActionReminder,
    Evidence,
    Principle,
    PrincipleProgress,
    Rag,
    Stage,
)

PREFIX = "synthetic-"
BATCH = 2000
Role = Membership.Role

_PLACE_STARTS = [
    "Ash", "Bram", "Kings", "Wold", "Marsh", "Elm", "Thorn", "Ox", "Stan", "Hart",
    "Brook", "Chal", "Dun", "Fair", "Gold", "Hazel", "Ivy", "Lang", "Mill", "North",
    "Oak", "Pen", "Red", "Salt", "Tun", "Upper", "Wal", "West", "Whit", "Yar",
]  # fmt: skip
_PLACE_ENDS = [
    "ford", "ley", "ton", "bury", "field", "wick", "ham", "combe", "dale", "mouth",
    "stead", "worth", "minster", "borough", "wood",
]  # fmt: skip
_KINDS = [
    (Council.Kind.DISTRICT, 40, "{place} District Council"),
    (Council.Kind.UNITARY, 20, "{place} Council"),
    (Council.Kind.METROPOLITAN, 12, "{place} Metropolitan Borough Council"),
    (Council.Kind.LONDON_BOROUGH, 10, "London Borough of {place}"),
    (Council.Kind.COUNTY, 14, "{place}shire County Council"),
    (Council.Kind.COMBINED, 4, "{place} Combined Authority"),
]
_FIRST = [
    "Aisha", "Ben", "Carys", "Dev", "Eleanor", "Femi", "Grace", "Harry", "Imran", "Jess",
    "Kieran", "Leila", "Marcus", "Niamh", "Owen", "Priya", "Rhys", "Sophie", "Tariq", "Zoe",
]  # fmt: skip
_LAST = [
    "Adams", "Begum", "Clarke", "Davies", "Evans", "Fraser", "Gill", "Hughes", "Iqbal",
    "Jones", "Khan", "Lewis", "Morgan", "Nowak", "O'Brien", "Patel", "Reid", "Singh",
    "Taylor", "Walsh",
]  # fmt: skip
_CABINET_TITLES = [
    "Leader of the Council",
    "Lead Member for Resources and Climate Change",
    "Cabinet Member for Communities",
    "Cabinet Member for Economy and Regeneration",
]
_SENIOR_TITLES = [
    "Director of Adult Social Care and Health",
    "Chief Executive",
    "Director of Communities",
    "Assistant Director, Procurement",
]
_PARTNER_KINDS = [
    "Community Trust", "Food Bank", "Credit Union", "Youth Project", "Carers' Network",
    "Men's Shed", "Arts Collective", "Housing Co-operative", "Advice Centre", "Sports Club",
]  # fmt: skip
_ACTION_TITLES = [
    "Map local suppliers by postcode",
    "Publish a plain-English procurement guide",
    "Hold a meet-the-buyer day",
    "Agree a neighbourhood team for the ward",
    "Review grant agreements with VCSE partners",
    "Pilot a community-led early help service",
    "Set a local spend target in the Council Plan",
    "Co-design the commissioning plan with residents",
]
_CONVERSATION_TITLES = [
    "Community conversation at the library",
    "Neighbourhood forum on early help",
    "Meet the VCSE sector",
    "Residents' workshop on local spend",
    "Town hall listening event",
]
_STAGE_STEP = {
    Stage.NOT_STARTED: 0.7,
    Stage.DEVELOPING: 0.35,
    Stage.ESTABLISHED: 0.22,
    Stage.EMBEDDED: 0.0,
}
_STAGES = list(Stage.values)


@dataclass
class SyntheticNetwork:
    """What the sections share: the random source, the dates and what earlier sections made."""

    rng: random.Random
    today: datetime.date
    years: int
    size: int
    principles: list[Principle] = field(default_factory=list)
    councils: list[Council] = field(default_factory=list)
    joined: dict[int, datetime.date] = field(default_factory=dict)
    people: dict[int, dict[str, list[User]]] = field(default_factory=dict)
    partners: dict[int, list[LocalPartner]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def start(self) -> datetime.date:
        return self.today - datetime.timedelta(days=round(365.25 * self.years))

    def day_between(self, first: datetime.date, last: datetime.date) -> datetime.date:
        if last <= first:
            return first
        return first + datetime.timedelta(days=self.rng.randint(0, (last - first).days))

    def moment(self, day: datetime.date) -> datetime.datetime:
        """A working-hours time on ``day``, never later than now."""
        when = timezone.make_aware(
            datetime.datetime.combine(day, datetime.time(self.rng.randint(8, 17), 0))
        ) + datetime.timedelta(minutes=self.rng.randint(0, 59))
        return min(when, timezone.now())

    def person(self, council: Council, *roles: str) -> User:
        return self.rng.choice([p for role in roles for p in self.people[council.pk][role]])

    def count(self, name: str, number: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + number


@contextlib.contextmanager
def _given_timestamps(*models_: type[models.Model]) -> Iterator[None]:
    """Let bulk_create keep the creation and change times we give instead of now."""
    switched = []
    for model in models_:
        for model_field in model._meta.concrete_fields:
            for flag in ("auto_now", "auto_now_add"):
                if getattr(model_field, flag, False):
                    setattr(model_field, flag, False)
                    switched.append((model_field, flag))
    try:
        yield
    finally:
        for model_field, flag in switched:
            setattr(model_field, flag, True)


def _bulk(network: SyntheticNetwork, model: type[models.Model], rows: list) -> list:
    with _given_timestamps(model):
        created = model.objects.bulk_create(rows, batch_size=BATCH)
    network.count(model._meta.verbose_name_plural, len(created))
    return created


class _Changes:
    """The history of records seeded in bulk, as the writes contract would have recorded it:
    each ``at`` call compares the record with how it was at the call before."""

    def __init__(self):
        self.rows: list[RecordChange] = []
        self._before: dict[int, history.Snapshot] = {}

    def at(self, instance, when: datetime.datetime, by) -> None:
        after = history.snapshot(instance)
        before = self._before.get(instance.pk)
        kind = RecordChange.Kind.ADDED if before is None else RecordChange.Kind.CHANGED
        empty = history.Snapshot(raw={}, shown={})
        changes = history.differences(type(instance), before or empty, after)
        self._before[instance.pk] = after
        self.rows.append(
            change_record(instance, kind=kind, by=by, values=after.raw, changes=changes, when=when)
        )


def _bulk_history(network: SyntheticNetwork, model: type[models.Model], changes: _Changes) -> None:
    RecordChange.objects.bulk_create(changes.rows, batch_size=BATCH)
    network.count(f"{model._meta.verbose_name} history rows", len(changes.rows))


# --- Sections ----------------------------------------------------------------


def seed_councils(network: SyntheticNetwork) -> None:
    """Councils with realistic names and kinds, about six in ten sharing with peers."""
    places = [start + end for start, end in itertools.product(_PLACE_STARTS, _PLACE_ENDS)]
    network.rng.shuffle(places)
    kinds = [kind for kind, weight, _ in _KINDS for _ in range(weight)]
    patterns = {kind: pattern for kind, _, pattern in _KINDS}
    names: set[str] = set()
    councils = []
    for place in itertools.cycle(places):
        if len(councils) == network.size:
            break
        kind = network.rng.choice(kinds)
        name = patterns[kind].format(place=place)
        if name in names:
            continue
        names.add(name)
        joined = network.day_between(network.start, network.today - datetime.timedelta(days=30))
        councils.append(
            Council(
                name=name,
                slug=f"{PREFIX}{slugify(name)}"[:100],
                kind=kind,
                shares_with_peers=network.rng.random() < 0.6,
                created_at=network.moment(joined),
            )
        )
    network.councils = _bulk(network, Council, councils)
    network.joined = {council.pk: council.created_at.date() for council in network.councils}


def seed_people(network: SyntheticNetwork) -> None:
    """Six people a council: two officers and one of every other role."""
    roles = [Role.OFFICER, Role.OFFICER, Role.CHAMPION, Role.LEAD_MEMBER]
    roles += [Role.CHIEF_EXECUTIVE, Role.COUNCIL_ADMIN]
    users, memberships = [], []
    for index, council in enumerate(network.councils):
        for number, role in enumerate(roles):
            username = f"{PREFIX}{index:04}-{role}-{number}".replace("_", "-")
            user = User(
                username=username,
                first_name=network.rng.choice(_FIRST),
                last_name=network.rng.choice(_LAST),
                email=f"{username}@example.org",
                password="!synthetic-no-sign-in",  # noqa: S106 - an unusable password
            )
            users.append(user)
            memberships.append((user, council, role))
    _bulk(network, User, users)
    rows = []
    for user, council, role in memberships:
        network.people.setdefault(council.pk, {r: [] for r in Role.values})[role].append(user)
        joined = network.moment(network.joined[council.pk])
        rows.append(Membership(user=user, council=council, role=role, created_at=joined))
    _bulk(network, Membership, rows)


def seed_decisions(network: SyntheticNetwork) -> None:
    """Each council's decision to join, with partner membership renewed by most."""
    rows = []
    for council in network.councils:
        joined = network.joined[council.pk]
        renews = one_year_after(joined)
        while network.rng.random() < 0.75 and renews < network.today:
            renews = one_year_after(renews)
        maker = network.rng.choice(_CABINET_TITLES)
        rows.append(
            DecisionToJoin(
                council=council,
                decided_on=joined,
                decision_maker=maker,
                report_title="Keep it Local – joining Locality's network",
                report_url=f"https://democracy.{council.slug.removeprefix(PREFIX)}.gov.uk/",
                recommendations=[
                    "Agree that the council should join the Keep it Local network",
                    "Sign an endorsement with the Chief Executive",
                    f"Nominate the {maker} as the Cabinet Keep it Local champion",
                    "Nominate a senior management champion",
                ],
                delegated_to=network.rng.choice(_SENIOR_TITLES),
                partner_membership_starts_on=joined,
                partner_membership_renews_on=renews,
                updated_at=network.moment(joined),
                updated_by=network.person(council, Role.COUNCIL_ADMIN),
            )
        )
    _bulk(network, DecisionToJoin, rows)


def seed_partners(network: SyntheticNetwork) -> None:
    """Six to ten local VCSE partners a council."""
    rows = []
    for council in network.councils:
        place = council.name.split(" ")[0]
        for kind in network.rng.sample(_PARTNER_KINDS, network.rng.randint(6, 10)):
            rows.append(LocalPartner(council=council, name=f"{place} {kind}"))
    for partner in _bulk(network, LocalPartner, rows):
        network.partners.setdefault(partner.council_id, []).append(partner)


def seed_champions(network: SyntheticNetwork) -> None:
    """Both champion posts from soon after joining, with handovers, and some posts vacant today."""
    rows = []
    for council in network.councils:
        admin = network.person(council, Role.COUNCIL_ADMIN)
        for kind, titles, roles in [
            (ChampionAppointment.Kind.CABINET, _CABINET_TITLES, (Role.LEAD_MEMBER,)),
            (
                ChampionAppointment.Kind.SENIOR_MANAGEMENT,
                _SENIOR_TITLES,
                (Role.CHAMPION, Role.CHIEF_EXECUTIVE),
            ),
        ]:
            starts = network.joined[council.pk] + datetime.timedelta(
                days=network.rng.randint(0, 120)
            )
            while starts <= network.today:
                ends = starts + datetime.timedelta(days=network.rng.randint(300, 1500))
                if ends >= network.today:
                    ends = (
                        None
                        if network.rng.random() < 0.9
                        else network.day_between(starts, network.today - datetime.timedelta(1))
                    )
                with_account = network.rng.random() < 0.7
                rows.append(
                    ChampionAppointment(
                        council=council,
                        kind=kind,
                        person=network.person(council, *roles) if with_account else None,
                        person_name=""
                        if with_account
                        else f"{network.rng.choice(_FIRST)} {network.rng.choice(_LAST)}",
                        title=network.rng.choice(titles),
                        starts_on=starts,
                        ends_on=ends,
                        decision=f"Executive decision of {starts.day} {starts:%B %Y}",
                        created_at=network.moment(starts),
                        created_by=admin,
                        ended_by=admin if ends else None,
                    )
                )
                if ends is None or ends >= network.today - datetime.timedelta(1):
                    break
                starts = ends + datetime.timedelta(days=network.rng.choice([1, 1, 1, 30, 90]))
    _bulk(network, ChampionAppointment, rows)


def _quarter_starts(first: datetime.date, today: datetime.date) -> list[datetime.date]:
    month = 3 * ((first.month - 1) // 3) + 1
    day = datetime.date(first.year, month, 1)
    starts = []
    while day <= today:
        starts.append(day)
        day = datetime.date(day.year + (day.month == 10), (day.month + 2) % 12 + 1, 1)
    return starts


def seed_progress(network: SyntheticNetwork) -> None:
    """Progress on every principle, changing quarter by quarter, with its full history."""
    plans = []
    for council in network.councils:
        officer = network.person(council, Role.OFFICER)
        for principle in network.principles:
            if network.rng.random() < 0.08:
                continue  # never recorded: not started
            first = network.joined[council.pk] + datetime.timedelta(
                days=network.rng.randint(0, 200)
            )
            stage, rag, changes = Stage.NOT_STARTED, "", []
            for quarter in _quarter_starts(first, network.today):
                if changes and network.rng.random() > 0.4:
                    continue
                rank = _STAGES.index(stage)
                roll = network.rng.random()
                if roll < _STAGE_STEP[stage]:
                    stage = _STAGES[rank + 1]
                elif roll > 0.97 and rank > 0:
                    stage = _STAGES[rank - 1]
                rag = network.rng.choices([Rag.GREEN, Rag.AMBER, Rag.RED], [5, 3, 1.5])[0]
                day = network.day_between(
                    max(quarter, first), min(network.today, quarter + datetime.timedelta(89))
                )
                changes.append((stage, rag, network.moment(day)))
            if changes:
                plans.append((council, principle, officer, changes))
    records = [
        PrincipleProgress(
            council=council,
            principle=principle,
            stage=changes[-1][0],
            rag=changes[-1][1],
            narrative=f"Where {council.name} is with principle {principle.number}.",
            next_steps="Review at the next quarterly meeting.",
            last_reviewed_on=changes[-1][2].date(),
            last_reviewed_by=officer,
            version=len(changes),
            updated_at=changes[-1][2],
        )
        for council, principle, officer, changes in plans
    ]
    records = _bulk(network, PrincipleProgress, records)
    recorded = _Changes()
    for record, (_, principle, officer, changes) in zip(records, plans, strict=True):
        record.principle = principle
        for version, (stage, rag, when) in enumerate(changes, start=1):
            record.stage, record.rag, record.version = stage, rag, version
            record.last_reviewed_on, record.updated_at = when.date(), when
            recorded.at(record, when, officer)
    _bulk_history(network, PrincipleProgress, recorded)


def seed_actions(network: SyntheticNetwork) -> None:
    """Actions every year on every principle: most past ones done, some overdue, some due soon."""
    plans = []
    for council in network.councils:
        joined = network.joined[council.pk]
        for principle in network.principles:
            for _ in range(
                network.rng.randint(1, 3) * max(1, (network.today - joined).days // 365)
            ):
                created = network.day_between(joined, network.today)
                due = created + datetime.timedelta(days=network.rng.randint(14, 300))
                done = due < network.today and network.rng.random() < 0.85
                status = (
                    Action.Status.DONE
                    if done
                    else network.rng.choice([Action.Status.NOT_STARTED, Action.Status.IN_PROGRESS])
                )
                completed = (
                    min(network.today, due + datetime.timedelta(network.rng.randint(-30, 20)))
                    if done
                    else None
                )
                completed = max(completed, created) if completed else None
                by_partner = network.rng.random() < 0.25
                partner = network.rng.choice(network.partners[council.pk])
                person = network.person(council, Role.OFFICER, Role.CHAMPION)
                when = network.moment(created)
                plans.append(
                    (
                        Action(
                            council=council,
                            principle=principle,
                            title=network.rng.choice(_ACTION_TITLES),
                            owner=None if by_partner else person,
                            owner_name=partner.name if by_partner else "",
                            due_on=due,
                            status=status,
                            completed_on=completed,
                            version=2 if done else 1,
                            created_at=when,
                            updated_at=network.moment(completed) if completed else when,
                        ),
                        person,
                    )
                )
    actions = _bulk(network, Action, [action for action, _ in plans])
    recorded = _Changes()
    for action, (_, person) in zip(actions, plans, strict=True):
        if action.completed_on:
            final = (action.status, action.completed_on, action.version, action.updated_at)
            action.status, action.completed_on, action.version = Action.Status.IN_PROGRESS, None, 1
            recorded.at(action, action.created_at, person)
            action.status, action.completed_on, action.version, action.updated_at = final
            recorded.at(action, action.updated_at, person)
        else:
            recorded.at(action, action.created_at, person)
    _bulk_history(network, Action, recorded)


def seed_evidence(network: SyntheticNetwork) -> None:
    """Links to published evidence on most principles."""
    plans = []
    for council in network.councils:
        site = council.slug.removeprefix(PREFIX)
        for principle in network.principles:
            for number in range(network.rng.randint(0, 3)):
                dated = network.day_between(network.joined[council.pk], network.today)
                person = network.person(council, Role.OFFICER)
                plans.append(
                    (
                        Evidence(
                            council=council,
                            principle=principle,
                            title=f"Evidence for principle {principle.number}, item {number + 1}",
                            dated_on=dated,
                            url=f"https://www.{site}.gov.uk/keep-it-local/{principle.number}/{number}",
                            created_at=network.moment(dated),
                            created_by=person,
                        ),
                        person,
                    )
                )
    records = _bulk(network, Evidence, [evidence for evidence, _ in plans])
    recorded = _Changes()
    for record, (_, person) in zip(records, plans, strict=True):
        recorded.at(record, record.created_at, person)
    _bulk_history(network, Evidence, recorded)


def seed_conversations(network: SyntheticNetwork) -> None:
    """One or two community conversations a year, with partners, principles and outcomes."""
    plans = []
    for council in network.councils:
        joined = network.joined[council.pk]
        for _ in range(network.rng.randint(1, 2) * max(1, (network.today - joined).days // 365)):
            held = network.day_between(joined, network.today)
            plans.append(
                CommunityConversation(
                    council=council,
                    held_on=held,
                    title=network.rng.choice(_CONVERSATION_TITLES),
                    people_count=network.rng.randint(8, 120),
                    summary="What residents and local organisations told us.",
                    created_at=network.moment(held),
                    created_by=network.person(council, Role.OFFICER),
                )
            )
    conversations = _bulk(network, CommunityConversation, plans)
    partner_links, principle_links, outcomes = [], [], []
    Partners = CommunityConversation.partners.through
    Principles = CommunityConversation.principles.through
    for conversation in conversations:
        for partner in network.rng.sample(network.partners[conversation.council_id], 2):
            partner_links.append(Partners(communityconversation=conversation, localpartner=partner))
        for principle in network.rng.sample(network.principles, network.rng.randint(1, 3)):
            principle_links.append(
                Principles(communityconversation=conversation, principle=principle)
            )
        for position in range(1, network.rng.randint(1, 3) + 1):
            outcomes.append(
                ConversationOutcome(
                    conversation=conversation,
                    position=position,
                    text=network.rng.choice(_ACTION_TITLES),
                )
            )
    Partners.objects.bulk_create(partner_links, batch_size=BATCH)
    Principles.objects.bulk_create(principle_links, batch_size=BATCH)
    _bulk(network, ConversationOutcome, outcomes)


def seed_assessments(network: SyntheticNetwork) -> None:
    """A practice assessment a year after joining, every criterion answered, rising over the
    years; all approved by the champion but the latest, which most councils are still working on.
    """
    from principles.assessments.models import Answer, Assessment, FrameworkVersion, ReviewComment
    from principles.spend.models import financial_year_label, financial_year_of

    framework = FrameworkVersion.objects.order_by("-number").first()
    if framework is None:
        return
    criteria = list(framework.criteria.all())
    plans = []
    for council in network.councils:
        day = network.joined[council.pk] + datetime.timedelta(days=network.rng.randint(60, 300))
        base = network.rng.uniform(1.0, 2.4)
        year = 0
        while day <= network.today:
            latest = day + datetime.timedelta(days=365) > network.today
            approved = not latest or network.rng.random() < 0.3
            officer = network.person(council, Role.OFFICER)
            champion = network.person(council, Role.CHAMPION)
            started = network.moment(day - datetime.timedelta(days=30))
            status = Assessment.Status.APPROVED if approved else Assessment.Status.SUBMITTED
            plans.append(
                (
                    Assessment(
                        council=council,
                        framework=framework,
                        period=financial_year_label(financial_year_of(day)),
                        status=status,
                        started_at=started,
                        started_by=officer,
                        submitted_at=network.moment(day - datetime.timedelta(days=7)),
                        submitted_by=officer,
                        approved_at=network.moment(day) if approved else None,
                        approved_by=champion if approved else None,
                    ),
                    min(4.0, base + 0.4 * year),
                    officer,
                    champion,
                )
            )
            day += datetime.timedelta(days=365)
            year += 1
    assessments = _bulk(network, Assessment, [plan[0] for plan in plans])
    answers, comments = [], []
    for assessment, (_, mean, officer, champion) in zip(assessments, plans, strict=True):
        for criterion in criteria:
            level = round(mean + network.rng.uniform(-0.8, 0.8))
            answers.append(
                Answer(
                    assessment=assessment,
                    criterion=criterion,
                    level=max(1, min(4, level)),
                    comment="Seen in the service plans and the neighbourhood teams' reports.",
                    updated_by=officer,
                    updated_at=assessment.submitted_at,
                )
            )
        events = [(ReviewComment.Kind.SUBMITTED, officer, assessment.submitted_at)]
        if assessment.is_approved:
            events.append((ReviewComment.Kind.APPROVED, champion, assessment.approved_at))
        comments.extend(
            ReviewComment(
                assessment=assessment,
                kind=kind,
                author=author,
                author_name=author.get_full_name(),
                author_council_id=assessment.council_id,
                created_at=when,
            )
            for kind, author, when in events
        )
    _bulk(network, Answer, answers)
    _bulk(network, ReviewComment, comments)


SECTIONS: list[Callable[[SyntheticNetwork], None]] = [
    seed_councils,
    seed_people,
    seed_decisions,
    seed_partners,
    seed_champions,
    seed_progress,
    seed_actions,
    seed_evidence,
    seed_conversations,
    seed_assessments,
]


def _clear() -> None:
    """Remove an earlier synthetic network: raw deletes, so no history rows are written for it."""
    councils = Council.objects.filter(slug__startswith=PREFIX)
    gone = RecordsVersion.objects.filter(council_id__in=councils.values("pk"))
    gone._raw_delete(gone.db)
    from principles.assessments.models import Answer, Assessment, PeerReview, ReviewComment

    by_council = [
        ActionReminder.objects.filter(action__council__in=councils),
        ConversationOutcome.objects.filter(conversation__council__in=councils),
        CommunityConversation.partners.through.objects.filter(
            communityconversation__council__in=councils
        ),
        CommunityConversation.principles.through.objects.filter(
            communityconversation__council__in=councils
        ),
        CommunityConversation.objects.filter(council__in=councils),
        Action.objects.filter(council__in=councils),
        # After the actions, which may have been made from an assessment's answers.
        Answer.evidence.through.objects.filter(answer__assessment__council__in=councils),
        Answer.objects.filter(assessment__council__in=councils),
        ReviewComment.objects.filter(assessment__council__in=councils),
        ReviewComment.objects.filter(author_council__in=councils),
        PeerReview.objects.filter(assessment__council__in=councils),
        PeerReview.objects.filter(reviewer_council__in=councils),
        Assessment.objects.filter(council__in=councils),
        Evidence.objects.filter(council__in=councils),
        PrincipleProgress.objects.filter(council__in=councils),
        ChampionAppointment.objects.filter(council__in=councils),
        LocalPartner.objects.filter(council__in=councils),
        DecisionToJoin.objects.filter(council__in=councils),
        Membership.objects.filter(council__in=councils),
        RecordChange.objects.filter(council__in=councils),
    ]
    for queryset in by_council:
        queryset._raw_delete(queryset.db)
    councils._raw_delete(councils.db)
    people = User.objects.filter(username__startswith=PREFIX)
    people._raw_delete(people.db)


@transaction.atomic
def synthetic_network_seed(
    *, councils: int, years: int, seed: int = 2022, today: datetime.date | None = None
) -> SyntheticNetwork:
    """Replace any earlier synthetic network with ``councils`` councils and ``years`` of records."""
    if councils < 1 or years < 1:
        raise ValueError("Ask for at least one council and one year.")
    if councils > len(_PLACE_STARTS) * len(_PLACE_ENDS) * len(_KINDS):
        raise ValueError("There are not enough distinct council names for that many councils.")
    _clear()
    network = SyntheticNetwork(
        rng=random.Random(seed),  # noqa: S311 - made-up data, the same for the same seed
        today=today or timezone.localdate(),
        years=years,
        size=councils,
        principles=list(Principle.objects.order_by("number")),
    )
    for section in SECTIONS:
        section(network)
    # bulk_create sends no signals: give the new councils their records versions here.
    records_changed(council.pk for council in network.councils)
    return network
