import pytest
from django.db import connections
from django.urls import reverse

from keepitlocal.models import Membership
from tests.factories import CouncilFactory, MembershipFactory, NetworkAdminFactory

ROLES = list(Membership.Role)

# Every test module can race writes (tests/races.py).
pytest_plugins = ["tests.races"]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """SQLite's test database in a file of this run, not in memory (ADR 0011).

    Threads of a race test and the servers of a served test each open connections of their
    own, which an in-memory database cannot give them; and its shared cache fails a waiting
    lock at once ("database table is locked") where a file waits its busy timeout. The file is
    made afresh for each run, in the run's own temporary folder, and removed at the end.
    """
    for connection in connections.all():
        if connection.vendor == "sqlite":
            name = tmp_path_factory.mktemp("database") / f"test_{connection.alias}.sqlite3"
            connection.settings_dict["TEST"]["NAME"] = str(name)


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    # Tests do not run collectstatic, so serve static files without the manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session")
def signing_ca() -> tuple[bytes, bytes]:
    """A certificate authority made once for the test run: (certificate PEM, key PEM)."""
    from endorsements.ca import make_certificate_authority

    return make_certificate_authority(name="Keep it Local test signing authority")


@pytest.fixture(autouse=True)
def _signing_ca_settings(settings, signing_ca):
    cert_pem, key_pem = signing_ca
    settings.SIGNING_CA_CERT = cert_pem.decode()
    settings.SIGNING_CA_KEY = key_pem.decode()


@pytest.fixture(autouse=True)
def _empty_cache():
    # Cached dashboards are keyed by ids, which a rolled-back test may reuse.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def council(db):
    return CouncilFactory(name="East Sussex County Council", slug="east-sussex")


@pytest.fixture
def other_council(db):
    return CouncilFactory(name="Borsetshire District Council", slug="borsetshire")


@pytest.fixture
def member(council):
    """Make a person with ``role`` in a council (by default the ``council`` fixture)."""

    def make(role=Membership.Role.OFFICER, of=None):
        return MembershipFactory(council=of or council, role=role).user

    return make


@pytest.fixture
def officer(member):
    return member(Membership.Role.OFFICER)


@pytest.fixture
def council_admin(member):
    return member(Membership.Role.COUNCIL_ADMIN)


@pytest.fixture
def network_admin(db):
    return NetworkAdminFactory()


@pytest.fixture
def overview_url(council):
    return reverse("overview", kwargs={"council_slug": council.slug})
