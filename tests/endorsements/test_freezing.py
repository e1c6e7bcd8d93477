"""Editing an endorsement after sending, by every route, is refused and changes nothing.

The model refuses the change, the querysets refuse bulk updates, and the
database triggers of migration 0002 refuse whatever skips both (raw SQL,
another program on the database). Each test tries one route and then reads
the stored row back, so a refusal that still let the change through fails.
"""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from endorsements import services
from endorsements.models import Endorsement, EndorsementFrozen, Signatory, SigningEvent
from keepitlocal.models import Membership
from tests.factories import MembershipFactory, NetworkAdminFactory
from tests.html import page, text

pytestmark = pytest.mark.django_db

SENT_CHANGED = "A sent endorsement's content cannot change"
SEALED_CHANGED = "A sealed endorsement cannot change"
REOPENED = "An ended endorsement cannot be reopened"
SENT_DELETED = "An endorsement that has been sent cannot be deleted"
SIGNATORIES_CHANGED = "The signatories of a sent endorsement cannot change"
SIGNATURE_CHANGED = "A signature, once made or declined, cannot change"
EVENTS_CHANGED = "Signing events can be added, never changed or deleted"


def stored(model, pk) -> dict:
    """Every column of the row as the database holds it now."""
    names = [f.attname for f in model._meta.concrete_fields]
    row = model._base_manager.filter(pk=pk).values(*names).get()
    return {k: bytes(v) if isinstance(v, memoryview) else v for k, v in row.items()}


