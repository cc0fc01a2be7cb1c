"""Fact-discrepancy checker: finds sentences in different news reports that disagree.

The package is laid out along the data flow (see README "Architecture"):
ingest -> segment -> embed -> store, then claim -> search -> judge -> verdict -> report.
Nothing heavy happens at import time; `checker.service.Checker.from_settings()` is the one
place that loads models and opens an index.
"""

from __future__ import annotations

__version__ = "0.1.0"
