"""The approximate (IVF, 8-bit) vector index, at small scale with the threshold set low.

Real FAISS and SQLite under tmp_path. These check that the approximate path is taken and
stays correct (exact top hit, exact similarities, deletes, re-ingests, switching types, a
memory-mapped file that must not be written to); how well it recalls the exact top 20 at a
million sentences is measured by `python -m bench.speed`, never asserted here.
"""

from __future__ import annotations

import json
from pathlib import Path

import faiss
import numpy as np
import pytest

from checker.embed import Embedder
from checker.store import VECTORS_NAME, Store
from checker.store.manifest import MANIFEST_NAME
from checker.store.vectors import FLAT, IndexConfig, VectorIndex, cells_for, factory_for
from checker.types import Document, Sentence
from tests.conftest import NO_FORCES, SEEDS, WITHDRAWAL, ingest_paths

DIM = 32
MODEL = "test-model"
PER_DOCUMENT = 10
LOW = IndexConfig(ann_min_sentences=1_000, nprobe=4)


def clustered(count: int, seed: int = 7) -> np.ndarray:
    """Unit vectors around 40 topics, as sentences of a news corpus cluster by subject."""
    rng = np.random.default_rng(seed)
    topics = rng.normal(size=(40, DIM))
    vectors = topics[rng.integers(0, 40, size=count)] + rng.normal(0, 0.6, size=(count, DIM))
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def document(doc_id: str) -> tuple[Document, list[Sentence]]:
    texts = [f"Sentence {n} of {doc_id}." for n in range(PER_DOCUMENT)]
    sentences, cursor = [], 0
    for n, text in enumerate(texts):
        sentences.append(Sentence(f"{doc_id}#{n}", doc_id, n, cursor, cursor + len(text), text))
        cursor += len(text) + 1
    return Document(id=doc_id, text=" ".join(texts)), sentences


