"""Reproducible measurements of the checker: `python -m bench.quality` (and, later, `bench.speed`).

Benchmarks read public data from `../shared/` beside the repository; nothing here is shipped in
the package, and nothing here is a test: numbers are reported, never asserted.
"""
