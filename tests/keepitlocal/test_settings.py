"""Configuration comes from the environment and production settings are safe."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import dj_database_url
import pytest

ROOT = Path(__file__).resolve().parents[2]


# Variables the test sets for itself; anything the test session set must not leak in.
CONFIG_VARIABLES = {
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "SECURE_SSL_REDIRECT",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "SIGNING_CA_CERT",
    "SIGNING_CA_KEY",
    "SIGNING_CA_CERT_FILE",
    "SIGNING_CA_KEY_FILE",
}


@pytest.fixture
def ca_env(signing_ca) -> dict:
    cert_pem, key_pem = signing_ca
    return {"SIGNING_CA_CERT": cert_pem.decode(), "SIGNING_CA_KEY": key_pem.decode()}


def run(args, **env):
    clean = {k: v for k, v in os.environ.items() if k not in CONFIG_VARIABLES}
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_passes_with_no_warnings(ca_env):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        **ca_env,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50)[:50],
        ALLOWED_HOSTS="example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr


def test_missing_secret_key_stops_the_app_with_one_line():
    result = run(["manage.py", "check"], DEBUG="false")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert lines == ["Keep it Local cannot start: SECRET_KEY must be set when DEBUG is false."]


def test_missing_secret_key_stops_the_wsgi_app_with_one_line():
    result = run(["-c", "import keepitlocal.wsgi"], DEBUG="false")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "Keep it Local cannot start: SECRET_KEY must be set when DEBUG is false."
    ]


def test_nonsense_debug_value_is_refused_by_name():
    result = run(["manage.py", "check"], DEBUG="maybe", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_wsgi_application_loads_for_gunicorn(ca_env):
    result = run(
        ["-c", "import keepitlocal.wsgi as w; print(callable(w.application))"],
        **ca_env,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="example.org",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_database_url_selects_postgresql():
    config = dj_database_url.parse("postgres://postgres@127.0.0.1:5432/keepitlocal")
    assert config["ENGINE"] == "django.db.backends.postgresql"


@pytest.mark.parametrize(("value", "expected"), [("true", "True"), ("0", "False")])
def test_debug_and_allowed_hosts_come_from_the_environment(value, expected):
    result = run(
        [
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.DEBUG, settings.ALLOWED_HOSTS)",
        ],
        DJANGO_SETTINGS_MODULE="keepitlocal.settings",
        DEBUG=value,
        SECRET_KEY="s" * 50,
        ALLOWED_HOSTS="a.example, b.example",
    )
    assert result.stdout.strip() == f"{expected} ['a.example', 'b.example']", result.stderr


def test_production_refuses_to_run_without_a_signing_ca():
    result = run(
        ["manage.py", "check"],
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="example.org",
    )
    assert result.returncode != 0
    assert "endorsements.E001" in result.stderr
    assert "No signing CA certificate is configured" in result.stderr


def test_the_first_signing_ca_can_be_made_in_production_before_one_is_configured(tmp_path):
    result = run(
        ["manage.py", "make_signing_ca", str(tmp_path / "ca")],
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="example.org",
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "ca" / "ca.pem").exists() and (tmp_path / "ca" / "ca-key.pem").exists()


def test_wsgi_app_refuses_to_start_without_a_signing_ca_in_one_line():
    result = run(
        ["-c", "import keepitlocal.wsgi"],
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="example.org",
    )
    assert result.returncode != 0
    # The last line is what the person starting the service reads.
    assert result.stderr.strip().splitlines()[-1] == (
        "Keep it Local cannot start: No signing CA certificate is configured: set"
        " SIGNING_CA_CERT or SIGNING_CA_CERT_FILE."
    )


def test_a_key_that_does_not_match_the_ca_certificate_is_refused(ca_env):
    from endorsements.ca import make_certificate_authority

    _, other_key = make_certificate_authority()
    result = run(
        ["-c", "import keepitlocal.wsgi"],
        SIGNING_CA_CERT=ca_env["SIGNING_CA_CERT"],
        SIGNING_CA_KEY=other_key.decode(),
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="example.org",
    )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1] == (
        "Keep it Local cannot start: The signing CA key does not match its certificate."
    )
