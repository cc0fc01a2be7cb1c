"""Static int8 for the NLI model on OpenVINO, against the bf16 it runs in now (issue 14).

    python -m bench.nli_static_int8 [--venv /tmp/nncf-venv] [--mnli 3000] [--out NAME]

Issue 14 asks for 1,000 news pairs a second, batch 32; OpenVINO's bf16 over the shipped
weights reads 568 on a 2-core Xeon with AMX, its weight products on AMX and its attention on
AVX-512. Int8 activations would put both on AMX's int8 units. This measures whether they do:
the float graph the OpenVINO runtime compiles (`dequantize_matmuls` of the shipped model) is
quantised statically by NNCF (bench/nncf_driver.py, in its own virtualenv: `python3 -m venv
/tmp/nncf-venv && /tmp/nncf-venv/bin/pip install openvino==<the project's> nncf`), calibrated
on up to 20 batches of 32 pairs: neighbouring sentences of ABC science stories (the speed pairs
are rural ones) and SNLI training pairs, never an evaluation set. Then, in this process, the
two compiled models read the same news pairs in turns (pairs/s, batch 32, two rounds) and the
first `--mnli` pairs of MultiNLI matched dev (3-way accuracy: the issue's bar is within 1
point). Writes bench/results/NAME.json (default nli-static-int8).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench import data
from bench.common import REPO, provenance, shared, write_result
from bench.nli import news_pairs
from checker.judge.nli import BUILTIN_MODEL, OnnxCrossEncoder

DRIVER = REPO / "bench" / "nncf_driver.py"
CALIBRATION_BATCHES = 20
BATCH = 32


def calibration_pairs() -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for story in data.abc_stories("science"):
        pairs += list(itertools.pairwise(story["text"].split("\n")))
        if len(pairs) >= 400:
            break
    snli = data.jsonl(shared("nli-train/snli/train_subsets.jsonl"))
    pairs += [(r["premise"], r["hypothesis"]) for r in itertools.islice(snli, 224)]
    random.Random(2).shuffle(pairs)
    return pairs[: CALIBRATION_BATCHES * BATCH]


def write_calibration(encoder: OnnxCrossEncoder, folder: Path) -> int:
    """The calibration pairs as token batches in `folder`; how many pairs."""
    pairs = calibration_pairs()
    for n, start in enumerate(range(0, len(pairs), BATCH)):
        chunk = pairs[start : start + BATCH]
        np.savez(folder / f"{n:03d}.npz", **encoder.encode(chunk))  # BERT's three inputs
    return len(pairs)


class CompiledIR:
    """An OpenVINO IR compiled as `OpenVinoSession` compiles the ONNX graph (bf16 hint, so
    whatever NNCF left unquantised runs in bf16; latency mode; every core)."""

    def __init__(self, path: Path, threads: int) -> None:
        import openvino

        core = openvino.Core()
        config = {"INFERENCE_PRECISION_HINT": "bf16", "PERFORMANCE_HINT": "LATENCY",
                  "INFERENCE_NUM_THREADS": threads}  # fmt: skip
        self._compiled = core.compile_model(core.read_model(str(path)), "CPU", config)
        self._request = self._compiled.create_infer_request()

    def run(self, outputs: list[str], feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        answer = self._request.infer(feeds)
        return [np.asarray(answer[self._compiled.output(0)])]


def pairs_per_second(encoder: OnnxCrossEncoder, pairs: Sequence[tuple[str, str]]) -> float:
    encoder.logits(pairs[:64], BATCH)  # warm-up
    started = time.perf_counter()
    encoder.logits(pairs, BATCH)
    return len(pairs) / (time.perf_counter() - started)


def mnli_accuracy(encoder: OnnxCrossEncoder, limit: int) -> float:
    rows = data.mnli(limit)
    logits = encoder.logits([(r["premise"], r["hypothesis"]) for r in rows], BATCH)
    names = {int(k): v for k, v in encoder.config.id2label.items()}
    predicted = [names[int(i)] for i in logits.argmax(axis=1)]
    return sum(p == r["label"] for p, r in zip(predicted, rows, strict=True)) / len(rows)


def measure(venv: Path, mnli: int, workdir: Path) -> dict[str, Any]:
    import onnx

    from checker.onnx_export import dequantize_matmuls

    encoder = OnnxCrossEncoder(BUILTIN_MODEL / "model.onnx", engine="openvino")
    plain = workdir / "float.onnx"
    onnx.save(dequantize_matmuls(onnx.load(str(BUILTIN_MODEL / "model.onnx"))), str(plain))
    calibration = workdir / "calibration"
    calibration.mkdir()
    calibrated = write_calibration(encoder, calibration)
    quantised = workdir / "static-int8.xml"
    started = time.perf_counter()
    subprocess.run(
        [str(venv / "bin" / "python"), str(DRIVER), str(plain), str(calibration), str(quantised)],
        check=True,
    )
    quantise_seconds = time.perf_counter() - started
    sessions = {
        "bf16": encoder.session,
        "static-int8": CompiledIR(quantised, len(os.sched_getaffinity(0))),
    }
    pairs = news_pairs(2048)
    speed: dict[str, list[float]] = {name: [] for name in sessions}
    for _ in range(2):  # in turns, so that a busy moment sways both
        for name, session in sessions.items():
            encoder.session = session
            speed[name].append(round(pairs_per_second(encoder, pairs), 1))
    accuracy = {}
    for name, session in sessions.items():
        encoder.session = session
        accuracy[name] = round(mnli_accuracy(encoder, mnli), 4)
    return {
        "quantiser": _versions(venv),
        "calibration_pairs": calibrated,
        "quantise_seconds": round(quantise_seconds, 1),
        "news_pairs": len(pairs),
        "pairs_per_second": speed,
        "mnli_pairs": mnli,
        "mnli_accuracy": accuracy,
    }


def _versions(venv: Path) -> str:
    script = (
        "import nncf, openvino; print(f'nncf {nncf.__version__}, openvino {openvino.__version__}')"
    )
    return subprocess.run(
        [str(venv / "bin" / "python"), "-c", script], capture_output=True, text=True, check=True
    ).stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=Path, default=Path("/tmp/nncf-venv"))
    parser.add_argument("--mnli", type=int, default=3000, help="MultiNLI matched dev pairs read")
    parser.add_argument("--out", default="nli-static-int8")
    args = parser.parse_args(argv)
    if not (args.venv / "bin" / "python").exists():
        print(f"no NNCF virtualenv at {args.venv}: see this module's docstring", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="bench-static-int8-") as tmp:
        result = measure(args.venv, args.mnli, Path(tmp))
    result["provenance"] = provenance()
    print(json.dumps(result, indent=2))
    print(f"written to {write_result(args.out, result)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
