"""Export a trained cross-encoder to ONNX and quantise it to int8 (onnxruntime, dynamic,
per output column).

The exported directory holds `model.onnx` (int8 unless asked otherwise), the tokenizer and the
model's `config.json` (whose `id2label` gives the label order), which is everything
`checker.judge.nli.NLIJudge` needs to load it without torch weights.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from checker.onnx_export import quantize_int8, trace_to_onnx

if TYPE_CHECKING:
    import torch

ONNX_NAME = "model.onnx"


def export_onnx(model_dir: Path, out: Path, quantize: bool = True) -> Path:
    """Writes `out/model.onnx` (+ tokenizer, config.json) from the CrossEncoder at `model_dir`."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    out.mkdir(parents=True, exist_ok=True)
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
    # Eager attention traces to plain ONNX ops; the fused kernels do not export cleanly.
    network = AutoModelForSequenceClassification.from_pretrained(
        str(model_dir), local_files_only=True, attn_implementation="eager"
    ).eval()
    sample = tokenizer(
        ["The accord called for a withdrawal."],
        ["There are no forces there."],
        return_tensors="pt",
    )
    fp32 = out / ("model.fp32.onnx" if quantize else ONNX_NAME)
    inputs = {name: sample[name] for name in ("input_ids", "attention_mask", "token_type_ids")}
    axes = {name: {0: "batch", 1: "sequence"} for name in inputs}
    trace_to_onnx(_logits_only(network), inputs, ["logits"], fp32, axes | {"logits": {0: "batch"}})
    if quantize:
        # One scale per output column, not per matrix: the distilled model read MultiNLI at
        # 62.4 % per matrix, 63.5 % per column, 63.3 % in fp32 (nli-kd-quantisation.json).
        quantize_int8(fp32, out / ONNX_NAME, per_channel=True)
        fp32.unlink()
    tokenizer.save_pretrained(str(out))
    network.config.save_pretrained(str(out))
    return out / ONNX_NAME


def _logits_only(network: torch.nn.Module) -> torch.nn.Module:
    """The classifier as a module of three tensors in, logits out (what ONNX can trace)."""
    import torch

    class Logits(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.network = network

        def forward(
            self,
            input_ids: torch.Tensor,
            attention_mask: torch.Tensor,
            token_type_ids: torch.Tensor,
        ) -> torch.Tensor:
            output = self.network(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )
            return output.logits

    return Logits()
