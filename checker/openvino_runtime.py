"""OpenVINO for the CPU: an ONNX graph compiled to compute in bf16 where the CPU does so natively.

Both models can run here instead of on onnxruntime: the sentence embedder
(`CHECKER_EMBEDDING_RUNTIME=openvino`, its fp32 export) and the NLI cross-encoder
(`CHECKER_NLI_RUNTIME=openvino`, its int8 export with the matrix products turned back into
float ones over the same weights, `checker.onnx_export.dequantize_matmuls`). On a CPU with
AVX-512 BF16 or AMX, bf16 matrix products run on the vector units in half the bytes; on one
without, OpenVINO computes in fp32.
"""

from __future__ import annotations

import functools
import threading
from pathlib import Path
from typing import Any

import numpy as np

from checker.errors import ModelError


@functools.cache
def _core() -> Any:
    """The process's one OpenVINO Core (it reads the machine's devices and plugins when made;
    its methods may be called from several threads)."""
    import openvino

    return openvino.Core()


@functools.cache
def computes_bf16_natively() -> bool:
    """Whether OpenVINO computes bf16 natively on this CPU (AVX-512 BF16 or AMX); False where
    the openvino package is missing. Asked once per process."""
    try:
        core = _core()
    except ImportError:
        return False
    return "BF16" in core.get_property("CPU", "OPTIMIZATION_CAPABILITIES")


@functools.cache
def cpu_fields() -> dict[str, str]:
    """The first processor's fields in /proc/cpuinfo ("model name", "flags", ...; Linux);
    empty where that cannot be read."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return {}
    first = text.split("\n\n", 1)[0].splitlines()
    pairs = (line.split(":", 1) for line in first if ":" in line)
    return {key.strip(): value.strip() for key, value in pairs}


def has_amx() -> bool:
    """Whether this CPU has AMX tiles for bf16 matrix products (`amx_bf16` among its flags);
    False where that cannot be read. OpenVINO's capabilities say "BF16" for AVX-512 BF16 and
    AMX alike, and only AMX made the NLI model faster in bf16."""
    return "amx_bf16" in cpu_fields().get("flags", "").split()


# OpenVINO compiles its kernels for each input shape it meets: on a 2-core Xeon with AMX a
# sequence length the NLI model or the embedder had not met cost 5-6 ms more, the first time.
# A check's claim and its few pairs come in ever new lengths, so a partial batch is padded to a
# multiple of SHAPE_STEP tokens (`padded_to_step`): a few shapes, soon all compiled. Full
# batches (ingest, the scan) keep their own length: padding them would only add work.
SHAPE_STEP = 16


def padded_to_step(feeds: dict[str, np.ndarray], limit: int) -> dict[str, np.ndarray]:
    """`feeds` (token inputs, one row a text) padded with zeros along the sequence to a
    multiple of SHAPE_STEP, at most `limit` (the model's longest input). What a padded
    position holds does not matter: its attention mask is 0 and it is pooled with that mask."""
    width = next(iter(feeds.values())).shape[1]
    target = max(width, min(-(-width // SHAPE_STEP) * SHAPE_STEP, limit))
    if target == width:
        return feeds
    return {name: np.pad(array, ((0, 0), (0, target - width))) for name, array in feeds.items()}


class OpenVinoSession:
    """An ONNX graph compiled by OpenVINO for the CPU, computing in bf16 where the CPU does
    so natively (AVX-512 BF16, AMX) and in fp32 elsewhere. One inference request per thread:
    a compiled model serves several at once, a request only one (gunicorn runs threads)."""

    def __init__(self, model: Path | bytes, threads: int) -> None:
        """`model`: an ONNX file, or a serialised ONNX model in memory (nothing is written to
        disk, which may be full or size-limited when a model is loaded)."""
        try:
            core = _core()
        except ImportError:
            raise ModelError(
                "the openvino runtime needs the openvino package (pip install openvino), "
                "or the onnxruntime one"
            ) from None
        native = computes_bf16_natively()
        self.precision = "bf16" if native else "fp32"
        config = {
            "INFERENCE_PRECISION_HINT": "bf16" if native else "f32",
            "PERFORMANCE_HINT": "LATENCY",
            "INFERENCE_NUM_THREADS": threads,
        }
        try:
            source = model if isinstance(model, bytes) else str(model)
            self._compiled = core.compile_model(core.read_model(source), "CPU", config)
        except Exception as exc:  # OpenVINO raises RuntimeError with its own message
            what = "the model given in memory" if isinstance(model, bytes) else model
            raise ModelError(f"OpenVINO cannot compile {what}: {exc}") from exc
        self._local = threading.local()
        self.inputs = [port.any_name for port in self._compiled.inputs]
        self.runtime = f"openvino-{self.precision}"

    def run(self, outputs: list[str], feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        request = getattr(self._local, "request", None)
        if request is None:
            request = self._local.request = self._compiled.create_infer_request()
        answer = request.infer(feeds)
        return [np.asarray(answer[self._compiled.output(name)]) for name in outputs]
