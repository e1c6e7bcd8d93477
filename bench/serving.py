"""Serving the app with gunicorn on 127.0.0.1 and using it over HTTP as people do.

Shared by the load benchmarks (``bench/dashboards.py``, ``bench/loadtest.py``) and the short
load test that ``make test`` runs (``tests/test_served.py``); not a benchmark itself. Traffic
only ever goes to 127.0.0.1, and every run is bounded in time.

Two servers against one database are the check that the app holds no state of its own:
people sign in on one and go on with the other (sessions live in the database), officers add
actions and save progress through the real forms, each form read from one server and sent to
the other, and afterwards the database holds every write that was accepted, once.
"""

import http.client
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

from bench.measure import percentile

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
LUA = Path(__file__).resolve().parent / "wrk_report.lua"
REQUEST_TIMEOUT_SECONDS = 10
START_TIMEOUT_SECONDS = 60
WRITERS_PREFIX = "two-servers"
CONFLICT = "changed this while you were editing it"


@dataclass
class Server:
    """A gunicorn serving the app on 127.0.0.1."""

    port: int
    process: subprocess.Popen

    @property
    def base(self) -> str:
        """The server's URL, without a trailing slash."""
        return f"http://{HOST}:{self.port}"


@dataclass(frozen=True)
class Page:
    """A signed-in page: its path, the session that asks for it, and text that shows it is it."""

    name: str
    path: str
    cookie: str
    expect: str


@dataclass(frozen=True)
class Answer:
    status: int
    location: str
    body: str


@dataclass(frozen=True)
class Load:
    """What a run of requests got back: counts, and latency in milliseconds."""

    requests: int
    seconds: float
    errors: int  # answers of 400 and over, socket errors and timeouts
    redirects: int  # answers of 3xx: not an error, but not the page either
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float

    @property
    def per_second(self) -> float:
        """Requests answered (or failed) a second, over the run."""
        return self.requests / self.seconds


_ports_given: set[int] = set()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now, and not one given out before."""
    while True:
        with socket.socket() as sock:
            sock.bind((HOST, 0))
            port = sock.getsockname()[1]
        # Two servers started together must not be handed the same port.
        if port not in _ports_given:
            _ports_given.add(port)
            return port


def start(*, workers: int, env: dict[str, str] | None = None) -> Server:
    """Start gunicorn with ``workers`` sync workers on a free port; do not wait for it."""
    port = free_port()
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    process = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [
            gunicorn,
            "keepitlocal.wsgi:application",
            f"--workers={workers}",
            f"--bind={HOST}:{port}",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=os.environ.copy() if env is None else env,
    )
    return Server(port, process)


def wait_until_serving(server: Server) -> None:
    """Return once the server answers its sign-in page; fail if it exits or takes a minute."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.process.returncode} on starting")
        try:
            if Visitor().get(server, "/sign-in/").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    stop(server)
    raise RuntimeError(f"gunicorn did not answer within {START_TIMEOUT_SECONDS} s")


def serve(*, workers: int, env: dict[str, str] | None = None) -> Server:
    """Start gunicorn and wait until it serves."""
    server = start(workers=workers, env=env)
    wait_until_serving(server)
    return server


def stop(server: Server) -> None:
    """Stop the server gracefully, or kill it after 30 s."""
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


class Visitor:
    """One person's cookies, sent with each request to whichever server is asked.

    Cookies are kept by name whatever their Secure flag: these servers speak plain HTTP on
    127.0.0.1, where a deployment has its TLS-terminating proxy in front.
    """

    def __init__(self, cookies: dict[str, str] | None = None):
        self.cookies = dict(cookies or {})

    def get(self, server: Server, path: str) -> Answer:
        """GET ``path``, not following a redirect."""
        return self._send(server, "GET", path, None)

    def post(self, server: Server, path: str, fields: dict[str, str]) -> Answer:
        """POST ``fields`` as a form to ``path``, not following a redirect."""
        return self._send(server, "POST", path, fields)

    def _send(self, server: Server, method: str, path: str, fields) -> Answer:
        """Send one request on a connection of its own, and keep the cookies it sets."""
        connection = http.client.HTTPConnection(HOST, server.port, timeout=REQUEST_TIMEOUT_SECONDS)
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return Answer(response.status, response.getheader("Location", ""), text)


