"""Producing and sealing the signed PDF of a two-signatory endorsement (issues 4 and 13).

Each run happens in a transaction that is rolled back, so the benchmark
database keeps nothing. The CA is made for the run, in memory.
"""

import secrets

from django.db import transaction
from django.test import override_settings

from bench.measure import Timing, fail, ms, peak_rss_mb, time_it, verdict

TITLE = "Endorsement: producing and sealing the signed PDF"
REPEAT = 15
TARGET_SECONDS = 1.0
TARGET_LONG_SECONDS = 1.5
TARGET_MB = 300
SHORT_TRAIL = 12
LONG_TRAIL = 500
PASSWORD = secrets.token_urlsafe(16)


class _Rollback(Exception):
    pass


def _people():
    from keepitlocal.models import Council, DecisionToJoin, Membership, User

    suffix = secrets.token_hex(4)
    council = Council.objects.create(
        name=f"Benchmark County Council {suffix}", slug=f"bench-{suffix}", kind="county"
    )
    DecisionToJoin.objects.create(
        council=council,
        decided_on="2022-07-26",
        decision_maker="Lead Member for Resources and Climate Change",
        report_title="Keep it Local – joining the network",
        recommendations=["Join the network", "Sign the endorsement"],
        partner_membership_starts_on="2022-07-26",
        partner_membership_renews_on="2023-07-26",
    )
    people = {}
    for role, first, last in (
        (Membership.Role.COUNCIL_ADMIN, "Sam", "Ellis"),
        (Membership.Role.LEAD_MEMBER, "Helen", "Marsh"),
        (Membership.Role.CHIEF_EXECUTIVE, "David", "Lowe"),
    ):
        user = User.objects.create_user(
            username=f"{role}-{suffix}", first_name=first, last_name=last, password=PASSWORD
        )
        Membership.objects.create(user=user, council=council, role=role)
        people[role] = user
    return council, people


def _prepared_and_sent(source):
    """A new benchmark council's endorsement, prepared and sent for signature."""
    from endorsements import services
    from keepitlocal.models import Membership

    council, people = _people()
    endorsement = services.endorsement_prepare(
        council=council,
        by=people[Membership.Role.COUNCIL_ADMIN],
        statement="Benchmark County Council endorses the six principles.",
        signatories=[people[Membership.Role.LEAD_MEMBER], people[Membership.Role.CHIEF_EXECUTIVE]],
        signing_order="ordered",
        source=source,
    )
    endorsement = services.endorsement_send_for_signature(
        endorsement=endorsement,
        by=people[Membership.Role.COUNCIL_ADMIN],
        source=source,
        base_url="https://keepitlocal.example",
    )
    return endorsement, people


def _signing_run(timed: list | None = None) -> None:
    """Prepare, send and have both sign; ``timed`` gets the last signature's duration."""
    import time

    from endorsements import services
    from keepitlocal.models import Membership

    try:
        with transaction.atomic():
            source = services.EventSource(ip_address="127.0.0.1", user_agent="bench")
            endorsement, people = _prepared_and_sent(source)
            for role in (Membership.Role.LEAD_MEMBER, Membership.Role.CHIEF_EXECUTIVE):
                start = time.perf_counter()
                services.endorsement_sign(
                    endorsement=endorsement,
                    by=people[role],
                    password=PASSWORD,
                    typed_name=people[role].get_full_name(),
                    drawn_signature=None,
                    opened_sha256=endorsement.document_sha256,
                    source=source,
                    base_url="https://keepitlocal.example",
                )
                elapsed = time.perf_counter() - start
            endorsement.refresh_from_db()
            assert endorsement.status == "completed", endorsement.status
            if timed is not None:
                timed.append(elapsed)
            raise _Rollback
    except _Rollback:
        pass


