"""The short load test: gunicorn serving the test database, driven for a few seconds.

``make loadtest`` is the full one (``bench/loadtest.py``). Here two workers serve the demo's
main pages to four clients at once for four seconds, with no error; two servers take
concurrent writes and the database holds each accepted one, once; and people sending the
same new record at the same moment make it once, the others told so on the page. The servers
open the test database itself, on PostgreSQL or in SQLite's file.
"""

import io
import os
import urllib.parse

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from bench import serving
from keepitlocal.models import Council, User
from principles.models import Action, Principle
from tests.factories import CouncilFactory, MembershipFactory
from tests.races import run_at_once

CLIENTS, SECONDS, WORKERS = 4, 4, 2
PEOPLE = 4  # adding the same partner at once, each served by a worker of their own


@pytest.fixture
def demo(seeded):
    """The demo council, its people (one a role) and its records, as `make run` loads them."""
    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())


def _database_url() -> str:
    """A DATABASE_URL for servers of the test database, as it is now."""
    config = connection.settings_dict
    if connection.vendor == "postgresql":
        user = urllib.parse.quote(config["USER"] or "")
        password = urllib.parse.quote(config["PASSWORD"] or "")
        login = f"{user}:{password}" if password else user
        host = config["HOST"] or "127.0.0.1"
        return f"postgres://{login}@{host}:{config['PORT'] or 5432}/{config['NAME']}"
    # SQLite's test database is a file (tests/conftest.py), which the servers open too.
    return f"sqlite:///{config['NAME']}"


@pytest.fixture
def server_env(signing_ca):
    """Make the environment of a server of the test database (call it once the data is in)."""

    def make() -> dict[str, str]:
        cert_pem, key_pem = signing_ca
        return {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "DJANGO_SETTINGS_MODULE": "tests.server_settings",
            "SIGNING_CA_CERT": cert_pem.decode(),
            "SIGNING_CA_KEY": key_pem.decode(),
        }

    return make


@pytest.mark.served
def test_two_workers_serve_the_main_pages_to_concurrent_clients_without_error(demo, server_env):
    council = Council.objects.get(slug="east-sussex")
    pages = serving.main_pages(
        council,
        serving.session_cookie(User.objects.get(username="champion")),
        serving.session_cookie(User.objects.get(username="network-admin")),
    )
    server = serving.serve(workers=WORKERS, env=server_env())
    try:
        for page in pages:
            serving.check(server, page)
        load = serving.drive(server, pages, clients=CLIENTS, seconds=SECONDS)
    finally:
        serving.stop(server)

    assert (load.errors, load.redirects) == (0, 0)
    assert load.requests >= CLIENTS * len(pages)  # each client went round every page


@pytest.mark.served
def test_two_servers_on_one_database_lose_no_writes(seeded, server_env):
    writers = serving.writers_prepare(councils=2, officers=2)
    env = server_env()
    servers = []
    try:
        servers += [
            serving.start(workers=WORKERS, env=env),
            serving.start(workers=WORKERS, env=env),
        ]
        for server in servers:
            serving.wait_until_serving(server)
        run = serving.write_through_both(servers, writers, rounds=5)
    finally:
        for server in servers:
            serving.stop(server)

    assert run.errors == []
    assert serving.check_writes(writers, run) == []
    assert len(run.actions) == 2 * 2 * 5
    assert sum(len(saves) for saves in run.saves.values()) + run.conflicts == 2 * 2 * 5
    assert run.stale == []


@pytest.mark.django_db
def test_the_write_check_finds_lost_and_duplicated_writes():
    writers = serving.writers_prepare(councils=1, officers=1)
    council = writers.councils[0]
    for title in ["kept", "twice", "twice", "never accepted"]:
        Action.objects.create(
            council=council, principle=Principle.objects.get(number=1), title=title
        )
    run = serving.WriteRun(
        actions=["kept", "twice", "lost"], saves={council.pk: ["a save the database lacks"]}
    )

    problems = serving.check_writes(writers, run)

    assert "1 accepted actions are missing" in problems
    assert "2 actions are extra or duplicated" in problems
    assert f"{council.slug}: progress is at version 1 after 1 accepted saves" in problems
    assert f"{council.slug}: the history does not hold each accepted save once" in problems


@pytest.mark.served
def test_people_adding_the_same_partner_at_once_over_http_make_it_once(
    transactional_db, server_env
):
    council = CouncilFactory()
    people = [MembershipFactory(council=council).user for _ in range(PEOPLE)]
    path = f"/councils/{council.slug}/partners/"
    server = serving.serve(workers=PEOPLE, env=server_env())
    try:
        visitors = [
            serving.Visitor({settings.SESSION_COOKIE_NAME: serving.session_cookie(person)})
            for person in people
        ]
        forms = [visitor.get(server, path) for visitor in visitors]
        assert [form.status for form in forms] == [200] * PEOPLE

        def add(visitor, form):
            token = serving.form_value(form.body, "csrfmiddlewaretoken")
            return lambda: visitor.post(
                server, path, {"csrfmiddlewaretoken": token, "name": "Rye Community Trust"}
            )

        outcomes = run_at_once(
            *(add(visitor, form) for visitor, form in zip(visitors, forms, strict=True))
        )
    finally:
        serving.stop(server)

    assert [outcome.error for outcome in outcomes if not outcome.ok] == []
    answers = sorted((outcome.value for outcome in outcomes), key=lambda answer: answer.status)
    assert [answer.status for answer in answers] == [200] * (PEOPLE - 1) + [302]
    for refused in answers[:-1]:
        assert "Rye Community Trust is already on your list" in refused.body
    assert list(council.local_partners.values_list("name", flat=True)) == ["Rye Community Trust"]
