"""The audit trail: every step of signing, in order, with where it came from and a hash chain."""

import datetime
import itertools
import json

import pytest
from django.urls import reverse

from endorsements import audit_trail, services
from endorsements.models import Endorsement, SigningEvent
from endorsements.services import INTENT_STATEMENT
from tests.factories import PASSWORD
from tests.html import page, text

pytestmark = pytest.mark.django_db

Kind = SigningEvent.Kind

ADMIN = {"REMOTE_ADDR": "198.51.100.7", "HTTP_USER_AGENT": "Admin browser/1.0"}
LEAD = {"REMOTE_ADDR": "203.0.113.21", "HTTP_USER_AGENT": "Lead member's phone/2.0"}
CHIEF = {"REMOTE_ADDR": "2001:db8::5", "HTTP_USER_AGENT": "Chief executive's laptop/3.0"}


def url(name, endorsement) -> str:
    return reverse(
        f"endorsements:{name}",
        kwargs={"council_slug": endorsement.council.slug, "pk": endorsement.pk},
    )


def sign_form(endorsement, user, **overrides) -> dict:
    return {
        "document_sha256": endorsement.document_sha256,
        "password": PASSWORD,
        "intent": "on",
        "typed_name": user.get_full_name(),
        "drawn_signature": "",
        **overrides,
    }


def trail(endorsement) -> list[SigningEvent]:
    return list(SigningEvent.objects.filter(endorsement=endorsement).order_by("at", "pk"))


@pytest.fixture
def signed_over_the_web(
    client,
    council,
    council_admin,
    decision,
    lead_member,
    chief_executive,
    django_capture_on_commit_callbacks,
):
    """Prepared, sent, opened and signed by both, each from their own address and browser."""
    client.force_login(council_admin)
    client.post(
        reverse("endorsements:prepare", kwargs={"council_slug": council.slug}),
        {
            "statement": "East Sussex endorses the principles.",
            "first": lead_member.pk,
            "second": chief_executive.pk,
            "third": "",
            "signing_order": "parallel",
        },
        **ADMIN,
    )
    endorsement = Endorsement.objects.get(council=council)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("send", endorsement), **ADMIN)
    endorsement.refresh_from_db()
    for person, where in ((lead_member, LEAD), (chief_executive, CHIEF)):
        client.force_login(person)
        assert client.get(url("sign", endorsement), **where).status_code == 200
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                url("sign", endorsement), sign_form(endorsement, person), **where
            )
        assert response.status_code == 302, text(page(response))
    endorsement.refresh_from_db()
    assert endorsement.status == Endorsement.Status.COMPLETED
    return endorsement


def test_every_step_of_a_completed_signing_is_in_the_trail_in_order(
    signed_over_the_web, council_admin, lead_member, chief_executive
):
    events = trail(signed_over_the_web)
    assert [(e.kind, e.signatory.name if e.signatory else "") for e in events] == [
        (Kind.PREPARED, ""),
        (Kind.SENT, ""),
        (Kind.EMAIL_QUEUED, "Helen Marsh"),
        (Kind.EMAIL_QUEUED, "David Lowe"),
        (Kind.VIEWED, "Helen Marsh"),
        (Kind.CONSENTED, "Helen Marsh"),
        (Kind.SIGNED, "Helen Marsh"),
        (Kind.VIEWED, "David Lowe"),
        (Kind.CONSENTED, "David Lowe"),
        (Kind.SIGNED, "David Lowe"),
        (Kind.COMPLETED, ""),
        (Kind.EMAIL_QUEUED, ""),  # to the council admin: it is signed
    ]
    # Recorded in that order, not only sorted into it.
    assert [e.pk for e in events] == sorted(e.pk for e in events)
    emails = [e.description for e in events if e.kind == Kind.EMAIL_QUEUED]
    assert emails[0].startswith(f"To {lead_member.email}: Please sign")
    assert emails[1].startswith(f"To {chief_executive.email}: Please sign")
    assert emails[2].startswith(f"To {council_admin.email}: ")
    assert [e.email_address for e in events if e.kind == Kind.EMAIL_QUEUED] == [
        lead_member.email,
        chief_executive.email,
        council_admin.email,
    ]


