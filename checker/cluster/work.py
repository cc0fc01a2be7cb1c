"""What runs on the cluster: the two Ray Data stages, as callable classes (Ray actors).

Each actor loads its models once, in its constructor, with the same loaders the single-process
path uses (`load_embedder`, `load_analyser`, `build_judge`), and then does job after job. A
job is one row of the dataset: one ingest batch of sentences, or one scan search batch of
analysed pairs, pickled whole, and it is computed by one call of the models exactly as the
single-process path computes it. That is what makes the results the same: the shipped NLI
model quantises each batch's activations with one scale, and the embedder pads each batch to
its longest sentence, so what a model reads together must not change between the paths.

The constructors check that the worker runs the driver's version of the checker and of the
analysis, and the embedding model the index was built with: a node with another install must
fail the run, not store vectors or analyses of another kind.
"""

from __future__ import annotations

import dataclasses
import pickle
from typing import Any

import numpy as np

from checker import __version__
from checker.analyse import ANALYSIS_VERSION
from checker.errors import ModelError
from checker.settings import Settings

Batch = dict[str, np.ndarray]


def _check_versions(checker_version: str, analysis_version: int) -> None:
    if (checker_version, analysis_version) != (__version__, ANALYSIS_VERSION):
        raise ModelError(
            f"a Ray worker runs checker {__version__} (analysis version {ANALYSIS_VERSION}) "
            f"but the driver runs {checker_version} (analysis version {analysis_version}); "
            "install the same version on every node"
        )


class SentenceWork:
    """Embeds and analyses sentences. A job: (texts, their documents' dates) -> (unit
    vectors, analyses)."""

    def __init__(
        self,
        settings: Settings,
        model: str,
        dimension: int,
        checker_version: str,
        analysis_version: int,
    ) -> None:
        from checker.analyse import load_analyser
        from checker.embed import load_embedder

        _check_versions(checker_version, analysis_version)
        # Threads as the actor's share of the node's CPUs, not one per core of the node.
        threads = settings.embed_threads or settings.ray_actor_cpus
        self.embedder = load_embedder(dataclasses.replace(settings, embed_threads=threads))
        if (self.embedder.name, self.embedder.dimension) != (model, dimension):
            raise ModelError(
                f"a Ray worker loaded embedding model {self.embedder.name!r} "
                f"({self.embedder.dimension}-d) but the index holds {model!r} ({dimension}-d)"
            )
        self.analyser = load_analyser()

    def __call__(self, batch: Batch) -> Batch:
        return _each_job(batch, self.work)

    def work(self, job: tuple[list[str], list[str | None]]) -> tuple[np.ndarray, list[Any]]:
        texts, published = job
        return self.embedder.encode(texts), self.analyser.analyse(texts, published)


class PairWork:
    """Judges analysed pairs as the scan does: the judges, then the alignment gate. A job:
    [(a, a's analysis, b, b's analysis)] -> ([judgement per pair], pairs the NLI model read)."""

    def __init__(self, settings: Settings, checker_version: str, analysis_version: int) -> None:
        from checker.judge.gate import Gate
        from checker.service import build_judge

        _check_versions(checker_version, analysis_version)
        self.judge = build_judge(settings)
        self.gate = Gate(settings.min_confidence)

    def __call__(self, batch: Batch) -> Batch:
        return _each_job(batch, self.work)

    def work(self, pairs: list[tuple[str, Any, str, Any]]) -> tuple[list[Any], int]:
        from checker.service import ModelReads, judge_analysed

        reads = ModelReads()
        return judge_analysed(self.judge, self.gate, pairs, reads), reads.model


def _each_job(batch: Batch, work: Any) -> Batch:
    """Columns job, payload (pickled) -> job, result (pickled); one model call per job."""
    results = np.empty(len(batch["job"]), dtype=object)
    results[:] = [
        pickle.dumps(work(pickle.loads(payload)), protocol=pickle.HIGHEST_PROTOCOL)
        for payload in batch["payload"]
    ]
    return {"job": batch["job"], "result": results}
