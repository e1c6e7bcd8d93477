"""seed_network fills every section for every council, with history over the years (small sizes)."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from champions.models import ChampionAppointment, RecordsVersion
from champions.selectors import previous_quarter_end
from keepitlocal.models import (
    CommunityConversation,
    Council,
    DecisionToJoin,
    LocalPartner,
    Membership,
    RecordChange,
    User,
)
from principles.models import Action, Evidence, PrincipleProgress
from tests.factories import CouncilFactory


def _changes(record):
    """The recorded history of a kind of record (a model) or of one record."""
    model = record if isinstance(record, type) else type(record)
    changes = RecordChange.objects.filter(record_type=model._meta.label_lower)
    return changes if isinstance(record, type) else changes.filter(record_id=record.pk)


def synthetic():
    return Council.objects.filter(slug__startswith="synthetic-")


@pytest.mark.django_db
def test_every_council_gets_every_section():
    call_command("seed_network", councils=3, years=1, stdout=None)
    councils = list(synthetic())
    assert len(councils) == 3
    for council in councils:
        assert DecisionToJoin.objects.filter(council=council).exists()
        assert Membership.objects.filter(council=council).count() == 6
        assert LocalPartner.objects.filter(council=council).count() >= 6
        assert PrincipleProgress.objects.filter(council=council).exists()
        assert Action.objects.filter(council=council).exists()
        assert CommunityConversation.objects.filter(council=council).exists()
    assert Evidence.objects.filter(council__in=councils).exists()
    # A council that joined lately may not have appointed its champions yet.
    kinds = ChampionAppointment.objects.filter(council__in=councils).values_list("kind", flat=True)
    assert set(kinds) == {"cabinet", "senior_management"}
    assert RecordsVersion.objects.filter(council_id__in=[c.pk for c in councils]).count() == 3


@pytest.mark.django_db
def test_history_spans_the_years_so_quarters_can_be_compared():
    call_command("seed_network", councils=3, years=2, stdout=None)
    today = timezone.localdate()
    history = _changes(PrincipleProgress).filter(council__in=synthetic())
    dates = sorted(timezone.localdate(row.occurred_at) for row in history)
    assert dates[0] >= today - datetime.timedelta(days=2 * 366)
    assert dates[0] <= previous_quarter_end(today)
    assert dates[-1] <= today
    for progress in PrincipleProgress.objects.filter(council__in=synthetic()):
        rows = list(_changes(progress).order_by("occurred_at", "pk"))
        assert len(rows) == progress.version
        assert rows[-1].values["stage"] == progress.stage
        assert rows[0].kind == "added"
    done = Action.objects.filter(council__in=synthetic(), status="done").first()
    assert done is not None
    assert _changes(done).count() == 2


@pytest.mark.django_db
def test_running_it_again_replaces_the_network_and_keeps_everything_else():
    ours = CouncilFactory(name="East Sussex County Council", slug="east-sussex")
    call_command("seed_network", councils=3, years=1, stdout=None)
    first = (
        synthetic().count(),
        User.objects.filter(username__startswith="synthetic-").count(),
        Action.objects.count(),
        _changes(Action).count(),
        _changes(PrincipleProgress).count(),
    )
    names = sorted(synthetic().values_list("name", flat=True))
    call_command("seed_network", councils=3, years=1, stdout=None)
    again = (
        synthetic().count(),
        User.objects.filter(username__startswith="synthetic-").count(),
        Action.objects.count(),
        _changes(Action).count(),
        _changes(PrincipleProgress).count(),
    )
    assert again == first
    assert sorted(synthetic().values_list("name", flat=True)) == names  # same seed, same network
    assert Council.objects.filter(pk=ours.pk).exists()
    assert not _changes(Action).filter(kind="removed").exists()


@pytest.mark.django_db
def test_its_people_cannot_sign_in():
    call_command("seed_network", councils=1, years=1, stdout=None)
    person = User.objects.filter(username__startswith="synthetic-").first()
    assert not person.has_usable_password()


@pytest.mark.django_db
def test_the_dashboards_show_the_synthetic_network(client, network_admin):
    call_command("seed_network", councils=3, years=1, stdout=None)
    client.force_login(network_admin)
    response = client.get("/network/")
    assert response.status_code == 200
    assert b"Showing 1 to 3 of 3 councils" in response.content
    council = synthetic().first()
    assert client.get(f"/councils/{council.slug}/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(("councils", "years"), [(0, 1), (3, 0), (100_000, 1)])
def test_impossible_sizes_are_refused(councils, years):
    with pytest.raises(CommandError):
        call_command("seed_network", councils=councils, years=years, stdout=None)
    assert not synthetic().exists()


@pytest.mark.django_db
def test_councils_assess_their_practice_every_year_and_improve():
    from principles.assessments.models import Answer, Assessment
    from principles.assessments.selectors import assessment_averages

    call_command("seed_network", councils=4, years=3, stdout=None)
    councils = list(synthetic())
    approved = Assessment.objects.filter(council__in=councils, status="approved")
    assert approved.exists()
    for assessment in Assessment.objects.filter(council__in=councils):
        assert assessment.answers.count() == 24
        assert not assessment.answers.filter(level__isnull=True).exists()
        if assessment.is_approved:
            assert assessment.approved_by.memberships.get().role == "champion"
    averages = assessment_averages([council.pk for council in councils])
    assert averages and all(1 <= score <= 4 for score in averages.values())
    # Seeding again replaces them rather than adding to them.
    count = Answer.objects.count()
    call_command("seed_network", councils=4, years=3, stdout=None)
    assert Answer.objects.count() == count