def test_each_event_records_who_when_where_how_and_which_document(
    signed_over_the_web, council_admin, lead_member, chief_executive
):
    endorsement = signed_over_the_web
    where_from = {council_admin.pk: ADMIN, lead_member.pk: LEAD, chief_executive.pk: CHIEF}
    for event in trail(endorsement):
        assert event.at.utcoffset() == datetime.timedelta(0), event
        assert str(event).endswith(f"{event.at:%Y-%m-%d %H:%M:%S} UTC")
        if event.kind == Kind.PREPARED:
            assert event.document_sha256 == ""  # nothing was fixed yet
        else:
            assert event.document_sha256 == endorsement.document_sha256, event
        if event.actor is None:  # the service itself: emails and the seal
            assert event.kind in (Kind.EMAIL_QUEUED, Kind.COMPLETED)
            assert (event.ip_address, event.user_agent) == (None, "")
            assert event.authentication == services.SERVICE
            continue
        where = where_from[event.actor_id]
        assert event.actor_name == event.actor.get_full_name()
        assert event.ip_address == where["REMOTE_ADDR"], event
        assert event.user_agent == where["HTTP_USER_AGENT"], event
        assert event.authentication == (
            services.PASSWORD_AT_SIGNING
            if event.kind in (Kind.CONSENTED, Kind.SIGNED)
            else services.SIGNED_IN
        ), event


def test_the_trail_is_a_chain_of_hashes(signed_over_the_web):
    events = trail(signed_over_the_web)
    assert events[0].previous_hash == ""
    for earlier, later in itertools.pairwise(events):
        assert later.previous_hash == earlier.event_hash, later
    # Read back from the database, every event still hashes to what was recorded.
    assert all(e.event_hash == e.compute_hash() for e in events)
    assert len({e.event_hash for e in events}) == len(events)


def test_the_statement_of_intent_is_recorded_and_hashed_with_the_consent(signed_over_the_web):
    consents = [e for e in trail(signed_over_the_web) if e.kind == Kind.CONSENTED]
    assert len(consents) == 2
    for consent in consents:
        assert consent.detail == INTENT_STATEMENT
        assert consent.event_hash == consent.compute_hash()
        # The text is part of the hash: a different statement would not give the same one.
        consent.detail = INTENT_STATEMENT.replace("same effect", "no effect")
        assert consent.compute_hash() != consent.event_hash


@pytest.mark.parametrize(
    "field",
    [
        "kind",
        "at",
        "actor_name",
        "ip_address",
        "user_agent",
        "authentication",
        "document_sha256",
        "detail",
        "email_address",
    ],
)
def test_changing_any_recorded_detail_changes_the_events_hash(signed_over_the_web, field):
    event = next(e for e in trail(signed_over_the_web) if e.kind == Kind.SIGNED)
    recorded = event.event_hash
    changed = {
        "detail": "Typed name “Someone Else”",
        "email_address": "someone@example.org",
        "kind": Kind.DECLINED,
        "at": event.at + datetime.timedelta(seconds=1),
        "actor_name": "Somebody Else",
        "ip_address": "192.0.2.99",
        "user_agent": "Another browser",
        "authentication": "Not signed in",
        "document_sha256": "0" * 64,
    }[field]
    setattr(event, field, changed)
    assert event.compute_hash() != recorded


def test_declining_records_the_reason(client, sent, chief_executive):
    client.force_login(chief_executive)
    response = client.post(
        url("decline", sent),
        {"document_sha256": sent.document_sha256, "reason": "The statement needs rewording"},
        **CHIEF,
    )
    assert response.status_code == 302
    declined = SigningEvent.objects.get(endorsement=sent, kind=Kind.DECLINED)
    assert declined.detail == "The statement needs rewording"
    assert declined.actor == chief_executive
    assert declined.signatory.user == chief_executive
    assert declined.ip_address == CHIEF["REMOTE_ADDR"]
    assert declined.user_agent == CHIEF["HTTP_USER_AGENT"]
    assert declined.document_sha256 == sent.document_sha256
    assert declined.previous_hash == trail(sent)[-2].event_hash


def test_voiding_records_the_reason(client, sent, council_admin):
    client.force_login(council_admin)
    response = client.post(url("void", sent), {"reason": "The decision was updated"}, **ADMIN)
    assert response.status_code == 302
    voided = SigningEvent.objects.get(endorsement=sent, kind=Kind.VOIDED)
    assert voided.detail == "The decision was updated"
    assert voided.actor == council_admin
    assert voided.ip_address == ADMIN["REMOTE_ADDR"]
    assert voided.user_agent == ADMIN["HTTP_USER_AGENT"]
    assert trail(sent)[-1] == voided


