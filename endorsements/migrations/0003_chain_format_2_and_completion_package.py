"""Audit trail chain format 2 and the completion package (docs/adr/0009).

Signing events get the email address an email went to, the chain format they
are hashed in and the salts of their commitments. Every event already recorded
is format 1 and keeps its hash. Endorsements get the SHA-256 of the sealed
endorsement inside the completion package, a column that sealing fixes.

SQLite cannot add these columns in place: Django rebuilds both tables, which
drops their triggers (and the signatory triggers name the endorsement table), so
every freezing trigger is dropped first and made again afterwards, the new
column among the sealed ones. PostgreSQL keeps its triggers through ALTER TABLE;
its endorsement function is replaced to know the new column.
"""

from django.db import migrations, models

ENDORSEMENT_FROZEN = (
    "council_id",
    "version",
    "signing_order",
    "statement",
    "content",
    "document_pdf",
    "document_sha256",
    "verification_code",
    "sent_at",
    "sent_by_id",
    "expires_at",
)
SEALED_BEFORE = ("signed_pdf", "signed_pdf_sha256", "signed_pdf_size", "completed_at")
SEALED_NOW = (*SEALED_BEFORE, "sealed_document_sha256")
ENDED = "('completed', 'declined', 'voided', 'expired')"
ENDED_FIELDS = ("status", "end_reason", "ended_at", "ended_by_id")
SIGNATORY_IDENTITY = ("endorsement_id", "user_id", "name", "role_title", "position")
SIGNATORY_SIGNATURE = (
    "signed_at",
    "typed_name",
    "drawn_signature",
    "certificate_pem",
    "pdf_after_signing",
    "declined_at",
    "decline_reason",
)
NOT_FLUSHING = "NOT EXISTS (SELECT 1 FROM endorsements_flushing)"  # see migration 0002


def _changed(columns, distinct: str) -> str:
    return " OR ".join(f'NEW."{c}" {distinct} OLD."{c}"' for c in columns)


def sqlite_triggers(sealed: tuple[str, ...]) -> list[str]:
    """Migration 0002's SQLite triggers, with ``sealed`` as the columns sealing fixes."""
    return [
        f"""CREATE TRIGGER endorsements_endorsement_frozen
    BEFORE UPDATE ON endorsements_endorsement
    WHEN OLD.sent_at IS NOT NULL AND ({_changed(ENDORSEMENT_FROZEN, "IS NOT")})
    BEGIN SELECT RAISE(ABORT, 'A sent endorsement''s content cannot change'); END""",
        f"""CREATE TRIGGER endorsements_endorsement_sealed
    BEFORE UPDATE ON endorsements_endorsement
    WHEN OLD.signed_pdf_sha256 <> '' AND ({_changed(sealed, "IS NOT")})
    BEGIN SELECT RAISE(ABORT, 'A sealed endorsement cannot change'); END""",
        f"""CREATE TRIGGER endorsements_endorsement_ended
    BEFORE UPDATE ON endorsements_endorsement
    WHEN OLD.status IN {ENDED} AND ({_changed(ENDED_FIELDS, "IS NOT")})
    BEGIN SELECT RAISE(ABORT, 'An ended endorsement cannot be reopened or changed'); END""",
        f"""CREATE TRIGGER endorsements_endorsement_not_draft_again
    BEFORE UPDATE ON endorsements_endorsement
    WHEN OLD.sent_at IS NOT NULL AND NEW.status = 'draft' AND OLD.status NOT IN {ENDED}
    BEGIN SELECT RAISE(ABORT, 'A sent endorsement cannot become a draft again'); END""",
        f"""CREATE TRIGGER endorsements_endorsement_kept
    BEFORE DELETE ON endorsements_endorsement
    WHEN OLD.sent_at IS NOT NULL AND {NOT_FLUSHING}
    BEGIN SELECT RAISE(ABORT, 'An endorsement that has been sent cannot be deleted'); END""",
        f"""CREATE TRIGGER endorsements_signatory_frozen
    BEFORE UPDATE ON endorsements_signatory
    WHEN (SELECT sent_at FROM endorsements_endorsement WHERE id = OLD.endorsement_id)
        IS NOT NULL AND ({_changed(SIGNATORY_IDENTITY, "IS NOT")})
    BEGIN SELECT RAISE(ABORT, 'The signatories of a sent endorsement cannot change'); END""",
        """CREATE TRIGGER endorsements_signatory_added
    BEFORE INSERT ON endorsements_signatory
    WHEN (SELECT sent_at FROM endorsements_endorsement WHERE id = NEW.endorsement_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'Nobody can be added to the signatories of a sent endorsement');
    END""",
        f"""CREATE TRIGGER endorsements_signatory_signed
    BEFORE UPDATE ON endorsements_signatory
    WHEN (OLD.signed_at IS NOT NULL OR OLD.declined_at IS NOT NULL)
        AND ({_changed(SIGNATORY_SIGNATURE, "IS NOT")})
    BEGIN SELECT RAISE(ABORT, 'A signature, once made or declined, cannot change'); END""",
        f"""CREATE TRIGGER endorsements_signatory_kept
    BEFORE DELETE ON endorsements_signatory
    WHEN (SELECT sent_at FROM endorsements_endorsement WHERE id = OLD.endorsement_id)
        IS NOT NULL AND {NOT_FLUSHING}
    BEGIN SELECT RAISE(ABORT, 'The signatories of a sent endorsement cannot change'); END""",
        """CREATE TRIGGER endorsements_signingevent_no_update
    BEFORE UPDATE ON endorsements_signingevent
    BEGIN SELECT RAISE(ABORT, 'Signing events can be added, never changed or deleted'); END""",
        f"""CREATE TRIGGER endorsements_signingevent_no_delete
    BEFORE DELETE ON endorsements_signingevent
    WHEN {NOT_FLUSHING}
    BEGIN SELECT RAISE(ABORT, 'Signing events can be added, never changed or deleted'); END""",
    ]


