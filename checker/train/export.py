"""Export a trained cross-encoder to ONNX and quantise it to int8 (onnxruntime, dynamic).

The exported directory holds `model.onnx` (int8 unless asked otherwise), the tokenizer and the
model's `config.json` (whose `id2label` gives the label order), which is everything
`checker.judge.nli.NLIJudge` needs to load it without torch weights.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

ONNX_NAME = "model.onnx"
OPSET = 17


def export_onnx(model_dir: Path, out: Path, quantize: bool = True) -> Path:
    """Writes `out/model.onnx` (+ tokenizer, config.json) from the CrossEncoder at `model_dir`."""
    import torch
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
    with warnings.catch_warnings():
        # The TorchScript exporter is deprecated in favour of dynamo, which needs onnxscript
        # (not a dependency); it still exports a BERT classifier exactly.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            _logits_only(network),
            (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"]),
            str(fp32),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["logits"],
            dynamic_axes={
                name: {0: "batch", 1: "sequence"}
                for name in ("input_ids", "attention_mask", "token_type_ids")
            }
            | {"logits": {0: "batch"}},
            opset_version=OPSET,
            dynamo=False,
        )
    if quantize:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        quantize_dynamic(str(fp32), str(out / ONNX_NAME), weight_type=QuantType.QInt8)
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