def test_a_wrong_password_at_signing_is_recorded(client, sent, lead_member):
    client.force_login(lead_member)
    response = client.post(
        url("sign", sent), sign_form(sent, lead_member, password="not my password"), **LEAD
    )
    assert "The password is not right. Nothing has been signed." in text(page(response))
    failed = SigningEvent.objects.get(endorsement=sent, kind=Kind.AUTH_FAILED)
    assert failed.actor == lead_member
    assert failed.signatory.user == lead_member
    assert failed.ip_address == LEAD["REMOTE_ADDR"]
    assert failed.user_agent == LEAD["HTTP_USER_AGENT"]
    assert failed.document_sha256 == sent.document_sha256
    assert failed.authentication == services.SIGNED_IN
    assert failed.event_hash == failed.compute_hash()
    assert trail(sent)[-1] == failed
    assert not SigningEvent.objects.filter(kind__in=[Kind.CONSENTED, Kind.SIGNED]).exists()


# The chain's format 2: salted commitments instead of personal values


def test_new_events_hash_commitments_to_addresses_and_browsers_not_the_values(
    signed_over_the_web,
):
    for event in trail(signed_over_the_web):
        assert event.chain_version == 2
        record = event.hashed_record()
        hashed = audit_trail.canonical(record).decode()
        for name in audit_trail.PERSONAL_FIELDS:
            value = event.personal_value(name)
            if value:
                assert value not in hashed, (event, name)
            salt = event.commitment_salts[name]
            assert record[name] == audit_trail.commitment(salt, value)
    # Each value has its own salt: opening one commitment opens no other.
    salts = [s for e in trail(signed_over_the_web) for s in e.commitment_salts.values()]
    assert len(set(salts)) == len(salts)


def exported(endorsement, *, disclose: bool) -> dict:
    return json.loads(audit_trail.export(header={}, events=trail(endorsement), disclose=disclose))


def test_the_trail_checks_without_addresses_browsers_or_emails(signed_over_the_web):
    data = audit_trail.export(header={}, events=trail(signed_over_the_web), disclose=False)

    checked = audit_trail.check(data)

    assert checked.intact, checked.problem
    assert checked.event_count == len(trail(signed_over_the_web))
    assert checked.last_event_hash == trail(signed_over_the_web)[-1].event_hash
    text_of_it = data.decode()
    for where in (ADMIN, LEAD, CHIEF):
        assert where["REMOTE_ADDR"] not in text_of_it
        assert where["HTTP_USER_AGENT"] not in text_of_it
    assert "@" not in text_of_it  # no email address either


def test_disclosed_values_open_their_commitments(signed_over_the_web):
    document = exported(signed_over_the_web, disclose=True)
    assert audit_trail.check(json.dumps(document).encode()).intact
    viewed = next(e for e in document["events"] if e["record"]["kind"] == Kind.VIEWED)
    assert viewed["disclosed"]["ip_address"]["value"] == LEAD["REMOTE_ADDR"]

    viewed["disclosed"]["ip_address"]["value"] = "192.0.2.99"  # someone else's address
    checked = audit_trail.check(json.dumps(document).encode())

    assert not checked.intact
    assert "the disclosed ip address is not the one committed" in checked.problem


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda events: events.pop(3), "event 4: it does not name the event before it"),
        (
            lambda events: events[5]["record"].update(detail="Something else"),
            "event 6: its hash is not the hash of its record",
        ),
        (
            lambda events: events.insert(2, events[1]),
            "event 3: it does not name the event before it",
        ),
    ],
    ids=["an event removed", "an event changed", "an event repeated"],
)
def test_a_changed_trail_does_not_check(signed_over_the_web, change, problem):
    document = exported(signed_over_the_web, disclose=False)
    change(document["events"])

    checked = audit_trail.check(json.dumps(document).encode())

    assert not checked.intact
    assert checked.problem == problem


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not json",
        b"[]",
        b'{"events": 1}',
        b'{"events": [1]}',
        b"\xff\xfe",
        b'{"events": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b'{"events": [{"record": {"previous_hash": "", "x": ' + b"[" * 5000 + b"]" * 5000 + b"}}]}",
    ],
)
def test_an_unreadable_trail_is_a_problem_found_not_an_error(data):
    checked = audit_trail.check(data)
    assert not checked.intact and checked.problem