SQLITE_TRIGGER_NAMES = [s.split()[2] for s in sqlite_triggers(SEALED_NOW)]


def postgresql_endorsement_function(sealed: tuple[str, ...]) -> str:
    """Migration 0002's endorsement trigger function, with ``sealed`` as the sealed columns."""
    return f"""
CREATE OR REPLACE FUNCTION endorsements_refuse_endorsement_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.sent_at IS NOT NULL THEN
            RAISE EXCEPTION 'An endorsement that has been sent cannot be deleted'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.sent_at IS NOT NULL AND ({_changed(ENDORSEMENT_FROZEN, "IS DISTINCT FROM")}) THEN
        RAISE EXCEPTION 'A sent endorsement''s content cannot change'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF OLD.signed_pdf_sha256 <> '' AND ({_changed(sealed, "IS DISTINCT FROM")}) THEN
        RAISE EXCEPTION 'A sealed endorsement cannot change'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF OLD.status IN {ENDED} AND ({_changed(ENDED_FIELDS, "IS DISTINCT FROM")}) THEN
        RAISE EXCEPTION 'An ended endorsement cannot be reopened or changed'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF OLD.sent_at IS NOT NULL AND NEW.status = 'draft' THEN
        RAISE EXCEPTION 'A sent endorsement cannot become a draft again'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""


def _drop_sqlite_triggers(schema_editor) -> None:
    for name in SQLITE_TRIGGER_NAMES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


def _make_triggers(schema_editor, sealed: tuple[str, ...]) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _drop_sqlite_triggers(schema_editor)
        for statement in sqlite_triggers(sealed):
            schema_editor.execute(statement)
    elif vendor == "postgresql":
        schema_editor.execute(postgresql_endorsement_function(sealed))


def before_rebuild(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        _drop_sqlite_triggers(schema_editor)


def after_rebuild(apps, schema_editor):
    _make_triggers(schema_editor, SEALED_NOW)


def after_unbuild(apps, schema_editor):
    _make_triggers(schema_editor, SEALED_BEFORE)


class Migration(migrations.Migration):
    dependencies = [("endorsements", "0002_freeze_triggers")]

    operations = [
        migrations.RunPython(before_rebuild, after_unbuild, elidable=False),
        migrations.AddField(
            model_name="endorsement",
            name="sealed_document_sha256",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="signingevent",
            name="email_address",
            field=models.EmailField(blank=True, max_length=254, verbose_name="email sent to"),
        ),
        migrations.AddField(
            model_name="signingevent",
            name="chain_version",
            # Every event recorded so far was hashed in format 1.
            field=models.PositiveSmallIntegerField(default=1, editable=False),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="signingevent",
            name="commitment_salts",
            field=models.JSONField(blank=True, default=dict, editable=False),
        ),
        migrations.RunPython(after_rebuild, before_rebuild, elidable=False),
    ]
