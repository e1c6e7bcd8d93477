"""The council dashboard and the network dashboard under load (issue 5), and every main page.

Loads ``seed_network --councils 400 --years 5`` (once: a benchmark database that
already holds that network keeps it), serves the app with gunicorn and drives
it with wrk from 20 connections, each request signed in by a session cookie.
p95 latency comes from wrk's own histogram (``bench/wrk_report.lua``). Query
counts come from Django's CaptureQueriesContext on the same pages, for the
busiest and the quietest synthetic council. Each main page is measured on its
own, one after the other, for its throughput against the trivial signed-in page.
"""

import os
import statistics
import time

from bench import serving
from bench.measure import time_it, verdict

TITLE = "Dashboards and main pages: council dashboard, network dashboard, page throughput"
COUNCILS, YEARS = 400, 5
CONNECTIONS = 20
SECONDS = int(os.environ.get("BENCH_SECONDS", "20"))
WARMUP_SECONDS = 3
# Two cores shared with PostgreSQL and wrk: three sync workers keep both busy while one
# waits on the database (two left a core idle; four measured no better).
WORKERS = int(os.environ.get("BENCH_WORKERS", "3"))
MAX_QUERIES = 15
COUNCIL_P95_MS = 100
NETWORK_P95_MS = 250
MIN_THROUGHPUT_RATIO = 0.5


def _network_loaded() -> bool:
    from champions.synthetic_network import PREFIX
    from keepitlocal.models import Council

    return Council.objects.filter(slug__startswith=PREFIX).count() == COUNCILS


def _ensure_network() -> str:
    from django.core.management import call_command

    if _network_loaded():
        return "already loaded in the benchmark database"
    started = time.perf_counter()
    call_command("seed_network", councils=COUNCILS, years=YEARS, stdout=open(os.devnull, "w"))  # noqa: SIM115
    return f"loaded in {time.perf_counter() - started:.1f} s"


def _councils():
    """The synthetic councils with the most and the fewest records."""
    from django.db.models import Count

    from champions.synthetic_network import PREFIX
    from keepitlocal.models import Council

    ranked = (
        Council.objects.filter(slug__startswith=PREFIX)
        .annotate(records=Count("actions", distinct=True))
        .order_by("-records", "pk")
    )
    return ranked.first(), ranked.last()


def _signed_in(user):
    from django.conf import settings
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client, client.cookies[settings.SESSION_COOKIE_NAME].value


