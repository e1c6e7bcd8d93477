import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from keepitlocal.models import Council, Membership, User
from keepitlocal.services import decision_to_join_record

DEMO_PASSWORD = "keep-it-local-demo"  # noqa: S105 - published demo sign-in

EAST_SUSSEX_RECOMMENDATIONS = [
    "Agree that the county council should join the Keep it Local Network",
    "With the Chief Executive, sign an endorsement to support the Council's commitment",
    "Nominate himself as the Cabinet Keep it Local Champion",
    "Nominate the Director of Adult Social Care and Health as the senior management champion",
    "Delegate authority to the Director of Adult Social Care and Health to take all steps "
    "necessary to implement the recommendation",
]

# username, first name, last name, council slug, role (None: a network admin)
DEMO_PEOPLE = [
    ("officer", "Priya", "Shah", "east-sussex", Membership.Role.OFFICER),
    ("champion", "Tom", "Okafor", "east-sussex", Membership.Role.CHAMPION),
    ("lead-member", "Helen", "Marsh", "east-sussex", Membership.Role.LEAD_MEMBER),
    ("chief-executive", "David", "Lowe", "east-sussex", Membership.Role.CHIEF_EXECUTIVE),
    ("council-admin", "Sam", "Ellis", "east-sussex", Membership.Role.COUNCIL_ADMIN),
    ("peer-officer", "Gwen", "Pryce", "borsetshire", Membership.Role.OFFICER),
    ("network-admin", "Alex", "Rowe", None, None),
]


class Command(BaseCommand):
    help = (
        "Load the demo: East Sussex County Council with its real decision to join, a "
        "fictional peer council, and one person per role. Safe to run again."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        if not settings.DEBUG:
            self.stderr.write(
                "DEBUG is off: loading demo people with a published password into this "
                "database because you asked for it by hand."
            )
        councils = {
            "east-sussex": Council.objects.update_or_create(
                slug="east-sussex",
                defaults={"name": "East Sussex County Council", "kind": Council.Kind.COUNTY},
            )[0],
            "borsetshire": Council.objects.update_or_create(
                slug="borsetshire",
                defaults={"name": "Borsetshire District Council", "kind": Council.Kind.DISTRICT},
            )[0],
        }
        people = {}
        for username, first_name, last_name, slug, role in DEMO_PEOPLE:
            user, _ = User.objects.update_or_create(
                username=username,
                defaults={
                    "first_name": first_name,
                    "last_name": last_name,
                    "email": f"{username}@example.org",
                    "is_network_admin": role is None,
                    "is_active": True,
                },
            )
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            if slug is not None:
                Membership.objects.update_or_create(
                    user=user, council=councils[slug], defaults={"role": role}
                )
            people[username] = user

        decision_to_join_record(
            council=councils["east-sussex"],
            by=people["council-admin"],
            decided_on=datetime.date(2022, 7, 26),
            decision_maker="Lead Member for Resources and Climate Change",
            report_title="Keep it Local – Locality's Campaign Network",
            report_url="https://democracy.eastsussex.gov.uk/",
            recommendations=EAST_SUSSEX_RECOMMENDATIONS,
            delegated_to="Director of Adult Social Care and Health",
            partner_membership_starts_on=datetime.date(2022, 7, 26),
        )
        self._seed_progress(councils["east-sussex"], people["council-admin"])
        self._seed_local_spend(councils["east-sussex"], people["officer"])
        self._seed_champions(councils["east-sussex"], people)
        # The fictional peer shares its progress, so East Sussex has a peer to compare with.
        councils["borsetshire"].shares_with_peers = True
        councils["borsetshire"].save(update_fields=["shares_with_peers"])
        self._seed_peer_assessment(councils["borsetshire"], people["peer-officer"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo loaded: {len(councils)} councils, {len(people)} people "
                f"(password {DEMO_PASSWORD!r})."
            )
        )

    def _seed_progress(self, council: Council, by: User) -> None:
        """East Sussex's starting point on principle 3, recorded once."""
        from principles.models import Principle, PrincipleProgress
        from principles.services import principle_progress_update

        principle = Principle.objects.get(number=3)
        if PrincipleProgress.objects.filter(council=council, principle=principle).exists():
            return
        principle_progress_update(
            council=council,
            principle=principle,
            by=by,
            base_version=0,
            stage="developing",
            rag="green",
            narrative=(
                "In 2021-22, 67.9% of procurement spend (£283m with 958 local suppliers, including "
                "Tier 2 supply-chain spend) was local, against a Council Plan target of 60%."
            ),
            next_steps="Keep local spend above target and publish it every quarter.",
        )

    def _seed_peer_assessment(self, council: Council, by: User) -> None:
        """The peer's approved 2025-26 practice assessment, so East Sussex's results have a
        network median to compare with; recorded once."""
        from principles.assessments.models import Answer, Assessment, FrameworkVersion

        framework = FrameworkVersion.objects.order_by("-number").first()
        if framework is None or Assessment.objects.filter(council=council).exists():
            return
        approved_at = timezone.make_aware(datetime.datetime(2026, 3, 20, 11))
        assessment = Assessment.objects.create(
            council=council,
            framework=framework,
            period="2025-26",
            status=Assessment.Status.APPROVED,
            started_by=by,
            started_at=approved_at - datetime.timedelta(days=40),
            submitted_by=by,
            submitted_at=approved_at - datetime.timedelta(days=10),
            approved_at=approved_at,
        )
        Answer.objects.bulk_create(
            Answer(
                assessment=assessment,
                criterion=criterion,
                # Strongest on neighbourhoods (2) and community (5), as a district often is.
                level=3 if criterion.principle.number in (2, 5) else 1 + criterion.number % 2,
                updated_by=by,
            )
            for criterion in framework.criteria.select_related("principle")
        )

    def _seed_local_spend(self, council: Council, by: User) -> None:
        from principles.spend.demo import seed_local_spend

        seed_local_spend(council, by)

    def _seed_champions(self, council: Council, people: dict[str, User]) -> None:
        """East Sussex's two champions, as its decision nominated them, recorded once."""
        from champions.models import ChampionAppointment
        from champions.services import champion_appoint

        if ChampionAppointment.objects.filter(council=council).exists():
            return
        for kind, username, title, recommendation in [
            ("cabinet", "lead-member", "Lead Member for Resources and Climate Change", 3),
            ("senior_management", "champion", "Director of Adult Social Care and Health", 4),
        ]:
            champion_appoint(
                council=council,
                by=people["council-admin"],
                kind=kind,
                person=people[username],
                title=title,
                starts_on=datetime.date(2022, 7, 26),
                decision=f"Lead Member decision of 26 July 2022, recommendation {recommendation}",
                decision_url="https://democracy.eastsussex.gov.uk/",
            )
