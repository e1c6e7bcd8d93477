import datetime

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
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


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


class ChampionAppointmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "champions.ChampionAppointment"

    council = factory.SubFactory(CouncilFactory)
    kind = "cabinet"
    person_name = factory.Sequence(lambda n: f"Councillor Number {n}")
    title = "Lead Member for Resources and Climate Change"
    starts_on = datetime.date(2022, 7, 26)
    decision = "Lead Member decision of 26 July 2022"
