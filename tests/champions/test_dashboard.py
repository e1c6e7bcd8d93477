"""The council dashboard (the overview): what a champion opens first."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from champions import selectors
from champions.selectors import previous_quarter_end
from champions.services import champion_appoint
from keepitlocal.models import RecordChange
from keepitlocal.services import community_conversation_record
from keepitlocal.writes import change_record, council_write
from principles.models import Action, PrincipleProgress
from principles.services import action_update
from tests.factories import (
    ActionFactory,
    ChampionAppointmentFactory,
    ConversationFactory,
    DecisionToJoinFactory,
    EvidenceFactory,
    MembershipFactory,
    principle,
)
from tests.html import page, text

# session, user, membership + council, the records version, then the dashboard's own ten
# reads: decision, endorsement, appointments, conversations (checklist), assessments (own and
# peers'), their scores, principles with now and then, actions due, recent activity, local
# spend. The issue allows at most 15.
DASHBOARD_QUERIES = 14
# session, user, membership + council, the records version; the page comes from the cache.
CACHED_DASHBOARD_QUERIES = 4


def table_rows(response, caption_start: str) -> list[list[str]]:
    for table in page(response).cssselect("table"):
        caption = table.cssselect("caption")
        if caption and text(caption[0]).startswith(caption_start):
            return [
                [text(cell) for cell in row.cssselect("th, td")]
                for row in table.cssselect("tbody tr")
            ]
    raise AssertionError(f"No table captioned {caption_start!r}")


def section(response, heading: str, until: str = "") -> str:
    """The main content's text from ``heading`` up to ``until`` (or the next 600 characters)."""
    body = text(page(response).cssselect("main")[0])
    start = body.index(heading)
    end = body.index(until, start) if until else start + 600
    return body[start:end]


@pytest.mark.parametrize(
    ("today", "quarter_end"),
    [
        (datetime.date(2026, 11, 25), datetime.date(2026, 9, 30)),
        (datetime.date(2026, 10, 1), datetime.date(2026, 9, 30)),
        (datetime.date(2026, 9, 30), datetime.date(2026, 6, 30)),
        (datetime.date(2026, 4, 1), datetime.date(2026, 3, 31)),
        (datetime.date(2026, 1, 1), datetime.date(2025, 12, 31)),
        (datetime.date(2026, 3, 31), datetime.date(2025, 12, 31)),
    ],
)
def test_the_previous_quarter_ends_on_the_last_day_of_the_quarter_before(today, quarter_end):
    assert previous_quarter_end(today) == quarter_end


def _dated(change, when: datetime.datetime, by=None) -> None:
    RecordChange.objects.filter(pk=change.pk).update(
        occurred_at=when, actor=by, actor_name=str(by) if by else ""
    )


def _progress(council, number: int, by, changes: list[tuple[str, str, datetime.datetime]]):
    """Progress on a principle saved once per (stage, rag, when), with history dated ``when``
    and made by ``by``, written as the writes contract writes it."""
    progress = PrincipleProgress(council=council, principle=principle(number), version=0)
    for stage, rag, when in changes:
        with council_write(by=None, council=council, permission=None) as write:
            if progress.pk is not None:
                write.track(progress)
            progress.stage, progress.rag = stage, rag
            progress.version += 1
            progress.save()
            change = write.changed(progress) if progress.version > 1 else write.added(progress)
        if change is not None:  # a save that changed nothing records nothing
            _dated(change, when, by)
    return progress


