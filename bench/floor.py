"""The compute floor: this CPU's matrix-multiply throughput and a transformer's FLOPs per input.

Together they say how many sentences a second the embedding model could encode (fp32), or
sentence pairs the NLI cross-encoder could judge (int8, as it ships), if each did nothing but
its matrix multiplies at the machine's measured rate; the measured rate is then read as a
fraction of that floor.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np


def _best_gflops(run: Callable[[], object], flops: float, repeats: int) -> dict[str, float]:
    run()  # warm-up: thread pools, page faults
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - started)
    return {
        "median_gflops": flops / statistics.median(seconds) / 1e9,
        "best_gflops": flops / min(seconds) / 1e9,
    }


def matmul_gflops(size: int = 2048, repeats: int = 7) -> dict[str, Any]:
    """float32 (size x size) @ (size x size) with numpy and torch, on every thread they use.

    2 * size**3 floating-point operations a product. The median is the figure to trust on a
    shared machine; the best run is closest to what the silicon can do.
    """
    import torch

    rng = np.random.default_rng(0)
    a = rng.standard_normal((size, size), dtype=np.float32)
    b = rng.standard_normal((size, size), dtype=np.float32)
    flops = 2.0 * size**3
    ta, tb = torch.from_numpy(a), torch.from_numpy(b)
    with torch.inference_mode():
        torch_rate = _best_gflops(lambda: ta @ tb, flops, repeats)
    return {
        "size": size,
        "repeats": repeats,
        "torch_threads": torch.get_num_threads(),
        "numpy": _best_gflops(lambda: a @ b, flops, repeats),
        "torch": torch_rate,
    }


def int8_matmul_gops(size: int = 2048, repeats: int = 7) -> dict[str, Any]:
    """uint8 (size x size) @ int8 (size x size) -> int32 with onnxruntime's `MatMulInteger`, the
    kernel a dynamically quantised model (the shipped NLI model) multiplies with; the int8
    matrix is a constant, prepacked as model weights are. 2 * size**3 operations a product.
    """
    import onnxruntime
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(0)
    weights = rng.integers(-127, 128, (size, size), dtype=np.int8)
    graph = helper.make_graph(
        [helper.make_node("MatMulInteger", ["a", "w"], ["y"])],
        "int8_matmul",
        [helper.make_tensor_value_info("a", TensorProto.UINT8, [size, size])],
        [helper.make_tensor_value_info("y", TensorProto.INT32, [size, size])],
        initializer=[numpy_helper.from_array(weights, "w")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    session = onnxruntime.InferenceSession(
        model.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    feeds = {"a": rng.integers(0, 256, (size, size), dtype=np.uint8)}
    rate = _best_gflops(lambda: session.run(["y"], feeds), 2.0 * size**3, repeats)
    return {
        "size": size,
        "repeats": repeats,
        "median_gops": rate["median_gflops"],
        "best_gops": rate["best_gflops"],
    }


def encoder_flops(config: dict[str, Any], tokens: float) -> float:
    """Multiply-add FLOPs (2 per multiply-accumulate) of one BERT-style encoder pass.

    For L tokens, hidden size h, intermediate size i and n layers, each layer does
      Q, K, V and output projections   4 * (2 L h h)
      attention scores Q K^T             2 L L h
      attention-weighted values A V      2 L L h
      feed-forward up and down           2 * (2 L h i)
    so n * (2 L (4 h^2 + 2 h i) + 4 L^2 h) in all. Embeddings lookups, layer norms, softmax,
    GELU and mean pooling are a few percent at most and are left out, so this is a floor.
    MiniLM-L6 (n=6, h=384, i=1536) at L=32: about 0.69 GFLOP a sentence.
    """
    n = int(config["num_hidden_layers"])
    h = int(config["hidden_size"])
    i = int(config["intermediate_size"])
    return n * (2 * tokens * (4 * h * h + 2 * h * i) + 4 * tokens * tokens * h)


def model_config(model_dir: Path) -> dict[str, Any]:
    config: dict[str, Any] = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    return config


def mean_tokens(model_dir: Path, texts: Sequence[str]) -> float:
    """Mean tokens a sentence, [CLS] and [SEP] included, as the model's own tokenizer counts.

    Truncated at the model's max_seq_length (sentence_bert_config.json), as encoding is.
    """
    from transformers import AutoTokenizer

    limit = 512
    st_config = model_dir / "sentence_bert_config.json"
    if st_config.exists():
        limit = int(json.loads(st_config.read_text()).get("max_seq_length", limit))
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    ids = tokenizer(list(texts), truncation=True, max_length=limit)["input_ids"]
    return float(np.mean([len(row) for row in ids])) if ids else 0.0


def embed_floor(
    model_dir: Path, texts: Sequence[str], measured_rate: float, gflops: float
) -> dict[str, Any]:
    """The embed stage against the floor: FLOPs a sentence, floor rate, fraction reached."""
    config = model_config(model_dir)
    tokens = mean_tokens(model_dir, texts)
    flops = encoder_flops(config, tokens)
    floor_rate = gflops * 1e9 / flops if flops else 0.0
    return {
        "layers": config["num_hidden_layers"],
        "hidden": config["hidden_size"],
        "intermediate": config["intermediate_size"],
        "mean_tokens": round(tokens, 1),
        "gflop_per_sentence": round(flops / 1e9, 4),
        "floor_sentences_per_s": round(floor_rate, 1),
        "measured_sentences_per_s": round(measured_rate, 1),
        "fraction_of_floor": round(measured_rate / floor_rate, 3) if floor_rate else 0.0,
    }


def pair_floor(
    model_dir: Path,
    pairs: Sequence[tuple[str, str]],
    measured_rate: float,
    int8_gops: float,
    fp32_gflops: float,
) -> dict[str, Any]:
    """The NLI judge against the floor: FLOPs a (premise, hypothesis) reading, the int8 floor
    (the shipped model's weights are int8) and the fp32 one, and the fraction reached."""
    from transformers import AutoTokenizer

    config = model_config(model_dir)
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    ids = tokenizer(
        [first for first, _ in pairs], [second for _, second in pairs], truncation=True
    )["input_ids"]
    tokens = float(np.mean([len(row) for row in ids])) if ids else 0.0
    flops = encoder_flops(config, tokens)
    int8_floor = int8_gops * 1e9 / flops if flops else 0.0
    return {
        "layers": config["num_hidden_layers"],
        "hidden": config["hidden_size"],
        "mean_tokens": round(tokens, 1),
        "gflop_per_pair": round(flops / 1e9, 4),
        "floor_pairs_per_s_int8": round(int8_floor, 1),
        "floor_pairs_per_s_fp32": round(fp32_gflops * 1e9 / flops, 1) if flops else 0.0,
        "measured_pairs_per_s": round(measured_rate, 1),
        "fraction_of_int8_floor": round(measured_rate / int8_floor, 3) if int8_floor else 0.0,
    }
