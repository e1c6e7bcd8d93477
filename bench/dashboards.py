"""The council dashboard and the network dashboard under load (issue 5).

Loads ``seed_network --councils 400 --years 5`` (once: a benchmark database that
already holds that network keeps it), serves the app with gunicorn and drives
it with wrk from 20 connections, each request signed in by a session cookie.
p95 latency comes from wrk's own histogram (``bench/wrk_report.lua``). Query
counts come from Django's CaptureQueriesContext on the same pages, for the
busiest and the quietest synthetic council.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bench.measure import time_it, verdict

TITLE = "Dashboards: council dashboard and network dashboard"
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
ROOT = Path(__file__).resolve().parent.parent
LUA = Path(__file__).resolve().parent / "wrk_report.lua"


@dataclass(frozen=True)
class Load:
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(port: int) -> subprocess.Popen:
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT, check=True
    )
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [
            gunicorn,
            "keepitlocal.wsgi:application",
            f"--workers={WORKERS}",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
    )
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


def _check(base: str, path: str, cookie: str, expect: str) -> None:
    """The page answers 200 with its heading for this session, so wrk measures the real page."""
    request = urllib.request.Request(  # noqa: S310 - our own server, over http
        f"{base}{path}", headers={"Cookie": f"sessionid={cookie}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our own server
        body = response.read().decode()
        if response.status != 200 or response.url != f"{base}{path}" or expect not in body:
            raise RuntimeError(f"{path} did not answer with its page for the benchmark session")


def _wrk(base: str, path: str, cookie: str, seconds: int) -> Load:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is missing: apt-get install -y wrk (make bench does this)")
    output = subprocess.run(  # noqa: S603 - fixed arguments
        [
            wrk,
            "--threads=2",
            f"--connections={CONNECTIONS}",
            f"--duration={seconds}s",
            "--timeout=10s",
            f"--script={LUA}",
            f"--header=Cookie: sessionid={cookie}",
            f"{base}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    values = {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", line)}
    return Load(
        requests=values["requests"],
        seconds=values["duration_us"] / 1e6,
        errors=values["errors"],
        p50_ms=values["p50_us"] / 1000,
        p95_ms=values["p95_us"] / 1000,
        p99_ms=values["p99_us"] / 1000,
    )


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

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _serve(port)
    try:
        pages = {
            "trivial": ("/councils/", champion_cookie, "Your councils"),
            "dashboard": (dashboard, champion_cookie, "Commitment checklist"),
            "network": ("/network/", admin_cookie, "Spread of stages across the network"),
        }
        loads = {}
        for name, (path, cookie, expect) in pages.items():
            _check(base, path, cookie, expect)
            _wrk(base, path, cookie, WARMUP_SECONDS)
            loads[name] = _wrk(base, path, cookie, SECONDS)
    finally:
        server.terminate()
        server.wait(timeout=30)

    ratio = loads["dashboard"].per_second / loads["trivial"].per_second
    errors = sum(load.errors for load in loads.values())

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
            f"{loads['dashboard'].p95_ms:.0f} ms (p50 {loads['dashboard'].p50_ms:.0f} ms)",
            loads["dashboard"].p95_ms <= COUNCIL_P95_MS,
        ),
        row(
            f"Network dashboard: p95 latency, {CONNECTIONS} connections",
            f"≤ {NETWORK_P95_MS} ms",
            f"{loads['network'].p95_ms:.0f} ms (p50 {loads['network'].p50_ms:.0f} ms)",
            loads["network"].p95_ms <= NETWORK_P95_MS,
        ),
        row(
            "Council dashboard throughput ÷ trivial signed-in page (`/councils/`)",
            f"≥ {MIN_THROUGHPUT_RATIO}",
            f"{ratio:.2f} ({loads['dashboard'].per_second:.0f} ÷ "
            f"{loads['trivial'].per_second:.0f} requests/s)",
            ratio >= MIN_THROUGHPUT_RATIO,
        ),
        row("Failed or non-2xx responses", "0", str(errors), errors == 0),
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
            "| page | requests/s | p50 | p95 | p99 |",
            "| --- | --- | --- | --- | --- |",
            *(
                f"| {name} | {load.per_second:.0f} | {load.p50_ms:.0f} ms | "
                f"{load.p95_ms:.0f} ms | {load.p99_ms:.0f} ms |"
                for name, load in loads.items()
            ),
        ]
    )