def _pdf_pipeline(endorsement, events: list) -> bytes:
    """Render the document, sign it for both signatories and seal it with its completion
    package: the PDF work alone, on an endorsement and trail held in memory."""
    from django.utils import timezone

    from endorsements import certificate, pdf
    from endorsements.ca import issue_one_time_credential, signing_authority

    authority = signing_authority()
    snapshot = endorsement.content
    document = pdf.render_document(snapshot)
    signatories = []
    for signatory in endorsement.bench_signatories:
        signed_at = timezone.now()
        credential = issue_one_time_credential(
            authority,
            name=signatory.name,
            title=signatory.role_title,
            organisation=snapshot["council"]["name"],
        )
        appearance = pdf.render_appearance(
            "endorsements/pdf/signature_appearance.html",
            {
                "signature": {
                    "name": signatory.name,
                    "role_title": signatory.role_title,
                    "typed_name": signatory.name,
                    "drawn": "",
                    "signed_at": signed_at,
                    "serial": format(credential.certificate.serial_number, "X"),
                }
            },
            pdf.SIGNATURE_BOX,
        )
        document = pdf.sign_field(
            document,
            field_name=pdf.signatory_field(signatory.position),
            credential=credential,
            authority=authority,
            appearance_pdf=appearance,
            reason="Endorsement signed",
            signer_name=signatory.name,
            signing_time=signed_at,
        )
        signatory.signed_at = signed_at
        signatory.typed_name = signatory.name
        signatory.certificate_pem = credential.certificate_pem
        signatories.append(signatory)
    sealed = certificate.seal(
        endorsement=endorsement,
        signatories=signatories,
        signed_pdf=document,
        events=events,
        completed_at=events[-1].at,
        authority=authority,
    )
    return sealed.package


def _trail(endorsement, length: int, *, alike: bool) -> list:
    """``length`` events in memory, linked as a chain, the completion event last.

    ``alike``: as 28 days of the product's reminders and people opening the document
    again from their own browsers make them (most repeat another but for the time);
    otherwise every view is from a new address and browser, so none can be grouped.
    """
    import datetime
    import random

    from endorsements import services
    from endorsements.models import SigningEvent

    kind = SigningEvent.Kind
    rng = random.Random(length)  # noqa: S311 - the same made-up trail every run
    start = endorsement.sent_at
    people = endorsement.bench_signatories

    def event(what, at, **fields):
        return SigningEvent(endorsement=endorsement, kind=what, at=at, **fields)

    planned = [
        event(kind.PREPARED, start, actor_name="Sam Ellis", authentication=services.SIGNED_IN),
        event(kind.SENT, start, actor_name="Sam Ellis", authentication=services.SIGNED_IN),
    ]
    for day in range(3, 28, 3) if length > 100 else ():  # a quick signing has no reminders
        at = start + datetime.timedelta(days=day)
        for person in people:
            planned.append(event(kind.REMINDED, at, signatory=person))
            planned.append(
                event(
                    kind.EMAIL_QUEUED,
                    at,
                    signatory=person,
                    email_address=f"signatory{person.position}@example.org",
                    detail="Reminder: please sign the Keep it Local endorsement",
                )
            )
    signing_events = 2 * len(people) + 1
    for number in range(length - len(planned) - signing_events):
        person = people[number % len(people)]
        browser = number % (3 * len(people)) if alike else number
        address = f"198.51.100.{browser}" if alike else f"10.0.{number // 250}.{number % 250 + 1}"
        planned.append(
            event(
                kind.VIEWED,
                start + datetime.timedelta(seconds=rng.randrange(60, 27 * 86400)),
                signatory=person,
                actor_name=person.name,
                ip_address=address,
                user_agent=f"Mozilla/5.0 (benchmark browser {browser}) Firefox/133.0",
                authentication=services.SIGNED_IN,
            )
        )
    planned.sort(key=lambda e: e.at)
    signing = start + datetime.timedelta(days=28)
    for person in people:
        for what in (kind.CONSENTED, kind.SIGNED):
            signing += datetime.timedelta(seconds=1)
            planned.append(
                event(
                    what,
                    signing,
                    signatory=person,
                    actor_name=person.name,
                    authentication=services.PASSWORD_AT_SIGNING,
                )
            )
    planned.append(event(kind.COMPLETED, signing + datetime.timedelta(seconds=1)))
    previous = ""
    for each in planned:
        each.document_sha256 = endorsement.document_sha256
        each.authentication = each.authentication or services.SERVICE
        each.previous_hash = previous
        each.link_into_chain()
        previous = each.event_hash
    assert len(planned) == length, len(planned)
    return planned


def _endorsement_in_memory():
    """A real sent endorsement, read into memory with its signatories before rolling back."""
    from endorsements import services
    from endorsements.models import Endorsement

    captured = {}
    try:
        with transaction.atomic():
            source = services.EventSource(ip_address="127.0.0.1", user_agent="bench")
            sent, _ = _prepared_and_sent(source)
            endorsement = Endorsement.objects.select_related("council").get(pk=sent.pk)
            endorsement.bench_signatories = list(endorsement.signatories.order_by("position"))
            captured["endorsement"] = endorsement
            raise _Rollback
    except _Rollback:
        pass
    return captured["endorsement"]


