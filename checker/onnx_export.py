"""Tracing a torch module to ONNX and quantising it to int8, for the NLI and embedding exports.

`checker.train.export` writes the trained NLI cross-encoder with these; `checker.embed_onnx`
writes the sentence embedder. torch is imported inside the functions, so importing this module
stays cheap (the ONNX embedder needs torch only on the one run that exports).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

OPSET = 17


def trace_to_onnx(
    module: torch.nn.Module,
    inputs: Mapping[str, torch.Tensor],
    outputs: Sequence[str],
    path: Path,
    dynamic_axes: Mapping[str, Mapping[int, str]],
) -> Path:
    """Trace `module(*inputs.values())` into `path`, inputs and outputs named as given."""
    import torch

    with warnings.catch_warnings():
        # The TorchScript exporter is deprecated in favour of dynamo, which needs onnxscript
        # (not a dependency); it still exports a BERT encoder exactly.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            module,
            tuple(inputs.values()),
            str(path),
            input_names=list(inputs),
            output_names=list(outputs),
            dynamic_axes={name: dict(axes) for name, axes in dynamic_axes.items()},
            opset_version=OPSET,
            dynamo=False,
        )
    return path


def quantize_int8(source: Path, target: Path, **options: Any) -> Path:
    """onnxruntime's dynamic int8 quantisation of `source` into `target`.

    Weights become int8 ahead of time; activations are quantised as they come, so no
    calibration data is needed. `options` go to `quantize_dynamic` unchanged.
    """
    from onnxruntime.quantization import QuantType, quantize_dynamic

    options.setdefault("weight_type", QuantType.QInt8)
    with _quiet_root_logger():
        quantize_dynamic(str(source), str(target), **options)
    return target


@contextmanager
def _quiet_root_logger() -> Iterator[None]:
    """The quantiser logs advice on the root logger ("consider pre-processing"): not ours."""
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        yield
    finally:
        root.setLevel(level)


def quantize_weights_int8(source: Path, target: Path, block_size: int = 32) -> Path:
    """Every MatMul with a constant weight as onnxruntime's `MatMulNBits`, 8 bits, blockwise.

    Each column of a weight is cut into blocks of `block_size` rows, each block with its own
    scale (symmetric, zero point 128); `accuracy_level=4` has onnxruntime quantise the
    activations to int8 per block too and multiply in int8. Far finer than
    `quantize_dynamic`'s one scale per activation tensor, which costs MiniLM up to 0.02 of
    cosine on short sentences; this keeps every vector within 0.998 of float32.
    MatMuls of two activations (attention scores) stay float32.
    """
    import numpy as np
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(str(source))
    graph = model.graph
    weights = {init.name: init for init in graph.initializer}
    nodes = []
    replaced: set[str] = set()
    for node in graph.node:
        weight = weights.get(node.input[1]) if node.op_type == "MatMul" else None
        array = numpy_helper.to_array(weight) if weight is not None else None
        if weight is None or array is None or array.ndim != 2 or array.shape[0] % block_size:
            nodes.append(node)
            continue
        rows, cols = array.shape  # K, N
        blocks = array.astype(np.float32).T.reshape(cols, rows // block_size, block_size)
        scales = np.abs(blocks).max(axis=2) / 127.0
        scales[scales == 0] = 1.0
        quantized = np.clip(np.rint(blocks / scales[:, :, None]), -127, 127) + 128
        packed = numpy_helper.from_array(quantized.astype(np.uint8), weight.name + "_q8")
        scale = numpy_helper.from_array(scales.astype(np.float32), weight.name + "_scales")
        graph.initializer.extend([packed, scale])
        replaced.add(weight.name)
        nodes.append(
            helper.make_node(
                "MatMulNBits",
                [node.input[0], packed.name, scale.name],
                list(node.output),
                name=node.name + "_q8",
                domain="com.microsoft",
                K=rows,
                N=cols,
                bits=8,
                block_size=block_size,
                accuracy_level=4,
            )
        )
    still_used = {name for node in nodes for name in node.input}
    kept = [i for i in graph.initializer if i.name not in replaced or i.name in still_used]
    del graph.node[:]
    graph.node.extend(nodes)
    del graph.initializer[:]
    graph.initializer.extend(kept)
    if not any(opset.domain == "com.microsoft" for opset in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    onnx.save(model, str(target))
    return target


def dequantized(quantized: Any, zero_point: Any, scale: Any) -> Any:
    """The float32 weights an int8 (or uint8) tensor stands for, as the runtime computes them:
    (q - zero_point) * scale, per tensor or per output column as the scale's shape says."""
    import numpy as np

    return (quantized.astype(np.float32) - zero_point.astype(np.float32)) * scale.astype(np.float32)


def dequantize_matmuls(model: Any) -> Any:
    """`model` (an onnx.ModelProto, as `quantize_int8` writes them) with each int8 matrix
    product turned back into a float MatMul over its dequantised weights, changed in place and
    returned; a model without int8 products comes back as it was, less unused initializers.

    quantize_int8 writes each product as DynamicQuantizeLinear(x) -> MatMulInteger(x_q, w_q)
    -> Cast -> Mul(x_scale * w_scale). An engine that computes in bf16 (OpenVINO on a CPU
    with AVX-512 BF16 or AMX) runs the float product faster than the integer one, and on the
    same weights: w = (w_q - w_zero_point) * w_scale is exactly what the int8 model holds.
    """
    import numpy as np
    from onnx import helper, numpy_helper

    graph = model.graph
    weights = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    producer = {out: node for node in graph.node for out in node.output}
    consumers: dict[str, list[Any]] = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    replaced: dict[int, Any] = {}  # id of the final Mul -> the MatMul that replaces the chain
    for node in graph.node:
        if node.op_type != "MatMulInteger":
            continue
        x_q, w_q, _, w_zero = node.input
        quantize = producer[x_q]
        (cast,) = consumers[node.output[0]]
        (scaled,) = consumers[cast.output[0]]
        scales = producer[next(i for i in scaled.input if i != cast.output[0])]
        w_scale = next(i for i in scales.input if i in weights)
        matrix = dequantized(weights[w_q], weights[w_zero], weights[w_scale])
        name = f"{w_q}_dequantized"
        graph.initializer.append(numpy_helper.from_array(matrix.astype(np.float32), name))
        replaced[id(scaled)] = helper.make_node(
            "MatMul", [quantize.input[0], name], list(scaled.output), name=f"{node.name}_float"
        )
    nodes = [replaced.get(id(node), node) for node in graph.node]
    del graph.node[:]
    graph.node.extend(_live(nodes, {o.name for o in graph.output}))
    used = {name for node in graph.node for name in node.input}
    kept = [i for i in graph.initializer if i.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept)
    return model


def _live(nodes: Sequence[Any], outputs: set[str]) -> list[Any]:
    """`nodes` without those whose results nothing uses (in their order)."""
    needed = set(outputs)
    keep = []
    for node in reversed(nodes):
        if any(out in needed for out in node.output):
            keep.append(node)
            needed.update(node.input)
    return keep[::-1]
