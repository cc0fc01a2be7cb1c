"""The NLI judge: a 3-way natural-language-inference cross-encoder scores each pair.

Any sentence-transformers `CrossEncoder` directory works, as long as its `config.id2label`
names the three classes entailment / neutral / contradiction (in any order, any case): the
label order is read from the model, never assumed. So does an exported ONNX model (a
directory with `model.onnx`, its tokenizer and `config.json`, as `checker.train.export`
writes, or the `.onnx` file itself), run with onnxruntime or OpenVINO. Loading is offline
(`HF_HUB_OFFLINE=1`, local files only) and on the CPU. torch, transformers and
sentence-transformers are imported only when a `CrossEncoder` directory is loaded: an ONNX
model (the shipped one) needs none of them.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from checker.errors import ModelError
from checker.judge.base import combine
from checker.judge.cache import ReadingCache
from checker.onnxruntime_options import session_options
from checker.openvino_runtime import padded_to_step
from checker.types import Judgement, Reason, Verdict

if TYPE_CHECKING:
    from sentence_transformers import CrossEncoder
    from tokenizers import Tokenizer

LABELS = ("entailment", "neutral", "contradiction")

# The project's own model, shipped inside the package (see models/nli/MODEL_CARD.md).
BUILTIN_MODEL = Path(__file__).resolve().parents[1] / "models" / "nli"
# Beside a model: the verdict thresholds chosen for it on dev splits (`python -m bench.nli`).
THRESHOLDS_FILE = "thresholds.json"
DEFAULT_THRESHOLD = 0.5
# What runs an ONNX model (a CrossEncoder directory always runs on torch).
NLI_RUNTIMES = ("auto", "onnxruntime", "openvino")


def resolve_nli_model(setting: str) -> Path | None:
    """The model the `nli_model` setting names: "builtin", a path, or "" / "none" for none."""
    value = setting.strip()
    if value.lower() in ("", "none"):
        return None
    if value.lower() == "builtin":
        return BUILTIN_MODEL
    return Path(value).expanduser()


def resolve_nli_runtime(runtime: str) -> str:
    """The runtime `auto` stands for on this CPU; any other name unchanged.

    `openvino` where the CPU has AMX: on a 2-core Xeon with AMX it read news pairs 1.8 times
    as fast in bf16 as onnxruntime's int8 products (`python -m bench.nli --openvino`: 568
    against 317 pairs a second, batch 32; docs/performance-history.md), the same verdicts.
    `onnxruntime` elsewhere: on a 2-core AMD EPYC with AVX-512 BF16 but no AMX the int8
    products were the faster (320 against 298).
    """
    if runtime != "auto":
        return runtime
    from checker.openvino_runtime import computes_bf16_natively, has_amx

    return "openvino" if has_amx() and computes_bf16_natively() else "onnxruntime"


class NLIJudge:
    """Judges pairs with an NLI cross-encoder; one reason of kind "nli" per pair.

    Each (claim, passage) pair is read with the passage as premise; with `both_directions` a
    pair that may be a contradiction is also read the other way round, and a contradiction
    must be seen in both readings (`merge_directions`).
    """

    name = "nli"

    def __init__(
        self,
        model_path: str | Path,
        batch_size: int = 32,
        both_directions: bool = True,
        contradiction_threshold: float | None = None,
        entailment_threshold: float | None = None,
        cache_size: int = 0,
        runtime: str = "onnxruntime",
    ) -> None:
        """Thresholds left as None come from the model's thresholds.json, else 0.5.
        `cache_size`: readings whose outputs are kept (`ReadingCache`); 0 keeps none.
        `runtime`: what runs an ONNX model, "onnxruntime", "openvino" or "auto"
        (`resolve_nli_runtime`)."""
        if runtime not in NLI_RUNTIMES:
            raise ModelError(
                f"CHECKER_NLI_RUNTIME={runtime!r} is not one of {', '.join(NLI_RUNTIMES)}"
            )
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, not {batch_size}")
        self.model_path = Path(model_path)
        self.batch_size = batch_size
        self.both_directions = both_directions
        chosen = read_thresholds(self.model_path)
        self.contradiction_threshold = (
            chosen["contradiction"] if contradiction_threshold is None else contradiction_threshold
        )
        self.entailment_threshold = (
            chosen["entailment"] if entailment_threshold is None else entailment_threshold
        )
        self.cache = ReadingCache(cache_size)
        self._model: CrossEncoder | OnnxCrossEncoder = _load(
            self.model_path, resolve_nli_runtime(runtime)
        )
        self._columns = label_columns(
            getattr(self._model.config, "id2label", None), self.model_path
        )
        outputs = self._model.num_labels
        if outputs != len(self._columns):
            raise ModelError(
                f"NLI model at {self.model_path} has {outputs} outputs but its id2label names "
                f"{len(self._columns)} labels"
            )

    @property
    def runtime(self) -> str:
        """What reads the pairs: "onnxruntime", "openvino-bf16", "openvino-fp32" or "torch"."""
        return str(getattr(self._model, "runtime", "torch"))

    def judge(self, pairs: Sequence[tuple[str, str]]) -> list[Judgement]:
        return [combine([self._reason(row)], 0.0) for row in self.pair_probabilities(pairs)]

    def pair_probabilities(
        self, pairs: Sequence[tuple[str, str]], confirm_from: float | None = None
    ) -> np.ndarray:
        """(entailment, neutral, contradiction) per (claim, passage) pair, read as "passage,
        therefore claim?"; with `both_directions` the (claim, passage) reading must confirm
        the contradiction (see `merge_directions`).

        The second reading is only run for pairs whose first-reading contradiction reaches
        `confirm_from` (the contradiction threshold unless given): the merged contradiction
        is the smaller of the two, so below that floor no second reading can lift it over.
        This halves the model's work on news, where few pairs come near the threshold; the
        other pairs keep their one-reading contradiction, an upper bound of the merged one.
        """
        if not pairs:
            return np.zeros((0, len(LABELS)))
        supporting = self.probabilities([(passage, claim) for claim, passage in pairs])
        if not self.both_directions:
            return supporting
        floor = self.contradiction_threshold if confirm_from is None else confirm_from
        confirm = np.flatnonzero(supporting[:, LABELS.index("contradiction")] >= floor)
        reverse = supporting.copy()
        if confirm.size:
            reverse[confirm] = self.probabilities([pairs[int(i)] for i in confirm])
        return merge_directions(supporting, reverse)

    def verdict(self, row: np.ndarray) -> Verdict:
        """The verdict the thresholds give one (entailment, neutral, contradiction) row."""
        return self._reason(row).verdict

    def probabilities(self, inputs: Sequence[tuple[str, str]]) -> np.ndarray:
        """Softmax probabilities of each (first, second) reading as given, one row per input,
        columns in `LABELS` order."""
        inputs = list(inputs)
        if not inputs:
            return np.zeros((0, len(LABELS)))
        return self.cache.rows(inputs, self._scored)

    def _scored(self, inputs: list[tuple[str, str]]) -> np.ndarray:
        """What `probabilities` returns, from the model itself."""
        if isinstance(self._model, OnnxCrossEncoder):
            logits = self._model.logits(inputs, self.batch_size)
        else:
            import torch

            # Raw logits (identity activation), whatever activation the model was saved with:
            # the softmax below must see logits, not already squashed scores.
            logits = self._model.predict(
                inputs,
                batch_size=self.batch_size,
                show_progress_bar=False,
                activation_fn=torch.nn.Identity(),
                convert_to_numpy=True,
            )
        logits = np.asarray(logits, dtype=np.float64).reshape(len(inputs), -1)
        shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
        softmax = shifted / shifted.sum(axis=1, keepdims=True)
        return softmax[:, [self._columns[label] for label in LABELS]]

    def _reason(self, row: np.ndarray) -> Reason:
        scores = dict(zip(LABELS, (float(p) for p in row), strict=True))
        [lead] = leading_labels(
            row[np.newaxis, :], self.contradiction_threshold, self.entailment_threshold
        )
        others = ", ".join(f"{label} {scores[label]:.2f}" for label in LABELS if label != lead)
        return Reason(
            kind=self.name,
            verdict=LABEL_VERDICT[lead],
            confidence=round(scores[lead], 4),
            detail=f"NLI model: {lead} {scores[lead]:.2f} ({others})",
        )


LABEL_VERDICT = {
    "contradiction": Verdict.CONTRADICTS,
    "entailment": Verdict.SUPPORTS,
    "neutral": Verdict.RELATED,
}


def leading_labels(
    rows: np.ndarray, contradiction_threshold: float, entailment_threshold: float
) -> np.ndarray:
    """The label that decides each (entailment, neutral, contradiction) row: "contradiction"
    at or above its threshold, else "entailment" at or above its own, else "neutral".

    A confident contradiction wins even when entailment is higher: topic overlap inflates
    entailment, and a missed contradiction is the costlier mistake for a fact checker. The
    bench chooses thresholds with this same function, over whole arrays.
    """
    entail, contra = LABELS.index("entailment"), LABELS.index("contradiction")
    return np.where(
        rows[:, contra] >= contradiction_threshold,
        "contradiction",
        np.where(rows[:, entail] >= entailment_threshold, "entailment", "neutral"),
    )


def read_thresholds(model_path: Path) -> dict[str, float]:
    """The contradiction and entailment thresholds saved beside a model, else 0.5 each."""
    folder = model_path if model_path.is_dir() else model_path.parent
    path = folder / THRESHOLDS_FILE
    chosen = {"contradiction": DEFAULT_THRESHOLD, "entailment": DEFAULT_THRESHOLD}
    if not path.is_file():
        return chosen
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
        for label in chosen:
            chosen[label] = float(saved[label])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"could not read NLI thresholds from {path}: {exc}") from exc
    return chosen


def merge_directions(supporting: np.ndarray, reverse: np.ndarray) -> np.ndarray:
    """Per pair, (entailment, neutral, contradiction) from the two readings.

    `supporting` is the (passage, claim) reading: the passage as premise, the claim as
    hypothesis, which is the question "does the passage support the claim?" that entailment
    answers. Entailment and neutral come from it alone: entailment is directional (a specific
    passage supports a vaguer claim, not the other way round). Contradiction is the smaller of
    the two readings: both must see it. A small model trained on SNLI-style data calls many
    unrelated sentence pairs contradictions in one order or the other; measured on the dev
    splits (`python -m bench.nli`), requiring both readings raised contradiction precision from
    0.42 to 0.85 at threshold 0.5, and removed every model-only flag of a sample of ABC news.
    The three need not sum to 1.
    """
    contradiction = np.minimum(supporting[:, 2], reverse[:, 2])
    return np.stack([supporting[:, 0], supporting[:, 1], contradiction], axis=1)


def label_columns(id2label: Mapping[Any, Any] | None, where: Path | str) -> dict[str, int]:
    """Which output column holds each of entailment / neutral / contradiction.

    Names are matched case-insensitively; anything else (LABEL_0, a two-way model, a repeated
    name) is refused, because guessing an order would silently swap verdicts.
    """
    if not id2label:
        raise ModelError(f"NLI model at {where} has no id2label in its config")
    columns: dict[str, int] = {}
    for index, name in id2label.items():
        label = str(name).strip().lower()
        if label in LABELS and label not in columns:
            columns[label] = int(index)
    found = [str(name) for _, name in sorted(id2label.items(), key=lambda kv: int(kv[0]))]
    if len(columns) != len(LABELS) or len(id2label) != len(LABELS):
        raise ModelError(
            f"NLI model at {where} has labels {found}; need exactly entailment, neutral and "
            "contradiction (any order, any case)"
        )
    return columns


class OnnxCrossEncoder:
    """An exported cross-encoder: the tokenizer, then logits per pair, run by onnxruntime or,
    with `engine="openvino"`, by OpenVINO (`checker.openvino_runtime`) on the same weights
    with its integer matrix products turned back into float ones.

    The folder's `tokenizer.json` is read by the `tokenizers` library and its `config.json` as
    JSON, not through transformers: importing transformers' configuration imports torch, which
    a process that only judges never needs (with transformers, about 2 s and 200 MiB a process;
    README, Performance).
    """

    def __init__(self, model_file: Path, engine: str = "onnxruntime") -> None:
        import onnxruntime

        folder = model_file.parent
        self.config = ExportedConfig.read(folder)
        self.num_labels = len(self.config.id2label)
        self.tokenizer, self.max_length = _pair_tokenizer(folder)
        self.session: Any
        if engine == "openvino":
            self.session = _openvino_session(model_file)
            self._input_names = set(self.session.inputs)
        else:
            self.session = onnxruntime.InferenceSession(
                str(model_file), session_options(), providers=["CPUExecutionProvider"]
            )
            self._input_names = {i.name for i in self.session.get_inputs()}
        self.runtime = getattr(self.session, "runtime", "onnxruntime")

    def encode(self, pairs: Sequence[tuple[str, str]]) -> dict[str, np.ndarray]:
        """BERT's three inputs for `pairs`, padded to the longest, int64: what transformers'
        tokenizer gives for `tokenizer(firsts, seconds, padding=True, truncation=True,
        max_length=self.max_length)` (the pair truncated longest first)."""
        encoded = self.tokenizer.encode_batch(list(pairs))
        return {
            "input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encoded], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encoded], dtype=np.int64),
        }

    def logits(self, inputs: Sequence[tuple[str, str]], batch_size: int) -> np.ndarray:
        # Longest first, as the CrossEncoder does, so that each batch pads little.
        order = sorted(range(len(inputs)), key=lambda i: -len(inputs[i][0]) - len(inputs[i][1]))
        rows = []
        for start in range(0, len(order), batch_size):
            chunk = [inputs[i] for i in order[start : start + batch_size]]
            feeds = {k: v for k, v in self.encode(chunk).items() if k in self._input_names}
            if self.runtime.startswith("openvino") and len(chunk) < batch_size:
                feeds = padded_to_step(feeds, self.max_length)  # a check's few pairs
            rows.append(self.session.run(["logits"], feeds)[0])
        logits = np.concatenate(rows) if rows else np.zeros((0, self.num_labels))
        result = np.empty_like(logits)
        result[order] = logits
        return result


@dataclasses.dataclass(frozen=True)
class ExportedConfig:
    """What the judge reads of an exported model's `config.json`: its labels by output column
    (keys as written there: "0", "1", "2")."""

    id2label: dict[str, str]

    @classmethod
    def read(cls, folder: Path) -> ExportedConfig:
        labels = _json_object(folder / "config.json").get("id2label")
        return cls(dict(labels) if isinstance(labels, dict) else {})


def _pair_tokenizer(folder: Path) -> tuple[Tokenizer, int]:
    """The model's fast tokenizer, set up as the CrossEncoder calls it: pairs truncated longest
    first to the tokenizer's own limit (at most BERT's 512 positions), padded to the longest
    of each batch; and that limit."""
    from tokenizers import Tokenizer

    path = folder / "tokenizer.json"
    if not path.is_file():
        raise ModelError(f"NLI model folder {folder} has no tokenizer.json (a fast tokenizer)")
    settings_file = folder / "tokenizer_config.json"
    settings = _json_object(settings_file) if settings_file.is_file() else {}
    try:
        tokenizer = Tokenizer.from_file(str(path))
    except Exception as exc:  # the tokenizers library raises a bare Exception for a bad file
        raise ModelError(f"could not read the NLI model's tokenizer {path}: {exc}") from exc
    limit = min(int(settings.get("model_max_length", 512)), 512)
    tokenizer.enable_truncation(limit, strategy="longest_first")
    pad = settings.get("pad_token", "[PAD]")
    pad = str(pad.get("content", "[PAD]") if isinstance(pad, dict) else pad)  # an AddedToken
    pad_id = tokenizer.token_to_id(pad)
    if pad_id is None:
        raise ModelError(f"NLI model tokenizer in {folder} has no padding token {pad!r}")
    tokenizer.enable_padding(pad_id=pad_id, pad_token=pad)
    return tokenizer, limit


def _json_object(path: Path) -> dict[str, Any]:
    """One of an exported model's JSON files; {} where it holds no object."""
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"could not read the NLI model's {path.name} ({path}): {exc}") from exc
    return value if isinstance(value, dict) else {}