@pytest.mark.django_db
def test_principles_show_stage_rag_and_the_change_since_the_previous_quarter(
    client, officer, council, overview_url
):
    today = timezone.localdate()
    quarter_start = timezone.make_aware(
        datetime.datetime.combine(previous_quarter_end(today), datetime.time.max)
    )
    before = quarter_start - datetime.timedelta(days=40)
    just_before = quarter_start - datetime.timedelta(minutes=1)
    since = timezone.now()
    _progress(
        council, 1, officer, [("developing", "amber", before), ("established", "green", since)]
    )
    _progress(council, 2, officer, [("embedded", "green", before), ("developing", "red", since)])
    _progress(
        council,
        3,
        officer,
        [("developing", "amber", before), ("established", "amber", just_before)],
    )
    _progress(council, 4, officer, [("developing", "", since)])
    gone = _progress(council, 5, officer, [("embedded", "green", before)])
    with council_write(by=None, council=council, permission=None) as write:
        _dated(write.removed(gone), just_before)
        gone.delete()
    _progress(council, 5, officer, [("developing", "amber", since)])

    client.force_login(officer)
    rows = table_rows(client.get(overview_url), "Stage and RAG status of each principle")
    quarter = previous_quarter_end(today)
    assert [row[1:] for row in rows] == [
        ["Established", "Green", "Up from developing RAG was amber"],
        ["Developing", "Red", "Down from embedded RAG was green"],
        ["Established", "Amber", "No change"],
        ["Developing", "Not set", "Up from not started"],
        ["Developing", "Amber", "Up from not started RAG was not set"],
        ["Not started", "Not set", "No change"],
    ]
    assert rows[0][0] == "1. Think about the whole system, not individual service silos"
    assert f"{quarter.day} {quarter:%B %Y}" in text(page(client.get(overview_url)))


@pytest.mark.django_db
def test_another_councils_progress_does_not_count(
    client, officer, council, other_council, overview_url
):
    _progress(other_council, 1, None, [("embedded", "green", timezone.now())])
    client.force_login(officer)
    rows = table_rows(client.get(overview_url), "Stage and RAG status of each principle")
    assert rows[0][1:] == ["Not started", "Not set", "No change"]


@pytest.mark.django_db
def test_overdue_and_due_soon_actions_are_listed_with_their_counts(
    client, officer, council, other_council, overview_url
):
    today = timezone.localdate()
    ActionFactory(council=council, title="Publish spend data", due_on=today - datetime.timedelta(3))
    ActionFactory(council=council, title="Meet VCSE forum", due_on=today + datetime.timedelta(5))
    ActionFactory(council=council, title="Later on", due_on=today + datetime.timedelta(40))
    ActionFactory(
        council=council, title="Already done", due_on=today - datetime.timedelta(9), status="done"
    )
    ActionFactory(council=other_council, title="Theirs", due_on=today - datetime.timedelta(1))
    client.force_login(officer)
    response = client.get(overview_url)
    overdue = section(response, "Overdue (1)", until="Due in the next")
    assert "Publish spend data" in overdue
    due_soon = section(response, "Due in the next 14 days (1)", until="Local spend")
    assert "Meet VCSE forum" in due_soon
    for absent in ("Later on", "Already done", "Theirs"):
        assert absent not in overdue + due_soon
    assert "Theirs" not in text(page(response))


@pytest.mark.django_db
def test_only_the_first_ten_of_many_overdue_actions_are_listed(
    client, officer, council, overview_url
):
    today = timezone.localdate()
    for days in range(1, 16):
        ActionFactory(
            council=council, title=f"Late {days:02}", due_on=today - datetime.timedelta(days)
        )
    client.force_login(officer)
    response = client.get(overview_url)
    overdue = section(response, "Overdue (15)", until="Due in the next")
    assert "Late 15" in overdue  # the most overdue first
    assert "Late 06" in overdue
    assert "Late 05" not in overdue
    assert "Showing 10 of 15." in overdue
    assert "No actions due soon." in section(response, "Due in the next", until="Local spend")


@pytest.mark.django_db
def test_figures_with_no_records_behind_them_say_not_recorded_yet(
    client, officer, council, overview_url
):
    client.force_login(officer)
    response = client.get(overview_url)
    assert "Endorsement Not recorded yet" in text(page(response))
    assert section(response, "Local spend").startswith("Local spend Not recorded yet.")
    assert section(response, "Practice assessment").startswith(
        "Practice assessment Not recorded yet."
    )


