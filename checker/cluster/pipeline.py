"""`RayCluster`: the heavy batch work of ingest and the scan as Ray Data pipelines.

The driver (the `checker` process) keeps everything that touches the index: it reads and
segments documents, searches FAISS for the scan's pairs, and commits results through
`Store.writing()` in order, one batch at a time, exactly as the single-process path does. Only
the model work travels: each ingest batch of sentences, or each scan search batch of analysed
pairs, is one job, one row of a Ray Data dataset; `map_batches` actors that loaded the models
once (`checker.cluster.work`) compute it with one call, as the single-process path would, and
the result comes back to the driver.

Jobs go out in windows (`WINDOW_ROWS_PER_WORKER` sentences or pairs for each model worker the
cluster can hold): one pipeline per window, so the driver holds a bounded number of documents
and pairs however large the input, while each window is big enough that loading the models
once per window costs little. Within a window results stream back as they are done, and a job
is handed to the writer as soon as it and every job before it are back.

Ray's own retries cover a lost node (its jobs run again on another worker); what Ray gives up
on becomes a `ClusterUnavailable`, raised before the job it concerns is written.
"""

from __future__ import annotations

import pickle
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from checker import __version__, errors
from checker.analyse import ANALYSIS_VERSION
from checker.errors import CheckerError, ClusterUnavailable
from checker.settings import Settings
from checker.types import Analysis, Judgement

if TYPE_CHECKING:
    from checker.service import ModelReads

T = TypeVar("T")
# Sentences (or pairs) a window holds per model worker: at ~150 sentences/s a worker spends
# about a minute on its share, against a few seconds to load its models for the window.
WINDOW_ROWS_PER_WORKER = 8192


