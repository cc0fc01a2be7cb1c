"""The NLI judge: a 3-way natural-language-inference cross-encoder scores each pair.

Any sentence-transformers `CrossEncoder` directory works, as long as its `config.id2label`
names the three classes entailment / neutral / contradiction (in any order, any case): the
label order is read from the model, never assumed. So does an exported ONNX model (a
directory with `model.onnx`, its tokenizer and `config.json`, as `checker.train.export`
writes, or the `.onnx` file itself), run with onnxruntime. Loading is offline (`HF_HUB_OFFLINE=1`,
local files only) and on the CPU; torch and sentence-transformers are imported only when a
judge is built, so importing this module stays cheap.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from checker.errors import ModelError
from checker.judge.base import combine
from checker.types import Judgement, Reason, Verdict

if TYPE_CHECKING:
    from sentence_transformers import CrossEncoder

LABELS = ("entailment", "neutral", "contradiction")


class NLIJudge:
    """Judges pairs with an NLI cross-encoder; one reason of kind "nli" per pair.

    With `both_directions`, each pair is also scored as (passage, claim) and the two are
    merged by `merge_directions`: the larger contradiction, the mean entailment.
    """

    name = "nli"

    def __init__(
        self,
        model_path: str | Path,
        batch_size: int = 32,
        both_directions: bool = True,
        contradiction_threshold: float = 0.5,
        entailment_threshold: float = 0.5,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, not {batch_size}")
        self.model_path = Path(model_path)
        self.batch_size = batch_size
        self.both_directions = both_directions
        self.contradiction_threshold = contradiction_threshold
        self.entailment_threshold = entailment_threshold
        self._model: CrossEncoder | OnnxCrossEncoder = _load(self.model_path)
        self._columns = label_columns(
            getattr(self._model.config, "id2label", None), self.model_path
        )
        outputs = self._model.num_labels
        if outputs != len(self._columns):
            raise ModelError(
                f"NLI model at {self.model_path} has {outputs} outputs but its id2label names "
                f"{len(self._columns)} labels"
            )

    def judge(self, pairs: Sequence[tuple[str, str]]) -> list[Judgement]:
        if not pairs:
            return []
        inputs = [(claim, passage) for claim, passage in pairs]
        if self.both_directions:
            inputs += [(passage, claim) for claim, passage in pairs]
        probabilities = self._probabilities(inputs)
        forward = probabilities[: len(pairs)]
        backward = probabilities[len(pairs) :] if self.both_directions else forward
        merged = merge_directions(forward, backward)
        return [combine([self._reason(row)], 0.0) for row in merged]

    def _probabilities(self, inputs: list[tuple[str, str]]) -> np.ndarray:
        """Softmax probabilities, one row per input, columns in `LABELS` order."""
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
        contradiction, entailment = scores["contradiction"], scores["entailment"]
        # A confident contradiction wins even when entailment is higher: topic overlap inflates
        # entailment, and a missed contradiction is the costlier mistake for a fact checker.
        if contradiction >= self.contradiction_threshold:
            verdict, lead = Verdict.CONTRADICTS, "contradiction"
        elif entailment >= self.entailment_threshold:
            verdict, lead = Verdict.SUPPORTS, "entailment"
        else:
            verdict, lead = Verdict.RELATED, "neutral"
        others = ", ".join(f"{label} {scores[label]:.2f}" for label in LABELS if label != lead)
        return Reason(
            kind=self.name,
            verdict=verdict,
            confidence=round(scores[lead], 4),
            detail=f"NLI model: {lead} {scores[lead]:.2f} ({others})",
        )


def merge_directions(forward: np.ndarray, backward: np.ndarray) -> np.ndarray:
    """Per pair, the (entailment, neutral, contradiction) of both readings combined.

    Contradiction: the maximum. Contradiction is symmetric in meaning, but models often see it
    in one order only, and missing one costs more than a false alarm the rules can outvote.
    Entailment: the mean. Entailment is directional, and one-way entailment is exactly what
    topical neighbours produce (the more specific sentence entails the vaguer one on the same
    topic); averaging demands that each sentence back the other, i.e. that they say the same
    thing, before the pair counts as support. Neutral: the mean, for display. The three need
    not sum to 1.
    """
    entail = (forward[:, 0] + backward[:, 0]) / 2
    neutral = (forward[:, 1] + backward[:, 1]) / 2
    contradiction = np.maximum(forward[:, 2], backward[:, 2])
    return np.stack([entail, neutral, contradiction], axis=1)


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
    """An exported cross-encoder run by onnxruntime: the tokenizer, then logits per pair."""

    def __init__(self, model_file: Path) -> None:
        import onnxruntime
        from transformers import AutoConfig, AutoTokenizer

        folder = str(model_file.parent)
        self.config = AutoConfig.from_pretrained(folder, local_files_only=True)
        self.num_labels = int(self.config.num_labels)
        self.tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
        # As the CrossEncoder does: the tokenizer's own limit, at most BERT's 512 positions.
        self.max_length = min(int(self.tokenizer.model_max_length), 512)
        self.session = onnxruntime.InferenceSession(
            str(model_file), providers=["CPUExecutionProvider"]
        )
        self._input_names = {i.name for i in self.session.get_inputs()}

    def logits(self, inputs: Sequence[tuple[str, str]], batch_size: int) -> np.ndarray:
        # Longest first, as the CrossEncoder does, so that each batch pads little.
        order = sorted(range(len(inputs)), key=lambda i: -len(inputs[i][0]) - len(inputs[i][1]))
        rows = []
        for start in range(0, len(order), batch_size):
            chunk = [inputs[i] for i in order[start : start + batch_size]]
            encoded = self.tokenizer(
                [first for first, _ in chunk],
                [second for _, second in chunk],
                padding=True,
                truncation=True,
                max_length=self.max_length,
                return_tensors="np",
            )
            feeds = {k: v.astype(np.int64) for k, v in encoded.items() if k in self._input_names}
            rows.append(self.session.run(["logits"], feeds)[0])
        logits = np.concatenate(rows) if rows else np.zeros((0, self.num_labels))
        result = np.empty_like(logits)
        result[order] = logits
        return result


def _load(path: Path) -> CrossEncoder | OnnxCrossEncoder:
    if not path.exists():
        raise ModelError(f"NLI model directory {path} does not exist")
    onnx_file = path if path.suffix == ".onnx" else path / "model.onnx"
    if onnx_file.is_file():
        os.environ["HF_HUB_OFFLINE"] = "1"
        try:
            return OnnxCrossEncoder(onnx_file)
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
