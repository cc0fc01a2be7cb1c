"""The Checker end to end on the seeds: real model, real FAISS and SQLite under tmp_path."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from checker import service
from checker.analyse import Analyser, load_analyser
from checker.embed import Embedder
from checker.errors import InvalidInput
from checker.ingest import Problem, read_file
from checker.judge import align
from checker.judge.gate import Bar, Gate, GateSettings
from checker.service import Checker, CheckFilters
from checker.service.base import WARM_UP_PAIR
from checker.settings import Settings
from checker.types import Document, Verdict
from tests.conftest import (
    NO_FORCES,
    SEED_000,
    SEED_001,
    SEEDS,
    WITHDRAWAL,
    CountingJudge,
    ingest_paths,
)

CLAIM = "Armenian forces are present in Karabakh"


def seed(name: str) -> Document:
    (document,) = read_file(SEEDS / f"{name}.txt", 2_000_000)
    assert isinstance(document, Document)
    return document


def sentence_texts(checker: Checker, document_id: str) -> list[str]:
    hits, _ = checker.store.document_vectors(document_id)
    return [hit.sentence.text for hit in hits]


def test_the_armenian_forces_pair_is_the_top_discrepancy(seeded: Checker) -> None:
    summary = seeded.scan()
    assert summary.documents == 2 and summary.new_findings >= 1
    findings, total = seeded.findings(order="confident")
    top = findings[0]
    assert {top.a.document.id, top.b.document.id} == {SEED_000, SEED_001}
    assert WITHDRAWAL in top.a.sentence.text
    assert NO_FORCES in top.b.sentence.text
    assert top.judgement.verdict is Verdict.CONTRADICTS
    assert total == len(findings)


def test_checking_the_claim_sorts_both_seeds_the_right_way(seeded: Checker) -> None:
    result = seeded.check(CLAIM)
    contradicting = [p.hit for p in result.contradicting]
    supporting = [p.hit for p in result.supporting]
    assert any(h.document.id == SEED_001 and NO_FORCES in h.sentence.text for h in contradicting)
    assert any(h.document.id == SEED_000 and WITHDRAWAL in h.sentence.text for h in supporting)
    for passage in result.contradicting + result.supporting:
        assert passage.judgement.reasons, "every verdict says why"
        assert 0.0 <= passage.judgement.confidence <= 1.0


class _ThreadRecordingAnalyser:
    """The real analyser, recording which thread analysed which texts."""

    def __init__(self, inner: Analyser) -> None:
        self.inner = inner
        self.calls: list[tuple[str, list[str]]] = []

    def analyse(self, texts: Sequence[str], published: Sequence[str | None] | None = None) -> Any:
        self.calls.append((threading.current_thread().name, list(texts)))
        return self.inner.analyse(texts, published)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_a_checks_claim_is_parsed_beside_its_embedding_and_search(
    tmp_path: Path, embedder: Embedder
) -> None:
    """The claim's spaCy parse runs in the checker's claim thread while the calling thread
    embeds and searches, and its analysis is the one the judges use: the seeds still sort
    the right way, through `check` and through `check_indexes`, and when the claim thread is
    taken by another check."""
    recording = _ThreadRecordingAnalyser(load_analyser())
    checker = Checker.from_settings(
        Settings(index=tmp_path / "index"),
        embedder=embedder,
        analyser=recording,  # type: ignore[arg-type]
    )
    try:
        ingest_paths(checker, SEEDS)
        for result in (checker.check(CLAIM), checker.check_indexes({"seeds": checker}, CLAIM)):
            assert any(NO_FORCES in p.hit.sentence.text for p in result.contradicting)
        parsed_on = [thread for thread, texts in recording.calls if texts == [CLAIM]]
        assert len(parsed_on) == 2
        assert all(thread.startswith("checker-claim") for thread in parsed_on)
        assert threading.current_thread().name not in parsed_on
        # Another check holds the claim thread: this one parses its claim itself, first.
        assert checker._claim_worker_free.acquire(blocking=False)
        try:
            busy = checker.check(CLAIM)
        finally:
            checker._claim_worker_free.release()
        assert any(NO_FORCES in p.hit.sentence.text for p in busy.contradicting)
        assert recording.calls[-1] == (threading.current_thread().name, [CLAIM])
    finally:
        checker.close()
    # A check on a closed checker fails, and does not leave the claim thread's slot taken.
    with pytest.raises(RuntimeError, match="shutdown"):
        checker.check(CLAIM)
    assert checker._claim_worker_free.acquire(blocking=False)


def test_passages_point_back_into_their_document(seeded: Checker) -> None:
    result = seeded.check(CLAIM, k=10)
    for passage in result.contradicting + result.supporting + result.related:
        document = seeded.store.document(passage.hit.document.id)
        sentence = passage.hit.sentence
        assert document.text[sentence.start : sentence.end] == sentence.text


def test_page_furniture_of_the_scraped_seed_is_not_indexed(seeded: Checker) -> None:
    texts = sentence_texts(seeded, SEED_001)
    assert not any(t.startswith("•") or t.startswith("Image:") or t == "Home" for t in texts)
    headline = "Separatists in Karabakh Accept Azerbaijan’s Ceasefire\xa0Terms"
    assert headline not in texts
    assert "20 September 2023" not in texts


def test_reingesting_unchanged_documents_is_a_no_op(seeded: Checker) -> None:
    before = seeded.store.counts()
    summary = ingest_paths(seeded, SEEDS)
    assert summary.unchanged == [SEED_000, SEED_001]
    assert summary.added == summary.replaced == []
    assert seeded.store.counts() == before


def test_a_changed_document_replaces_the_old_version(seeded: Checker) -> None:
    seeded.scan()
    original = seed(SEED_001)
    corrected = replace(original, text=original.text.replace("there are no", "there are some"))
    summary = seeded.ingest([corrected])
    assert summary.replaced == [SEED_001]
    texts = sentence_texts(seeded, SEED_001)
    assert not any(NO_FORCES in t for t in texts)
    assert any("there are some Armenian armed forces" in t for t in texts)
    # The old contradiction went with the old sentences; the document awaits a new scan.
    findings, _ = seeded.findings()
    assert not any(NO_FORCES in f.b.sentence.text for f in findings)
    assert seeded.store.pending_documents() == [SEED_001]


def test_delete_retracts_a_document_and_its_findings(seeded: Checker) -> None:
    seeded.scan()
    assert seeded.delete(SEED_001)
    assert not seeded.delete(SEED_001)
    assert seeded.store.counts()["findings"] == 0
    result = seeded.check(CLAIM)
    every = result.supporting + result.contradicting + result.related
    assert every and all(p.hit.document.id == SEED_000 for p in every)


def test_the_scan_is_incremental(seeded: Checker) -> None:
    first = seeded.scan()
    again = seeded.scan()
    assert again.documents == 0 and again.pairs == 0 and again.new_findings == 0
    assert seeded.store.counts()["findings"] == first.new_findings


def test_a_scan_in_many_batches_judges_each_pair_once_and_reports_progress(
    make_checker: Callable[..., Checker], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole, batched = (make_checker(index=tmp_path / name) for name in ("whole", "batched"))
    # A gate whose floor lets every pair reach the judge (by default the judge reads only the
    # few pairs that share enough for a reason to stand), so that the judge sees each pair.
    no_floor = replace(GateSettings(), support=Bar(0.0, 0))
    for checker in (whole, batched):
        ingest_paths(checker, SEEDS)
        checker.judge = CountingJudge(checker.judge)
        checker.gate = Gate(checker.gate.min_confidence, no_floor)
    expected = whole.scan()
    # A few sentences per search: each cross-document pair is found from both of its sides,
    # in different batches.
    monkeypatch.setattr(service, "SCAN_SEARCH_SENTENCES", 5)
    progress: list[tuple[int, int]] = []
    judge = batched.judge
    assert isinstance(judge, CountingJudge)
    summary = batched.scan(progress=lambda done: progress.append((done, len(judge.pairs))))
    assert (summary.pairs, summary.new_findings) == (expected.pairs, expected.new_findings)
    assert len(judge.pairs) == len(set(judge.pairs)) == summary.pairs
    assert sum(done for done, _ in progress) == 2
    assert progress[-1][1] == summary.pairs  # progress comes after the judging, not before


def test_a_check_without_filters_searches_for_only_k_and_finds_the_same(seeded: Checker) -> None:
    """No filter set: the search fetches k hits, not four times as many to filter; a filter
    that lets every sentence through finds the same passages, in the same order."""
    assert CheckFilters().acceptor is None
    assert CheckFilters(sources=("Wire",)).acceptor is not None
    assert CheckFilters(published_before="2030-01-01").acceptor is not None
    everyone = CheckFilters(exclude_document="no-such-document")
    for k in (3, 10):
        found = [
            [p.hit.sentence.id for p in r.supporting + r.contradicting + r.related + r.changed]
            for r in (seeded.check(CLAIM, k=k), seeded.check(CLAIM, k=k, filters=everyone))
        ]
        assert found[0] == found[1] and len(found[0]) == k


def test_check_filters(seeded: Checker) -> None:
    def ids(filters: CheckFilters) -> set[str]:
        result = seeded.check(CLAIM, filters=filters)
        return {
            p.hit.document.id for p in result.supporting + result.contradicting + result.related
        }

    wire_text = "Armenian forces remain in Karabakh, the wire service said."
    wire = Document(id="wire", text=wire_text, source="Wire", body=((0, len(wire_text)),))
    seeded.ingest([wire])
    assert ids(CheckFilters(exclude_document=SEED_001)) == {SEED_000, "wire"}
    assert ids(CheckFilters(sources=("Wire",))) == {"wire"}
    published = seeded.store.document(SEED_001).published
    assert published is not None
    assert SEED_001 in ids(CheckFilters(published_after=published[:10]))
    assert ids(CheckFilters(published_before="2000-01-01")) == set()
    with pytest.raises(InvalidInput, match="published_after"):
        CheckFilters(published_after="last tuesday")


@pytest.mark.parametrize(
    ("claim", "k", "message"),
    [
        ("", None, "non-empty"),
        ("   ", None, "non-empty"),
        ("x" * 2001, None, "limit is 2000"),
        (CLAIM, 0, "k must be"),
        (CLAIM, 101, "k must be"),
        (CLAIM, True, "k must be"),
        ("Armenian forces \udcff are present", None, "not Unicode text"),  # bytes from argv
    ],
)
def test_bad_claims_are_refused(seeded: Checker, claim: str, k: int | None, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        seeded.check(claim, k)


def test_an_interrupted_ingest_keeps_what_was_committed(
    make_checker: Callable[..., Checker],
) -> None:
    checker = make_checker()
    documents = [
        Document(id=f"doc-{n}", text=f"Report number {n} says the bridge reopened on Monday.")
        for n in range(300)
    ]
    documents = [replace(d, body=((0, len(d.text)),)) for d in documents]

    def interrupted() -> Iterator[Document | Problem]:
        for n, document in enumerate(documents):
            if n == 280:
                raise KeyboardInterrupt  # the operator presses Ctrl-C mid-ingest
            yield document

    with pytest.raises(KeyboardInterrupt):
        checker.ingest(interrupted())
    checker.close()

    reopened = make_checker()
    stored = reopened.store.counts()
    assert 0 < stored["documents"] < 280  # whole batches landed, the one in flight did not
    assert stored["sentences"] == stored["documents"]
    result = reopened.check("Which bridge reopened?", k=5)
    assert len(result.supporting + result.contradicting + result.related) == 5
    summary = reopened.ingest(documents)
    assert len(summary.unchanged) == stored["documents"]
    assert reopened.store.counts()["documents"] == 300


def test_problems_are_collected_and_the_rest_is_ingested(
    make_checker: Callable[..., Checker],
) -> None:
    checker = make_checker()
    good = Document(id="good", text="The council approved the budget.", body=((0, 31),))
    furniture_only = Document(id="empty", text="• — •", body=((0, 5),))
    summary = checker.ingest([Problem("bad.jsonl:3", "not valid JSON"), good, furniture_only])
    assert summary.added == ["good"]
    assert [p.origin for p in summary.problems] == ["bad.jsonl:3", "empty"]


def test_two_inputs_with_the_same_id_in_one_ingest_keep_the_first(
    make_checker: Callable[..., Checker],
) -> None:
    checker = make_checker()
    first = Document(id="report", text="The dam is full.", body=((0, 16),))
    second = Document(id="report", text="The dam is empty.", body=((0, 17),))
    summary = checker.ingest([first, second])
    assert summary.added == ["report"]
    assert [p.origin for p in summary.problems] == ["report"]
    assert "same document id" in summary.problems[0].message
    assert checker.store.document("report").text == "The dam is full."


def test_a_corrected_seed_lists_its_contradiction_as_resolved(seeded: Checker) -> None:
    seeded.scan()
    original = seed(SEED_001)
    corrected = replace(original, text=original.text.replace("there are no", "there are some"))
    seeded.ingest([corrected])
    seeded.scan()
    (item,) = [r for r in seeded.resolved() if NO_FORCES in r.finding.b.sentence.text]
    assert item.resolution == "document corrected" and item.document_id == SEED_001
    assert WITHDRAWAL in item.finding.a.sentence.text
    assert item.finding.b.document.title == original.title


def test_a_correction_elsewhere_leaves_the_contradiction_unresolved(seeded: Checker) -> None:
    seeded.scan()
    original = seed(SEED_001)
    seeded.ingest([replace(original, title="Separatists accept the terms (updated)")])
    assert seeded.resolved()  # until the next scan finds the pair again
    seeded.scan()
    assert seeded.resolved() == []
    findings, _ = seeded.findings(order="confident")
    assert NO_FORCES in findings[0].b.sentence.text


def test_scans_are_kept_for_the_chart_and_deletions_resolve(seeded: Checker) -> None:
    summary = seeded.scan()
    seeded.scan()
    first, second = seeded.scan_history()
    assert first.findings == summary.new_findings and second.findings == 0
    assert first.by_outlet == {"": summary.new_findings}  # the seeds name no source or URL
    findings, _ = seeded.findings()
    assert seeded.finding(findings[0].id) == findings[0]
    seeded.delete(SEED_000)
    assert [r.resolution for r in seeded.resolved()] == ["document deleted"] * len(findings)


# Three court reports written for this test: two of one Perth case (six / four years) and one
# of a Bali drugs appeal whose sentence has the same template ("The man was sentenced to
# nine years in prison").
_COURT_REPORTS = {
    "bali": (
        "A Queensland man caught with heroin at Denpasar airport has lost his appeal in Bali. "
        "The man was sentenced to nine years in prison. His family said they would ask the "
        "Indonesian president for clemency. Customs officers found the drugs strapped to his "
        "legs in 2005. Two other Australians arrested with him are still awaiting their appeals."
    ),
    "perth": (
        "A Perth council worker who stole rates payments has been jailed. The man was sentenced "
        "to six years in prison. Auditors found more than $400,000 missing from the front "
        "counter over four years. The council has since changed how cash is handled. "
        "Ratepayers will not have to pay again, the mayor said."
    ),
    "perth-again": (
        "A former Perth council worker has been jailed for stealing ratepayers' money. The man "
        "was sentenced to four years in prison. More than $400,000 went missing from the "
        "council's front counter over four years. The mayor said ratepayers would not be asked "
        "to pay twice."
    ),
}


@pytest.mark.parametrize(("floor", "expected"), [(0.0, 3), (None, 1)])
def test_the_scan_compares_sentences_of_one_story_only(
    make_checker: Callable[..., Checker], floor: float | None, expected: int
) -> None:
    """Sentences of unrelated stories that share a template are not judged at all; the
    same template in two reports of one case still is."""
    overrides = {} if floor is None else {"scan_min_story_similarity": floor}
    checker = make_checker(**overrides)
    checker.ingest(Document(id=name, text=text) for name, text in _COURT_REPORTS.items())
    stories = service.Stories(checker.store)
    assert stories.similarity("perth", "perth-again") >= checker.settings.scan_min_story_similarity
    assert stories.similarity("bali", "perth") < Settings().scan_min_story_similarity
    checker.scan()
    findings, _ = checker.findings()
    pairs = {frozenset((f.a.document.id, f.b.document.id)) for f in findings}
    assert len(pairs) == expected
    assert frozenset(("perth", "perth-again")) in pairs


class _RecordingEmbedder:
    """An Embedder that embeds with the real model and records what it was asked."""

    def __init__(self, inner: Embedder) -> None:
        self.inner, self.name, self.dimension = inner, inner.name, inner.dimension
        self.texts: list[str] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.texts.extend(texts)
        return self.inner.encode(texts)


def test_warm_up_reads_a_pair_with_the_rules_and_the_model(
    tmp_path: Path, embedder: Embedder
) -> None:
    """What loads on first use is loaded before a first check: the embedder has run once,
    the date rule has parsed a month name (dateparser), alignment has compared km with miles
    (pint), the NLI model has read the pair; it counts as no check."""
    recording = _RecordingEmbedder(embedder)
    checker = Checker.from_settings(Settings(index=tmp_path / "index"), embedder=recording)
    align._unit.cache_clear()  # units made by a registry go with it
    align._units.cache_clear()
    judgement = checker.warm_up()
    assert recording.texts == [WARM_UP_PAIR[0]]
    assert judgement.verdict is Verdict.CONTRADICTS
    assert {"date", "nli"} <= {r.kind for r in (*judgement.reasons, *judgement.dissent)}
    assert checker.model_reads.judged == 0
    assert align._units.cache_info().currsize == 1  # pint's registry, made by the two units