class RayCluster:
    """A connected Ray cluster (see `connect`); its methods stream results back in order."""

    def __init__(self, address: str, settings: Settings, cpus: float) -> None:
        self.address = address
        self.settings = settings
        self.actor_cpus = settings.ray_actor_cpus
        # As many model workers as the cluster's CPUs hold when it is joined.
        self.workers = max(1, int(cpus // self.actor_cpus))

    # -- the two kinds of work ----------------------------------------------------------------

    def sentences(
        self,
        jobs: Iterable[tuple[T, list[str], list[str | None]]],
        model: str,
        dimension: int,
    ) -> Iterator[tuple[T, np.ndarray, list[Analysis]]]:
        """For each (tag, texts, their documents' dates), in order: (tag, unit vectors,
        analyses), computed on the cluster with `model` (checked against the workers')."""
        from checker.cluster.work import SentenceWork

        constructor = {
            "settings": self.settings,
            "model": model,
            "dimension": dimension,
            "checker_version": __version__,
            "analysis_version": ANALYSIS_VERSION,
        }
        work = ((tag, (texts, published), len(texts)) for tag, texts, published in jobs)
        for tag, (vectors, analyses) in self._windows(work, SentenceWork, constructor):
            yield tag, vectors, analyses

    def judgements(
        self,
        jobs: Iterable[tuple[T, list[tuple[str, Analysis, str, Analysis]]]],
        reads: ModelReads | None = None,
    ) -> Iterator[tuple[T, list[Judgement]]]:
        """For each (tag, analysed pairs), in order: (tag, a judgement per pair), as
        `checker.service.judge_analysed` gives them; the NLI model's reads go to `reads`."""
        from checker.cluster.work import PairWork

        constructor = {
            "settings": self.settings,
            "checker_version": __version__,
            "analysis_version": ANALYSIS_VERSION,
        }
        work = ((tag, pairs, len(pairs)) for tag, pairs in jobs)
        for tag, (judgements, model) in self._windows(work, PairWork, constructor):
            if reads is not None:
                reads.add(model, len(judgements))
            yield tag, judgements

    # -- windows of jobs through one Ray Data pipeline each -------------------------------------

    def _windows(
        self, work: Iterable[tuple[T, Any, int]], stage: type, constructor: dict[str, Any]
    ) -> Iterator[tuple[T, Any]]:
        """(tag, the stage's result) for each (tag, payload, rows in it), in order."""
        limit = WINDOW_ROWS_PER_WORKER * self.workers
        tags: list[T] = []
        payloads: list[Any] = []
        rows = 0
        for tag, payload, count in work:
            tags.append(tag)
            payloads.append(payload)
            rows += count
            if rows >= limit:
                yield from zip(tags, self._run(payloads, stage, constructor), strict=True)
                tags, payloads, rows = [], [], 0
        if tags:
            yield from zip(tags, self._run(payloads, stage, constructor), strict=True)

    def _run(self, payloads: list[Any], stage: type, constructor: dict[str, Any]) -> Iterator[Any]:
        """One Ray Data pipeline: each payload one row, one call of `stage` on the cluster's
        actors; the results in the payloads' order, each as soon as it and those before it
        are back."""
        import ray
        import ray.data

        items = [
            {"job": number, "payload": pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)}
            for number, payload in enumerate(payloads)
        ]
        payloads.clear()  # pickled now: the driver keeps one copy
        dataset = ray.data.from_items(items, override_num_blocks=len(items)).map_batches(
            stage,
            fn_constructor_kwargs=constructor,
            batch_size=1,
            batch_format="numpy",
            # A worker per model-worker slot of the cluster, one job at a time each (a job is
            # seconds of model work: the first worker up must not queue them all). One lost
            # with its node is restarted where there is room; meanwhile the others take its
            # jobs.
            compute=ray.data.ActorPoolStrategy(
                size=min(self.workers, len(items)), max_tasks_in_flight_per_actor=1
            ),
            num_cpus=self.actor_cpus,
        )
        waiting: dict[int, Any] = {}
        ready = 0
        try:
            for batch in dataset.iter_batches(batch_size=None, batch_format="numpy"):
                for job, result in zip(batch["job"].tolist(), batch["result"], strict=True):
                    waiting[job] = result
                while ready in waiting:
                    yield pickle.loads(waiting.pop(ready))
                    ready += 1
        except CheckerError:
            raise
        except Exception as exc:  # Ray's errors come in many types; all end the run here
            cause = _checker_error(exc)
            if cause is not None:
                raise cause from None
            if not isinstance(exc, ray.exceptions.RayError) and not _from_ray(exc):
                raise  # a bug of ours, not the cluster's: keep its traceback
            raise ClusterUnavailable(
                f"the Ray cluster at {self.address} failed during the run "
                f"({type(exc).__name__}: {_first_line(exc)}); "
                "what was not yet written was not stored"
            ) from None
        if ready != len(items):
            raise ClusterUnavailable(
                f"the Ray cluster at {self.address} returned {ready} of {len(items)} jobs; "
                "what was not yet written was not stored"
            )

    def close(self) -> None:
        import ray

        ray.shutdown()


# How a worker's exception reads in the message of the Ray error that reports it.
_WORKER_ERROR = re.compile(r"^checker\.errors\.(\w+): (.+)$", re.MULTILINE)
_ESCAPES = re.compile(r"\x1b\[[0-9;]*m")


def _checker_error(exc: BaseException) -> CheckerError | None:
    """The CheckerError a worker raised (a model it could not load), if that is the cause:
    the exception itself when Ray kept it, else rebuilt from the message Ray made of it (an
    actor that failed in its constructor keeps only that)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, CheckerError):
            return current
        cause = getattr(current, "cause", None)  # RayTaskError keeps the worker's exception
        if isinstance(cause, BaseException) and id(cause) not in seen:
            current = cause
        else:
            current = current.__cause__ or current.__context__
    found = _WORKER_ERROR.findall(_ESCAPES.sub("", str(exc)))
    if found:
        name, detail = found[-1]
        kind = getattr(errors, name, None)
        if isinstance(kind, type) and issubclass(kind, CheckerError):
            try:
                return kind(f"on a Ray worker: {detail}")
            except TypeError:  # an error that needs more than its detail
                return ClusterUnavailable(f"on a Ray worker: {detail}")
    return None


def _from_ray(exc: BaseException) -> bool:
    return type(exc).__module__.startswith("ray.")


def _first_line(exc: BaseException) -> str:
    text = _ESCAPES.sub("", str(exc)).strip()
    return text.splitlines()[0][:300] if text else "no detail"
