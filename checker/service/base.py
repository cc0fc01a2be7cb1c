"""The state every part of the `Checker` reads: settings, store, judge, the models
(loaded on first use), where the model work runs; and what the parts share: a hit's
analysis and the judging of analysed pairs."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from checker.analyse import Analyser, load_analyser
from checker.embed import Embedder, VectorCache, load_embedder
from checker.judge.base import Judge
from checker.judge.gate import Gate
from checker.service.judging import ModelReads, judge_analysed
from checker.settings import Settings
from checker.store import Store
from checker.types import Analysis, Hit, Judgement

if TYPE_CHECKING:
    from checker.cluster import RayCluster


class CheckerBase:
    """What every part of the Checker holds and shares (see `checker.service`)."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        judge: Judge,
        embedder: Embedder | None = None,
        analyser: Analyser | None = None,
        cluster: RayCluster | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.judge = judge
        self.gate = Gate(settings.min_confidence)
        self.model_reads = ModelReads()
        self._embedder = embedder
        self._analyser = analyser
        self._claim_vectors = VectorCache(settings.claim_cache_size)
        # Where ingest and scan send their model work (checker.cluster); None: this process.
        self.cluster = cluster
        # One thread that analyses an ingest batch while the embedder encodes it.
        self._analysis_worker = ThreadPoolExecutor(1, thread_name_prefix="checker-analyse")

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = load_embedder(self.settings)
        return self._embedder

    @property
    def analyser(self) -> Analyser:
        if self._analyser is None:
            self._analyser = load_analyser()
        return self._analyser

    def load_models(self) -> None:
        """Load the embedding model and the analyser now rather than on first use."""
        self._embedder = self.embedder
        self._analyser = self.analyser

    def _judge_pairs(self, pairs: Sequence[tuple[str, Analysis, str, Analysis]]) -> list[Judgement]:
        return judge_analysed(self.judge, self.gate, pairs, self.model_reads)

    def _analysis(self, hit: Hit) -> Analysis:
        """A hit's stored analysis; one analysed now if the index predates it (until the next
        ingest or scan upgrades the index)."""
        if hit.analysis is not None:
            return hit.analysis
        return self.analyser.analyse([hit.sentence.text], [hit.document.published])[0]
