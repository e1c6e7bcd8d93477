"""The practice assessment PDF report, and the queries of the assessment pages (issue 6).

Everything runs in one transaction that is rolled back, so the benchmark database keeps
nothing: a framework revision with five criteria for each principle (6 by 5, 30), an assessed
council with last year's approved assessment, and twenty peer councils that share theirs.
"""

import datetime
import secrets

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.measure import ms, time_it, verdict

TITLE = "Practice assessments: the PDF report and the pages' queries"
REPEAT = 15
TARGET_SECONDS = 2.0
PEERS = 20


class _Rollback(Exception):
    pass


def _five_criteria_per_principle(admin) -> None:
    from principles.assessments.models import FrameworkVersion
    from principles.assessments.services import criterion_add
    from principles.models import Principle

    for principle in Principle.objects.all():
        framework = FrameworkVersion.objects.order_by("-number").first()
        if framework.criteria.filter(principle=principle).count() >= 5:
            continue
        criterion_add(
            framework=framework,
            principle=principle,
            by=admin,
            note="Benchmark revision",
            statement=f"A further statement of good practice for principle {principle.number}",
            emerging="Little of this happens yet, and only where one team has chosen to try it.",
            developing="Several services do this, but not in the same way or all of the time.",
            established="This is how most services work, and it is written into how we plan.",
            leading="We do this everywhere and other councils come to learn how we do it.",
        )


def _assessment(council, period, level_of, *, approved_at=None, by=None):
    from django.utils import timezone

    from principles.assessments.models import Answer, Assessment, FrameworkVersion

    framework = FrameworkVersion.objects.order_by("-number").first()
    made = Assessment.objects.create(
        council=council,
        framework=framework,
        period=period,
        status=Assessment.Status.APPROVED if approved_at else Assessment.Status.SUBMITTED,
        submitted_by=by,
        submitted_at=timezone.now(),
        approved_at=approved_at,
    )
    Answer.objects.bulk_create(
        Answer(
            assessment=made,
            criterion=criterion,
            level=level_of(criterion),
            comment=(
                "Seen in the joint commissioning board's minutes and in the neighbourhood "
                "teams' quarterly reports; the next step is to make it the default everywhere."
            ),
            updated_by=by,
        )
        for criterion in framework.criteria.select_related("principle")
    )
    return made


def _world():
    """An assessed council (30 criteria answered, with evidence and comments) and its peers."""
    from django.utils import timezone

    from keepitlocal.models import Council, Membership, User
    from principles.assessments.services import review_comment_add
    from principles.models import Evidence, Principle

    suffix = secrets.token_hex(4)
    admin = User.objects.create_user(username=f"bench-admin-{suffix}", is_network_admin=True)
    _five_criteria_per_principle(admin)
    council = Council.objects.create(
        name=f"Benchmark County Council {suffix}", slug=f"bench-{suffix}", kind="county"
    )
    officer = User.objects.create_user(username=f"bench-officer-{suffix}", first_name="Sam")
    champion = User.objects.create_user(username=f"bench-champion-{suffix}", first_name="Alex")
    Membership.objects.create(user=officer, council=council, role=Membership.Role.OFFICER)
    Membership.objects.create(user=champion, council=council, role=Membership.Role.CHAMPION)
    _assessment(
        council,
        "2025-26",
        lambda c: 1 + (c.number % 2),
        approved_at=timezone.now() - datetime.timedelta(days=365),
        by=officer,
    )
    current = _assessment(council, "2026-27", lambda c: 1 + (c.number + c.principle.number) % 4)
    current.submitted_by = officer
    current.save()
    for principle in Principle.objects.all():
        items = [
            Evidence.objects.create(
                council=council,
                principle=principle,
                title=f"Evidence {n} for principle {principle.number}",
                url="https://www.example.org/report",
            )
            for n in range(3)
        ]
        for answer in current.answers.filter(criterion__principle=principle):
            answer.evidence.set(items)
    for n in range(5):
        review_comment_add(
            assessment=current, by=champion, text=f"Comment {n} from the champion", council=council
        )
    for n in range(PEERS):
        peer = Council.objects.create(
            name=f"Peer {n} {suffix}", slug=f"peer-{n}-{suffix}", shares_with_peers=True
        )
        _assessment(
            peer,
            "2026-27",
            lambda c, n=n: 1 + (c.number + n) % 4,
            approved_at=timezone.now(),
        )
    return council, current, officer, champion


def _client(user) -> Client:
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(user)
    return client


def _get(client, url) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content


def _measure() -> dict:
    from django.urls import reverse

    from principles.assessments.models import Assessment
    from principles.assessments.services import assessment_approve

    figures = {}
    try:
        with transaction.atomic():
            council, current, officer, champion = _world()

            def url(name):
                return reverse(
                    f"assessments:{name}", kwargs={"council_slug": council.slug, "pk": current.pk}
                )

            # The officer's answers page, while the assessment is still open to change.
            current.status = Assessment.Status.RETURNED
            current.save()
            client = _client(officer)
            with CaptureQueriesContext(connection) as queries:
                _get(client, url("answers"))
            figures["queries_answers"] = len(queries.captured_queries)
            figures["time_answers"] = time_it(lambda: _get(client, url("answers")), repeat=10)
            current.status = Assessment.Status.SUBMITTED
            current.save()
            assessment_approve(assessment=current, by=champion, text="Approved for the benchmark")
            client = _client(champion)

            pdf_url = url("pdf")
            figures["pdf"] = time_it(lambda: _get(client, pdf_url), repeat=REPEAT, warmup=2)
            figures["pdf_bytes"] = len(_get(client, pdf_url))
            for name in ("detail", "review", "results", "csv"):
                with CaptureQueriesContext(connection) as queries:
                    _get(client, url(name))
                figures[f"queries_{name}"] = len(queries.captured_queries)
                figures[f"time_{name}"] = time_it(lambda n=name: _get(client, url(n)), repeat=10)
            raise _Rollback
    except _Rollback:
        pass
    return figures


def run() -> str:
    figures = _measure()
    pdf = figures["pdf"]
    rows = [
        ("measure", "target", "median", "spread (min–max)", ""),
        ("---",) * 5,
        (
            "Download PDF: the report with its results chart (30 criteria)",
            f"≤ {TARGET_SECONDS * 1000:.0f} ms median",
            ms(pdf.median),
            pdf.spread,
            verdict(pdf.median <= TARGET_SECONDS),
        ),
    ]
    for name, label in (
        ("answers", "answers page (the form, 30 criteria)"),
        ("detail", "assessment page"),
        ("review", "review page"),
        ("results", "results page"),
        ("csv", "CSV export"),
    ):
        timing = figures[f"time_{name}"]
        rows.append(
            (
                f"{label}: {figures[f'queries_{name}']} queries",
                "constant (tested)",
                ms(timing.median),
                timing.spread,
                "",
            )
        )
    table = "\n".join("| " + " | ".join(row) + " |" for row in rows)
    return f"""
What is measured: a champion's **Download PDF** of an approved assessment with 6 × 5 = 30
criteria answered (each with a comment and three pieces of evidence), five review comments, the
previous year's assessment and the medians of {PEERS} peer councils that share — the whole
request through Django's test client against PostgreSQL: the queries, the results, the SVG chart
and WeasyPrint's rendering ({figures["pdf_bytes"] / 1024:.0f} KB). {REPEAT} runs after 2 warm-up
runs. The other pages, for context, 10 runs each; their query counts are the same
with 6 × 3 criteria and no peers (tests/assessments/test_query_counts.py).

{table}
"""
