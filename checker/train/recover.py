"""A trainable CrossEncoder folder recovered from a shipped int8 NLI model (issue 12).

The shipped model travels as int8 ONNX only; its fp32 training weights are not kept. To
continue training it (new data, a short run from where it stands), the int8 weights are read
back and dequantised exactly as the runtime does (`(q - zero_point) * scale`, per output column
for the matrices, per tensor for the embedding tables), and mapped onto the Hugging Face names
of the architecture they came from. The recovered fp32 model therefore holds the weights the
shipped model computes with; only the runtime's per-batch quantisation of activations is
absent, so its readings agree with the shipped model's to within that (a few hundredths).

    python -m checker.train.recover checker/models/nli runs/nli-recovered

A matrix the dynamic quantiser renamed ("onnx::MatMul_720") is named by the bias its output
is added to, which kept its parameter name ("...attention.self.query.bias").
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Iterable, KeysView, Mapping
from pathlib import Path
from typing import Any

import numpy as np

PREFIX = "network."  # the export wraps the Hugging Face model as `network`
_COPIED = ("config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")


def recovered_weights(model_file: Path) -> dict[str, np.ndarray]:
    """The Hugging Face state dict (name -> fp32 array) the int8 ONNX model computes with."""
    import onnx
    from onnx import numpy_helper

    from checker.onnx_export import dequantized

    graph = onnx.load(str(model_file)).graph
    stored = {init.name: numpy_helper.to_array(init) for init in graph.initializer}
    consumers: dict[str, list[Any]] = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    weights: dict[str, np.ndarray] = {}
    for name, value in stored.items():
        if name.endswith("_quantized"):
            stem = name[: -len("_quantized")]
            matrix = dequantized(value, stored[stem + "_zero_point"], stored[stem + "_scale"])
            weights[_torch_name(stem, consumers, stored.keys())] = _as_torch_layout(stem, matrix)
        elif not name.endswith(("_scale", "_zero_point")) and value.dtype == np.float32:
            weights[_strip(name)] = value
    return weights


def _strip(name: str) -> str:
    return name[len(PREFIX) :] if name.startswith(PREFIX) else name


def _as_torch_layout(stem: str, matrix: np.ndarray) -> np.ndarray:
    # ONNX's MatMul weights are (in, out); torch's Linear stores (out, in). Embedding tables
    # are gathered by row and keep their layout.
    return matrix if stem.endswith("embeddings.weight") else np.ascontiguousarray(matrix.T)


def _torch_name(stem: str, consumers: Mapping[str, list[Any]], initializers: KeysView[str]) -> str:
    """The parameter name of a quantised matrix: its own where the export kept it, else that
    of the bias its product is added to."""
    if stem.startswith(PREFIX):
        return _strip(stem.removesuffix("_Transposed"))
    bias = _bias_after(stem + "_quantized", consumers, initializers)
    return _strip(bias.removesuffix(".bias")) + ".weight"


def _bias_after(
    weight: str, consumers: Mapping[str, list[Any]], initializers: KeysView[str]
) -> str:
    """The first `*.bias` initializer added downstream of the node that reads `weight`
    (`consumers`: value name -> the nodes that read it)."""
    frontier = list(consumers.get(weight, []))
    seen: set[int] = set()
    while frontier:
        node = frontier.pop(0)
        if id(node) in seen:
            continue
        seen.add(id(node))
        biases = [n for n in node.input if n in initializers and n.endswith(".bias")]
        if node.op_type == "Add" and biases:
            return str(biases[0])
        frontier.extend(c for out in node.output for c in consumers.get(out, []))
    raise ValueError(f"no bias follows {weight}: not a model this recovery knows")


def recover(model_dir: Path, out: Path, template: Path | None = None) -> Path:
    """A CrossEncoder folder in `out` holding the int8 model's weights as fp32 safetensors."""
    import torch
    from safetensors.torch import save_file

    weights = recovered_weights(model_dir / "model.onnx")
    expected = _expected_names(template)
    if expected is not None and set(weights) != expected:
        missing, extra = sorted(expected - set(weights)), sorted(set(weights) - expected)
        raise ValueError(f"recovered names differ: missing {missing[:5]}, extra {extra[:5]}")
    out.mkdir(parents=True, exist_ok=True)
    save_file(
        {k: torch.from_numpy(v.copy()) for k, v in weights.items()}, str(out / "model.safetensors")
    )
    for name in _COPIED:
        if (model_dir / name).is_file():
            shutil.copy2(model_dir / name, out / name)
    return out


def _expected_names(template: Path | None) -> set[str] | None:
    """The parameter names of a fresh model of the architecture (None: not checked)."""
    if template is None:
        return None
    from checker.train.model import new_model

    network = new_model(str(template)).model
    assert network is not None
    names: Iterable[str] = network.state_dict()
    return {n for n in names if not n.endswith("position_ids")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m checker.train.recover", description=__doc__)
    parser.add_argument("model_dir", type=Path, help="an NLI model folder (model.onnx, config)")
    parser.add_argument("out", type=Path, help="the CrossEncoder folder to write")
    args = parser.parse_args(argv)
    try:
        print(recover(args.model_dir, args.out))
    except (OSError, ValueError, KeyError) as error:
        print(f"checker.train.recover: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
