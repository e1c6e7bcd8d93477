"""The certificate of completion lists every event, readably, however long the trail.

A trail of 500 events, as 28 days of the product's own reminders and people opening
the document again and again make one, is signed and sealed; then the completion
package is read back with poppler's tools and pyHanko, apart from the code that made it.
"""

import datetime
import json
import random
import re

import pytest
from django.utils import timezone

from endorsements import audit_trail, certificate, pdf, services
from endorsements.ca import signing_authority
from endorsements.models import SigningEvent
from endorsements.verification import Outcome, verify_copy

from .pdf_tools import pdf_attachments, pdf_words, word_heights

pytestmark = pytest.mark.django_db

Kind = SigningEvent.Kind
UTC = datetime.UTC
TRAIL_LENGTH = 500
PHONE = ("203.0.113.21", "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) Safari/604.1")
LAPTOP = ("198.51.100.40", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Edg/131.0")
OFFICE = ("2001:db8::5", "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0")
# Smallest word box pdftotext gives 8 pt text: Liberation Sans is 1.117 em from its
# descender to its ascender (DejaVu Sans Mono, for hashes, 1.164 em).
EIGHT_POINT_WORD = 8 * 1.117 - 0.01


def when(at: datetime.datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def signatory(endorsement, person):
    return endorsement.signatories.get(user=person)


def _event(endorsement, kind, at, *, person=None, signatory=None, where=None, **fields):
    ip_address, user_agent = where or (None, "")
    return SigningEvent(
        endorsement=endorsement,
        kind=kind,
        at=at,
        actor=person,
        actor_name=person.get_full_name() if person else "",
        signatory=signatory,
        ip_address=ip_address,
        user_agent=user_agent,
        authentication=services.SIGNED_IN if person else services.SERVICE,
        document_sha256=endorsement.document_sha256,
        **fields,
    )


@pytest.fixture
def long_trail(sent, lead_member, chief_executive, sign, monkeypatch):
    """Sent, then 28 days of views, reminders and three wrong passwords, then signed by both:
    500 events by the seal. Built in memory and inserted at once, each linked to the last."""
    rng = random.Random(13)  # noqa: S311 - the same made-up trail every run
    start = sent.sent_at
    helen, david = signatory(sent, lead_member), signatory(sent, chief_executive)
    planned = []
    for count, person, who, where in (
        (230, lead_member, helen, PHONE),
        (72, lead_member, helen, LAPTOP),
        (150, chief_executive, david, OFFICE),
    ):
        for _ in range(count):
            at = start + datetime.timedelta(seconds=rng.randrange(60, 27 * 86400))
            planned.append(_event(sent, Kind.VIEWED, at, person=person, signatory=who, where=where))
    for day in range(3, 28, 3):  # the reminder cadence: every three days
        at = start + datetime.timedelta(days=day)
        for person, who in ((lead_member, helen), (chief_executive, david)):
            planned.append(_event(sent, Kind.REMINDED, at, signatory=who))
            planned.append(
                _event(
                    sent,
                    Kind.EMAIL_QUEUED,
                    at + datetime.timedelta(seconds=1),
                    signatory=who,
                    email_address=person.email,
                    detail="Reminder: please sign the Keep it Local endorsement for"
                    f" {sent.council.name}",
                )
            )
    for minute in (1, 2, 4):
        at = start + datetime.timedelta(days=20, minutes=minute)
        planned.append(
            _event(sent, Kind.AUTH_FAILED, at, person=lead_member, signatory=helen, where=PHONE)
        )
    planned.sort(key=lambda event: event.at)
    previous = sent.events.order_by("-at", "-pk").first().event_hash
    for event in planned:
        event.previous_hash = previous
        event.link_into_chain()
        previous = event.event_hash
    SigningEvent.objects.bulk_create(planned)

    # Both sign on day 28, in time (requests expire after 30 days), on a clock that ticks.
    clock = [start + datetime.timedelta(days=28)]

    def now() -> datetime.datetime:
        clock[0] += datetime.timedelta(milliseconds=5)
        return clock[0]

    monkeypatch.setattr(timezone, "now", now)
    sign(sent, lead_member)
    clock[0] += datetime.timedelta(minutes=30)
    sign(sent, chief_executive)
    sent.refresh_from_db()
    assert sent.events.filter(at__lte=sent.completed_at).count() == TRAIL_LENGTH
    return sent


@pytest.fixture
def package(long_trail) -> bytes:
    return bytes(long_trail.signed_pdf)


def test_every_event_or_its_group_with_the_right_count_is_in_the_sealed_pdf(long_trail, package):
    words = pdf_words(package)
    events = list(long_trail.events.filter(at__lte=long_trail.completed_at).order_by("at", "pk"))
    assert len(events) == TRAIL_LENGTH
    assert f"All {TRAIL_LENGTH} events are listed below, none left out" in words

    def last(kind, **same) -> str:
        """The time of the last event of ``kind`` whose fields are as ``same`` says."""
        found = [e for e in events if e.kind == kind]
        for name, value in same.items():
            found = [e for e in found if getattr(e, name) == value]
        return when(found[-1].at)

    for count, (address, browser), name in (
        (230, PHONE, "Helen Marsh"),
        (72, LAPTOP, "Helen Marsh"),
        (150, OFFICE, "David Lowe"),
    ):
        seen_from = last(Kind.VIEWED, ip_address=address)
        assert (
            f"Viewed, {count} times, the last at {seen_from}."
            f" {name}: {services.SIGNED_IN}. From {address} with browser"
        ) in words
        assert browser in words  # listed once, among the browsers
    for who in long_trail.signatories.all():
        name = who.name
        reminded = last(Kind.REMINDED, signatory_id=who.pk)
        assert f"Reminded, 9 times, the last at {reminded}. Keep it Local, for {name}." in words
        emailed = last(Kind.EMAIL_QUEUED, signatory_id=who.pk)
        assert f"Email delivered to the queue, 9 times, the last at {emailed}." in words
    wrong = last(Kind.AUTH_FAILED)
    assert f"Wrong password at signing, 3 times, the last at {wrong}." in words
    # Every other event is a line of its own, with its time and what it was.
    single = [e for e in events if not _grouped(e)]
    for event in single:
        assert f"{when(event.at)} {event.get_kind_display()}." in words, event
    # Nothing left out: the grouped lines' counts and the single lines make 500.
    counts = [int(n) for n in re.findall(r", (\d+) times, the last at ", words)]
    assert sorted(counts) == [3, 9, 9, 9, 9, 72, 150, 230]
    assert sum(counts) + len(single) == TRAIL_LENGTH


def _grouped(event) -> bool:
    """In a group: every view, reminder, reminder's email and wrong password of this trail."""
    return event.kind in (Kind.VIEWED, Kind.REMINDED, Kind.AUTH_FAILED) or (
        event.kind == Kind.EMAIL_QUEUED and event.detail.startswith("Reminder")
    )


def test_no_text_in_the_sealed_pdf_is_smaller_than_8_pt(package):
    heights = word_heights(package)
    assert len(heights) > 1000
    small = [(round(h, 2), word) for h, word in heights if h < EIGHT_POINT_WORD]
    assert small == []


def test_every_signature_validates_and_the_last_seal_covers_the_whole_file(long_trail, package):
    root = signing_authority().asn1_certificate
    checks = pdf.check_signatures(package, trust_root=root)
    assert [c.field_name for c in checks] == [pdf.PACKAGE_SEAL_FIELD]
    assert all(c.intact and c.valid and c.trusted and c.bottom_line for c in checks)
    assert checks[-1].covers_whole_file
    document = pdf_attachments(package)[certificate.signed_document_name(long_trail)]
    checks = pdf.check_signatures(document, trust_root=root)
    assert [c.field_name for c in checks] == ["signatory-1", "signatory-2", pdf.SEAL_FIELD]
    assert all(c.intact and c.valid and c.trusted and c.bottom_line for c in checks)
    assert checks[-1].covers_whole_file


def test_the_trail_is_attached_as_data_and_recomputes_to_the_hash_printed(long_trail, package):
    trail = pdf_attachments(package)[certificate.TRAIL_FILE]
    document = json.loads(trail)
    assert document["event_count"] == len(document["events"]) == TRAIL_LENGTH
    checked = audit_trail.check(trail)
    assert checked.intact, checked.problem
    completed = long_trail.events.get(kind=Kind.COMPLETED)
    assert checked.last_event_hash == completed.event_hash
    words = pdf_words(package)
    assert f"Hash of the last event {completed.event_hash}" in words
    assert f"(SHA-256) {pdf.sha256_hex(trail)}" in words
    # Each event as recorded, with its own time.
    recorded = [e.event_hash for e in long_trail.events.order_by("at", "pk")][:TRAIL_LENGTH]
    assert [e["event_hash"] for e in document["events"]] == recorded


def test_one_byte_changed_anywhere_in_the_long_package_is_detected(package):
    for position in range(0, len(package), len(package) // 12):
        changed = package[:position] + bytes([package[position] ^ 0x01]) + package[position + 1 :]
        assert verify_copy(changed).outcome == Outcome.ALTERED, position