@pytest.mark.django_db
def test_figures_show_once_their_features_provide_them(
    client, officer, council, overview_url, monkeypatch
):
    """The endorsement and local spend as their selectors give them; real assessments."""
    from decimal import Decimal

    import endorsements.selectors

    signed = endorsements.selectors.EndorsementState(
        "completed", datetime.datetime(2022, 9, 1, 12, tzinfo=datetime.UTC)
    )
    monkeypatch.setattr(
        endorsements.selectors, "endorsement_states", lambda ids: {pk: signed for pk in ids}
    )
    monkeypatch.setattr(
        selectors,
        "local_spend_against_target",
        lambda council: selectors.LocalSpend("2025 to 2026", Decimal("67.9"), Decimal("60")),
    )
    from principles.assessments.models import Assessment
    from tests.factories import CouncilFactory, assessment

    def approved_on(day):
        return datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)

    approved = Assessment.Status.APPROVED
    assessment(
        council,
        period="2024-25",
        level=2,
        status=approved,
        approved_at=approved_on(datetime.date(2025, 3, 1)),
    )
    assessment(
        council,
        period="2025-26",
        level=3,
        levels={2: 4},
        status=approved,
        approved_at=approved_on(datetime.date(2026, 3, 1)),
    )
    for level in (2, 3):
        assessment(CouncilFactory(shares_with_peers=True), level=level, status=approved)
    assessment(CouncilFactory(shares_with_peers=False), level=4, status=approved)
    client.force_login(officer)
    response = client.get(overview_url)
    body = text(page(response))
    assert "Endorsement Signed Signed 1 September 2022" in body
    assert "67.9% of spend was local in 2025 to 2026, against a target of 60.0%." in body
    assert "Target met" in body
    rows = table_rows(response, "Scores from the assessment of 1 March 2026")
    # The council that does not share is left out of the median (2 and 3 make 2.5).
    assert rows[0] == ["1", "3.0", "2.0", "2.5"]
    assert rows[1] == ["2", "4.0", "2.0", "2.5"]
    assert rows[-1] == ["Overall", "3.2", "2.0", "2.5"]


@pytest.mark.django_db
def test_champions_and_the_membership_renewal_are_at_a_glance(
    client, officer, council, overview_url
):
    DecisionToJoinFactory(council=council, partner_membership_renews_on=datetime.date(2099, 7, 26))
    ChampionAppointmentFactory(council=council, person_name="Councillor Bennett")
    client.force_login(officer)
    body = text(page(client.get(overview_url)))
    assert (
        "Cabinet champion Councillor Bennett Lead Member for Resources and Climate Change" in body
    )
    assert "Senior management champion Vacant" in body
    assert "Due for renewal on 26 July 2099" in body


@pytest.mark.django_db
def test_recent_activity_lists_the_latest_changes_newest_first(
    client, officer, council, other_council, overview_url
):
    _progress(council, 2, officer, [("developing", "amber", timezone.now())])
    with council_write(by=None, council=council, permission=None) as write:
        write.added(ActionFactory(council=council, title="Map local suppliers"))
    action = Action.objects.get(title="Map local suppliers")
    action_update(
        action=action,
        by=officer,
        base_version=action.version,
        title="Map every local supplier",
        description="",
        owner=None,
        owner_name="",
        due_on=None,
        status=action.status,
        completed_on=None,
    )
    community_conversation_record(
        council=council,
        by=officer,
        held_on=datetime.date(2026, 3, 5),
        title="Hastings market day",
        partners=[],
        people_count=None,
        summary="",
        principles=[],
        outcomes=[],
    )
    council_admin = MembershipFactory(council=council, role="council_admin").user
    champion_appoint(
        council=council,
        by=council_admin,
        kind="cabinet",
        title="Lead Member for Resources",
        starts_on=datetime.date(2022, 7, 26),
        person_name="Councillor Bennett",
    )
    with council_write(by=None, council=other_council, permission=None) as write:
        write.added(ActionFactory(council=other_council, title="Not ours"))
    client.force_login(officer)
    response = client.get(overview_url)
    items = [text(li) for li in page(response).cssselect("main ul.govuk-list")[-1]]
    assert items[0].startswith(f"Cabinet champion appointment recorded by {council_admin}")
    assert items[1].startswith(
        f"Community conversation “Hastings market day” recorded by {officer}"
    )
    assert items[2].startswith(f"Action “Map every local supplier” updated by {officer}")
    # Made by the service itself (a command, say), so named as the service.
    assert items[3].startswith("Action “Map local suppliers” added to principle 3 by Keep it Local")
    assert items[4].startswith(f"Progress on principle 2 first recorded by {officer}")
    assert "Not ours" not in text(page(response))


