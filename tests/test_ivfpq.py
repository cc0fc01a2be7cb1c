"""The product-quantised (IVF-PQ) vector index, at small scale with the thresholds set low.

Real FAISS and SQLite under tmp_path, as test_ann.py does for IVF-SQ8. These check the type
follows the size (flat, then SQ8, then PQ), that an existing flat index is converted on a
write and survives a `kill -9` in the middle of the conversion, and that similarities stay
exact; recall at 10M is measured by `python -m bench.ivfpq`, never asserted here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import faiss
import numpy as np
import pytest

from checker.store import VECTORS_NAME, Store
from checker.store.vectors import FLAT, IndexConfig, VectorIndex, factory_for, pq_bytes
from tests.test_ann import DIM, MODEL, PER_DOCUMENT, clustered, manifest, put_all

PQ = IndexConfig(ann_min_sentences=1_000, nprobe=4, pq_min_sentences=2_000, pq_nprobe=8)
EXACT = IndexConfig(ann_min_sentences=10**9, pq_min_sentences=10**9)


def open_store(directory: Path, config: IndexConfig = PQ) -> Store:
    return Store.open(directory, MODEL, DIM, config=config)


@pytest.fixture
def vectors() -> np.ndarray:
    return clustered(3_000)


def test_the_index_goes_flat_then_sq8_then_pq_and_the_manifest_says_so(
    tmp_path: Path, vectors: np.ndarray
) -> None:
    store = open_store(tmp_path)
    put_all(store, vectors[:900])
    assert manifest(tmp_path)["faiss_factory"] == FLAT
    put_all(store, vectors[900:1_500], prefix="e")
    assert manifest(tmp_path)["faiss_factory"] == "IVF32,SQ8"
    put_all(store, vectors[1_500:], prefix="f")
    assert manifest(tmp_path)["faiss_factory"] == "IVF64,PQ8"
    saved = faiss.read_index(str(tmp_path / VECTORS_NAME))
    assert isinstance(saved, faiss.IndexIVFPQ) and saved.ntotal == 3_000 and saved.pq.M == 8
    loaded = VectorIndex.load(tmp_path / VECTORS_NAME, DIM)
    assert loaded.factory == "IVF64,PQ8" and loaded.rerank == 10 and not loaded.exact


def test_pq_hits_are_re_scored_exactly_and_each_sentence_finds_itself(
    tmp_path: Path, vectors: np.ndarray
) -> None:
    store = open_store(tmp_path)
    put_all(store, vectors)
    assert manifest(tmp_path)["faiss_factory"] == "IVF64,PQ8"
    sample = np.arange(0, 3_000, 11)
    for row, hits in zip(sample, store.search(vectors[sample], 5), strict=True):
        document, ordinal = divmod(int(row), PER_DOCUMENT)
        assert hits[0].sentence.id == f"d{document:05d}#{ordinal}"
        for hit in hits:  # the stored float32 vectors' cosine, not the 8-byte codes'
            stored = vectors[int(hit.document.id[1:]) * PER_DOCUMENT + hit.sentence.ordinal]
            assert hit.similarity == pytest.approx(float(stored @ vectors[row]), abs=1e-5)
        assert [h.similarity for h in hits] == sorted((h.similarity for h in hits), reverse=True)
    # deletes reach the PQ index as well
    with store.writing() as writer:
        assert writer.delete_document("d00002")
    store.flush()
    assert all(h.document.id != "d00002" for h in store.search(vectors[20:21], 20)[0])


def test_an_existing_flat_index_past_the_threshold_is_converted_on_the_next_write(
    tmp_path: Path, vectors: np.ndarray
) -> None:
    put_all(open_store(tmp_path, EXACT), vectors)
    assert manifest(tmp_path)["faiss_factory"] == FLAT
    reopened = open_store(tmp_path)  # opening alone changes nothing on disk
    assert manifest(tmp_path)["faiss_factory"] == FLAT
    put_all(reopened, clustered(PER_DOCUMENT, seed=5), prefix="w")
    assert manifest(tmp_path)["faiss_factory"] == "IVF64,PQ8"
    assert manifest(tmp_path)["sentences"] == 3_010
    assert reopened.search(vectors[:1], 1)[0][0].sentence.id == "d00000#0"


def test_a_kill_9_between_the_new_pq_file_and_its_manifest_loses_nothing(
    tmp_path: Path, vectors: np.ndarray
) -> None:
    """A real SIGKILL at the worst moment of a conversion: the IVF-PQ file has replaced the
    flat one, the manifest still describes the flat one (a subclass dies where the manifest
    would be written). The next open finds the file behind SQLite and rebuilds it."""
    put_all(open_store(tmp_path, EXACT), vectors)
    extra = clustered(PER_DOCUMENT, seed=6)
    np.save(tmp_path.parent / "extra.npy", extra)
    script = textwrap.dedent(
        f"""
        import os, signal
        from pathlib import Path
        import numpy as np
        from checker.store import Store
        from tests.test_ann import put_all
        from tests.test_ivfpq import PQ

        class DiesBeforeTheManifest(Store):
            def _save_manifest(self) -> None:
                os.kill(os.getpid(), signal.SIGKILL)

        store = DiesBeforeTheManifest.open(Path({str(tmp_path)!r}), {MODEL!r}, {DIM}, config=PQ)
        put_all(store, np.load({str(tmp_path.parent / "extra.npy")!r}), prefix="w")
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert done.returncode == -9, done.stderr.decode()[-2000:]
    assert isinstance(faiss.read_index(str(tmp_path / VECTORS_NAME)), faiss.IndexIVFPQ)
    assert manifest(tmp_path)["faiss_factory"] == FLAT  # what the killed process left
    recovered = open_store(tmp_path)
    assert manifest(tmp_path)["faiss_factory"] == "IVF64,PQ8"
    assert manifest(tmp_path)["sentences"] == 3_010 == recovered.counts()["sentences"]
    assert recovered.search(extra[:1], 1)[0][0].sentence.id == "w00000#0"
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]  # no temporaries left
    assert json.loads((tmp_path / "manifest.json").read_text())["generation"] > 0


