"""The store on its own: real SQLite and FAISS under tmp_path, with synthetic unit vectors."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from checker.errors import IndexMismatch, IndexUnavailable
from checker.lru import LeastRecentlyUsed
from checker.store import DATABASE_NAME, VECTORS_NAME, Store
from checker.store.manifest import MANIFEST_NAME
from checker.types import Document, Hit, Judgement, Reason, Sentence, Verdict

DIM = 8
MODEL = "test-model"


def unit(seed: int) -> np.ndarray:
    vector = np.random.default_rng(seed).normal(size=DIM).astype(np.float32)
    return vector / np.linalg.norm(vector)


def doc(
    doc_id: str, sentences: list[str], seed: int
) -> tuple[Document, list[Sentence], np.ndarray]:
    text = " ".join(sentences)
    rows, cursor = [], 0
    for n, sentence in enumerate(sentences):
        rows.append(Sentence(f"{doc_id}#{n}", doc_id, n, cursor, cursor + len(sentence), sentence))
        cursor += len(sentence) + 1
    document = Document(id=doc_id, text=text, title=f"Title {doc_id}", body=((0, len(text)),))
    vectors = np.stack([unit(seed * 100 + n) for n in range(len(sentences))])
    return document, rows, vectors


def open_store(directory: Path, **kwargs: object) -> Store:
    return Store.open(directory, MODEL, DIM, **kwargs)  # type: ignore[arg-type]


def put(store: Store, *docs: tuple[Document, list[Sentence], np.ndarray]) -> None:
    with store.writing() as writer:
        for document, sentences, vectors in docs:
            writer.put_document(document, sentences, vectors)
    store.flush()


def nearest_ids(store: Store, vector: np.ndarray, k: int = 3) -> list[str]:
    return [hit.sentence.id for hit in store.search(vector[None, :], k)[0]]


def test_a_new_index_describes_itself(tmp_path: Path) -> None:
    store = open_store(tmp_path / "idx")
    put(store, doc("a", ["One.", "Two."], 1))
    manifest = json.loads((tmp_path / "idx" / MANIFEST_NAME).read_text())
    assert manifest["embedding_model"] == MODEL
    assert manifest["dimension"] == DIM
    assert manifest["normalized"] is True
    assert manifest["faiss_factory"] == "IDMap2,Flat"
    assert manifest["documents"] == 1 and manifest["sentences"] == 2
    assert manifest["package_version"] and manifest["generation"] >= 1


def test_search_returns_the_exact_sentence_with_its_document(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    put(store, doc("a", ["Alpha one.", "Alpha two."], 1), doc("b", ["Beta one."], 2))
    hits = store.search(unit(200)[None, :], 2)[0]
    assert hits[0].sentence.id == "b#0"
    assert hits[0].document.title == "Title b"
    assert hits[0].similarity == pytest.approx(1.0, abs=1e-5)


def test_search_filter_looks_further_when_the_nearest_are_rejected(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    put(store, doc("a", [f"A{n}." for n in range(20)], 1), doc("b", ["B."], 2))
    hits = store.search(unit(100)[None, :], 1, accept=lambda h: h.document.id == "b")[0]
    assert [h.sentence.id for h in hits] == ["b#0"]


def test_a_search_cache_serves_hits_already_read_at_each_search_s_similarity(
    tmp_path: Path,
) -> None:
    store = open_store(tmp_path)
    put(store, doc("a", ["Alpha one.", "Alpha two."], 1), doc("b", ["Beta one.", "Beta two."], 2))
    cache: LeastRecentlyUsed[int, Hit] = LeastRecentlyUsed(3)
    first = store.search(unit(200)[None, :], 4, cache=cache)[0]
    assert len(cache) == 3  # four hits read, the size kept
    again = store.search(unit(100)[None, :], 4, cache=cache)[0]
    plain = store.search(unit(100)[None, :], 4)[0]
    assert [(h.sentence.id, h.similarity) for h in again] == [
        (h.sentence.id, h.similarity) for h in plain
    ]
    read_before = {h.sentence.id: h.sentence for h in first}
    served = [h for h in again if h.sentence is read_before.get(h.sentence.id)]
    assert len(served) == 3  # the same objects: not read from SQLite again


def test_opening_with_another_model_is_refused(tmp_path: Path) -> None:
    put(open_store(tmp_path), doc("a", ["One."], 1))
    with pytest.raises(IndexMismatch, match="test-model"):
        Store.open(tmp_path, "another-model", DIM)
    with pytest.raises(IndexMismatch):
        Store.open(tmp_path, MODEL, DIM * 2)


def test_a_missing_index_is_not_created_when_asked_not_to(tmp_path: Path) -> None:
    with pytest.raises(IndexUnavailable, match="checker ingest"):
        open_store(tmp_path / "nowhere", create=False)
    assert not (tmp_path / "nowhere").exists()


def test_a_corrupt_manifest_is_a_clear_error(tmp_path: Path) -> None:
    put(open_store(tmp_path), doc("a", ["One."], 1))
    (tmp_path / MANIFEST_NAME).write_text("{not json")
    with pytest.raises(IndexUnavailable, match="corrupt"):
        open_store(tmp_path)


def test_a_database_without_manifest_is_not_silently_reused(tmp_path: Path) -> None:
    put(open_store(tmp_path), doc("a", ["One."], 1))
    (tmp_path / MANIFEST_NAME).unlink()
    with pytest.raises(IndexUnavailable, match="no manifest"):
        open_store(tmp_path)
    assert (tmp_path / DATABASE_NAME).exists()


def test_replacing_a_document_drops_its_old_vectors(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    put(store, doc("a", ["Old one.", "Old two."], 1))
    put(store, doc("a", ["New one."], 5))
    assert store.counts()["sentences"] == 1
    assert nearest_ids(store, unit(100), k=5) == ["a#0"]
    assert store.search(unit(100)[None, :], 5)[0][0].sentence.text == "New one."


def test_delete_removes_rows_vectors_and_findings(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    put(store, doc("a", ["A."], 1), doc("b", ["B."], 2))
    a, b = store.search(unit(100)[None, :], 2)[0]
    judgement = Judgement(
        Verdict.CONTRADICTS, 0.9, (Reason("test", Verdict.CONTRADICTS, 0.9, "x"),)
    )
    with store.writing() as writer:
        assert writer.add_finding(a, b, 0.5, judgement)
        assert not writer.add_finding(a, b, 0.5, judgement)  # a pair is recorded once
    assert store.counts()["findings"] == 1
    with store.writing() as writer:
        assert writer.delete_document("b")
        assert not writer.delete_document("b")
    store.flush()
    assert store.counts() == {"documents": 1, "sentences": 1, "findings": 0}
    assert nearest_ids(store, unit(200), k=5) == ["a#0"]


def test_a_write_without_vectors_keeps_the_faiss_file_and_stays_consistent(
    tmp_path: Path,
) -> None:
    """A scan stores findings, not vectors: the manifest moves on, the FAISS file is kept."""
    store = open_store(tmp_path)
    put(store, doc("a", ["A."], 1), doc("b", ["B."], 2))
    vectors = tmp_path / VECTORS_NAME
    before = (vectors.stat().st_ino, vectors.stat().st_mtime_ns, vectors.read_bytes())
    generation = json.loads((tmp_path / MANIFEST_NAME).read_text())["generation"]
    a, b = store.search(unit(100)[None, :], 2)[0]
    judgement = Judgement(Verdict.CONTRADICTS, 0.9, (Reason("t", Verdict.CONTRADICTS, 0.9, "x"),))
    with store.writing() as writer:
        writer.add_finding(a, b, 0.5, judgement)
    store.flush()
    after = (vectors.stat().st_ino, vectors.stat().st_mtime_ns, vectors.read_bytes())
    assert after == before
    manifest = json.loads((tmp_path / MANIFEST_NAME).read_text())
    assert manifest["generation"] > generation and manifest["findings"] == 1
    store.close()
    # Reopened, the manifest and the kept file agree with SQLite: no rebuild, same answers.
    reopened = open_store(tmp_path)
    assert (vectors.stat().st_ino, vectors.read_bytes()) == (before[0], before[2])
    assert nearest_ids(reopened, unit(100), k=1) == ["a#0"]
    # and a write that does change vectors saves them again
    put(reopened, doc("c", ["C."], 3))
    assert vectors.stat().st_ino != before[0]
    assert nearest_ids(open_store(tmp_path), unit(300), k=1) == ["c#0"]


def test_a_failed_write_changes_nothing(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    put(store, doc("a", ["A."], 1))
    with pytest.raises(RuntimeError), store.writing() as writer:
        writer.put_document(*doc("b", ["B."], 2))
        writer.delete_document("a")
        raise RuntimeError("crash in the middle of a batch")
    assert store.counts()["documents"] == 1
    assert nearest_ids(store, unit(200), k=5) == ["a#0"]


def test_a_crash_before_flush_is_repaired_from_sqlite(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    put(store, doc("a", ["A."], 1))
    with store.writing() as writer:  # committed, but the process "dies" before flush()
        writer.put_document(*doc("b", ["B."], 2))
    store.close()
    manifest = json.loads((tmp_path / MANIFEST_NAME).read_text())
    assert manifest["documents"] == 1  # the saved files are one write behind

    reopened = open_store(tmp_path)
    assert nearest_ids(reopened, unit(200), k=1) == ["b#0"]
    manifest = json.loads((tmp_path / MANIFEST_NAME).read_text())
    assert manifest["documents"] == 2 and manifest["sentences"] == 2


def test_a_lost_faiss_file_is_rebuilt(tmp_path: Path) -> None:
    put(open_store(tmp_path), doc("a", ["A."], 1), doc("b", ["B."], 2))
    (tmp_path / VECTORS_NAME).unlink()
    assert nearest_ids(open_store(tmp_path), unit(100), k=1) == ["a#0"]
    assert (tmp_path / VECTORS_NAME).exists()


def test_another_process_sees_flushed_writes_after_refresh(tmp_path: Path) -> None:
    writer_store = open_store(tmp_path)
    reader_store = open_store(tmp_path)
    put(writer_store, doc("a", ["A."], 1))
    reader_store.refresh()
    assert nearest_ids(reader_store, unit(100), k=1) == ["a#0"]
    with writer_store.writing() as writer:
        writer.delete_document("a")
    # Not flushed yet: the reader's vectors still name "a", but the row is gone, so the hit
    # is dropped rather than returned half-built.
    assert nearest_ids(reader_store, unit(100), k=1) == []
    put(reader_store, doc("c", ["C."], 3))  # a write from the other side resyncs first
    writer_store.refresh()
    assert nearest_ids(writer_store, unit(300), k=5) == ["c#0"]


# -- what the report remembers: resolved findings, per-scan counts ------------------------

CONTRADICTS = Judgement(
    Verdict.CONTRADICTS,
    0.9,
    (Reason("test", Verdict.CONTRADICTS, 0.9, "x", ((0, 1),), ((0, 1),)),),
)


def sourced(
    item: tuple[Document, list[Sentence], np.ndarray], source: str | None, url: str | None = None
) -> tuple[Document, list[Sentence], np.ndarray]:
    document, sentences, vectors = item
    return replace(document, source=source, url=url), sentences, vectors


def first_hit(store: Store, document_id: str) -> Hit:
    return store.document_vectors(document_id)[0][0]


def add_contradiction(store: Store, a_doc: str = "a", b_doc: str = "b") -> None:
    with store.writing() as writer:
        assert writer.add_finding(
            first_hit(store, a_doc), first_hit(store, b_doc), 0.5, CONTRADICTS
        )


def test_deleting_a_document_keeps_its_findings_as_resolved(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    put(store, sourced(doc("a", ["A."], 1), "AP"), sourced(doc("b", ["B."], 2), "Wire"))
    add_contradiction(store)
    (finding,), _ = store.findings()
    with store.writing() as writer:
        writer.delete_document("b")
    assert store.counts()["findings"] == 0
    (resolved,) = store.resolved()
    assert resolved.resolution == "document deleted" and resolved.document_id == "b"
    kept = resolved.finding
    assert kept.id == finding.id and kept.created_at == finding.created_at
    assert kept.b.sentence.text == "B." and kept.b.document.source == "Wire"
    assert kept.b.document.title == "Title b" and kept.a.sentence.id == "a#0"
    assert kept.judgement == finding.judgement  # reasons and spans survive for the report
    assert store.resolved(since=resolved.resolved_at) == [resolved]
    assert store.resolved(since="2999-01-01") == []


def test_a_correction_resolves_a_finding_unless_it_is_found_again(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    put(store, doc("a", ["A."], 1), doc("b", ["B."], 2))
    add_contradiction(store)
    put(store, doc("b", ["B.", "A correction was appended."], 3))
    (resolved,) = store.resolved()
    assert resolved.resolution == "document corrected"
    # The next scan finds the same two sentences of the same two documents disagreeing:
    # the correction did not resolve it, so it is no longer listed as resolved.
    add_contradiction(store)
    assert store.resolved() == []
    assert store.counts()["findings"] == 1


def test_scans_keep_new_findings_per_outlet_for_the_last_30_runs(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    put(
        store,
        sourced(doc("a", ["A."], 1), "AP"),
        sourced(doc("b", ["B."], 2), None, "https://www.example.org/b"),
        sourced(doc("c", ["C."], 3), "AP"),
    )
    with store.writing() as writer:
        a, b, c = (first_hit(store, d) for d in "abc")
        assert writer.add_finding(a, b, 0.5, CONTRADICTS)
        assert writer.add_finding(a, c, 0.5, CONTRADICTS)  # AP against AP counts once
        writer.finish_scan(["a", "b", "c"], "2026-11-22T02:00:00+00:00", pairs=3, new=2)
    (scan,) = store.scan_history()
    assert scan.findings == 2 and scan.documents == 3
    assert scan.by_outlet == {"AP": 2, "example.org": 1}
    for _ in range(35):
        with store.writing() as writer:
            writer.finish_scan([], "2026-11-23T02:00:00+00:00", pairs=0, new=0)
    history = store.scan_history(30)
    assert len(history) == 30 and [s.id for s in history] == list(range(7, 37))
    assert history[-1].by_outlet == {}


def test_an_index_from_before_the_report_history_still_opens(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    put(store, doc("a", ["A."], 1), doc("b", ["B."], 2))
    add_contradiction(store)
    with store.writing() as writer:
        writer.finish_scan(["a", "b"], "2026-11-20T02:00:00+00:00", pairs=1, new=1)
    store.close()
    with contextlib.closing(sqlite3.connect(tmp_path / DATABASE_NAME)) as conn:
        conn.executescript("DROP TABLE resolved_findings; DROP TABLE scan_outlets;")

    old = open_store(tmp_path, readonly=True)  # a reader adds no tables: both read as empty
    assert old.resolved() == []
    (scan,) = old.scan_history()
    assert scan.findings == 1 and scan.by_outlet == {}
    old.close()

    upgraded = open_store(tmp_path)  # a read-write open adds them, and keeps what was there
    assert upgraded.counts() == {"documents": 2, "sentences": 2, "findings": 1}
    with upgraded.writing() as writer:
        writer.delete_document("a")
    assert [r.resolution for r in upgraded.resolved()] == ["document deleted"]
