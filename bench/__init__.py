"""Benchmarks behind docs/PERFORMANCE.md. Run them all with ``make bench``."""
