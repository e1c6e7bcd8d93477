"""Load test: 50 clients through the main pages for a minute, and two servers on one database.

``make loadtest`` runs this alone; ``make bench`` runs it with the others. On the
``seed_network --councils 400 --years 5`` network (loaded once, as for the dashboards),
gunicorn with 2 sync workers serves the app and wrk keeps 50 connections busy for 60 s,
each going round the main signed-in pages (``bench/wrk_report.lua``). Any error (an answer
of 400 or over, a socket error, a timeout) or redirect fails the command.

Then two gunicorn servers on one database take concurrent writes from officers who sign in
on one and carry on with the other, each form read from one server and sent to the other
(``bench.serving.write_through_both``); the database must hold every accepted write once.
"""

import os

from bench import dashboards, serving
from bench.measure import fail, verdict

TITLE = "Load test: 50 clients through the main pages; two servers, one database"
CLIENTS = int(os.environ.get("LOADTEST_CLIENTS", "50"))
SECONDS = int(os.environ.get("LOADTEST_SECONDS", "60"))
WARMUP_SECONDS = 5
WORKERS = 2
# Two councils of four officers: eight people writing at once, four to a record.
WRITE_COUNCILS, WRITE_OFFICERS, WRITE_ROUNDS = 2, 4, 25


def _read_load(pages: list[serving.Page]) -> serving.Load:
    """Serve the app and drive it through ``pages`` with wrk, after checking each is served."""
    server = serving.serve(workers=WORKERS)
    try:
        for page in pages:
            serving.check(server, page)
        serving.wrk(server, pages, connections=CLIENTS, seconds=WARMUP_SECONDS)
        return serving.wrk(server, pages, connections=CLIENTS, seconds=SECONDS)
    finally:
        serving.stop(server)


def _two_servers() -> tuple[serving.WriteRun, list[str]]:
    """Concurrent writes through two servers, and what the database says about them."""
    writers = serving.writers_prepare(councils=WRITE_COUNCILS, officers=WRITE_OFFICERS)
    servers = []
    try:
        try:
            # Both start at once: their workers boot side by side.
            servers += [serving.start(workers=WORKERS), serving.start(workers=WORKERS)]
            for server in servers:
                serving.wait_until_serving(server)
            run = serving.write_through_both(servers, writers, rounds=WRITE_ROUNDS)
        finally:
            for server in servers:
                serving.stop(server)
        return run, serving.check_writes(writers, run)
    finally:
        # The benchmark database keeps only the synthetic network between runs.
        serving.writers_clear()


def run() -> str:
    """The load test's section of the report; a missed target also fails the command."""
    loaded = dashboards._ensure_network()
    busiest, quietest = dashboards._councils()
    admin, champions = dashboards._people(busiest, quietest)
    pages = serving.main_pages(
        busiest, serving.session_cookie(champions[busiest.pk]), serving.session_cookie(admin)
    )
    load = _read_load(pages)
    writes, problems = _two_servers()

    saves = sum(len(summaries) for summaries in writes.saves.values())
    attempts = WRITE_COUNCILS * WRITE_OFFICERS * WRITE_ROUNDS
    two_servers_ok = not (writes.errors or problems or writes.stale)
    if load.errors or load.redirects:
        fail(f"load test: {load.errors} errors and {load.redirects} redirects")
    if not two_servers_ok:
        fail("two servers: " + "; ".join([*writes.errors[:5], *problems, *writes.stale[:5]]))

    def row(measure: str, target: str, figure: str, ok: bool | None = None) -> str:
        return f"| {measure} | {target} | {figure} | {'' if ok is None else verdict(ok)} |"

    rows = [
        row("Requests per second", "–", f"{load.per_second:.0f} ({load.requests:,} requests)"),
        row(
            "Latency: median (p50); p95, p99, max",
            "–",
            f"{load.p50_ms:.0f} ms; {load.p95_ms:.0f} ms, {load.p99_ms:.0f} ms, "
            f"{load.max_ms:.0f} ms",
        ),
        row(
            "Errors: answers of 400 and over, socket errors, timeouts",
            "0",
            str(load.errors),
            load.errors == 0,
        ),
        row("Redirects (a page not served)", "0", str(load.redirects), load.redirects == 0),
        row(
            "Two servers: accepted writes in the database, none lost or duplicated",
            "all, once",
            f"{len(writes.actions)} of {attempts} actions and {saves} progress saves, all "
            "there once"
            if not problems
            else "; ".join(problems),
            not problems,
        ),
        row(
            "Two servers: errors (refused sessions or tokens, failed requests)",
            "0",
            str(len(writes.errors)),
            not writes.errors,
        ),
        row(
            "Two servers: dashboards showing the last saved stage, on both",
            "all",
            "all" if not writes.stale else "; ".join(writes.stale[:3]),
            not writes.stale,
        ),
    ]
    rotation = ", ".join(page.name for page in pages)
    return "\n".join(
        [
            f"`seed_network --councils {dashboards.COUNCILS} --years {dashboards.YEARS}` in "
            f"PostgreSQL ({loaded}); gunicorn with {WORKERS} sync workers; wrk with 2 threads "
            f"and {CLIENTS} connections for {SECONDS} s after {WARMUP_SECONDS} s of warm-up, "
            f"each connection going round the main pages in turn: {rotation}. Council pages "
            f"are the busiest synthetic council's ({busiest.name}), as its champion. Command: "
            "`make loadtest` (this section alone).",
            "",
            "| measure | target | figure | verdict |",
            "| --- | --- | --- | --- |",
            *rows,
            "",
            f"Two servers (gunicorn, {WORKERS} sync workers each) on the one database: "
            f"{WRITE_COUNCILS * WRITE_OFFICERS} officers of {WRITE_COUNCILS} councils at once, "
            "each signing in through the sign-in page of one server and carrying on with the "
            f"other (sessions live in the database), {WRITE_ROUNDS} times adding an action and "
            "saving their council's progress on principle 1, each form read from one server "
            "and sent with its CSRF token to the other. The four officers of a council save "
            f"the same record, so {writes.conflicts} saves were refused as edit conflicts "
            "(someone had saved since the form was read); those left nothing behind. "
            f"{writes.requests:,} requests in {writes.seconds:.1f} s. "
            + (
                "Afterwards the database held each accepted action once, and each council's "
                "progress a version and a history entry for each accepted save, and no others; "
                "both servers' council dashboards (cached per process) showed the last saved "
                "stage."
                if two_servers_ok
                else "**Lost, duplicated or refused writes**: "
                + "; ".join([*problems, *writes.errors[:10], *writes.stale[:5]])
            ),
        ]
    )
