"""Analysis in other processes (bulk ingest): real spaCy in real spawned processes, the same
analyses as the parent's, and nothing lost when a process dies."""

from __future__ import annotations

import dataclasses
import os
import signal
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

import pytest

from checker.analyse import Analyser, load_analyser
from checker.analyse.processes import MIN_SHARED_BATCH, AnalysisProcesses
from checker.errors import InvalidInput
from checker.ingest import discover, read_file
from checker.segment import segment
from checker.service import Checker
from checker.types import Analysis, Document
from tests.conftest import SEEDS, WITHDRAWAL_SENTENCE

LocalAnalysis = Callable[[Sequence[str], Sequence[str | None]], Future[list[Analysis]]]


@pytest.fixture(scope="module")
def analyser() -> Analyser:
    return load_analyser()


@pytest.fixture(scope="module")
def seed_documents() -> list[Document]:
    found = [item for path in discover([SEEDS]) for item in read_file(path, 1_000_000)]
    return [item for item in found if isinstance(item, Document)]


@pytest.fixture(scope="module")
def texts_and_dates(seed_documents: list[Document]) -> tuple[list[str], list[str | None]]:
    """The seeds' sentences twice, the second time dated a week later: enough to be shared
    out, with relative dates that resolve differently."""
    texts = [s.text for document in seed_documents for s in segment(document)]
    texts = texts + texts
    dates: list[str | None] = ["2023-09-20"] * (len(texts) // 2) + ["2023-09-27"] * (
        len(texts) - len(texts) // 2
    )
    assert len(texts) >= MIN_SHARED_BATCH
    return texts, dates


@pytest.fixture
def local(analyser: Analyser) -> Callable[[], LocalAnalysis]:
    pool = ThreadPoolExecutor(1)

    def submit(texts: Sequence[str], dates: Sequence[str | None]) -> Future[list[Analysis]]:
        return pool.submit(analyser.analyse, texts, dates)

    yield lambda: submit
    pool.shutdown()


def test_a_process_gives_the_analyses_the_parent_would(
    analyser: Analyser,
    local: Callable[[], LocalAnalysis],
    texts_and_dates: tuple[list[str], list[str | None]],
) -> None:
    texts, dates = texts_and_dates
    processes = AnalysisProcesses(1)
    try:
        shared = processes.analyse_beside(analyser, local(), texts, dates)()
        assert processes.started  # a process did take a share
        assert shared == analyser.analyse(texts, dates)
    finally:
        processes.close()


def test_a_small_batch_starts_no_process(
    analyser: Analyser, local: Callable[[], LocalAnalysis]
) -> None:
    processes = AnalysisProcesses(1)
    analyses = processes.analyse_beside(analyser, local(), [WITHDRAWAL_SENTENCE], [None])()
    assert not processes.started
    assert analyses == analyser.analyse([WITHDRAWAL_SENTENCE])
    processes.close()


def test_a_process_that_dies_loses_nothing(
    analyser: Analyser,
    local: Callable[[], LocalAnalysis],
    texts_and_dates: tuple[list[str], list[str | None]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Killed between batches (out of memory, an operator): the next batch is analysed in the
    parent, whole and in order, and no process is used again."""
    texts, dates = texts_and_dates
    expected = analyser.analyse(texts, dates)
    processes = AnalysisProcesses(1)
    try:
        assert processes.analyse_beside(analyser, local(), texts, dates)() == expected
        [pid] = processes.started
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        assert processes.analyse_beside(analyser, local(), texts, dates)() == expected
        assert processes.processes == 0 and not processes.started
        assert "analysed in this process" in caplog.text  # an operator is told
    finally:
        processes.close()


def test_ingest_shares_a_large_batch_and_stores_every_analysis(
    make_checker: Callable[..., Checker], seed_documents: list[Document]
) -> None:
    copies = [
        dataclasses.replace(document, id=f"{document.id}-copy{n}")
        for n in range(3)
        for document in seed_documents
    ]
    checker = make_checker(analysis_processes=1)
    summary = checker.ingest(copies)
    assert len(summary.added) == len(copies) and summary.sentences >= MIN_SHARED_BATCH
    assert checker._analysis_processes.started
    assert checker.store.unanalysed_count() == 0


def test_a_negative_process_count_is_refused(make_checker: Callable[..., Checker]) -> None:
    with pytest.raises(InvalidInput, match="CHECKER_ANALYSIS_PROCESSES must be 0 or more"):
        make_checker(analysis_processes=-1)