def _openvino_session(model_file: Path) -> Any:
    """The model compiled by OpenVINO: int8 products made float again (same weights), so that
    a CPU with native bf16 computes them in bf16."""
    import onnx

    from checker.onnx_export import dequantize_matmuls
    from checker.openvino_runtime import OpenVinoSession

    # Handed over in memory: a temporary file would fail where the disk is full or a process's
    # file size is limited, and loading a model must not depend on either.
    plain = dequantize_matmuls(onnx.load(str(model_file))).SerializeToString()
    return OpenVinoSession(plain, len(os.sched_getaffinity(0)))


def _load(path: Path, engine: str = "onnxruntime") -> CrossEncoder | OnnxCrossEncoder:
    if not path.exists():
        raise ModelError(f"NLI model directory {path} does not exist")
    onnx_file = path if path.suffix == ".onnx" else path / "model.onnx"
    if onnx_file.is_file():
        os.environ["HF_HUB_OFFLINE"] = "1"
        try:
            return OnnxCrossEncoder(onnx_file, engine)
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            raise ModelError(f"could not load ONNX NLI model from {onnx_file}: {exc}") from exc
    if not path.is_dir():
        raise ModelError(f"NLI model path {path} is not a directory")
    # Never reach for a model hub: the process may be offline, and a model must be the files
    # it was given. The variable is read when huggingface_hub is first imported, so set it
    # before importing; local_files_only covers a hub library that was imported earlier.
    os.environ["HF_HUB_OFFLINE"] = "1"
    from sentence_transformers import CrossEncoder

    try:
        return CrossEncoder(str(path), device="cpu", local_files_only=True)
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        raise ModelError(f"could not load NLI model from {path}: {exc}") from exc