def run_sql(sql: str, params=()) -> None:
    """Raw SQL in a savepoint, so a refusal leaves the test's transaction usable."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def column(name: str) -> str:
    return connection.ops.quote_name(name)


def prepare_url(council) -> str:
    return reverse("endorsements:prepare", kwargs={"council_slug": council.slug})


# The model


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("statement", lambda e: "East Sussex no longer endorses the principles."),
        ("content", lambda e: {**e.content, "statement": "Changed after sending"}),
        ("document_pdf", lambda e: b"%PDF-1.7\n% a different document\n"),
        ("document_sha256", lambda e: "0" * 64),
        ("verification_code", lambda e: "0000000000000000"),
        ("expires_at", lambda e: e.expires_at + datetime.timedelta(days=365)),
    ],
)
def test_saving_a_change_to_a_sent_endorsement_is_refused_and_nothing_changes(sent, field, change):
    before = stored(Endorsement, sent.pk)
    setattr(sent, field, change(sent))
    with pytest.raises(EndorsementFrozen, match="has been sent for signature"):
        sent.save()
    assert stored(Endorsement, sent.pk) == before


def test_a_stale_copy_of_the_draft_cannot_overwrite_the_sent_endorsement(prepare, send):
    draft = prepare()
    stale = Endorsement.objects.get(pk=draft.pk)  # opened before it was sent
    send(draft)
    before = stored(Endorsement, draft.pk)
    stale.statement = "Saved from a page opened before sending"
    with pytest.raises(EndorsementFrozen):
        stale.save()
    assert stored(Endorsement, draft.pk) == before


def test_a_sent_endorsement_cannot_be_deleted_through_the_model(sent):
    before = stored(Endorsement, sent.pk)
    with pytest.raises(EndorsementFrozen, match="cannot be deleted"):
        sent.delete()
    assert stored(Endorsement, sent.pk) == before


# Bulk updates through the ORM


@pytest.mark.parametrize(
    "values",
    [
        {"statement": "Changed in bulk"},
        {"document_sha256": "0" * 64},
        {"content": {"statement": "Changed in bulk"}},
        {"expires_at": None},
    ],
    ids=["statement", "document_sha256", "content", "expires_at"],
)
def test_a_bulk_update_of_a_sent_endorsement_is_refused(sent, values):
    before = stored(Endorsement, sent.pk)
    with pytest.raises(EndorsementFrozen):
        Endorsement.objects.filter(pk=sent.pk).update(**values)
    with pytest.raises(EndorsementFrozen):
        sent.council.endorsements.update(**values)
    assert stored(Endorsement, sent.pk) == before


def test_bulk_update_of_sent_endorsements_is_refused(sent):
    before = stored(Endorsement, sent.pk)
    sent.statement = "Changed with bulk_update"
    # bulk_update runs in atomic(savepoint=False): a savepoint of our own keeps the test usable.
    with pytest.raises(EndorsementFrozen), transaction.atomic():
        Endorsement.objects.bulk_update([sent], ["statement"])
    assert stored(Endorsement, sent.pk) == before


def test_an_update_through_the_plain_base_manager_is_stopped_by_the_database(sent):
    # _base_manager is a plain Manager, so only the trigger stands in the way.
    before = stored(Endorsement, sent.pk)
    with pytest.raises(IntegrityError, match=SENT_CHANGED), transaction.atomic():
        Endorsement._base_manager.filter(pk=sent.pk).update(statement="Changed")
    assert stored(Endorsement, sent.pk) == before


def test_an_upsert_over_a_sent_endorsement_is_stopped_by_the_database(sent):
    before = stored(Endorsement, sent.pk)
    clash = Endorsement(
        council=sent.council,
        version=sent.version,
        statement="Written over the sent one by an upsert",
        prepared_by=sent.prepared_by,
        status=Endorsement.Status.VOIDED,
    )
    with pytest.raises(IntegrityError, match=SENT_CHANGED), transaction.atomic():
        Endorsement.objects.bulk_create(
            [clash],
            update_conflicts=True,
            unique_fields=["council", "version"],
            update_fields=["statement"],
        )
    assert stored(Endorsement, sent.pk) == before


# Raw SQL: the database triggers


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("statement", "Changed with raw SQL"),
        ("document_sha256", "0" * 64),
        ("document_pdf", b"%PDF-1.7\n% another document\n"),
        ("verification_code", "0000000000000000"),
        ("sent_at", None),
    ],
)
def test_raw_sql_update_of_a_sent_endorsement_is_refused_by_the_database(sent, name, value):
    before = stored(Endorsement, sent.pk)
    with pytest.raises(IntegrityError, match=SENT_CHANGED):
        run_sql(
            f"UPDATE {table(Endorsement)} SET {column(name)} = %s WHERE id = %s",  # noqa: S608
            [value, sent.pk],
        )
    assert stored(Endorsement, sent.pk) == before


def test_raw_sql_delete_of_a_sent_endorsement_is_refused_by_the_database(sent):
    before = stored(Endorsement, sent.pk)
    with pytest.raises(IntegrityError, match=SENT_DELETED):
        run_sql(f"DELETE FROM {table(Endorsement)} WHERE id = %s", [sent.pk])  # noqa: S608
    assert stored(Endorsement, sent.pk) == before


@pytest.mark.parametrize(
    ("name", "value"),
    [("name", "Someone Else"), ("role_title", "Leader of the council"), ("position", 9)],
)
def test_raw_sql_update_of_a_signatory_after_sending_is_refused(sent, name, value):
    signatory = sent.signatories.get(position=1)
    before = stored(Signatory, signatory.pk)
    with pytest.raises(IntegrityError, match=SIGNATORIES_CHANGED):
        run_sql(
            f"UPDATE {table(Signatory)} SET {column(name)} = %s WHERE id = %s",  # noqa: S608
            [value, signatory.pk],
        )
    assert stored(Signatory, signatory.pk) == before


def test_a_signatory_cannot_be_renamed_or_removed_after_sending(sent, lead_member):
    signatory = sent.signatories.get(user=lead_member)
    before = stored(Signatory, signatory.pk)
    signatory.name = "Someone Else"
    with pytest.raises(EndorsementFrozen, match=SIGNATORIES_CHANGED):
        signatory.save()
    with pytest.raises(IntegrityError, match=SIGNATORIES_CHANGED), transaction.atomic():
        Signatory.objects.filter(pk=signatory.pk).update(name="Someone Else")
    with pytest.raises(IntegrityError, match=SIGNATORIES_CHANGED):
        run_sql(f"DELETE FROM {table(Signatory)} WHERE id = %s", [signatory.pk])  # noqa: S608
    assert stored(Signatory, signatory.pk) == before
    assert sent.signatories.count() == 2


def test_nobody_can_be_added_to_the_signatories_after_sending(sent, council):
    newcomer = MembershipFactory(council=council, role=Membership.Role.OFFICER).user
    with pytest.raises((EndorsementFrozen, IntegrityError)), transaction.atomic():
        Signatory.objects.create(
            endorsement=sent, user=newcomer, name="New Comer", role_title="Officer", position=3
        )
    assert list(sent.signatories.values_list("position", flat=True)) == [1, 2]


# A signature, once made


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("typed_name", "Somebody Else"),
        ("signed_at", None),
        ("certificate_pem", ""),
        ("pdf_after_signing", b"%PDF-1.7\n% not what was signed\n"),
        ("drawn_signature", b"\x89PNG a different drawing"),
    ],
)
def test_a_signature_cannot_change_after_signing(sent, sign, lead_member, field, value):
    sign(sent, lead_member)
    signatory = sent.signatories.get(user=lead_member)
    before = stored(Signatory, signatory.pk)

    setattr(signatory, field, value)
    with pytest.raises(EndorsementFrozen, match=SIGNATURE_CHANGED):
        signatory.save()
    with pytest.raises(IntegrityError, match=SIGNATURE_CHANGED):
        run_sql(
            f"UPDATE {table(Signatory)} SET {column(field)} = %s WHERE id = %s",  # noqa: S608
            [value, signatory.pk],
        )
    assert stored(Signatory, signatory.pk) == before


def test_a_reason_for_declining_cannot_change_afterwards(sent, chief_executive, source):
    services.endorsement_decline(
        endorsement=sent,
        by=chief_executive,
        reason="The statement needs rewording",
        opened_sha256=sent.document_sha256,
        source=source,
    )
    signatory = sent.signatories.get(user=chief_executive)
    before = stored(Signatory, signatory.pk)
    signatory.decline_reason = "No reason"
    with pytest.raises(EndorsementFrozen, match=SIGNATURE_CHANGED):
        signatory.save()
    with pytest.raises(IntegrityError, match=SIGNATURE_CHANGED):
        run_sql(
            f"UPDATE {table(Signatory)} SET decline_reason = %s WHERE id = %s",  # noqa: S608
            ["No reason", signatory.pk],
        )
    assert stored(Signatory, signatory.pk) == before


# The Django admin


@pytest.fixture
def superuser_network_admin():
    return NetworkAdminFactory(is_staff=True, is_superuser=True)


def test_the_admin_shows_a_sent_endorsement_but_has_no_save_button(
    client, sent, superuser_network_admin
):
    client.force_login(superuser_network_admin)
    url = reverse("admin:endorsements_endorsement_change", args=[sent.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert sent.statement in response.content.decode()
    assert not page(response).cssselect("input[name=_save], input[name=_continue]")
    assert not page(response).cssselect("textarea[name=statement]")


def test_posting_the_admin_change_form_is_forbidden_and_changes_nothing(
    client, sent, superuser_network_admin
):
    client.force_login(superuser_network_admin)
    before = stored(Endorsement, sent.pk)
    response = client.post(
        reverse("admin:endorsements_endorsement_change", args=[sent.pk]),
        {
            "council": sent.council_id,
            "version": sent.version,
            "status": Endorsement.Status.DRAFT,
            "signing_order": Endorsement.SigningOrder.ORDERED,
            "statement": "Changed in the admin",
            "prepared_by": sent.prepared_by_id,
            "_save": "Save",
        },
    )
    assert response.status_code == 403
    assert stored(Endorsement, sent.pk) == before


def test_the_admin_cannot_delete_or_add_an_endorsement(client, sent, superuser_network_admin):
    client.force_login(superuser_network_admin)
    delete_url = reverse("admin:endorsements_endorsement_delete", args=[sent.pk])
    assert client.get(delete_url).status_code == 403
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:endorsements_endorsement_changelist")
    response = client.post(
        changelist, {"action": "delete_selected", "_selected_action": [sent.pk], "post": "yes"}
    )
    assert response.status_code in (200, 302)
    assert 'value="delete_selected"' not in client.get(changelist).content.decode()
    assert client.get(reverse("admin:endorsements_endorsement_add")).status_code == 403
    assert Endorsement.objects.filter(pk=sent.pk).exists()
    assert Endorsement.objects.count() == 1


def test_the_admin_cannot_change_or_delete_a_signing_event(client, sent, superuser_network_admin):
    client.force_login(superuser_network_admin)
    event = sent.events.get(kind=SigningEvent.Kind.SENT)
    before = stored(SigningEvent, event.pk)
    change = reverse("admin:endorsements_signingevent_change", args=[event.pk])
    assert client.get(change).status_code == 200
    response = client.post(change, {"kind": "voided", "detail": "Changed in the admin"})
    assert response.status_code == 403
    delete = reverse("admin:endorsements_signingevent_delete", args=[event.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert stored(SigningEvent, event.pk) == before


# The prepare page


def test_the_prepare_page_sends_you_to_the_endorsement_while_it_is_out_for_signature(
    client, council, council_admin, sent
):
    client.force_login(council_admin)
    response = client.get(prepare_url(council), follow=True)
    assert response.redirect_chain == [(sent.get_absolute_url(), 302)]
    assert "The endorsement is out for signature. Void it to prepare a new one." in text(
        page(response)
    )


def test_posting_the_prepare_page_while_out_for_signature_changes_nothing(
    client, council, council_admin, sent, lead_member
):
    client.force_login(council_admin)
    before = stored(Endorsement, sent.pk)
    signatories = list(sent.signatories.values_list("pk", "user_id", "name"))
    events = sent.events.count()
    response = client.post(
        prepare_url(council),
        {
            "statement": "Changed while out for signature",
            "first": lead_member.pk,
            "second": "",
            "third": "",
            "signing_order": "ordered",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == sent.get_absolute_url()
    assert stored(Endorsement, sent.pk) == before
    assert list(sent.signatories.values_list("pk", "user_id", "name")) == signatories
    assert sent.events.count() == events
    assert Endorsement.objects.count() == 1


def test_a_draft_can_still_be_changed_on_the_prepare_page(
    client, council, council_admin, decision, lead_member, chief_executive
):
    client.force_login(council_admin)
    first = {
        "statement": "First wording",
        "first": lead_member.pk,
        "second": chief_executive.pk,
        "third": "",
        "signing_order": "parallel",
    }
    assert client.post(prepare_url(council), first).status_code == 302
    second = {**first, "statement": "Second wording", "first": chief_executive.pk, "second": ""}
    assert client.post(prepare_url(council), second).status_code == 302

    draft = Endorsement.objects.get(council=council)
    assert (draft.version, draft.status, draft.statement) == (1, "draft", "Second wording")
    assert [s.name for s in draft.signatories.order_by("position")] == ["David Lowe"]


def test_after_voiding_version_2_is_prepared_and_sent_and_version_1_keeps_its_content(
    council, council_admin, sent, source, lead_member, send
):
    services.endorsement_void(
        endorsement=sent, by=council_admin, reason="The statement needs rewording", source=source
    )
    version_1 = stored(Endorsement, sent.pk)
    version_2 = services.endorsement_prepare(
        council=council,
        by=council_admin,
        statement="Version two of the statement",
        signatories=[lead_member],
        signing_order=Endorsement.SigningOrder.PARALLEL,
        source=source,
    )
    send(version_2)
    version_2.refresh_from_db()

    assert (version_2.version, version_2.status) == (2, Endorsement.Status.SENT)
    assert version_2.content["statement"] == "Version two of the statement"
    assert version_2.document_sha256 != version_1["document_sha256"]
    assert version_2.verification_code != version_1["verification_code"]
    assert stored(Endorsement, sent.pk) == version_1
    assert version_1["content"]["statement"] == "East Sussex endorses the six principles."
    assert [s.name for s in sent.signatories.order_by("position")] == ["Helen Marsh", "David Lowe"]


# An ended endorsement stays ended


@pytest.fixture
def voided(sent, council_admin, source):
    services.endorsement_void(endorsement=sent, by=council_admin, reason="x", source=source)
    return Endorsement.objects.get(pk=sent.pk)


@pytest.fixture
def declined(sent, chief_executive, source):
    services.endorsement_decline(
        endorsement=sent,
        by=chief_executive,
        reason="The statement needs rewording",
        opened_sha256=sent.document_sha256,
        source=source,
    )
    return Endorsement.objects.get(pk=sent.pk)


@pytest.fixture
def expired(sent):
    later = sent.expires_at + datetime.timedelta(minutes=1)
    services.endorsement_send_reminders(base_url="https://keepitlocal.example", now=later)
    return Endorsement.objects.get(pk=sent.pk)


@pytest.fixture(params=["voided", "declined", "expired", "completed"])
def ended_endorsement(request):
    return request.getfixturevalue(request.param)


@pytest.mark.parametrize("status", [Endorsement.Status.SENT, Endorsement.Status.DRAFT])
def test_an_ended_endorsement_cannot_be_reopened(ended_endorsement, status):
    before = stored(Endorsement, ended_endorsement.pk)
    ended_endorsement.status = status
    with pytest.raises(EndorsementFrozen, match="cannot be reopened"):
        ended_endorsement.save()
    with pytest.raises((EndorsementFrozen, IntegrityError)), transaction.atomic():
        Endorsement.objects.filter(pk=ended_endorsement.pk).update(status=status)
    with pytest.raises(IntegrityError, match=REOPENED):
        run_sql(
            f"UPDATE {table(Endorsement)} SET status = %s WHERE id = %s",  # noqa: S608
            [status, ended_endorsement.pk],
        )
    assert stored(Endorsement, ended_endorsement.pk) == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("signed_pdf", b"%PDF-1.7\n% another sealed file\n"),
        ("signed_pdf_sha256", "0" * 64),
        ("signed_pdf_size", 1),
        ("sealed_document_sha256", "0" * 64),
        ("completed_at", None),
    ],
)
def test_the_sealed_pdf_cannot_change(completed, field, value):
    before = stored(Endorsement, completed.pk)
    setattr(completed, field, value)
    with pytest.raises(EndorsementFrozen, match="sealed"):
        completed.save()
    with pytest.raises(EndorsementFrozen):
        Endorsement.objects.filter(pk=completed.pk).update(**{field: value})
    with pytest.raises(IntegrityError, match=SEALED_CHANGED):
        run_sql(
            f"UPDATE {table(Endorsement)} SET {column(field)} = %s WHERE id = %s",  # noqa: S608
            [value, completed.pk],
        )
    assert stored(Endorsement, completed.pk) == before


# The triggers themselves

EXPECTED_TRIGGERS = {
    "sqlite": {
        ("endorsements_endorsement_frozen", "endorsements_endorsement"),
        ("endorsements_endorsement_sealed", "endorsements_endorsement"),
        ("endorsements_endorsement_ended", "endorsements_endorsement"),
        ("endorsements_endorsement_kept", "endorsements_endorsement"),
        ("endorsements_signatory_frozen", "endorsements_signatory"),
        ("endorsements_signatory_signed", "endorsements_signatory"),
        ("endorsements_signatory_kept", "endorsements_signatory"),
        ("endorsements_signingevent_no_update", "endorsements_signingevent"),
        ("endorsements_signingevent_no_delete", "endorsements_signingevent"),
    },
    "postgresql": {
        ("endorsements_endorsement_frozen", "endorsements_endorsement"),
        ("endorsements_signatory_frozen", "endorsements_signatory"),
        ("endorsements_signingevent_append_only", "endorsements_signingevent"),
    },
}


def test_the_freezing_triggers_exist_in_the_migrated_database():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'")
        elif connection.vendor == "postgresql":
            # Enabled ('O') row triggers only; a disabled trigger protects nothing.
            cursor.execute(
                "SELECT tgname, tgrelid::regclass::text FROM pg_trigger"
                " WHERE NOT tgisinternal AND tgenabled = 'O'"
            )
        else:
            pytest.fail(f"No check for triggers on {connection.vendor}")
        found = set(cursor.fetchall())
    assert EXPECTED_TRIGGERS[connection.vendor] <= found


# Signing events: added, never changed


def test_a_signing_event_can_be_added(sent):
    count = sent.events.count()
    event = SigningEvent(
        endorsement=sent, kind=SigningEvent.Kind.REMINDED, authentication=services.SERVICE
    )
    event.save()
    assert sent.events.count() == count + 1
    assert event.event_hash == event.compute_hash()


def test_a_signing_event_cannot_be_saved_again_or_deleted(sent):
    event = sent.events.get(kind=SigningEvent.Kind.SENT)
    before = stored(SigningEvent, event.pk)
    event.detail = "Changed afterwards"
    with pytest.raises(EndorsementFrozen, match="never changed"):
        event.save()
    with pytest.raises(EndorsementFrozen, match="never deleted"):
        event.delete()
    assert stored(SigningEvent, event.pk) == before


def test_signing_events_cannot_be_updated_or_deleted_in_bulk(sent):
    before = {e.pk: stored(SigningEvent, e.pk) for e in sent.events.all()}
    with pytest.raises(EndorsementFrozen):
        SigningEvent.objects.filter(endorsement=sent).update(detail="Changed in bulk")
    with pytest.raises(EndorsementFrozen):
        SigningEvent.objects.filter(endorsement=sent).delete()
    with pytest.raises(EndorsementFrozen):
        sent.events.all().delete()
    assert {e.pk: stored(SigningEvent, e.pk) for e in sent.events.all()} == before


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE {table} SET detail = 'Changed with raw SQL' WHERE id = %s",
        "UPDATE {table} SET at = '2000-01-01 00:00:00' WHERE id = %s",
        "DELETE FROM {table} WHERE id = %s",
    ],
    ids=["update detail", "update time", "delete"],
)
def test_raw_sql_cannot_change_or_delete_a_signing_event(sent, sql):
    event = sent.events.get(kind=SigningEvent.Kind.SENT)
    before = stored(SigningEvent, event.pk)
    with pytest.raises(IntegrityError, match=EVENTS_CHANGED):
        run_sql(sql.format(table=table(SigningEvent)), [event.pk])
    with pytest.raises(IntegrityError, match=EVENTS_CHANGED), transaction.atomic():
        SigningEvent._base_manager.filter(pk=event.pk).update(detail="Changed")
    assert stored(SigningEvent, event.pk) == before