def test_the_pq_factory_follows_the_size_and_the_dimension() -> None:
    config = IndexConfig(ann_min_sentences=200_000, pq_min_sentences=2_000_000)
    assert factory_for(1_999_999, config, dimension=384) == "IVF1024,SQ8"
    assert factory_for(2_000_000, config, dimension=384) == "IVF1024,PQ64"
    assert factory_for(10_000_000, config, dimension=384) == "IVF4096,PQ64"
    assert factory_for(100_000_000, config, dimension=384) == "IVF8192,PQ64"
    kept = factory_for(2_500_000, config, current="IVF1024,PQ64", dimension=384)
    assert kept == "IVF1024,PQ64"  # cells kept while they fit, as for SQ8
    converted = factory_for(3_000_000, config, current="IVF2048,SQ8", dimension=384)
    assert converted == "IVF2048,PQ64"  # another code: rebuilt, with the cells the size wants
    assert factory_for(1_500_000, config, current="IVF1024,PQ64") == "IVF1024,SQ8"
    assert [pq_bytes(d) for d in (384, 512, 768, 32, 100)] == [64, 64, 64, 8, 25]
    assert VectorIndex.training_sample_size("IVF4096,PQ64", 10_000_000) == 4096 * 64
    assert VectorIndex.training_sample_size("IVF64,PQ8", 3_000) == 3_000
    assert VectorIndex.training_sample_size("IVF1024,PQ64", 2_000_000) == 65_536


def test_the_10m_bench_runs_its_passes_on_a_tiny_index(tmp_path: Path) -> None:
    """bench.ivfpq's own passes (vectors made in chunks, exact truth, build, recall) on 3,000
    vectors; the figures at 10M come from `python -m bench.ivfpq`, not from here."""
    from bench import ivfpq

    bases = clustered(400, seed=21)
    queries = clustered(10, seed=22)
    truth = ivfpq.first_pass(bases, queries, 3_000, 3_000, tmp_path / "vectors.f32")
    assert truth["truth"].shape == (10, ivfpq.K) and len(truth["sample"]) == 3_000
    index, timing = ivfpq.build(bases, 3_000, "IVF32,PQ8", truth["sample"], PQ)
    assert index.size == 3_000 and set(timing) == {"train", "add", "generate"}
    stored = np.memmap(tmp_path / "vectors.f32", dtype=np.float32, mode="r", shape=(3_000, DIM))
    _, again = ivfpq.chunk(bases, 0, 3_000)
    assert np.array_equal(stored, again)  # the same vectors on every pass
    # the chunkwise exact pass agrees with brute force over every vector
    exact = np.argsort(-(queries @ np.asarray(stored).T), axis=1)[:, : ivfpq.K]
    assert np.array_equal(np.sort(exact, axis=1), np.sort(truth["truth"], axis=1))
    row = ivfpq.measure(index, queries, truth["truth"], truth["picks"], stored, nprobe=32)
    assert row["recall_at_20"] > 0.9 and row["rerank"] == 10  # every cell searched
    assert row["p95_ms"] >= row["p50_ms"] > 0


def test_the_sizing_table_is_made_from_the_measured_files() -> None:
    from bench import sizing

    rates = sizing.rates()
    table = sizing.table(rates).splitlines()
    assert len(table) == 2 + len(sizing.SIZES) and "1,000,000,000" in table[-1]
    nightly = sizing.nightly(rates)
    assert nightly["scan_workers_for_1h"] >= 1 and nightly["ingest_workers_for_1h"] >= 1