def _fill(council, officer, n: int) -> None:
    today = timezone.localdate()
    _progress(
        council,
        3,
        officer,
        [
            ("developing", ("amber", "green")[d % 2], timezone.now() - datetime.timedelta(days=d))
            for d in range(n)
        ],
    )
    actions = Action.objects.bulk_create(
        [
            Action(
                council=council,
                principle=principle(1 + i % 6),
                title=f"Action {i}",
                owner=officer if i % 2 else None,
                due_on=today + datetime.timedelta(days=i % 30 - 15),
            )
            for i in range(n)
        ]
    )
    RecordChange.objects.bulk_create(
        change_record(action, kind="added", by=officer, values={}, changes=[]) for action in actions
    )
    for i in range(max(1, n // 10)):
        EvidenceFactory(council=council, title=f"Evidence {i}", file=None)
        ConversationFactory(council=council)
        ChampionAppointmentFactory(
            council=council,
            kind=["cabinet", "senior_management"][i % 2],
            starts_on=datetime.date(2000 + i, 1, 1),
            ends_on=datetime.date(2000 + i, 12, 31),
        )
    DecisionToJoinFactory(council=council)
    # Approved assessments over the years, one in progress, and peers that share theirs.
    from principles.assessments.models import Assessment
    from tests.factories import CouncilFactory, assessment

    approved = Assessment.Status.APPROVED
    for year in range(max(2, n // 50)):
        moment = timezone.now() - datetime.timedelta(days=365 * (year + 1))
        assessment(council, period=f"{2000 + year}", level=2, status=approved, approved_at=moment)
    assessment(council, period="In progress", level=None)
    for _ in range(max(1, n // 50)):
        assessment(CouncilFactory(shares_with_peers=True), level=3, status=approved)


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_the_dashboard_costs_the_same_queries_however_much_is_recorded(
    client, officer, council, other_council, overview_url
):
    counts = {}
    for n, subject in ((1, council), (300, other_council)):
        _fill(subject, officer, n)
        officer.memberships.update(council=subject)
        client.force_login(officer)
        url = f"/councils/{subject.slug}/"
        client.get(url)  # the first visit records the current council in the session
        cache.clear()
        counts[n] = (_queries(client, url), _queries(client, url))
    assert "Showing 10 of" in text(page(client.get(url)))
    # Worked out, then from the cache until the council's records change.
    assert counts[1] == counts[300] == (DASHBOARD_QUERIES, CACHED_DASHBOARD_QUERIES), counts


@pytest.mark.django_db
def test_dashboard_and_network_show_the_signed_endorsement_and_local_spend(
    client, officer, council, overview_url
):
    from tests.factories import LocalSpendPeriodFactory, signed_endorsement

    endorsement = signed_endorsement(council)
    LocalSpendPeriodFactory(
        council=council,
        financial_year=2021,
        total_spend=Decimal("416800000"),
        local_spend=Decimal("283000000"),
        target_percentage=Decimal("60"),
    )
    client.force_login(officer)
    response = client.get(overview_url)
    signed_on = f"{timezone.localdate(endorsement.completed_at):%-d %B %Y}"
    assert "Endorsement Signed" in text(page(response))
    assert signed_on in section(response, "Endorsement")
    assert "67.9%" in section(response, "Local spend")


@pytest.mark.django_db
def test_the_dashboard_costs_the_same_queries_before_any_assessment(
    client, officer, council, overview_url
):
    client.force_login(officer)
    client.get(overview_url)  # the first visit records the activity and the current council
    cache.clear()
    assert (_queries(client, overview_url), _queries(client, overview_url)) == (
        DASHBOARD_QUERIES,
        CACHED_DASHBOARD_QUERIES,
    )
