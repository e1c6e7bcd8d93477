"""Database triggers that keep a sent endorsement and its audit trail unchanged.

The models refuse these changes too; the triggers catch every route that
skips the model (bulk updates, raw SQL, another program on the database).
"""

from django.db import migrations

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
ENDORSEMENT_SEALED = ("signed_pdf", "signed_pdf_sha256", "signed_pdf_size", "completed_at")
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


def _changed(columns, distinct: str) -> str:
    return " OR ".join(f'NEW."{c}" {distinct} OLD."{c}"' for c in columns)


POSTGRESQL = f"""
CREATE FUNCTION endorsements_refuse_endorsement_change() RETURNS trigger AS $$
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
    IF OLD.signed_pdf_sha256 <> '' AND ({_changed(ENDORSEMENT_SEALED, "IS DISTINCT FROM")}) THEN
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

CREATE TRIGGER endorsements_endorsement_frozen
    BEFORE UPDATE OR DELETE ON endorsements_endorsement
    FOR EACH ROW EXECUTE FUNCTION endorsements_refuse_endorsement_change();

CREATE FUNCTION endorsements_refuse_signatory_change() RETURNS trigger AS $$
DECLARE
    was_sent boolean;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT sent_at IS NOT NULL INTO was_sent
            FROM endorsements_endorsement WHERE id = NEW.endorsement_id;
        IF was_sent THEN
            RAISE EXCEPTION 'Nobody can be added to the signatories of a sent endorsement'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END IF;
    SELECT sent_at IS NOT NULL INTO was_sent
        FROM endorsements_endorsement WHERE id = OLD.endorsement_id;
    IF TG_OP = 'DELETE' THEN
        IF was_sent THEN
            RAISE EXCEPTION 'The signatories of a sent endorsement cannot change'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF was_sent AND ({_changed(SIGNATORY_IDENTITY, "IS DISTINCT FROM")}) THEN
        RAISE EXCEPTION 'The signatories of a sent endorsement cannot change'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF (OLD.signed_at IS NOT NULL OR OLD.declined_at IS NOT NULL)
        AND ({_changed(SIGNATORY_SIGNATURE, "IS DISTINCT FROM")}) THEN
        RAISE EXCEPTION 'A signature, once made or declined, cannot change'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER endorsements_signatory_frozen
    BEFORE INSERT OR UPDATE OR DELETE ON endorsements_signatory
    FOR EACH ROW EXECUTE FUNCTION endorsements_refuse_signatory_change();

CREATE FUNCTION endorsements_refuse_event_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'Signing events can be added, never changed or deleted'
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER endorsements_signingevent_append_only
    BEFORE UPDATE OR DELETE ON endorsements_signingevent
    FOR EACH ROW EXECUTE FUNCTION endorsements_refuse_event_change();
"""

POSTGRESQL_REVERSE = """
DROP TRIGGER endorsements_signingevent_append_only ON endorsements_signingevent;
DROP FUNCTION endorsements_refuse_event_change();
DROP TRIGGER endorsements_signatory_frozen ON endorsements_signatory;
DROP FUNCTION endorsements_refuse_signatory_change();
DROP TRIGGER endorsements_endorsement_frozen ON endorsements_endorsement;
DROP FUNCTION endorsements_refuse_endorsement_change();
"""

# SQLite has no session state, and Django's own flush (tests and `manage.py
# flush`) empties tables with DELETE. While it runs it puts a row in this table,
# which no model owns (so flush leaves it alone), and the delete triggers stand
# aside; see endorsements/management/commands/flush.py.
FLUSH_MARK_TABLE = "endorsements_flushing"
NOT_FLUSHING = f"NOT EXISTS (SELECT 1 FROM {FLUSH_MARK_TABLE})"

SQLITE = [
    f"CREATE TABLE {FLUSH_MARK_TABLE} (started integer NOT NULL)",
    f"""CREATE TRIGGER endorsements_endorsement_frozen
    BEFORE UPDATE ON endorsements_endorsement
    WHEN OLD.sent_at IS NOT NULL AND ({_changed(ENDORSEMENT_FROZEN, "IS NOT")})
    BEGIN SELECT RAISE(ABORT, 'A sent endorsement''s content cannot change'); END""",
    f"""CREATE TRIGGER endorsements_endorsement_sealed
    BEFORE UPDATE ON endorsements_endorsement
    WHEN OLD.signed_pdf_sha256 <> '' AND ({_changed(ENDORSEMENT_SEALED, "IS NOT")})
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

SQLITE_TRIGGERS = [s.split()[2] for s in SQLITE if s.startswith("CREATE TRIGGER")]


def create_triggers(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL)
    elif connection.vendor == "sqlite":
        for statement in SQLITE:
            schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_REVERSE)
    elif connection.vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER {name}")
        schema_editor.execute(f"DROP TABLE {FLUSH_MARK_TABLE}")


class Migration(migrations.Migration):
    dependencies = [("endorsements", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers, elidable=False)]