def form_value(html: str, name: str) -> str:
    """The value of the form's hidden input ``name`` (the CSRF token, a record's version)."""
    tag = re.search(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*>', html)
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0)) if tag else None
    if value is None:
        raise LookupError(f"no {name} in the form")
    return value.group(1)


def sign_in(server: Server, username: str, password: str) -> Visitor:
    """Sign in through the sign-in page, CSRF token and all, as a browser does."""
    visitor = Visitor()
    page = visitor.get(server, "/sign-in/")
    answer = visitor.post(
        server,
        "/sign-in/",
        {
            "csrfmiddlewaretoken": form_value(page.body, "csrfmiddlewaretoken"),
            "username": username,
            "password": password,
            "next": "",
        },
    )
    if answer.status != 302 or "/sign-in/" in answer.location:
        raise RuntimeError(f"{username} could not sign in on port {server.port}: {answer.status}")
    return visitor


def session_cookie(user) -> str:
    """A database session for ``user``, as a signed-in browser holds it (value of the cookie)."""
    from django.conf import settings
    from django.test import Client

    client = Client(HTTP_HOST=HOST)
    # Named, so the session does not depend on which backend comes first in the settings.
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def trivial_page(cookie: str) -> Page:
    """The trivial signed-in page the others are compared with: the list of one's councils."""
    return Page("trivial: your councils (`/councils/`)", "/councils/", cookie, "Your councils")


def main_pages(council, member_cookie: str, admin_cookie: str) -> list[Page]:
    """The main signed-in pages of ``council`` for its member, and the network dashboard."""
    from django.utils.html import escape

    from principles.models import Principle

    # Principle 3 is local spend: its page also works out the latest local spend figure.
    principle = Principle.objects.get(number=3)
    at = f"/councils/{council.slug}"
    return [
        Page("council overview (dashboard)", f"{at}/", member_cookie, "Commitment checklist"),
        Page("principles", f"{at}/principles/", member_cookie, "Principles"),
        Page("principle 3", f"{at}/principles/3/", member_cookie, escape(principle.title)),
        Page("local spend", f"{at}/local-spend/", member_cookie, "Local spend"),
        Page("assessments", f"{at}/assessments/", member_cookie, "Practice assessments"),
        Page("champions", f"{at}/champions/", member_cookie, "Champions"),
        Page("endorsement", f"{at}/endorsement/", member_cookie, "Endorsement"),
        Page("peer councils", f"{at}/network/", member_cookie, "Peer councils"),
        Page(
            "network dashboard (network admin)",
            "/network/",
            admin_cookie,
            "Every member council of the network",
        ),
    ]


def check(server: Server, page: Page) -> None:
    """The page answers 200 with its own content for its session, so the load is the real page."""
    from django.conf import settings

    answer = Visitor({settings.SESSION_COOKIE_NAME: page.cookie}).get(server, page.path)
    if answer.status != 200 or page.expect not in answer.body:
        raise RuntimeError(f"{page.path} answered {answer.status} {answer.location}, not its page")


