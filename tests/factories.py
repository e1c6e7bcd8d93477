import datetime
import decimal
import functools

import factory

from keepitlocal.models import Council, DecisionToJoin, Membership, User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        """``UserFactory(password=...)`` for another password than ``PASSWORD``."""
        obj.password = hashed_password(extracted or PASSWORD)
        if create:
            obj.save()


@functools.cache
def hashed_password(raw: str) -> str:
    """The hash of ``raw``, made once a run: each takes most of a second, on purpose, and the
    suite makes thousands of people. Signing in still checks it the slow way."""
    from django.contrib.auth.hashers import make_password

    return make_password(raw)


class NetworkAdminFactory(UserFactory):
    is_network_admin = True


class CouncilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Council

    name = factory.Sequence(lambda n: f"Council number {n}")
    slug = factory.Sequence(lambda n: f"council-{n}")
    kind = Council.Kind.DISTRICT


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    council = factory.SubFactory(CouncilFactory)
    role = Membership.Role.OFFICER


class DecisionToJoinFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DecisionToJoin

    council = factory.SubFactory(CouncilFactory)
    decided_on = datetime.date(2022, 7, 26)
    decision_maker = "Lead Member for Resources and Climate Change"
    report_title = "Keep it Local – joining the network"
    report_url = "https://democracy.example.gov.uk/report"
    recommendations = factory.LazyFunction(lambda: ["Join the network", "Sign the endorsement"])
    delegated_to = "Director of Adult Social Care and Health"
    partner_membership_starts_on = datetime.date(2022, 7, 26)
    partner_membership_renews_on = datetime.date(2023, 7, 26)


def principle(number: int = 3):
    from principles.models import Principle

    return Principle.objects.get(number=number)


class PrincipleProgressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "principles.PrincipleProgress"

    council = factory.SubFactory(CouncilFactory)
    principle = factory.LazyFunction(principle)
    stage = "developing"
    rag = "amber"
    narrative = "We have started to map local suppliers."


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "principles.Action"

    council = factory.SubFactory(CouncilFactory)
    principle = factory.LazyFunction(principle)
    title = factory.Sequence(lambda n: f"Action {n}")
    due_on = datetime.date(2030, 3, 31)


class EvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "principles.Evidence"

    council = factory.SubFactory(CouncilFactory)
    principle = factory.LazyFunction(principle)
    title = factory.Sequence(lambda n: f"Evidence {n}")
    url = "https://www.example.org/report"
    file = factory.django.FileField(filename="report.csv", data=b"supplier,amount\nA,1\n")
    file_type = "text/csv"
    file_size = 20


class ConversationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "keepitlocal.CommunityConversation"

    council = factory.SubFactory(CouncilFactory)
    held_on = datetime.date(2026, 3, 5)
    title = factory.Sequence(lambda n: f"Community conversation {n}")
    people_count = 25


class OutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "keepitlocal.ConversationOutcome"

    conversation = factory.SubFactory(ConversationFactory)
    position = factory.Sequence(lambda n: n + 1)
    text = "Hold a market day for local suppliers"


class EndorsementFactory(factory.django.DjangoModelFactory):
    """A draft endorsement; tests that need it sent go through the services."""

    class Meta:
        model = "endorsements.Endorsement"

    council = factory.SubFactory(CouncilFactory)
    version = factory.Sequence(lambda n: n + 1)
    statement = "We endorse the six Keep it Local principles."
    prepared_by = factory.SubFactory(UserFactory)


def signed_endorsement(council, *, base_url: str = "https://keepitlocal.example"):
    """An endorsement of ``council`` sent, signed by a lead member and a chief executive, sealed."""
    from endorsements import services
    from keepitlocal.models import DecisionToJoin, Membership

    if not DecisionToJoin.objects.filter(council=council).exists():
        DecisionToJoinFactory(council=council)
    admin = MembershipFactory(council=council, role=Membership.Role.COUNCIL_ADMIN).user
    people = [
        MembershipFactory(council=council, role=role).user
        for role in (Membership.Role.LEAD_MEMBER, Membership.Role.CHIEF_EXECUTIVE)
    ]
    source = services.EventSource()
    endorsement = services.endorsement_prepare(
        council=council,
        by=admin,
        statement="We endorse the six Keep it Local principles.",
        signatories=people,
        signing_order="parallel",
        source=source,
    )
    endorsement = services.endorsement_send_for_signature(
        endorsement=endorsement, by=admin, source=source, base_url=base_url
    )
    for person in people:
        services.endorsement_sign(
            endorsement=endorsement,
            by=person,
            password=PASSWORD,
            typed_name=person.get_full_name(),
            drawn_signature=None,
            opened_sha256=endorsement.document_sha256,
            source=source,
            base_url=base_url,
        )
    endorsement.refresh_from_db()
    return endorsement


