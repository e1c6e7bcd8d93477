"""Run every benchmark and write docs/PERFORMANCE.md.

``python -m bench`` runs them all and rewrites the report; ``python -m bench
endorsements`` runs one and prints its section without touching the report.
Each benchmark is a module of this package with ``TITLE`` and ``run() -> str``
(its section of the report, in Markdown). A benchmark that calls
``bench.measure.fail`` makes the command exit non-zero, once the report is out.
"""

import importlib
import os
import pkgutil
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

REPORT = Path(__file__).resolve().parent.parent / "docs" / "PERFORMANCE.md"
NOT_BENCHMARKS = {"measure", "serving"}


def _create_database() -> None:
    """Create the benchmark database on the PostgreSQL server if it is not there."""
    import dj_database_url
    import psycopg2
    from psycopg2 import sql

    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    if "postgresql" not in config["ENGINE"]:
        return
    server = psycopg2.connect(
        dbname="postgres",
        user=config["USER"],
        password=config["PASSWORD"] or None,
        host=config["HOST"],
        port=config["PORT"] or 5432,
    )
    server.autocommit = True
    with server.cursor() as cursor:
        cursor.execute("select 1 from pg_database where datname = %s", [config["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("create database {}").format(sql.Identifier(config["NAME"])))
    server.close()


def _signing_ca_for_the_run() -> None:
    """A throwaway signing CA, so the app (and the gunicorn it serves from) can start."""
    if os.environ.get("SIGNING_CA_CERT") or os.environ.get("SIGNING_CA_CERT_FILE"):
        return
    from endorsements.ca import make_certificate_authority

    cert_pem, key_pem = make_certificate_authority(name="Benchmark signing authority")
    os.environ["SIGNING_CA_CERT"] = cert_pem.decode()
    os.environ["SIGNING_CA_KEY"] = key_pem.decode()


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keepitlocal.settings")
    _signing_ca_for_the_run()
    if os.environ.get("DATABASE_URL"):
        _create_database()
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    # Pages render with the production (manifest) static storage, served or in process.
    call_command("collectstatic", verbosity=0, interactive=False)


def _benchmarks(names: list[str]):
    package = Path(__file__).resolve().parent
    found = sorted(
        info.name
        for info in pkgutil.iter_modules([str(package)])
        if not info.name.startswith("_") and info.name not in NOT_BENCHMARKS
    )
    unknown = set(names) - set(found)
    if unknown:
        sys.exit(f"No such benchmark: {', '.join(sorted(unknown))}. Known: {', '.join(found)}")
    return [importlib.import_module(f"bench.{name}") for name in (names or found)]


def _machine() -> str:
    from django.db import connection

    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        total_kb = int(meminfo.read_text().split()[1])
        memory = f", {total_kb / 1024 / 1024:.0f} GiB memory"
    with connection.cursor() as cursor:
        cursor.execute("select version()" if connection.vendor == "postgresql" else "select 1")
        database = cursor.fetchone()[0] if connection.vendor == "postgresql" else connection.vendor
    return (
        f"- Machine: {os.cpu_count()} cores ({cpu}){memory}, {platform.system()} "
        f"{platform.release()}\n"
        f"- Python {platform.python_version()}; database: {database.split(',')[0]}\n"
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n"
        f"- Command: `make bench`\n"
    )


def main(argv: list[str]) -> None:
    _setup_django()
    modules = _benchmarks(argv)
    sections = []
    for module in modules:
        print(f"Running {module.TITLE}…", file=sys.stderr, flush=True)
        sections.append(f"## {module.TITLE}\n\n{module.run().strip()}\n")
    if argv:
        print("\n".join(sections))
    else:
        REPORT.write_text(
            "# Performance\n\n"
            "Written by `make bench` (do not edit by hand): every figure below was measured on the "
            "machine described here, in the run that wrote this file.\n\n"
            f"{_machine()}\n" + "\n".join(sections)
        )
        print("Wrote docs/PERFORMANCE.md")
    from bench.measure import failures

    if failures:
        sys.exit("Failed: " + "; ".join(failures))


if __name__ == "__main__":
    main(sys.argv[1:])