def documents(vectors: np.ndarray, prefix: str = "d") -> list[tuple[Document, list[Sentence]]]:
    return [document(f"{prefix}{number:05d}") for number in range(len(vectors) // PER_DOCUMENT)]


def put_all(store: Store, vectors: np.ndarray, prefix: str = "d") -> None:
    with store.writing() as writer:
        for number, (document, sentences) in enumerate(documents(vectors, prefix)):
            chunk = vectors[number * PER_DOCUMENT : (number + 1) * PER_DOCUMENT]
            writer.put_document(document, sentences, chunk)
    store.flush()


def manifest(directory: Path) -> dict[str, object]:
    return dict(json.loads((directory / MANIFEST_NAME).read_text()))


def open_store(directory: Path, config: IndexConfig = LOW) -> Store:
    return Store.open(directory, MODEL, DIM, config=config)


@pytest.fixture
def vectors() -> np.ndarray:
    return clustered(3_000)


@pytest.fixture
def ann_store(tmp_path: Path, vectors: np.ndarray) -> Store:
    store = open_store(tmp_path)
    put_all(store, vectors)
    return store


def test_at_the_threshold_the_index_becomes_ivf_and_the_manifest_says_so(
    tmp_path: Path, vectors: np.ndarray
) -> None:
    store = open_store(tmp_path)
    put_all(store, vectors[:900])
    assert manifest(tmp_path)["faiss_factory"] == FLAT
    put_all(store, vectors[900:], prefix="e")
    assert store.counts()["sentences"] == 3_000
    assert manifest(tmp_path)["faiss_factory"] == f"IVF{cells_for(3_000)},SQ8" == "IVF64,SQ8"
    saved = faiss.read_index(str(tmp_path / VECTORS_NAME))
    assert isinstance(saved, faiss.IndexIVFScalarQuantizer) and saved.ntotal == 3_000


def test_every_stored_sentence_finds_itself_first_with_its_exact_similarity(
    ann_store: Store, vectors: np.ndarray
) -> None:
    sample = np.arange(0, 3_000, 7)
    results = ann_store.search(vectors[sample], 5)
    for row, hits in zip(sample, results, strict=True):
        document, ordinal = divmod(int(row), PER_DOCUMENT)
        assert hits[0].sentence.id == f"d{document:05d}#{ordinal}"
        assert hits[0].similarity == pytest.approx(1.0, abs=1e-5)
        # re-scored from the stored float32 vectors, not the 8-bit codes
        for hit in hits:
            document, ordinal = int(hit.document.id[1:]), hit.sentence.ordinal
            exact = float(vectors[document * PER_DOCUMENT + ordinal] @ vectors[row])
            assert hit.similarity == pytest.approx(exact, abs=1e-5)
        assert [h.similarity for h in hits] == sorted((h.similarity for h in hits), reverse=True)


def test_the_approximate_top_20_mostly_agrees_with_exact_search(
    ann_store: Store, vectors: np.ndarray
) -> None:
    """Not a recall figure (bench.speed measures that): a guard against a broken IVF path,
    whose overlap with exact search would be near nprobe / cells = 4 / 64."""
    queries = clustered(50, seed=8)
    exact = np.argsort(-(queries @ vectors.T), axis=1)[:, :20]
    found = ann_store.search(queries, 20)
    overlap = [
        len(
            {f"d{i // PER_DOCUMENT:05d}#{i % PER_DOCUMENT}" for i in row}
            & {h.sentence.id for h in hits}
        )
        / 20
        for row, hits in zip(exact, found, strict=True)
    ]
    assert float(np.mean(overlap)) > 0.5


def test_deletes_and_reingests_work_on_the_ivf_index(
    tmp_path: Path, ann_store: Store, vectors: np.ndarray
) -> None:
    target = vectors[35]  # d00003#5
    assert ann_store.search(target[None, :], 1)[0][0].sentence.id == "d00003#5"
    with ann_store.writing() as writer:
        assert writer.delete_document("d00003")
    ann_store.flush()
    assert manifest(tmp_path)["faiss_factory"] == "IVF64,SQ8"
    assert all(h.document.id != "d00003" for h in ann_store.search(target[None, :], 20)[0])
    # the same id again, with other vectors: found by its new vectors only
    replacement = clustered(PER_DOCUMENT, seed=99)
    with ann_store.writing() as writer:
        writer.put_document(*document("d00003"), replacement)
    ann_store.flush()
    assert ann_store.search(replacement[4][None, :], 1)[0][0].sentence.id == "d00003#4"
    assert ann_store.counts()["sentences"] == 3_000
    # another process (a gunicorn worker) sees it all from the saved, memory-mapped file
    reader = open_store(tmp_path)
    assert reader.search(replacement[4][None, :], 1)[0][0].sentence.id == "d00003#4"
    assert all(h.document.id != "d00003" for h in reader.search(target[None, :], 20)[0])


def test_a_worker_writes_through_its_memory_mapped_index(tmp_path: Path, ann_store: Store) -> None:
    """The file is mapped read-only; a write must copy it first, never write to the map."""
    worker = open_store(tmp_path)  # loads the saved file, mapped
    extra = clustered(PER_DOCUMENT, seed=11)
    put_all(worker, extra, prefix="w")
    assert worker.search(extra[:1], 1)[0][0].sentence.id == "w00000#0"
    ann_store.refresh()
    assert ann_store.search(extra[:1], 1)[0][0].sentence.id == "w00000#0"
    mapped = VectorIndex.load(tmp_path / VECTORS_NAME, DIM)
    assert mapped.mapped and mapped.factory == "IVF64,SQ8"
    with pytest.raises(RuntimeError, match="writable"):
        mapped.add(np.array([10**9]), extra[:1])
    copy = mapped.writable()
    copy.add(np.array([10**9]), extra[:1])
    assert copy.size == mapped.size + 1


def test_below_the_threshold_again_the_index_is_exact_again(
    tmp_path: Path, ann_store: Store
) -> None:
    with ann_store.writing() as writer:
        for number in range(250):  # 3,000 -> 500 sentences
            writer.delete_document(f"d{number:05d}")
    ann_store.flush()
    assert manifest(tmp_path)["faiss_factory"] == FLAT
    assert isinstance(faiss.read_index(str(tmp_path / VECTORS_NAME)), faiss.IndexIDMap2)


def test_a_lost_file_is_rebuilt_as_ivf_from_sqlite_the_same_each_time(
    tmp_path: Path, ann_store: Store, vectors: np.ndarray
) -> None:
    queries = clustered(20, seed=12)
    before = [[h.sentence.id for h in hits] for hits in ann_store.search(queries, 10)]
    ann_store.close()
    (tmp_path / VECTORS_NAME).unlink()
    rebuilt = open_store(tmp_path)
    assert manifest(tmp_path)["faiss_factory"] == "IVF64,SQ8"
    # trained on a seeded sample: the same index, so the same answers
    assert [[h.sentence.id for h in hits] for hits in rebuilt.search(queries, 10)] == before


def test_a_batched_search_excludes_each_rows_own_document(ann_store: Store) -> None:
    own = ann_store.document_vectors("d00001")[1]
    other = ann_store.document_vectors("d00002")[1]
    rows = ann_store.search(
        np.concatenate([own, other]),
        3,
        exclude_documents=["d00001"] * len(own) + ["d00002"] * len(other),
    )
    assert len(rows) == 2 * PER_DOCUMENT and all(len(hits) == 3 for hits in rows)
    assert all(h.document.id != "d00001" for hits in rows[:PER_DOCUMENT] for h in hits)
    assert all(h.document.id != "d00002" for hits in rows[PER_DOCUMENT:] for h in hits)
    with pytest.raises(ValueError, match="one entry per vector"):
        ann_store.search(own, 3, exclude_documents=["d00001"])


def test_the_cells_follow_the_size_and_are_kept_while_they_fit() -> None:
    config = IndexConfig(ann_min_sentences=200_000)
    assert factory_for(199_999, config) == FLAT
    assert factory_for(200_000, config) == "IVF512,SQ8"
    assert factory_for(1_000_000, config) == "IVF1024,SQ8"
    assert factory_for(400_000, config, current="IVF512,SQ8") == "IVF512,SQ8"  # kept
    assert factory_for(1_000_000, config, current="IVF512,SQ8") == "IVF1024,SQ8"  # retrained
    assert factory_for(100_000, config, current="IVF512,SQ8") == FLAT
    assert cells_for(50) == 1  # a tiny index keeps 39 training vectors a cell


def test_the_seeds_through_an_ivf_index_still_give_the_canonical_pair(
    tmp_path: Path, embedder: Embedder
) -> None:
    from checker.service import Checker
    from checker.settings import Settings

    settings = Settings(index=tmp_path / "index", ann_min_sentences=1, ann_nprobe=1)
    checker = Checker.from_settings(settings, embedder=embedder)
    try:
        ingest_paths(checker, SEEDS)
        assert str(manifest(settings.index)["faiss_factory"]).startswith("IVF")
        summary = checker.scan()
        findings, _ = checker.findings(order="confident")
        assert summary.new_findings >= 1
        pair = findings[0].a.sentence.text + " | " + findings[0].b.sentence.text
        assert WITHDRAWAL in pair and NO_FORCES in pair
        result = checker.check("Armenian forces are present in Karabakh")
        assert any(NO_FORCES in p.hit.sentence.text for p in result.contradicting)
    finally:
        checker.close()


def test_the_bench_measures_recall_against_brute_force(
    tmp_path: Path, ann_store: Store, vectors: np.ndarray
) -> None:
    from bench.speed import recall_at

    queries = clustered(30, seed=13)
    approximate = recall_at(ann_store, queries)
    assert approximate["k"] == 20 and approximate["queries"] == 30
    assert 0.5 < approximate["recall"] <= 1.0
    exact_store = open_store(tmp_path / "flat", IndexConfig(ann_min_sentences=10**9))
    put_all(exact_store, vectors)
    assert manifest(tmp_path / "flat")["faiss_factory"] == FLAT
    assert recall_at(exact_store, queries)["recall"] == 1.0
