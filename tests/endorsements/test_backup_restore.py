"""Backups (docs/operations.md): a restored database still verifies a signed endorsement.

The sealed PDF is kept in the database, so a backup is only worth having if, once
restored into a fresh database, the verify page still finds the endorsement by its
code, the sealed file still matches the record's SHA-256, pyHanko still finds every
signature intact and trusted, and a changed copy still does not match.

On PostgreSQL the backup is made the way the operations guide says: ``pg_dump
--format=custom``, ``createdb``, ``pg_restore --no-owner``, ``manage.py migrate``.
On SQLite the database is copied with SQLite's backup API into a new file. Either
way the restored copy is checked from a new ``manage.py`` process whose only
database is the restored one.
"""

import hashlib
import importlib
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from asn1crypto import pem, x509
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections

from endorsements import pdf
from endorsements.ca import make_certificate_authority
from tests.endorsements.restored_database import RESTORED_RECORD
from tests.factories import signed_endorsement
from tests.html import page, text

DOWNLOADED = "the PDF as downloaded before the backup"
ALTERED = "the PDF with one byte changed"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def tool(name: str) -> str:
    """A PostgreSQL client program; a backup test that cannot back up must fail, not skip."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(
            f"{name} is not on PATH: install PostgreSQL's client programs (the same major"
            " version as the server, or newer) to test backup and restore."
        )
    return path


def run(command: list[str], *, env: dict[str, str] | None = None, cwd=None) -> str:
    finished = subprocess.run(
        command, env=env, cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )
    assert finished.returncode == 0, (
        f"{' '.join(command)} failed ({finished.returncode}):\n{finished.stdout}{finished.stderr}"
    )
    return finished.stdout


@contextmanager
def restored_postgresql(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Dump the test database, restore it into a new one: (its DATABASE_URL, its name)."""
    programs = {name: tool(name) for name in ("pg_dump", "createdb", "pg_restore", "dropdb")}
    db = connection.settings_dict
    env = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
    ):
        if db.get(key):
            env[variable] = str(db[key])
    dump = tmp_path / "keepitlocal.dump"
    run([programs["pg_dump"], "--format=custom", f"--file={dump}", db["NAME"]], env=env)
    # Unique, so parallel runs and a database left by an interrupted run never collide.
    name = f"{db['NAME'][:40]}_restored_{secrets.token_hex(4)}"
    try:
        run([programs["createdb"], name], env=env)
        restore = [programs["pg_restore"], "--no-owner", "--exit-on-error", f"--dbname={name}"]
        run([*restore, str(dump)], env=env)
        # Same server and credentials as the run's own DATABASE_URL, another database.
        url = urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}").geturl()
        yield url, name
    finally:
        run([programs["dropdb"], "--if-exists", "--force", name], env=env)


@contextmanager
def restored_sqlite(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Copy the test database into a new file with SQLite's backup API."""
    restored = tmp_path / "restored.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(restored)
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    try:
        yield f"sqlite:///{restored}", str(restored)
    finally:
        restored.unlink(missing_ok=True)


def manage(database_url: str, signing_ca: tuple[bytes, bytes], *args: str) -> str:
    """Run manage.py in a new process whose only database is ``database_url``."""
    cert_pem, key_pem = signing_ca
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SIGNING_CA_CERT": cert_pem.decode(),
        "SIGNING_CA_KEY": key_pem.decode(),
    }
    return run([sys.executable, "manage.py", *args], env=env, cwd=settings.BASE_DIR)


def with_one_byte_changed(sealed: bytes) -> bytes:
    """The file with a byte of its binary header comment changed: every signature covers it,
    yet the file still opens, so pyHanko can say what it thinks of the signatures."""
    position = sealed.index(b"\n%") + 2
    return sealed[:position] + bytes([sealed[position] ^ 0x01]) + sealed[position + 1 :]


def put_back_the_principles() -> None:
    # Earlier tests that commit (the browser tests) end by flushing the database, which
    # empties what the data migrations seeded; the endorsement lists the principles.
    seed = importlib.import_module("principles.migrations.0002_seed_the_six_principles")
    seed.seed_principles(apps, None)


def signed_in_a_thread_without_an_event_loop(council):
    """``signed_endorsement(council)``, made in a worker thread.

    Tests that commit run after the browser tests, which leave Playwright's event loop
    running in this thread, and pyHanko cannot start its own loop to sign inside it.
    """

    def make():
        try:
            return signed_endorsement(council)
        finally:
            # The thread's own connection, or PostgreSQL cannot drop the test database.
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(make).result()