def wrk(server: Server, pages: list[Page], *, connections: int, seconds: int) -> Load:
    """Drive the server with wrk, each connection going round ``pages`` in turn."""
    from django.conf import settings

    program = shutil.which("wrk")
    if program is None:
        raise RuntimeError("wrk is missing: apt-get install -y wrk (make bench does this)")
    rotation = []
    for page in pages:
        rotation += [f"{settings.SESSION_COOKIE_NAME}={page.cookie}", page.path]
    output = subprocess.run(  # noqa: S603 - fixed arguments
        [
            program,
            "--threads=2",
            f"--connections={connections}",
            f"--duration={seconds}s",
            f"--timeout={REQUEST_TIMEOUT_SECONDS}s",
            f"--script={LUA}",
            f"{server.base}{pages[0].path}",
            "--",
            *rotation,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    values = {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", line)}
    return Load(
        requests=values["requests"],
        seconds=values["duration_us"] / 1e6,
        errors=values["errors"],
        redirects=values["redirects"],
        p50_ms=values["p50_us"] / 1000,
        p95_ms=values["p95_us"] / 1000,
        p99_ms=values["p99_us"] / 1000,
        max_ms=values["max_us"] / 1000,
    )


def drive(server: Server, pages: list[Page], *, clients: int, seconds: float) -> Load:
    """Drive the server from ``clients`` threads, each going round ``pages`` for ``seconds``.

    The short form of the load test, needing nothing beyond the standard library.
    """
    from django.conf import settings

    latencies: list[float] = []
    statuses: Counter = Counter()
    failures = 0
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(number: int) -> None:
        """One client: go round the pages, from a page of its own, until the deadline."""
        nonlocal failures
        turn = number
        while time.monotonic() < deadline:
            page = pages[turn % len(pages)]
            turn += 1
            visitor = Visitor({settings.SESSION_COOKIE_NAME: page.cookie})
            started = time.perf_counter()
            try:
                status = visitor.get(server, page.path).status
            except OSError:
                with lock:
                    failures += 1
                continue
            with lock:
                latencies.append(time.perf_counter() - started)
                statuses[status] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if not latencies:
        raise RuntimeError("no request was answered")
    return Load(
        requests=len(latencies) + failures,
        seconds=elapsed,
        errors=failures + sum(n for status, n in statuses.items() if status >= 400),
        redirects=sum(n for status, n in statuses.items() if 300 <= status < 400),
        p50_ms=percentile(latencies, 50) * 1000,
        p95_ms=percentile(latencies, 95) * 1000,
        p99_ms=percentile(latencies, 99) * 1000,
        max_ms=max(latencies) * 1000,
    )


@dataclass
class Writers:
    """Councils made for the two-server check, each with officers who can sign in."""

    councils: list
    people: list[tuple[str, object]]  # (username, council)
    password: str
    principle: int


@dataclass
class WriteRun:
    """What the officers sent to the two servers, and what the servers said."""

    requests: int = 0
    seconds: float = 0.0
    actions: list[str] = field(default_factory=list)  # titles of the actions accepted
    saves: dict[int, list[str]] = field(default_factory=dict)  # council pk: summaries saved
    conflicts: int = 0  # saves refused because another officer had saved since the form
    errors: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)  # dashboards not showing the saved stage


def writers_clear() -> None:
    """Remove the councils and people an earlier two-server check made, with their history."""
    from keepitlocal.models import Council, User

    # Their history goes with them (each change belongs to its council).
    Council.objects.filter(slug__startswith=WRITERS_PREFIX).delete()
    User.objects.filter(username__startswith=WRITERS_PREFIX).delete()


def writers_prepare(*, councils: int, officers: int, principle: int = 1) -> Writers:
    """Make ``councils`` councils with ``officers`` officers each, and progress on ``principle``."""
    from django.contrib.auth.hashers import make_password

    from keepitlocal.models import Council, Membership, User
    from principles.models import Principle, Stage
    from principles.services import principle_progress_update

    writers_clear()
    password = secrets.token_urlsafe(16)
    # Hashed once for everyone: each hash takes a good part of a second on purpose.
    hashed = make_password(password)
    made, people = [], []
    for n in range(1, councils + 1):
        council = Council.objects.create(
            name=f"Two servers check council {n}",
            slug=f"{WRITERS_PREFIX}-{n}",
            kind=Council.Kind.DISTRICT,
        )
        made.append(council)
        for m in range(1, officers + 1):
            user = User.objects.create(
                username=f"{WRITERS_PREFIX}-{n}-{m}",
                first_name="Officer",
                last_name=f"{n}.{m}",
                password=hashed,
            )
            Membership.objects.create(user=user, council=council, role=Membership.Role.OFFICER)
            people.append((user.username, council))
        principle_progress_update(
            council=council,
            principle=Principle.objects.get(number=principle),
            by=user,
            base_version=0,
            stage=Stage.NOT_STARTED,
            rag="",
            narrative="Before the two-server check",
            next_steps="",
        )
    return Writers(made, people, password, principle)


def write_through_both(servers: list[Server], writers: Writers, *, rounds: int) -> WriteRun:
    """Every officer at once: sign in on one server, then add actions and save progress.

    Each form is read from one server and sent to the other, so the session, the CSRF token
    and the record's version made on one must be good on the other. Progress is one record
    per council that all its officers save, so some saves are refused as edit conflicts:
    those are not errors, but must leave nothing behind.
    """
    from principles.models import Stage

    run = WriteRun(saves={council.pk: [] for council in writers.councils})
    lock = threading.Lock()
    stages = [Stage.DEVELOPING, Stage.ESTABLISHED, Stage.EMBEDDED]

    def error(message: str) -> None:
        """Record an error of the run: anything but an accepted write or an edit conflict."""
        with lock:
            run.errors.append(message)

    def send(visitor, server, path, fields=None) -> Answer | None:
        """GET (or POST ``fields``), counting the request; None, and an error, on a socket error."""
        try:
            if fields is None:
                return visitor.get(server, path)
            return visitor.post(server, path, fields)
        except OSError as exc:
            error(f"{path} on port {server.port}: {exc!r}")
            return None
        finally:
            with lock:
                run.requests += 1

    def officer(number: int, username: str, council) -> None:
        """One officer's thread: an exception is an error of the run, not a silent end."""
        try:
            work(number, username, council)
        except Exception as exc:  # recorded as an error of the run, which then fails
            error(f"{username}: {exc!r}")

    def work(number: int, username: str, council) -> None:
        """Sign in on one server, check the other knows the session, then write ``rounds`` times."""
        home, other = servers[number % 2], servers[(number + 1) % 2]
        at = f"/councils/{council.slug}"
        with lock:
            run.requests += 2
        visitor = sign_in(home, username, writers.password)
        answer = send(visitor, other, f"{at}/")
        if answer is None or answer.status != 200:
            error(f"{username} signed in on port {home.port}; port {other.port} did not know them")
            return
        detail_path = f"{at}/principles/{writers.principle}/"
        action_path = f"{detail_path}actions/add/"
        progress_path = f"{detail_path}progress/"

        def saved(answer: Answer | None) -> bool:
            """Whether the server accepted the write."""
            # A save goes on to the principle's page; the sign-in page would mean no session.
            return answer is not None and answer.status == 302 and answer.location == detail_path

        for turn in range(rounds):
            read_from, send_to = (home, other) if turn % 2 == 0 else (other, home)
            title = f"{username} action {turn}"
            form = send(visitor, read_from, action_path)
            if form is None or form.status != 200:
                error(f"{action_path} answered {form and form.status} on port {read_from.port}")
                continue
            answer = send(
                visitor,
                send_to,
                action_path,
                {
                    "csrfmiddlewaretoken": form_value(form.body, "csrfmiddlewaretoken"),
                    "version": form_value(form.body, "version"),
                    "title": title,
                    "status": "not_started",
                },
            )
            if saved(answer):
                with lock:
                    run.actions.append(title)
            elif answer is not None:
                error(
                    f"adding {title!r} answered {answer.status} {answer.location} "
                    f"on port {send_to.port}"
                )

            summary = f"{username} save {turn}"
            form = send(visitor, read_from, progress_path)
            if form is None or form.status != 200:
                error(f"{progress_path} answered {form and form.status} on port {read_from.port}")
                continue
            answer = send(
                visitor,
                send_to,
                progress_path,
                {
                    "csrfmiddlewaretoken": form_value(form.body, "csrfmiddlewaretoken"),
                    "version": form_value(form.body, "version"),
                    "stage": stages[turn % len(stages)],
                    "rag": "green",
                    "narrative": summary,
                    "next_steps": "",
                },
            )
            if saved(answer):
                with lock:
                    run.saves[council.pk].append(summary)
            elif answer is not None and answer.status == 200 and CONFLICT in answer.body:
                with lock:
                    run.conflicts += 1
            elif answer is not None:
                error(
                    f"saving {summary!r} answered {answer.status} {answer.location} "
                    f"on port {send_to.port}"
                )

    threads = [
        threading.Thread(target=officer, args=(number, username, council))
        for number, (username, council) in enumerate(writers.people)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.seconds = time.perf_counter() - started
    run.stale = _dashboards_behind(servers, writers)
    return run


def _dashboards_behind(servers: list[Server], writers: Writers) -> list[str]:
    """Where a server's council dashboard (cached per process) does not show the saved stage."""
    from django.conf import settings
    from django.utils.html import escape

    from principles.models import PrincipleProgress

    stale = []
    for council in writers.councils:
        progress = PrincipleProgress.objects.select_related("principle").get(
            council=council, principle__number=writers.principle
        )
        title = escape(progress.principle.title)
        row = re.escape(f"{progress.principle.number}. {title}</a></th>")
        cell = re.compile(row + r'\s*<td class="govuk-table__cell">([^<]*)</td>')
        people = [username for username, of in writers.people if of.pk == council.pk]
        visitor = Visitor()
        visitor.cookies[settings.SESSION_COOKIE_NAME] = _session_of(people[0])
        for server in servers:
            # Each of the server's workers has a cache of its own: ask more often than there
            # are workers, so every worker is likely to answer once.
            for _ in range(4):
                found = cell.search(visitor.get(server, f"/councils/{council.slug}/").body)
                shown = found.group(1).strip() if found else "no stage"
                if shown != progress.get_stage_display():
                    stale.append(f"{council.slug} on port {server.port} showed {shown!r}")
    return stale


def _session_of(username: str) -> str:
    """A fresh session of the person called ``username``."""
    from keepitlocal.models import User

    return session_cookie(User.objects.get(username=username))


def check_writes(writers: Writers, run: WriteRun) -> list[str]:
    """What the database holds against the writes the servers accepted: empty when they agree."""
    from keepitlocal.models import RecordChange
    from principles.models import Action, PrincipleProgress

    problems = []
    held = Counter(
        Action.objects.filter(council__in=writers.councils).values_list("title", flat=True)
    )
    accepted = Counter(run.actions)
    if missing := accepted - held:
        problems.append(f"{sum(missing.values())} accepted actions are missing")
    if extra := held - accepted:
        problems.append(f"{sum(extra.values())} actions are extra or duplicated")
    for council in writers.councils:
        progress = PrincipleProgress.objects.get(
            council=council, principle__number=writers.principle
        )
        saves = run.saves[council.pk]
        history = list(
            RecordChange.objects.filter(
                record_type="principles.principleprogress", record_id=progress.pk, version__gt=1
            ).values_list("version", "values__narrative")
        )
        if progress.version != 1 + len(saves):
            problems.append(
                f"{council.slug}: progress is at version {progress.version} "
                f"after {len(saves)} accepted saves"
            )
        if sorted(version for version, _ in history) != list(range(2, 2 + len(saves))):
            problems.append(f"{council.slug}: the history's versions are not one per save")
        if Counter(narrative for _, narrative in history) != Counter(saves):
            problems.append(f"{council.slug}: the history does not hold each accepted save once")
        if saves and progress.narrative not in saves:
            problems.append(f"{council.slug}: the saved summary is none of the accepted ones")
    return problems