# --- Local spend ---------------------------------------------------------------

SPEND_FILE = b"Date,Supplier,Amount\n01/05/2022,Harbour Bakery Ltd,100.00\n"


def _period_dates(period) -> tuple:
    from principles.spend.models import period_dates

    return period_dates(period.financial_year, period.quarter)


class LocalSpendPeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "principles.LocalSpendPeriod"

    council = factory.SubFactory(CouncilFactory)
    kind = "year"
    financial_year = factory.Sequence(lambda n: 2000 + n % 90)
    quarter = None
    starts_on = factory.LazyAttribute(lambda p: _period_dates(p)[0])
    ends_on = factory.LazyAttribute(lambda p: _period_dates(p)[1])
    source = "entered"
    total_spend = decimal.Decimal("1000000.00")
    local_spend = decimal.Decimal("600000.00")
    local_supplier_count = 10
    target_percentage = decimal.Decimal("60.00")


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "principles.Supplier"

    council = factory.SubFactory(CouncilFactory)
    name = factory.Sequence(lambda n: f"Supplier {n} Ltd")
    key = factory.LazyAttribute(lambda s: f"name:{s.name.upper()}")


class LocalSpendImportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "principles.LocalSpendImport"

    council = factory.SubFactory(CouncilFactory)
    file = factory.django.FileField(filename="spend.csv", data=SPEND_FILE)
    file_name = "spend.csv"
    file_size = len(SPEND_FILE)
    content_hash = factory.Sequence(lambda n: f"{n:064x}")
    encoding = "utf-8-sig"
    headers = factory.LazyFunction(lambda: ["Date", "Supplier", "Amount"])
    mapping = factory.LazyFunction(lambda: {"paid_on": 0, "supplier_name": 1, "amount": 2})


class LocalSpendTransactionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "principles.LocalSpendTransaction"

    council = factory.SubFactory(CouncilFactory)
    spend_import = factory.SubFactory(
        LocalSpendImportFactory, council=factory.SelfAttribute("..council"), status="imported"
    )
    supplier = factory.SubFactory(SupplierFactory, council=factory.SelfAttribute("..council"))
    line_number = factory.Sequence(lambda n: n + 2)
    paid_on = datetime.date(2022, 5, 1)
    amount = decimal.Decimal("1000.00")
    payment_key = factory.Sequence(lambda n: f"{n:032x}")


class ChampionAppointmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "champions.ChampionAppointment"

    council = factory.SubFactory(CouncilFactory)
    kind = "cabinet"
    person_name = factory.Sequence(lambda n: f"Councillor Number {n}")
    title = "Lead Member for Resources and Climate Change"
    starts_on = datetime.date(2022, 7, 26)
    decision = "Lead Member decision of 26 July 2022"


def assessment(
    council,
    *,
    period: str = "2025-26",
    level: int | None = 3,
    levels: dict | None = None,
    status: str = "draft",
    approved_at=None,
    by=None,
):
    """A practice assessment against the current framework, every answer at ``level`` (or at
    ``levels[principle number]``); ``None`` leaves answers blank."""
    from django.utils import timezone

    from principles.assessments.models import Answer, Assessment, FrameworkVersion

    framework = FrameworkVersion.objects.order_by("-number").first()
    if status == Assessment.Status.APPROVED and approved_at is None:
        approved_at = timezone.now()
    made = Assessment.objects.create(
        council=council,
        framework=framework,
        period=period,
        status=status,
        started_by=by,
        submitted_by=by if status != Assessment.Status.DRAFT else None,
        approved_at=approved_at,
    )
    levels = levels or {}
    Answer.objects.bulk_create(
        Answer(
            assessment=made,
            criterion=criterion,
            level=levels.get(criterion.principle.number, level),
            updated_by=by,
        )
        for criterion in framework.criteria.select_related("principle")
    )
    return made


class PeerReviewFactory(factory.django.DjangoModelFactory):
    """An invitation to a peer council's champions to review an assessment."""

    class Meta:
        model = "principles.PeerReview"

    assessment = factory.LazyFunction(lambda: assessment(CouncilFactory()))
    reviewer_council = factory.SubFactory(CouncilFactory)