@pytest.mark.django_db(transaction=True)  # committed, so pg_dump sees it
def test_a_restored_backup_still_verifies_the_signed_endorsement(council, signing_ca, tmp_path):
    put_back_the_principles()
    endorsement = signed_in_a_thread_without_an_event_loop(council)
    sealed = bytes(endorsement.signed_pdf)
    assert endorsement.status == "completed"
    assert endorsement.signed_pdf_sha256 == sha256(sealed)
    copies = {DOWNLOADED: tmp_path / "endorsement.pdf", ALTERED: tmp_path / "altered.pdf"}
    copies[DOWNLOADED].write_bytes(sealed)
    copies[ALTERED].write_bytes(with_one_byte_changed(sealed))
    findings_file = tmp_path / "findings.json"

    restore = restored_postgresql if connection.vendor == "postgresql" else restored_sqlite
    with restore(tmp_path) as (database_url, restored_name):
        # As after a real restore: migrate (nothing to do), then look at what came back.
        manage(database_url, signing_ca, "migrate", "--no-input")
        paths = {name: str(path) for name, path in copies.items()}
        arguments = f"{endorsement.verification_code!r}, {paths!r}, {str(findings_file)!r}"
        script = f"from tests.endorsements.restored_database import report; report({arguments})"
        manage(database_url, signing_ca, "shell", "--no-startup", "--command", script)
    findings = json.loads(findings_file.read_text())

    assert findings["database"] == restored_name != connection.settings_dict["NAME"]
    record = findings["found_by_code"]
    assert record is not None, "the restored database has no endorsement with the code"
    assert record["pk"] == endorsement.pk
    assert record["status"] == "completed"
    assert record["signed_pdf_sha256"] == record["sha256_of_signed_pdf"] == sha256(sealed)
    assert record["signed_pdf_size"] == record["size_of_signed_pdf"] == len(sealed)
    assert record["audit_trail_intact"]
    assert record["database_refuses_changes"]

    for name in (RESTORED_RECORD, DOWNLOADED):
        verdict = findings["copies"][name]
        assert (verdict["outcome"], verdict["endorsement"]) == ("matches", endorsement.pk), name
        # The completion package's seal, then the sealed endorsement attached to it.
        package_seal = verdict["signatures"]
        assert [s["field"] for s in package_seal] == [pdf.PACKAGE_SEAL_FIELD], name
        assert verdict["attached_document"]["on_record"], name
        signatures = verdict["attached_document"]["signatures"]
        assert [s["field"] for s in signatures][-1] == pdf.SEAL_FIELD, name
        assert len(signatures) == 3, name  # two signatories and the seal
        for signature in package_seal + signatures:
            assert signature["intact"] and signature["valid"] and signature["trusted"], name
            assert signature["ok"], name
        assert package_seal[0]["covers_whole_file"] and signatures[-1]["covers_whole_file"], name
        assert verdict["trail_intact"] and verdict["trail_on_record"], name

    altered = findings["copies"][ALTERED]
    assert (altered["outcome"], altered["endorsement"]) == ("altered", endorsement.pk)
    assert altered["signatures_readable"]
    assert altered["signatures"]
    assert not any(s["intact"] or s["ok"] for s in altered["signatures"])


@pytest.mark.django_db
def test_after_rotating_the_ca_an_older_endorsement_matches_but_reads_not_issued_by_keep_it_local(
    client, council, settings, signing_ca
):
    endorsement = signed_endorsement(council)
    sealed = bytes(endorsement.signed_pdf)
    new_cert, new_key = make_certificate_authority(name="Keep it Local signing authority 2")
    settings.SIGNING_CA_CERT, settings.SIGNING_CA_KEY = new_cert.decode(), new_key.decode()

    upload = SimpleUploadedFile("endorsement.pdf", sealed, "application/pdf")
    response = client.post("/verify/", {"file": upload})

    html = page(response)
    assert text(html.cssselect(".govuk-panel__title")[0]) == "Matches"
    checks = [text(row.cssselect("td")[1]) for row in html.cssselect(".govuk-table__body tr")]
    # The package's seal, and the two signatures and the seal of the endorsement it carries.
    assert checks == ["Not issued by Keep it Local"] * 4
    # The old CA's certificate, kept after rotating, still shows every signature is good.
    _, _, der = pem.unarmor(signing_ca[0])
    old_root = x509.Certificate.load(der)
    document = next(d for d in pdf.embedded_files(sealed).values() if d.startswith(b"%PDF-"))
    for data in (sealed, document):
        assert all(check.ok for check in pdf.check_signatures(data, trust_root=old_root))
