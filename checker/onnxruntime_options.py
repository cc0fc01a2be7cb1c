"""The onnxruntime session options both ONNX models run with: the embedder
(`checker.embed_onnx`) and the NLI model (`checker.judge.nli`)."""

from __future__ import annotations

from typing import Any


def session_options(threads: int = 0) -> Any:
    """Options for one CPU session; `threads` 0 lets onnxruntime take one per core."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    # One pool of threads; the graphs are chains, so inter-op parallelism buys nothing.
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    # No busy-waiting after a run. A check runs both models one after the other, and the
    # threads of the one that just ran kept spinning on the cores the other needed: on a
    # 2-core AMD EPYC a one-pair NLI reading right after a claim's embedding took 7 ms instead
    # of 1.3, and /v1/check's p95 on the ABC index fell from 52 to 42 ms without spinning.
    # Bulk embedding and NLI rates were the same either way (docs/performance-history.md).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return options
