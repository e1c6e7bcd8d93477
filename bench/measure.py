"""Timing and memory measurements shared by the benchmarks."""

import multiprocessing
import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

# Targets a benchmark holds the command to (``fail``): `python -m bench` exits non-zero when
# any is missed, after printing or writing the report, so the figures are there to read.
failures: list[str] = []


@dataclass(frozen=True)
class Timing:
    """Wall-clock samples of one operation, in seconds."""

    samples: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        return percentile(self.samples, 95)

    @property
    def spread(self) -> str:
        return f"{ms(min(self.samples))}–{ms(max(self.samples))}"


def percentile(samples, pct: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        raise ValueError("no samples")
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def time_it(fn: Callable[[], object], *, repeat: int, warmup: int = 1) -> Timing:
    """Run ``fn`` ``warmup`` times untimed, then ``repeat`` times timed."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return Timing(tuple(samples))


def _child(fn, conn) -> None:
    try:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        fn()
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        conn.send((before / 1024, after / 1024, None))
    except Exception as exc:  # reported to the parent, which raises it
        conn.send((0, 0, repr(exc)))
    finally:
        conn.close()


def peak_rss_mb(fn: Callable[[], object]) -> float:
    """The peak resident memory (MB) of a fresh process that runs ``fn`` once.

    The process is forked from this one, so the figure includes the
    interpreter, Django and whatever was already imported: it is the memory a
    worker doing this job needs, not only the job's own allocations.
    """
    from django.db import connections

    # Closed before forking, so parent and child never share a database socket.
    connections.close_all()
    parent, child = multiprocessing.get_context("fork").Pipe()
    process = multiprocessing.get_context("fork").Process(target=_child, args=(fn, child))
    process.start()
    _, after, error = parent.recv()
    process.join()
    if error:
        raise RuntimeError(f"benchmark failed in the child process: {error}")
    return after


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def fail(reason: str) -> None:
    """Record a target the run must not pass without: `python -m bench` then exits with 1."""
    failures.append(reason)