def _cpu_time(fn, *, repeat: int) -> Timing:
    """The CPU time this process spends on ``fn``: on a shared machine, what it costs itself."""
    import time

    samples = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        samples.append(time.process_time() - start)
    return Timing(tuple(samples))


def run() -> str:
    from endorsements.ca import make_certificate_authority

    cert_pem, key_pem = make_certificate_authority(name="Benchmark signing authority")
    with override_settings(SIGNING_CA_CERT=cert_pem.decode(), SIGNING_CA_KEY=key_pem.decode()):
        endorsement = _endorsement_in_memory()
        short = _trail(endorsement, SHORT_TRAIL, alike=True)
        long = _trail(endorsement, LONG_TRAIL, alike=True)
        distinct = _trail(endorsement, LONG_TRAIL, alike=False)
        produce = time_it(lambda: _pdf_pipeline(endorsement, short), repeat=REPEAT, warmup=2)
        produce_long = time_it(lambda: _pdf_pipeline(endorsement, long), repeat=REPEAT, warmup=1)
        produce_distinct = time_it(lambda: _pdf_pipeline(endorsement, distinct), repeat=5)
        cpu_long = _cpu_time(lambda: _pdf_pipeline(endorsement, long), repeat=5)
        peak = peak_rss_mb(lambda: _pdf_pipeline(endorsement, long))
        completions: list[float] = []
        whole = time_it(lambda: _signing_run(completions), repeat=5, warmup=1)
    completion = Timing(tuple(completions[-5:]))
    met = produce.median <= TARGET_SECONDS
    met_long = produce_long.median <= TARGET_LONG_SECONDS
    if not met_long:
        fail(f"sealing with {LONG_TRAIL} events took {ms(produce_long.median)} (median)")
    rows = [
        ("measure", "target", "median", "spread (min–max)", ""),
        ("---",) * 5,
        (
            f"produce and seal the signed PDF (2 signatories, {SHORT_TRAIL} events)",
            f"≤ {TARGET_SECONDS * 1000:.0f} ms median",
            ms(produce.median),
            produce.spread,
            verdict(met),
        ),
        (
            f"the same with {LONG_TRAIL} events (28 days of views and reminders)",
            f"≤ {TARGET_LONG_SECONDS * 1000:.0f} ms median",
            ms(produce_long.median),
            produce_long.spread,
            verdict(met_long),
        ),
        (
            f"the same with {LONG_TRAIL} events, in CPU time (not waiting for other processes)",
            "–",
            ms(cpu_long.median),
            cpu_long.spread,
            "",
        ),
        (
            f"the same with {LONG_TRAIL} events no two alike (none grouped)",
            "–",
            ms(produce_distinct.median),
            produce_distinct.spread,
            "",
        ),
        (
            f"peak memory of a worker doing it ({LONG_TRAIL} events)",
            f"≤ {TARGET_MB} MB",
            f"{peak:.0f} MB",
            "",
            verdict(peak <= TARGET_MB),
        ),
        (
            "last signatory's Sign endorsement, end to end",
            "–",
            ms(completion.median),
            completion.spread,
            "",
        ),
        ("whole journey: prepare, send, sign, sign", "–", ms(whole.median), whole.spread, ""),
    ]
    table = "\n".join("| " + " | ".join(row) + " |" for row in rows)
    return f"""
What is measured: producing and sealing the PDF of a two-signatory endorsement — WeasyPrint
renders the document, each signatory's one-time certificate is issued and their PAdES signature
made with its appearance, then the service seals the signed endorsement (its appearance a
summary) and issues it in the completion package: the endorsement as signed, the certificate of
completion listing every event, the sealed endorsement and the audit trail (JSON) attached, and
the package sealed (docs/adr/0009). The trail is held in memory: {SHORT_TRAIL} events, as a quick
signing makes; {LONG_TRAIL}, as 28 days of the product's reminders and the two signatories
opening it again and again from their own browsers make (the certificate lists repeats once,
with their count); and, for context, {LONG_TRAIL} of which no two are alike, so that none can be
grouped. {REPEAT} runs after warm-up runs, 5 for the last. Memory is the peak resident size of a
fresh worker process (forked from the benchmark, so Django and WeasyPrint are loaded) doing it
once.

For context, the same work as people meet it, through the services against PostgreSQL: the last
signatory's **Sign endorsement** (their password check with Django's password hasher, their
signature, the certificate of completion and both seals), and the whole journey (prepare, send,
both sign) — 5 runs each, rolled back.

{table}
"""