def _queries(client, url: str) -> tuple[int, int]:
    """Queries for the page worked out (empty cache), then served from the cache."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # the first visit may record the current council in the session
    counts = []
    for clear in (True, False):
        if clear:
            cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        counts.append(len(queries))
    return counts[0], counts[1]


def _uncached_ms(client, url: str) -> float:
    """The median time to work the page out with nothing cached, in this process."""
    from django.core.cache import cache

    def fresh():
        cache.clear()
        client.get(url)

    return time_it(fresh, repeat=30, warmup=3).median * 1000


def _people(busiest, quietest):
    from keepitlocal.models import Membership, User

    admin, _ = User.objects.get_or_create(
        username="bench-network-admin",
        defaults={"is_network_admin": True, "password": "!bench-no-sign-in"},
    )
    champions = {
        council.pk: Membership.objects.filter(council=council, role=Membership.Role.CHAMPION)
        .select_related("user")
        .first()
        .user
        for council in (busiest, quietest)
    }
    return admin, champions


def run() -> str:
    loaded = _ensure_network()
    busiest, quietest = _councils()
    admin, champions = _people(busiest, quietest)
    champion_client, champion_cookie = _signed_in(champions[busiest.pk])
    quiet_client, _ = _signed_in(champions[quietest.pk])
    admin_client, admin_cookie = _signed_in(admin)
    dashboard = f"/councils/{busiest.slug}/"
    peers = f"/councils/{busiest.slug}/network/"
    counts = {
        "dashboard": _queries(champion_client, dashboard),
        "dashboard_quiet": _queries(quiet_client, f"/councils/{quietest.slug}/"),
        "network": _queries(admin_client, "/network/"),
        "peers": _queries(champion_client, peers),
        "peers_quiet": _queries(quiet_client, f"/councils/{quietest.slug}/network/"),
    }
    uncached = {
        "dashboard": _uncached_ms(champion_client, dashboard),
        "network": _uncached_ms(admin_client, "/network/"),
    }

    trivial = serving.trivial_page(champion_cookie)
    pages = serving.main_pages(busiest, champion_cookie, admin_cookie)
    server = serving.serve(workers=WORKERS)
    try:
        # The trivial page is measured first and last, so a drift in the machine's speed
        # over the run shows, and each page is compared with the mean of the two.
        loads = {}
        for key, page in [("trivial", trivial), *enumerate(pages), ("trivial again", trivial)]:
            serving.check(server, page)
            serving.wrk(server, [page], connections=CONNECTIONS, seconds=WARMUP_SECONDS)
            loads[key] = serving.wrk(server, [page], connections=CONNECTIONS, seconds=SECONDS)
    finally:
        serving.stop(server)

    trivial_per_second = statistics.mean(
        [loads["trivial"].per_second, loads["trivial again"].per_second]
    )
    by_path = {page.path: loads[n] for n, page in enumerate(pages)}
    dashboard_load, network_load = by_path[dashboard], by_path["/network/"]
    ratio = dashboard_load.per_second / trivial_per_second
    errors = sum(load.errors + load.redirects for load in loads.values())

    def row(measure: str, target: str, figure: str, ok: bool) -> str:
        return f"| {measure} | {target} | {figure} | {verdict(ok)} |"

    def pair(name: str) -> str:
        worked_out, from_cache = counts[name]
        return f"{worked_out} worked out, {from_cache} cached"

    dashboard_counts = {counts["dashboard"], counts["dashboard_quiet"]}
    peer_counts = {counts["peers"], counts["peers_quiet"]}
    rows = [
        row(
            "Council dashboard: queries, busiest and quietest council",
            f"constant, ≤ {MAX_QUERIES}",
            f"{pair('dashboard')} (both councils)"
            if len(dashboard_counts) == 1
            else f"{pair('dashboard')}; quietest {pair('dashboard_quiet')}",
            len(dashboard_counts) == 1 and max(counts["dashboard"]) <= MAX_QUERIES,
        ),
        row(
            "Network dashboard: queries (network admin)",
            f"≤ {MAX_QUERIES}",
            pair("network"),
            max(counts["network"]) <= MAX_QUERIES,
        ),
        row(
            "Peer view of the network: queries, busiest and quietest council's people",
            f"constant, ≤ {MAX_QUERIES}",
            f"{pair('peers')} (both councils)"
            if len(peer_counts) == 1
            else f"{pair('peers')}; quietest {pair('peers_quiet')}",
            len(peer_counts) == 1 and max(counts["peers"]) <= MAX_QUERIES,
        ),
        row(
            f"Council dashboard: p95 latency, {CONNECTIONS} connections",
            f"≤ {COUNCIL_P95_MS} ms",
            f"{dashboard_load.p95_ms:.0f} ms (p50 {dashboard_load.p50_ms:.0f} ms)",
            dashboard_load.p95_ms <= COUNCIL_P95_MS,
        ),
        row(
            f"Network dashboard: p95 latency, {CONNECTIONS} connections",
            f"≤ {NETWORK_P95_MS} ms",
            f"{network_load.p95_ms:.0f} ms (p50 {network_load.p50_ms:.0f} ms)",
            network_load.p95_ms <= NETWORK_P95_MS,
        ),
        row(
            "Council dashboard throughput ÷ trivial signed-in page (`/councils/`)",
            f"≥ {MIN_THROUGHPUT_RATIO}",
            f"{ratio:.2f} ({dashboard_load.per_second:.0f} ÷ {trivial_per_second:.0f} requests/s)",
            ratio >= MIN_THROUGHPUT_RATIO,
        ),
        row("Failed, redirected or non-2xx responses", "0", str(errors), errors == 0),
    ]
    notes = (
        "Under load the pages come from the cache (ADR 0006), as they do between changes to "
        "the records behind them. Worked out with nothing cached, in one process, the "
        f"council dashboard takes {uncached['dashboard']:.0f} ms and the network dashboard "
        f"{uncached['network']:.0f} ms (medians of 30); that is the first view after a change."
    )
    return "\n".join(
        [
            f"`seed_network --councils {COUNCILS} --years {YEARS}` in PostgreSQL ({loaded}); "
            f"gunicorn with {WORKERS} sync workers; wrk with 2 threads, {CONNECTIONS} "
            f"connections, {SECONDS} s a page after {WARMUP_SECONDS} s of warm-up, each "
            "request signed in by a session cookie. The council dashboard is the busiest "
            f"synthetic council's ({busiest.name}), as its champion; the network dashboard "
            f"is `/network/` as a network admin ({COUNCILS} councils, 50 a page).",
            "",
            "| measure | target | figure | verdict |",
            "| --- | --- | --- | --- |",
            *rows,
            "",
            notes,
            "",
            "Each main page on its own, and its throughput against the trivial signed-in page "
            f"(`/councils/`, {loads['trivial'].per_second:.0f} requests/s before the pages and "
            f"{loads['trivial again'].per_second:.0f} after; compared with the mean, "
            f"{trivial_per_second:.0f}). Council pages as the busiest council's champion.",
            "",
            "| page | requests/s | ÷ trivial page | p50 | p95 | p99 |",
            "| --- | --- | --- | --- | --- | --- |",
            *(
                f"| {page.name} | {load.per_second:.0f} | "
                f"{load.per_second / trivial_per_second:.2f} | {load.p50_ms:.0f} ms | "
                f"{load.p95_ms:.0f} ms | {load.p99_ms:.0f} ms |"
                for page, load in [
                    (trivial, loads["trivial"]),
                    *((page, loads[n]) for n, page in enumerate(pages)),
                    (trivial, loads["trivial again"]),
                ]
            ),
        ]
    )
